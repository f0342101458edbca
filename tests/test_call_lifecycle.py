"""A call's lifecycle (calls/service.py): legal moves, refused ones, and what the channels store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.calls import service as calls
from app.calls.models import Call, CallStatus, Channel, Outcome
from app.leads.models import Lead

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _call(status: CallStatus = CallStatus.queued) -> Call:
    return Call(id=7, lead_id=1, channel=Channel.twilio, status=status, started_at=T0)


def test_a_call_goes_queued_ringing_in_progress_completed() -> None:
    call = _call()
    calls.placed(call, "CA1")
    assert (call.status, call.call_sid) == (CallStatus.ringing, "CA1")
    calls.answered(call, T0 + timedelta(seconds=5))
    assert (call.status, call.answered_at) == (CallStatus.in_progress, T0 + timedelta(seconds=5))
    calls.finished(call, CallStatus.completed, T0 + timedelta(seconds=65), duration_s=60)
    assert (call.status, call.ended_at, call.duration_s) == (
        CallStatus.completed,
        T0 + timedelta(seconds=65),
        60,
    )
    assert call.outcome is None  # a conversation's outcome is the flow's, never invented here


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (CallStatus.busy, Outcome.busy),
        (CallStatus.no_answer, Outcome.no_answer),
        (CallStatus.failed, Outcome.failed),
        (CallStatus.canceled, Outcome.failed),
    ],
)
def test_an_unanswered_call_gets_its_outcome(status: CallStatus, outcome: Outcome) -> None:
    call = _call(CallStatus.ringing)
    calls.finished(call, status, T0)
    assert (call.status, call.outcome, call.ended_at) == (status, outcome, T0)


def test_news_that_comes_late_only_binds_the_sid() -> None:
    call = _call()
    calls.answered(call, T0)  # the answer overtook the REST reply
    calls.placed(call, "CA1")
    assert (call.status, call.call_sid) == (CallStatus.in_progress, "CA1")
    calls.answered(call, T0 + timedelta(seconds=9))  # a retried webhook
    assert call.answered_at == T0


@pytest.mark.parametrize(
    "move",
    [
        lambda c: calls.answered(c, T0),
        lambda c: calls.failed(c, T0, "refused"),
        lambda c: calls.finished(c, CallStatus.busy, T0),
        lambda c: calls.placed(c, "CA-another"),
    ],
    ids=["answered", "failed", "finished-differently", "placed-as-another"],
)
def test_a_finished_call_refuses_to_move(move: object) -> None:
    call = _call()
    calls.placed(call, "CA1")
    calls.finished(call, CallStatus.completed, T0, duration_s=3)
    with pytest.raises(calls.IllegalTransition):
        move(call)  # type: ignore[operator]
    assert (call.status, call.call_sid) == (CallStatus.completed, "CA1")


def test_the_same_end_twice_is_fine_and_keeps_the_first_end() -> None:
    call = _call(CallStatus.in_progress)
    calls.finished(call, CallStatus.completed, T0)
    calls.finished(call, CallStatus.completed, T0 + timedelta(minutes=1), duration_s=42)
    assert (call.ended_at, call.duration_s) == (T0, 42)


def test_only_final_statuses_finish_a_call() -> None:
    with pytest.raises(ValueError, match="not a final status"):
        calls.finished(_call(), CallStatus.ringing, T0)


def test_a_failed_placement_is_final_with_its_outcome() -> None:
    call = _call()
    calls.failed(call, T0, "Twilio refused")
    assert (call.status, call.outcome, call.ended_at) == (CallStatus.failed, Outcome.failed, T0)


async def test_open_marks_a_new_lead_contacted(app: FastAPI) -> None:
    async with app.state.sessionmaker.begin() as session:
        lead = Lead(name="Dana", phone="+972501112233")
        session.add(lead)
        await session.flush()
        call = await calls.open_call(session, lead, T0, channel=Channel.simulator)
        assert (call.status, lead.status) == (CallStatus.queued, "contacted")


async def test_a_simulated_call_ends_completed_with_its_end_and_duration(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with app.state.sessionmaker.begin() as session:
        session.add(Lead(name="Dana", phone="+972501112233", gender="female"))
    start = (await client.post("/simulator/calls", json={"lead_id": 1})).json()
    call_id = start["call_id"]
    assert (await client.get(f"/calls/{call_id}")).json()["status"] == "in_progress"
    ended = (
        await client.post(f"/simulator/calls/{call_id}/reply", json={"text": "תורידו אותי מהרשימה"})
    ).json()
    assert ended["ended"] is True
    call = (await client.get(f"/calls/{call_id}")).json()
    assert (call["status"], call["outcome"]) == ("completed", "opted_out")
    assert call["ended_at"] is not None and call["duration_s"] == 0  # the test clock stands still
    again = await client.post(f"/simulator/calls/{call_id}/reply", json={"text": "הלו?"})
    assert again.status_code == 409
    assert again.json() == {"detail": f"Call {call_id} has ended (opted_out)."}


async def test_refusals_keep_their_documented_bodies(client: httpx.AsyncClient) -> None:
    """One handler (app.errors) gives each kind its status and body."""
    missing = await client.get("/calls/999")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Call 999 not found."})
    no_lead = await client.post("/simulator/calls", json={"lead_id": 999})
    assert (no_lead.status_code, no_lead.json()) == (404, {"detail": "Lead 999 not found."})
    bad = await client.post("/campaigns", json={"name": "x", "lead_ids": [999]})
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": [{"type": "value_error", "loc": ["body"], "msg": "unknown lead ids: [999]"}]
    }
    window = await client.post(
        "/campaigns", json={"name": "x", "window": {"sat": ["09:00", "10:00"]}}
    )
    assert window.status_code == 422
    assert window.json()["detail"][0]["loc"] == ["body", "window"]


async def test_the_conversation_is_stored_as_one_snapshot_with_its_silences(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async with app.state.sessionmaker.begin() as session:
        session.add(Lead(name="Dana", phone="+972501112233", gender="female"))
    call_id = (await client.post("/simulator/calls", json={"lead_id": 1})).json()["call_id"]

    async def snapshot() -> dict[str, object]:
        async with app.state.sessionmaker() as session:
            call = await session.get(Call, call_id)
            assert call is not None
            return dict(call.conversation)

    for text in ("", ""):
        await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})
    assert (await snapshot())["silences"] == 2
    await client.post(f"/simulator/calls/{call_id}/reply", json={"text": "כן, בטח, יש לי דקה"})
    stored = await snapshot()
    assert set(stored) == {"offered", "questions_asked", "errors", "silences", "dialogue"}
    assert (stored["silences"], stored["errors"]) == (0, 0)
    assert stored["dialogue"]["caller_turns"] >= 1  # type: ignore[index]
