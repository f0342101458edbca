"""Whole calls through the /twilio webhooks, as Twilio runs them, to a booked meeting.

Gather mode runs on the offline brain (Twilio's SpeechResult is already text). Record mode needs
speech-to-text: the fake OpenAI transcribes each recording the fake Twilio served (its WAV names
the caller's line) and plays the three chat roles: translator in, agent, translator out.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.config import Settings
from app.conversation.providers.openai import english_system_prompt, hebrew_system_prompt
from app.language.he import HebrewCatalog
from app.leads.models import Lead
from app.meetings.models import Meeting
from tests.conversations import HERE, load
from tests.fakes.openai_server import CallTool, FakeOpenAI, RecordedRequest, Reply
from tests.fakes.twilio import FakeTwilio, TwilioCaller, add_lead, dial, stored_call

HE = HebrewCatalog(agent_gender="female", lead_gender="female")


def offered_starts(agent_body: dict[str, Any]) -> list[str]:
    """The slot starts the app listed in the agent's system prompt."""
    system = agent_body["messages"][0]["content"]
    return [line.split("slot_start=")[1] for line in system.splitlines() if "slot_start=" in line]


class Model:
    """The fake OpenAI chat for one call: translations by table, the agent's steps in order."""

    def __init__(self, settings: Settings) -> None:
        self.to_hebrew_prompt = hebrew_system_prompt(
            lead_gender="female", agent_gender=settings.agent_gender
        )
        self.he_to_en: dict[str, Reply] = {}
        self.en_to_he: dict[str, Reply] = {}
        self.agent: deque[Reply | Any] = deque()

    def __call__(self, body: dict[str, Any]) -> Reply | None:
        system, text = body["messages"][0]["content"], body["messages"][-1]["content"]
        if system == english_system_prompt():
            return self.he_to_en.get(text)
        if system == self.to_hebrew_prompt:
            return self.en_to_he.get(text)
        step = self.agent.popleft() if self.agent else None
        return step(body) if callable(step) else step


def transcribe_with(twilio_fake: FakeTwilio) -> Any:
    """The fake OpenAI transcription: what each fake Twilio recording says."""

    def transcribe(request: RecordedRequest) -> Reply | None:
        assert request.form["language"] == "he"
        return twilio_fake.transcript(request.files["file"].data)

    return transcribe


async def assert_booked_and_bilingual(
    app: FastAPI, client: httpx.AsyncClient, call_id: int, caller: TwilioCaller, lines: int
) -> dict[str, Any]:
    assert caller.hung_up
    assert all(e.status == 200 for e in caller.exchanges)
    response = await client.get(f"/calls/{call_id}")
    assert response.status_code == 200, response.text
    call = response.json()
    assert call["outcome"] == "booked"
    assert call["call_sid"] == caller.call_sid
    turns = call["turns"]
    assert len(turns) == lines + 1  # the greeting, then one turn per caller line
    assert turns[0]["agent_he"] == caller.heard[0]
    for turn in turns[1:]:
        assert turn["caller_en"] == "(silence)" or (turn["caller_he"] and turn["caller_en"]), turn
        assert turn["agent_he"] and turn["agent_en"], turn
        assert turn["error"] is None
    [booking] = [t for t in turns if t["action"] == "book_meeting"]
    assert turns[-1]["ended"]
    # The caller heard every agent line, in order, in Hebrew.
    assert caller.heard == [t["agent_he"] for t in turns]
    async with app.state.sessionmaker() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
    assert meeting.call_id == call_id
    assert booking["action_payload"]["meeting_id"] == meeting.id
    return call


# --- gather mode, offline ---


