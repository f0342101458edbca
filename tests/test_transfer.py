"""Warm transfer: "I want to talk to a person" connects TRANSFER_NUMBER with <Dial> (gather mode
through the offline understanding, record mode through the model's tool), the rep hears a
whisper first, and an unanswered rep brings the agent back with a slot."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.conversation.providers.openai import english_system_prompt
from app.flows.after_call import AfterCall, build_analyst
from app.language.he import HebrewCatalog
from tests.fakes.openai_server import CallTool, FakeOpenAI, RecordedRequest, Reply
from tests.fakes.twilio import CALLER_ID, FakeTwilio, TwilioCaller, add_lead, dial, stored_call

REP = "+97235550000"
ASK = "אני רוצה לדבר עם נציג"
CATALOG = HebrewCatalog("female", "female")


def dial_twiml(caller: TwilioCaller) -> ET.Element:
    """The <Dial> of the last TwiML that had one."""
    for exchange in reversed(caller.exchanges):
        if "<Dial" in exchange.body:
            found = ET.fromstring(exchange.body).find("Dial")
            assert found is not None
            return found
    raise AssertionError("no <Dial> in any TwiML")


class TestGatherMode:
    @pytest.fixture
    def transfer_number(self) -> str | None:
        return REP

    @pytest.fixture
    def settings_overrides(
        self, twilio_fake: FakeTwilio, transfer_number: str | None
    ) -> dict[str, object]:
        return twilio_fake.settings_overrides(
            twilio_input_mode="gather", transfer_number=transfer_number
        )

    async def test_asking_for_a_person_connects_the_rep_after_a_whisper(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.converse(["כן, יש לי דקה", "יש לנו שלושה אנשי מכירות", ASK])

        assert caller.dialed == [REP]
        assert CATALOG.transfer_intro() in caller.heard
        dial_verb = dial_twiml(caller)
        assert dial_verb.get("callerId") == CALLER_ID
        assert dial_verb.get("timeout") == "20"
        assert dial_verb.get("action", "").endswith(f"/twilio/transfer-status?call_id={call_id}")
        (whisper,) = caller.whispers
        assert whisper.startswith("העברת שיחה: דנה כהן, כהן בע״מ.")
        assert "צוות SDR של 3" in whisper
        assert caller.hung_up and all(e.status == 200 for e in caller.exchanges)

        call = await stored_call(app, call_id)
        assert call.outcome == "transferred"
        assert call.turns[-1].action == "transfer_to_human" and call.turns[-1].ended
        assert (await caller.status("completed", CallDuration="80")).status_code == 200
        state = app.state
        job = AfterCall(
            state.sessionmaker, state.settings, state.clock, build_analyst(state.conversation)
        )
        await job.tick()
        analysed = (await client.get(f"/calls/{call_id}")).json()
        assert analysed["score"] == "hot"
        assert analysed["analysis"]["score_reasons"] == ["asked to talk to a person"]

    @pytest.mark.both_backends
    async def test_an_unanswered_rep_brings_the_agent_back_with_a_slot(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid, rep_answers=False)
        await caller.converse([ASK, "הראשון", "אין לי מייל"])

        assert caller.dialed == [REP] and caller.whispers == []
        back = next(line for line in caller.heard if line.startswith(CATALOG.rep_unavailable()))
        assert "?" in back  # the apology comes with the slots on offer
        call = await stored_call(app, call_id)
        assert call.outcome == "booked" and call.meeting_id is not None
        actions = [turn.action for turn in call.turns]
        assert actions[-4:] == ["transfer_to_human", "offer_slots", "book_meeting", "end_call"]

        # Twilio retrying the <Dial> callback gets the same answer, and no second turn.
        status = next(e for e in caller.exchanges if "/transfer-status" in e.url)
        again = await caller.post(status.url, status.params)
        assert again.text == status.body
        assert len((await stored_call(app, call_id)).turns) == len(call.turns)

    @pytest.mark.parametrize("transfer_number", [None])
    async def test_without_a_rep_the_agent_says_so_and_offers_a_meeting(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.converse([ASK])
        assert caller.dialed == []
        assert any(line.startswith(CATALOG.transfer_unavailable()) for line in caller.heard)
        call = await stored_call(app, call_id)
        assert call.outcome is None and call.turns[-1].action == "offer_slots"


class TestRecordMode:
    @pytest.fixture
    def settings_overrides(
        self, twilio_fake: FakeTwilio, openai_fake: FakeOpenAI
    ) -> dict[str, object]:
        return {
            **openai_fake.settings_overrides(),
            **twilio_fake.settings_overrides(twilio_input_mode="record", transfer_number=REP),
        }

    async def test_the_model_transfers_a_recorded_call(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
    ) -> None:
        def chat(body: dict[str, Any]) -> Reply | None:
            if body.get("tools"):
                names = [tool["function"]["name"] for tool in body["tools"]]
                assert "transfer_to_human" in names
                return CallTool("transfer_to_human")
            if body["messages"][0]["content"] == english_system_prompt():
                return "I want to talk to a person."
            return None

        def transcribe(request: RecordedRequest) -> Reply | None:
            return twilio_fake.transcript(request.files["file"].data)

        openai_fake.script_chat(chat)
        openai_fake.script_transcription(transcribe)
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.converse([ASK])

        assert caller.dialed == [REP] and len(caller.whispers) == 1
        assert CATALOG.transfer_intro() in caller.heard
        call = await stored_call(app, call_id)
        assert call.outcome == "transferred"
        assert call.turns[-1].caller_en == "I want to talk to a person."
        # The catalog speaks the transfer: no second model round for words nobody hears.
        assert len([body for body in openai_fake.chat_requests if body.get("tools")]) == 1
