"""Every call ends: any caller line said again and again ends the call within the policy's limits,
and no agent line is spoken three times in a row (offline brain, through the call flow)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.call_runner import assert_no_line_three_times, play_call

STUBBORN_LINES = [
    "לא יודע",
    "מה?",
    "הלו? לא שומעים",
    "תשלחי לי מייל",
    "אף אחד לא מתאים",
    "כן",
    "סבבה",
    "בתשע",
    "אממ",
    "אולי",
    "מי זה?",
    "את רובוט?",
    "כמה זה עולה?",
    "איך קוראים לך?",
    "על מה מדובר?",
    "יש לנו כבר מערכת",
    "אני לא האחראי על זה",
    "ביום שישי?",
    "משהו יותר מוקדם?",
    "לא",
    "what?",
    "I don't know",
    "ما؟",
    "Что?",
    "",
    "בלה בלה בלה",
]


@pytest.mark.parametrize("line", STUBBORN_LINES)
async def test_a_line_said_ten_times_ends_the_call(app: FastAPI, line: str) -> None:
    limit = app.state.settings.max_caller_turns
    played = await play_call(app, [line] * max(10, limit + 2))
    assert played.call.outcome is not None, played.transcript
    assert len(played.turns) <= limit + 1, played.transcript
    assert all(turn.error is None for turn in played.turns), played.transcript
    assert_no_line_three_times(played)


async def test_yes_to_every_question_books_within_the_limits(app: FastAPI) -> None:
    played = await play_call(app, ["כן"] * 10 + ["הראשון"] * 3)
    assert played.call.outcome in ("booked", "callback"), played.transcript