@pytest.mark.both_backends
class TestGatherMode:
    @pytest.fixture
    def settings_overrides(self, twilio_fake: FakeTwilio) -> dict[str, object]:
        return twilio_fake.settings_overrides(twilio_input_mode="gather")

    async def test_a_call_from_greeting_to_booked_meeting(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        assert app.state.conversation.mode == "offline"
        script = load(HERE / "01_booked_first_slot_female.toml")
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(script.lines)

        call = await assert_booked_and_bilingual(app, client, call_id, caller, len(script.lines))
        assert [t["caller_he"] for t in call["turns"][1:]] == list(script.lines)
        assert all(t["ms"]["fetch"] is None for t in call["turns"])  # nothing was downloaded
        assert twilio_fake.media_requests == []
        speech_posts = [e for e in caller.exchanges if "/process-speech" in e.url]
        assert [e.url.rsplit("=", 1)[1] for e in speech_posts] == ["1", "2", "3", "4", "5", "6"]
        assert speech_posts[0].params["SpeechResult"] == script.lines[0]

    async def test_silence_in_the_middle_is_reprompted_and_the_call_goes_on(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        script = load(HERE / "01_booked_first_slot_female.toml")
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse([script.lines[0], "", *script.lines[1:]])

        assert HE.reprompt(1) in caller.heard
        silent = (await stored_call(app, call_id)).turns[2]
        assert (silent.caller_he, silent.caller_en, silent.agent_he) == (
            None,
            "(silence)",
            HE.reprompt(1),
        )
        await assert_booked_and_bilingual(app, client, call_id, caller, len(script.lines) + 1)

    async def test_three_silences_end_the_call_politely(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(["", "", ""])

        assert caller.hung_up
        assert caller.heard[1:] == [HE.reprompt(1), HE.reprompt(2), HE.goodbye()]
        call = await stored_call(app, call_id)
        assert call.outcome == "no_answer"

    async def test_a_retried_speech_webhook_makes_one_turn_and_the_same_twiml(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.webhook("/twilio/voice")
        params = caller.params(SpeechResult="כן, בטח, יש לי דקה", Confidence="0.9")
        retry = {"I-Twilio-Idempotency-Token": "idem-1"}

        first = await caller.post("/twilio/process-speech?turn=1", params, headers=retry)
        again = await caller.post("/twilio/process-speech?turn=1", params, headers=retry)

        assert first.status_code == again.status_code == 200
        assert first.text == again.text
        assert "turn=2" in first.text
        assert [t.index for t in (await stored_call(app, call_id)).turns] == [0, 1]
        # The caller's next turn, said the same way, is a new turn.
        third = await caller.post("/twilio/process-speech?turn=2", params)
        assert third.status_code == 200 and "turn=3" in third.text
        assert len((await stored_call(app, call_id)).turns) == 3


# --- record mode, OpenAI fake ---

# The lead has no email: after the booking the agent asks for it, reads it back, stores it.
RECORD_LINES = [
    "כן, יש לי דקה",
    "כן, זה נשמע מעניין",
    "הראשון מתאים לי",
    "דני שטרודל ג'ימייל נקודה קום",
    "כן, נכון",
]


@pytest.mark.both_backends
class TestRecordMode:
    @pytest.fixture
    def settings_overrides(
        self, twilio_fake: FakeTwilio, openai_fake: FakeOpenAI
    ) -> dict[str, object]:
        return {
            **openai_fake.settings_overrides(),
            **twilio_fake.settings_overrides(twilio_input_mode="record"),
            "openai_timeout_seconds": 0.5,
            "turn_deadline_seconds": 2.0,
        }

    @pytest.fixture
    def model(self, settings: Settings, openai_fake: FakeOpenAI, twilio_fake: FakeTwilio) -> Model:
        model = Model(settings)
        model.he_to_en.update(
            {
                RECORD_LINES[0]: "Yes, I have a minute",
                RECORD_LINES[1]: "Yes, that sounds interesting",
                RECORD_LINES[2]: "The first one works for me",
                RECORD_LINES[3]: "Danny at gmail dot com",
                RECORD_LINES[4]: "Yes, right",
            }
        )
        model.en_to_he["Great. Do you have a sales team that calls leads?"] = (
            "מעולה. יש לכם צוות מכירות שמתקשר ללידים?"
        )
        openai_fake.script_chat(model)
        openai_fake.script_transcription(transcribe_with(twilio_fake))
        return model

    def book(self, model: Model) -> None:
        def pick_the_first(body: dict[str, Any]) -> Reply:
            return CallTool("book_meeting", {"slot_start": offered_starts(body)[0]})

        model.agent += [
            "Great. Do you have a sales team that calls leads?",
            CallTool("offer_slots"),  # catalog lines follow both tools: no second round
            pick_the_first,
        ]

    async def test_a_recorded_call_from_greeting_to_booked_meeting(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        assert app.state.conversation.mode == "openai"
        self.book(model)
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(RECORD_LINES)

        call = await assert_booked_and_bilingual(app, client, call_id, caller, len(RECORD_LINES))
        turns = call["turns"]
        assert [t["caller_he"] for t in turns[1:]] == RECORD_LINES
        assert turns[1]["agent_he"] == "מעולה. יש לכם צוות מכירות שמתקשר ללידים?"
        assert turns[2]["action"] == "offer_slots"
        assert "שטרודל ג'ימייל נקודה קום" in turns[4]["agent_he"]
        async with app.state.sessionmaker() as session:
            lead = await session.get(Lead, call["lead"]["id"])
        assert lead is not None and lead.email == "dani@gmail.com"
        for turn in turns[1:]:
            assert turn["ms"]["fetch"] is not None and turn["ms"]["stt"] is not None
        # Each recording was fetched once, as WAV, and transcribed as Hebrew.
        assert len(twilio_fake.media_requests) == len(RECORD_LINES)
        assert all(url.endswith(".wav") for url in twilio_fake.media_requests)
        assert len(openai_fake.transcription_requests) == len(RECORD_LINES)
        model_name = openai_fake.transcription_requests[0].form["model"]
        assert model_name == app.state.settings.openai_transcribe_model

    async def test_a_replayed_recording_webhook_makes_one_turn_and_the_same_twiml(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        self.book(model)
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.webhook("/twilio/voice")
        rec_sid, url = twilio_fake.add_recording(RECORD_LINES[0])
        params = caller.params(RecordingUrl=url, RecordingSid=rec_sid, RecordingDuration="2")

        first = await caller.post("/twilio/process-recording?turn=1", params)
        again = await caller.post("/twilio/process-recording?turn=1", params)

        assert first.status_code == again.status_code == 200
        assert first.text == again.text
        call = await stored_call(app, call_id)
        assert [t.index for t in call.turns] == [0, 1]
        assert call.turns[1].idempotency_key == f"call-{call_id}:rec-{rec_sid}"
        # The replay was answered from the record: nothing transcribed or asked again. (Its
        # download starts before the record is read, so it may be fetched twice.)
        assert len(twilio_fake.media_requests) in (1, 2)
        assert len(openai_fake.transcription_requests) == 1
        assert len(openai_fake.chat_requests) == 3

    async def test_the_media_not_ready_yet_is_retried(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        model: Model,
    ) -> None:
        self.book(model)
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        twilio_fake.fail_media(2)

        await caller.converse(RECORD_LINES[:1])

        assert len(twilio_fake.media_requests) == 3
        turn = (await stored_call(app, call_id)).turns[1]
        assert (turn.caller_he, turn.error) == (RECORD_LINES[0], None)
        assert caller.heard[-1] == "מעולה. יש לכם צוות מכירות שמתקשר ללידים?"

    async def test_a_recording_on_a_host_not_allowed_is_never_fetched(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid, recording_host="localhost")

        await caller.converse(["מה שלומך?"])

        assert twilio_fake.media_requests == []
        assert openai_fake.transcription_requests == []
        assert caller.heard[-1] == HE.fallback()
        assert not caller.hung_up  # the call goes on: recording again
        assert caller.exchanges[-1].body.count("<Record ") == 1
        turn = (await stored_call(app, call_id)).turns[1]
        assert turn.error is not None and "RECORDING_URL_ALLOWED_HOSTS" in turn.error
        assert (turn.caller_he, turn.agent_he) == (None, HE.fallback())

    async def test_an_openai_timeout_mid_call_gives_the_fallback_and_the_call_goes_on(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        from tests.fakes.openai_server import Delay

        self.book(model)
        slow_once = deque([Delay(1.5, "מאוחר מדי")])

        def transcribe(request: RecordedRequest) -> Reply | None:
            if slow_once and twilio_fake.transcript(request.files["file"].data) == "שנייה":
                return slow_once.popleft()
            return twilio_fake.transcript(request.files["file"].data)

        openai_fake.script_transcription(transcribe)
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(["שנייה", *RECORD_LINES])

        assert caller.heard[1] == HE.fallback()
        stored = await stored_call(app, call_id)
        assert stored.outcome == "booked"
        failed = stored.turns[1]
        assert failed.error is not None and failed.error.startswith("ProviderTimeout")
        assert failed.agent_he == HE.fallback()
        assert all(t.error is None for t in stored.turns[2:])
        assert caller.hung_up and all(e.status == 200 for e in caller.exchanges)

    async def test_three_provider_failures_end_the_call_with_a_technical_goodbye(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        from tests.fakes.openai_server import HttpError

        openai_fake.queue_transcription(HttpError(500), HttpError(429), HttpError(503))
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)

        await caller.converse(["אחת", "שתיים", "שלוש"])

        assert caller.hung_up
        assert caller.heard[1:] == [HE.fallback(), HE.fallback(), HE.technical_goodbye()]
        assert all(e.status == 200 for e in caller.exchanges)
        call = await stored_call(app, call_id)
        assert call.outcome == "error"
        assert [t.error is not None for t in call.turns] == [False, True, True, True]

    async def test_silence_reaches_the_app_and_three_end_the_call(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        twilio_fake: FakeTwilio,
        openai_fake: FakeOpenAI,
        model: Model,
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.webhook("/twilio/voice")
        # An empty recording Twilio did post (duration 0) is silence too.
        rec_sid, url = twilio_fake.add_recording("")
        empty = await caller.webhook(
            "/twilio/process-recording?turn=1",
            RecordingUrl=url,
            RecordingSid=rec_sid,
            RecordingDuration="0",
        )
        assert empty[0].text == HE.reprompt(1)

        # Then nothing recorded at all: Twilio runs the <Redirect> to /twilio/silence.
        await caller.converse([""], voice_url=empty.find("Redirect").text or "")

        assert caller.heard == [HE.reprompt(2), HE.goodbye()]
        assert caller.hung_up
        assert twilio_fake.media_requests == []
        assert openai_fake.requests == []
        call = await stored_call(app, call_id)
        assert call.outcome == "no_answer"
        assert [t.caller_en for t in call.turns[1:]] == ["(silence)"] * 3


# --- no 5xx, ever ---


class TestDatabaseOutage:
    """An unexpected failure (here the database losing a table) never reaches Twilio as a 5xx."""

    @pytest.fixture
    def settings_overrides(self, twilio_fake: FakeTwilio) -> dict[str, object]:
        return twilio_fake.settings_overrides(twilio_input_mode="gather")

    async def _rename(self, app: FastAPI, old: str, new: str) -> None:
        async with app.state.engine.begin() as connection:
            await connection.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")

    async def test_a_failing_turn_gets_the_fallback_and_the_same_turn_is_asked_again(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        call_id, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await caller.webhook("/twilio/voice")

        await self._rename(app, "turns", "turns_gone")
        root = await caller.webhook("/twilio/process-speech?turn=1", SpeechResult="כן, בטח")
        gather = root.find("Gather")
        assert gather is not None
        assert gather.attrib["action"].endswith("/twilio/process-speech?turn=1")
        assert [say.text for say in gather] == [HE.fallback()]
        unknown = await caller.webhook("/twilio/voice")  # nothing to greet with: end politely
        assert [v.tag for v in unknown] == ["Say", "Hangup"]
        assert unknown[0].text == HebrewCatalog().technical_goodbye()
        await self._rename(app, "turns_gone", "turns")

        # The caller says it again; this time the turn is taken.
        await caller.webhook("/twilio/process-speech?turn=1", SpeechResult="כן, בטח, יש לי דקה")
        assert [t.index for t in (await stored_call(app, call_id)).turns] == [0, 1]

    async def test_a_failing_status_callback_is_still_acknowledged(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        _, sid = await dial(client, await add_lead(app))
        caller = TwilioCaller(client, twilio_fake, sid)
        await self._rename(app, "calls", "calls_gone")
        try:
            response = await caller.status("completed", CallDuration="5")
            assert response.status_code == 200 and "<Response" in response.text
            root = await caller.webhook("/twilio/silence?turn=1")
            assert [v.tag for v in root] == ["Say", "Hangup"]
        finally:
            await self._rename(app, "calls_gone", "calls")
