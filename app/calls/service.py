"""A call's lifecycle: the only place a Call changes status, so every channel tells one story.

    queued ──placed──► ringing ──answered──► in_progress ──finished──► completed
       │                  │                                  busy / no_answer / canceled
       └──────failed──────┴──finished(busy, no_answer, ...)─► failed

A final status never changes again; asking for that raises IllegalTransition (a late webhook at
the telephony edge is ignored, a bug elsewhere is a 409). Vendor status words are translated at
the edge (telephony/twilio) into these calls; inside, statuses are `CallStatus` values.

    CallNotFound         no such call (404)
    IllegalTransition    the call's status does not allow the move (409)
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.calls import repository
from app.calls.analysis import CallAnalysis
from app.calls.models import Call, CallStatus, Channel, Outcome
from app.errors import Conflict, NotFound
from app.leads import repository as leads_repo
from app.leads.models import Lead, LeadStatus

log = structlog.get_logger(__name__)
__all__ = ["FINAL_STATUSES", "CallStatus", "answered", "failed", "finished", "open_call", "placed"]


FINAL_STATUSES = frozenset(
    {
        CallStatus.completed,
        CallStatus.busy,
        CallStatus.no_answer,
        CallStatus.failed,
        CallStatus.canceled,
    }
)
# The outcome of a call that ended before anyone talked.
UNANSWERED_OUTCOMES = {
    CallStatus.busy: Outcome.busy,
    CallStatus.no_answer: Outcome.no_answer,
    CallStatus.failed: Outcome.failed,
    CallStatus.canceled: Outcome.failed,
}


class CallNotFound(NotFound):
    def __init__(self, call_id: int) -> None:
        super().__init__(f"Call {call_id} not found.")


class IllegalTransition(Conflict):
    """The call cannot make this move from the status it is in."""

    def __init__(self, call: Call, move: str) -> None:
        super().__init__(f"Call {call.id} is {call.status}: it cannot be {move}.")
        self.status = call.status


def is_final(call: Call) -> bool:
    return call.status in FINAL_STATUSES


async def get(session: AsyncSession, call_id: int, *, lock: bool = False) -> Call:
    """Gets a call or raises CallNotFound; `lock` holds its row for a state change."""
    call = await repository.get(session, call_id, lock=lock)
    if call is None:
        raise CallNotFound(call_id)
    return call


async def open_call(
    session: AsyncSession,
    lead: Lead,
    now: datetime,
    *,
    channel: Channel,
    call_sid: str | None = None,
    campaign_id: int | None = None,
) -> Call:
    """Stores a queued call before anything is dialed; a new lead becomes `contacted`."""
    call = Call(
        lead_id=lead.id,
        channel=channel,
        call_sid=call_sid,
        campaign_id=campaign_id,
        status=CallStatus.queued,
        started_at=now,
    )
    await repository.add(session, call)
    if lead.status == LeadStatus.new:
        await leads_repo.update(session, lead, {"status": LeadStatus.contacted})
    return call


def placed(call: Call, call_sid: str | None) -> None:
    """The network took the call (or says it rings): queued becomes ringing; the sid is kept.

    News of a call that has moved on already (callbacks overtake the REST answer) only binds
    the sid. A call never gets a second, different sid.
    """
    if call_sid:
        if call.call_sid not in (None, call_sid):
            raise IllegalTransition(call, f"placed again as {call_sid[:8]}…")
        call.call_sid = call_sid
    if call.status == CallStatus.queued:
        call.status = CallStatus.ringing


def answered(call: Call, now: datetime) -> None:
    """Someone (or a machine) picked up; asked again (a retried webhook), nothing changes."""
    if is_final(call):
        raise IllegalTransition(call, "answered")
    if call.status != CallStatus.in_progress:
        call.status = CallStatus.in_progress
    call.answered_at = call.answered_at or now


def finished(
    call: Call, status: CallStatus, now: datetime, *, duration_s: int | None = None
) -> None:
    """The call is over with a final `status`; unanswered ones get their outcome too.

    The same news twice is fine; a different final status for an ended call is refused.
    """
    if status not in FINAL_STATUSES:
        raise ValueError(f"{status} is not a final status")
    if is_final(call):
        if call.status != status:
            raise IllegalTransition(call, f"finished again as {status}")
        if duration_s is not None:
            call.duration_s = duration_s
        return
    call.status = status
    call.ended_at = call.ended_at or now
    if duration_s is not None:
        call.duration_s = duration_s
    if call.outcome is None and status in UNANSWERED_OUTCOMES:
        call.outcome = UNANSWERED_OUTCOMES[status]
    if call.outcome is None and call.meeting_id is not None:
        call.outcome = Outcome.booked  # hung up after booking (e.g. while asked for an email)
    log.info("call_ended", call_id=call.id, call_status=status, outcome=call.outcome)


def failed(call: Call, now: datetime, reason: str) -> None:
    """The call could not be placed (refused, or its dialer died before hearing back)."""
    if is_final(call):
        raise IllegalTransition(call, "failed")
    call.status = CallStatus.failed
    call.outcome = call.outcome or Outcome.failed
    call.ended_at = now
    log.info("call_failed", call_id=call.id, reason=reason)


def concluded(call: Call, outcome: Outcome) -> bool:
    """Records what the call came to (booked, voicemail, ...), once; False when it already had."""
    if call.outcome is not None:
        return False
    call.outcome = outcome
    return True


def elapsed_s(call: Call, now: datetime) -> int:
    """Seconds since the call was answered (or started): a duration for our own channels."""
    return max(0, round((now - (call.answered_at or call.started_at)).total_seconds()))


def analyzed(call: Call, analysis: CallAnalysis, now: datetime) -> None:
    """Stores the post-call analysis on an ended call; the lead keeps its latest score."""
    call.summary, call.summary_he = analysis.summary, analysis.summary_he
    call.score = analysis.score
    call.analysis = analysis.stored()
    call.analyzed_at = now
    log.info("call_analyzed", call_id=call.id, score=analysis.score, source=analysis.source)


def transfer_unanswered(call: Call) -> bool:
    """The rep never took a transferred call: the conversation goes on (no outcome yet)."""
    if call.outcome != Outcome.transferred or is_final(call):
        return False
    call.outcome = None
    log.info("call_transfer_unanswered", call_id=call.id)
    return True
