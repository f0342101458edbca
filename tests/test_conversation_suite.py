"""Scripted Hebrew calls (tests/conversations/*.toml) through the offline pipeline, end to end."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.clock import FrozenClock
from app.conversation.pipeline import TurnResult
from app.conversation.state import Action, Conversation, LeadProfile
from app.leads.models import Lead
from app.meetings.models import Meeting
from tests.conversations import Script, fill, load_all

SCRIPTS = load_all()


def test_the_suite_is_big_and_varied() -> None:
    outcomes = [script.expect for script in SCRIPTS]
    assert len(SCRIPTS) >= 25
    assert outcomes.count("booked") >= 12
    assert min(outcomes.count(o) for o in ("not_interested", "opted_out", "callback")) >= 4


async def play(app: FastAPI, script: Script) -> tuple[Lead, list[TurnResult], Conversation, list]:
    """Greets, then answers every line as a call would: one session (and commit) per turn."""
    maker = app.state.sessionmaker
    pipeline = app.state.conversation.pipeline
    async with maker.begin() as session:
        lead = Lead(
            name="דנה כהן", phone="+972507654321", company="כהן בע״מ", gender=script.lead_gender
        )
        session.add(lead)
        await session.flush()
        conversation = Conversation(lead=LeadProfile.from_lead(lead))
    greeting = pipeline.greeting(conversation)
    assert greeting.he and greeting.en
    results: list[TurnResult] = []
    silences = 0
    chosen_from: list = []
    for raw in script.lines:
        assert not conversation.ended, f"call ended before {raw!r}: {results[-1].agent_en}"
        offered = [slot.start for slot in conversation.offered]
        chosen_from = offered
        line = fill(raw, offered, pipeline.settings.tz)
        async with maker.begin() as session:
            result = await pipeline.run_turn(session, conversation, line, silences)
        silences = silences + 1 if not line.strip() else 0
        results.append(result)
    async with maker() as session:
        stored = await session.get(Lead, lead.id)
        assert stored is not None
    return stored, results, conversation, chosen_from


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.path.stem for s in SCRIPTS])
async def test_scripted_call(app: FastAPI, script: Script) -> None:
    lead, results, conversation, offered_before_last = await play(app, script)
    last = results[-1]
    transcript = "\n".join(f"> {r.caller_he}\n< {r.agent_en}" for r in results)
    assert conversation.ended, transcript
    assert all(r.error is None for r in results), transcript
    assert all(r.agent_he and r.agent_en for r in results)

    async with app.state.sessionmaker() as session:
        meetings = (await session.scalars(select(Meeting))).all()
    if script.expect == "booked":
        assert last.action == Action.book_meeting, transcript
        assert len(meetings) == 1
        assert meetings[0].start == offered_before_last[script.slot], transcript
        assert meetings[0].lead_id == lead.id
        assert lead.status == "booked"
    else:
        assert meetings == [], transcript
    if script.expect == "not_interested":
        assert (last.action, last.payload) == (Action.end_call, {"reason": "not_interested"})
        assert lead.status == "not_interested"
    if script.expect == "opted_out":
        assert last.action == Action.mark_do_not_call, transcript
        assert lead.do_not_call
    if script.expect == "callback":
        assert last.action == Action.schedule_callback, transcript
        assert lead.status == "callback"


async def test_offered_slots_are_on_different_future_days(app: FastAPI, clock: FrozenClock) -> None:
    script = next(s for s in SCRIPTS if s.expect == "booked")
    _, results, _, _ = await play(app, script)
    offer = next(r for r in results if r.action == Action.offer_slots)
    assert offer.payload is not None
    starts = [s["start"] for s in offer.payload["slots"]]
    assert len(starts) == 2
    assert starts[0][:10] != starts[1][:10]
    # The Hebrew offer speaks both days with Hebrew wording, never English.
    assert "יום" in offer.agent_he and "בשעה" in offer.agent_he
    assert clock.now() + timedelta(hours=2) <= min(datetime.fromisoformat(s) for s in starts)
