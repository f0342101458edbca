"""After the call: every ended call gets a summary, a score and the qualification fields,
offline (the deterministic extractor) and through OpenAI's structured outputs."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.calls.models import Call, CallStatus, Channel, Outcome, Turn
from app.clock import FrozenClock
from app.conversation.analysis import ANALYSIS_SCHEMA
from app.flows.after_call import AfterCall, build_analyst
from tests.fakes.openai_server import FakeOpenAI, HttpError
from tests.fakes.twilio import add_lead


def job(app: FastAPI) -> AfterCall:
    state = app.state
    return AfterCall(
        state.sessionmaker, state.settings, state.clock, build_analyst(state.conversation)
    )


async def say(client: httpx.AsyncClient, call_id: int, text: str) -> dict[str, Any]:
    response = await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def ended_call(
    app: FastAPI, lead_id: int, lines: list[tuple[str, str]], **fields: Any
) -> int:
    """An ended call with its English transcript, stored as the call flow stores one."""
    async with app.state.sessionmaker.begin() as session:
        call = Call(
            lead_id=lead_id,
            channel=Channel.twilio,
            status=CallStatus.completed,
            started_at=app.state.clock.now(),
            ended_at=app.state.clock.now(),
            **fields,
        )
        session.add(call)
        await session.flush()
        session.add(Turn(call_id=call.id, index=0, agent_en="Hi, this is Noa.", agent_he="היי"))
        for i, (caller, agent) in enumerate(lines, start=1):
            session.add(
                Turn(call_id=call.id, index=i, caller_en=caller, agent_en=agent, agent_he="")
            )
        return call.id


class TestOffline:
    @pytest.mark.both_backends
    async def test_a_booked_simulated_call_is_summarised_and_scored_hot(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        lead_id = await add_lead(app)
        call_id = (await client.post("/simulator/calls", json={"lead_id": lead_id})).json()[
            "call_id"
        ]
        await say(client, call_id, "כן, יש לי דקה")
        await say(client, call_id, "יש לנו שלושה אנשי מכירות ואנחנו עובדים עם אקסל")
        offer = await say(client, call_id, "בטלפון, לפעמים זה לוקח יום")
        assert offer["action"] == "offer_slots"
        booked = await say(client, call_id, "הראשון")
        assert booked["action"] == "book_meeting" and not booked["ended"]  # asks for the email
        assert (await say(client, call_id, "אין לי מייל"))["ended"]
        before = (await client.get(f"/calls/{call_id}")).json()
        assert before["status"] == "completed" and before["summary"] is None

        assert await job(app).tick() == 1
        assert await job(app).tick() == 0  # once per call

        call = (await client.get(f"/calls/{call_id}")).json()
        assert call["score"] == "hot"
        assert call["summary"].startswith("A meeting was booked.")
        assert "team of 3" in call["summary"]
        assert call["summary_he"].startswith("נקבעה פגישה.")
        assert call["analysis"]["source"] == "offline"
        assert call["analysis"]["score_reasons"] == ["booked a meeting"]
        assert call["analysis"]["next_step"]
        fields = call["analysis"]["qualification"]
        assert fields["has_sdr_team"] is True and fields["sdr_team_size"] == 3
        assert "Excel" in fields["current_tools"]
        assert fields["lead_handling"] == "in a spreadsheet"
        assert fields["requested_follow_up"].startswith("the meeting booked for")

        hot = (await client.get("/leads", params={"score": "hot"})).json()
        assert [lead["id"] for lead in hot] == [lead_id]
        assert (await client.get("/leads", params={"score": "cold"})).json() == []
        assert (await client.get("/leads", params={"score": "boiling"})).status_code == 422

    @pytest.mark.both_backends
    async def test_an_unanswered_call_is_cold_and_a_live_call_waits(self, app: FastAPI) -> None:
        lead_id = await add_lead(app)
        busy = await ended_call(app, lead_id, [], outcome=Outcome.busy)
        live = await ended_call(app, lead_id, [("Yes?", "Hi")])
        async with app.state.sessionmaker.begin() as session:
            call = await session.get(Call, live)
            assert call is not None
            call.status = CallStatus.in_progress
        assert await job(app).tick() == 1
        async with app.state.sessionmaker() as session:
            stored = await session.get(Call, busy)
            waiting = await session.get(Call, live)
        assert stored is not None and waiting is not None
        assert stored.score == "cold" and stored.summary == "The line was busy."
        assert stored.analysis and stored.analysis["score_reasons"] == ["not reached (busy)"]
        assert waiting.analyzed_at is None

    async def test_a_callback_with_objections_is_warm(self, app: FastAPI) -> None:
        lead_id = await add_lead(app)
        call_id = await ended_call(
            app,
            lead_id,
            [
                ("How much does it cost?", "It depends on volume."),
                ("We already use HubSpot and the reps call leads manually.", "I see."),
                ("Not a good time right now, call me back tomorrow.", "Sure."),
            ],
            outcome=Outcome.callback,
        )
        await job(app).tick()
        async with app.state.sessionmaker() as session:
            call = await session.get(Call, call_id)
        assert call is not None and call.analysis is not None
        assert call.score == "warm"
        fields = call.analysis["qualification"]
        assert fields["current_tools"] == ["HubSpot"]
        assert fields["objections"] == ["price", "not a good time", "already has a solution"]
        assert fields["lead_handling"] == "by hand, in a CRM"
        assert call.analysis["next_step"] == "Call back at the time the lead asked for."

    @pytest.mark.parametrize("settings_overrides", [{"after_call_enabled": True}])
    async def test_the_job_runs_in_the_server(self, app: FastAPI, clock: FrozenClock) -> None:
        lead_id = await add_lead(app)
        call_id = await ended_call(app, lead_id, [], outcome=Outcome.no_answer)
        for _ in range(500):
            async with app.state.sessionmaker() as session:
                call = await session.get(Call, call_id)
            if call is not None and call.analyzed_at is not None:
                break
            await asyncio.sleep(0.02)
        assert call is not None and call.score == "cold"
        assert call.analyzed_at == clock.now()


ONLINE_ANALYSIS = {
    "summary": "Dana runs a team of 4 SDRs who work leads from HubSpot; she booked a demo.",
    "score": "hot",
    "score_reasons": ["booked a demo", "a team of 4 SDRs"],
    "next_step": "Prepare a HubSpot integration demo.",
    "qualification": {
        "has_sdr_team": True,
        "sdr_team_size": 4,
        "lead_handling": "SDRs call web leads back within a day",
        "current_tools": ["HubSpot"],
        "objections": [],
        "requested_follow_up": "demo on Tuesday",
    },
}


class TestOnline:
    @pytest.fixture
    def settings_overrides(self, openai_fake: FakeOpenAI) -> dict[str, object]:
        return openai_fake.settings_overrides()

    async def test_structured_outputs_fill_the_analysis_and_hebrew_is_translated(
        self, app: FastAPI, client: httpx.AsyncClient, openai_fake: FakeOpenAI
    ) -> None:
        lead_id = await add_lead(app)
        call_id = await ended_call(
            app,
            lead_id,
            [("We have 4 SDRs on HubSpot.", "Great."), ("Tuesday works.", "Booked!")],
            outcome=Outcome.booked,
        )
        openai_fake.queue_chat(json.dumps(ONLINE_ANALYSIS), "לדנה צוות של ארבעה אנשי SDR.")
        assert await job(app).tick() == 1

        analysis_request, translation_request = openai_fake.chat_requests
        response_format = analysis_request["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["strict"] is True
        assert response_format["json_schema"]["schema"] == ANALYSIS_SCHEMA
        assert "Lead: We have 4 SDRs on HubSpot." in analysis_request["messages"][1]["content"]
        assert translation_request["messages"][1]["content"] == ONLINE_ANALYSIS["summary"]

        call = (await client.get(f"/calls/{call_id}")).json()
        assert call["summary"] == ONLINE_ANALYSIS["summary"]
        assert call["summary_he"] == "לדנה צוות של ארבעה אנשי SDR."
        assert call["score"] == "hot"
        assert call["analysis"]["source"] == "openai"
        assert call["analysis"]["qualification"] == ONLINE_ANALYSIS["qualification"]

    @pytest.mark.parametrize(
        "reply",
        [HttpError(503), json.dumps({**ONLINE_ANALYSIS, "score": "lukewarm"}), "not json"],
        ids=["unavailable", "off-schema", "malformed"],
    )
    async def test_a_failing_model_falls_back_to_the_offline_analysis(
        self, app: FastAPI, openai_fake: FakeOpenAI, reply: object
    ) -> None:
        lead_id = await add_lead(app)
        call_id = await ended_call(
            app, lead_id, [("Not interested, thanks.", "Okay.")], outcome=Outcome.not_interested
        )
        openai_fake.queue_chat(reply, "תרגום")  # type: ignore[arg-type]
        assert await job(app).tick() == 1
        openai_fake.take_problems()
        async with app.state.sessionmaker() as session:
            call = await session.get(Call, call_id)
        assert call is not None and call.analysis is not None
        assert call.analysis["source"] == "offline"
        assert call.score == "cold" and call.summary == "The lead was not interested."


async def test_a_retried_job_after_the_clock_moves_changes_nothing(
    app: FastAPI, clock: FrozenClock
) -> None:
    lead_id = await add_lead(app)
    call_id = await ended_call(app, lead_id, [], outcome=Outcome.voicemail)
    await job(app).tick()
    clock.advance(timedelta(hours=1))
    assert await job(app).tick() == 0
    async with app.state.sessionmaker() as session:
        call = await session.get(Call, call_id)
    assert call is not None and call.analyzed_at == clock.now() - timedelta(hours=1)


async def test_erasing_the_lead_blanks_the_summary_and_keeps_the_score(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    lead_id = await add_lead(app)
    call_id = await ended_call(
        app, lead_id, [("We have 5 SDRs on Salesforce.", "Great.")], outcome=Outcome.callback
    )
    await job(app).tick()
    assert "Salesforce" in (await client.get(f"/calls/{call_id}")).json()["summary"]
    assert (await client.delete(f"/leads/{lead_id}")).status_code == 204
    call = (await client.get(f"/calls/{call_id}")).json()
    assert (call["summary"], call["summary_he"], call["analysis"]) == (None, None, None)
    assert call["score"] == "hot"  # a team of 5 asking for a callback
