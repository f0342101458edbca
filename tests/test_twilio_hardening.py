"""Signed webhooks with hostile or odd values: never a 500, never a duplicate or a foreign turn.

Each case here once failed: `turn=inf` was a 500 (the rescue parsed it again), a 100 KB
SpeechResult held the event loop for tens of seconds, another call's RecordingSid got that
call's TwiML, a negative CallDuration was stored, `COMPLETED` was not final, and a speech
webhook without `turn` or token stored a new turn on every retry.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from app.language.he import HebrewCatalog
from app.telephony.twilio.router import MAX_CALLER_CHARS, whole_number
from tests.fakes.twilio import FakeTwilio, TwilioCaller, add_lead, dial, stored_call

pytestmark = pytest.mark.both_backends  # column lengths are enforced on Postgres

HE = HebrewCatalog(agent_gender="female", lead_gender="female")
NOT_NUMBERS = ["inf", "-inf", "1e999", "Infinity", "NaN", "-3", "99999999999999999999", "0x10"]


@pytest.fixture
def settings_overrides(twilio_fake: FakeTwilio) -> dict[str, object]:
    return twilio_fake.settings_overrides(twilio_input_mode="gather")


async def _answered(
    app: FastAPI, client: httpx.AsyncClient, fake: FakeTwilio, phone: str = "+972501234567"
) -> tuple[int, TwilioCaller]:
    call_id, sid = await dial(client, await add_lead(app, phone=phone))
    caller = TwilioCaller(client, fake, sid)
    await caller.webhook("/twilio/voice")
    return call_id, caller


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 12 ", 12), ("3.0", 3), ("", None), (None, None)]
    + [(bad, None) for bad in NOT_NUMBERS],
)
def test_numbers_are_parsed_once_and_strictly(raw: str | None, expected: int | None) -> None:
    assert whole_number(raw) == expected


@pytest.mark.parametrize("turn", NOT_NUMBERS)
@pytest.mark.parametrize("path", ["/twilio/process-speech", "/twilio/silence"])
async def test_a_turn_that_is_not_a_number_gets_hebrew_twiml(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, turn: str, path: str
) -> None:
    _, caller = await _answered(app, client, twilio_fake)
    root = await caller.webhook(f"{path}?turn={turn}", SpeechResult="כן, יש לי דקה")
    assert root.find("Gather") is not None  # the call goes on, in Hebrew


@pytest.mark.parametrize("turn", ["inf", "1e999", "NaN"])
async def test_the_rescue_path_survives_a_turn_that_is_not_a_number(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, turn: str
) -> None:
    _, caller = await _answered(app, client, twilio_fake)
    async with app.state.engine.begin() as connection:  # the turn fails: the rescue answers
        await connection.exec_driver_sql("ALTER TABLE turns RENAME TO turns_gone")
    try:
        response = await caller.post(
            f"/twilio/process-speech?turn={turn}", caller.params(SpeechResult="כן")
        )
    finally:
        async with app.state.engine.begin() as connection:
            await connection.exec_driver_sql("ALTER TABLE turns_gone RENAME TO turns")
    assert response.status_code == 200, response.text
    assert "<Say" in response.text and "<Hangup" in response.text


async def test_a_huge_speech_result_is_cut_and_does_not_stall_the_server(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    call_id, caller = await _answered(app, client, twilio_fake)
    huge = "כן אני רוצה לשמוע עוד על זה " * 4000  # ~110 KB

    async def health_latency() -> float:
        await asyncio.sleep(0.05)  # the webhook is under way
        started = time.perf_counter()
        assert (await client.get("/health")).status_code == 200
        return time.perf_counter() - started

    started = time.perf_counter()
    speech, latency = await asyncio.gather(
        caller.post("/twilio/process-speech?turn=1", caller.params(SpeechResult=huge)),
        health_latency(),
    )
    assert speech.status_code == 200 and "<Gather" in speech.text
    assert time.perf_counter() - started < 5
    assert latency < 2
    [_, turn] = (await stored_call(app, call_id)).turns
    assert turn.caller_he is not None and 0 < len(turn.caller_he) <= MAX_CALLER_CHARS


async def test_another_calls_recording_sid_is_a_new_turn_of_this_call(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    first_id, first = await _answered(app, client, twilio_fake)
    second_id, second = await _answered(app, client, twilio_fake, phone="+972527654321")
    rec_sid = "RE" + "a" * 32
    fields = {"RecordingSid": rec_sid, "RecordingDuration": "0"}  # nothing to download

    mine = await first.webhook("/twilio/process-recording?turn=1", **fields)
    theirs = await second.webhook("/twilio/process-recording?turn=1", **fields)

    assert [t.index for t in (await stored_call(app, first_id)).turns] == [0, 1]
    assert [t.index for t in (await stored_call(app, second_id)).turns] == [0, 1]
    assert mine.find("Gather") is not None and theirs.find("Gather") is not None
    # A retry of the second call's webhook is still answered from its own record.
    again = await second.webhook("/twilio/process-recording?turn=1", **fields)
    assert [t.index for t in (await stored_call(app, second_id)).turns] == [0, 1]
    assert [say.text for say in again.iter("Say")] == [say.text for say in theirs.iter("Say")]


@pytest.mark.parametrize("headers", [{}, {"I-Twilio-Idempotency-Token": "tok-1"}])
async def test_a_speech_retry_without_turn_stores_one_turn(
    app: FastAPI,
    client: httpx.AsyncClient,
    twilio_fake: FakeTwilio,
    headers: dict[str, str],
) -> None:
    call_id, caller = await _answered(app, client, twilio_fake)
    params = caller.params(SpeechResult="כן, בטח, יש לי דקה", Confidence="0.93")
    replies = [
        await caller.post("/twilio/process-speech", params, headers=headers) for _ in range(3)
    ]
    assert all(reply.status_code == 200 for reply in replies)
    assert len({reply.text for reply in replies}) == 1
    assert [t.index for t in (await stored_call(app, call_id)).turns] == [0, 1]


async def test_a_negative_call_duration_is_not_stored(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    call_id, caller = await _answered(app, client, twilio_fake)
    await caller.status("completed", CallDuration="-42")
    call = await stored_call(app, call_id)
    assert (call.status, call.duration_s) == ("completed", None)


@pytest.mark.parametrize("word", ["COMPLETED", "Completed", " completed "])
async def test_completed_in_any_case_is_final(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, word: str
) -> None:
    call_id, caller = await _answered(app, client, twilio_fake)
    await caller.status(word, CallDuration="42")
    await caller.status("in-progress")  # late and out of order
    call = await stored_call(app, call_id)
    assert (call.status, call.duration_s) == ("completed", 42)
    assert call.ended_at is not None


async def test_an_unknown_status_word_is_not_stored(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    call_id, caller = await _answered(app, client, twilio_fake)
    response = await caller.status("x" * 500)
    assert response.status_code == 200
    assert (await stored_call(app, call_id)).status == "in_progress"
