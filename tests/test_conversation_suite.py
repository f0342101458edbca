"""Scripted calls (tests/conversations/*.toml) played through the call flow the webhooks use."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.clock import FrozenClock
from app.meetings.models import Meeting
from tests.call_runner import Played, assert_no_line_three_times, play_call
from tests.conversations import Script, fill, load_all

SCRIPTS = load_all()
DIGIT_COLON_TIME = re.compile(r"\d\s*:\s*\d")
_SCRIPT_OF = {"ar": re.compile(r"[\u0600-\u06ff]"), "ru": re.compile(r"[\u0400-\u04ff]")}
_PARTS = {"morning": range(0, 12), "afternoon": range(12, 17), "evening": range(17, 24)}


async def play(app: FastAPI, script: Script) -> Played:
    tz = app.state.settings.tz
    lead = {
        "name": script.lead_name,
        "name_he": script.lead_name_he,
        "company": script.lead_company,
        "gender": script.lead_gender,
        "email": script.lead_email,
        "source": script.lead_source,
    }
    played = await play_call(
        app, script.lines, lead=lead, fill=lambda line, offered: fill(line, offered, tz)
    )
    assert script.may_end_early or not played.ended_early, played.transcript
    return played


def test_the_suite_is_big_and_varied() -> None:
    outcomes = [script.expect for script in SCRIPTS]
    assert len(SCRIPTS) >= 80
    assert outcomes.count("booked") >= 25
    assert min(outcomes.count(o) for o in ("not_interested", "opted_out", "callback")) >= 8


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.path.stem for s in SCRIPTS])
async def test_scripted_call(app: FastAPI, script: Script) -> None:
    played = await play(app, script)
    transcript = played.transcript
    call, lead, turns = played.call, played.lead, played.turns
    last = turns[-1]
    assert call.outcome == script.expect, transcript
    assert all(t.error is None for t in turns), transcript
    spoken = played.spoken
    assert all(line.strip() for line in spoken)
    assert not any(DIGIT_COLON_TIME.search(line) for line in spoken), transcript
    assert len(played.greeting.agent_he.split()) <= 25, played.greeting.agent_he
    assert_no_line_three_times(played)
    if lead.name_he is None and re.search(r"[A-Za-z]", lead.name) and script.language is None:
        assert not re.search(r"[A-Za-z]", played.greeting.agent_he), played.greeting.agent_he

    async with app.state.sessionmaker() as session:
        meetings = (await session.scalars(select(Meeting))).all()
    rejected = set(call.dialogue.get("rejected", []))
    assert not any(m.start.isoformat() in rejected for m in meetings), transcript
    if script.expect == "booked":
        booking = next(t for t in turns if t.action == "book_meeting")
        assert len(meetings) == 1
        start = meetings[0].start.astimezone(app.state.settings.tz)
        if script.slot is not None:
            assert meetings[0].start == played.offered_before_booking[script.slot], transcript
        # No email on file: the booking asks for one and the call goes on; else it ends there.
        assert booking.ended == (script.lead_email is not None), transcript
        assert last.ended or script.may_end_early, transcript
        assert lead.email == (script.lead_email or script.email_given), transcript
        if script.booked_weekday is not None:
            assert start.weekday() == script.booked_weekday, transcript
        if script.booked_part is not None:
            assert start.hour in _PARTS[script.booked_part], transcript
        assert meetings[0].lead_id == lead.id
        assert lead.status == "booked"
    else:
        assert meetings == [], transcript
    if script.expect == "not_interested":
        assert lead.status == "not_interested", transcript
    if script.expect == "opted_out":
        assert lead.do_not_call, transcript
    if script.expect == "callback":
        assert lead.status == "callback", transcript
    if script.language == "en":
        english = [t for t in turns if t.language == "en"]
        assert english, transcript
        first = turns.index(english[0])
        assert all(t.agent_he == t.agent_en for t in turns[first:]), transcript
    elif script.language in _SCRIPT_OF:
        assert _SCRIPT_OF[script.language].search(last.agent_he), transcript


async def test_offered_slots_are_on_different_future_days(app: FastAPI, clock: FrozenClock) -> None:
    script = next(s for s in SCRIPTS if s.expect == "booked" and s.language is None)
    played = await play(app, script)
    offer = next(t for t in played.turns if t.action == "offer_slots")
    assert offer.action_payload is not None
    starts = [datetime.fromisoformat(s["start"]) for s in offer.action_payload["slots"]]
    assert len(starts) == 2
    assert starts[0].date() != starts[1].date()
    assert starts[0].hour != starts[1].hour  # "at nine" names one of them
    assert "יום" in offer.agent_he or "מחר" in offer.agent_he
    assert clock.now() + timedelta(hours=2) <= min(starts)
