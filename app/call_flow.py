"""One call from greeting to outcome, shared by the Twilio webhooks and the simulator.

The call's state lives in the database (Call + Turns), so any process can take the next turn:
the Conversation is rebuilt from the records, the pipeline runs, and the turn and the call's new
state are stored. The call row is locked for the turn, so retried or racing webhooks of one call
never interleave, and a turn with a known idempotency key is answered from the record.

    CallFlowError
    ├── LeadNotFound     no such lead
    ├── LeadNotCallable  do-not-call, or no dialable phone
    ├── CallNotFound     no such call
    └── CallOver         the conversation has already ended
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app import metrics
from app.calls import repository as calls_repo
from app.calls.models import Call, Channel, Outcome, Turn
from app.conversation.engine import Engine
from app.conversation.pipeline import TurnResult
from app.conversation.state import Action, Conversation, Dialogue, Exchange, LeadProfile
from app.leads import repository as leads_repo
from app.leads.models import LeadStatus
from app.meetings.availability import AvailabilityRules, slot_at

log = structlog.get_logger(__name__)


class CallFlowError(Exception):
    """A call cannot start or go on; the message says why."""


class LeadNotFound(CallFlowError):
    pass


class LeadNotCallable(CallFlowError):
    pass


class CallNotFound(CallFlowError):
    pass


class CallOver(CallFlowError):
    pass


def outcome_for(action: Action | None, payload: dict[str, object] | None) -> Outcome | None:
    """The call outcome a conversation-ending action stands for."""
    reason = (payload or {}).get("reason")
    match action:
        case Action.book_meeting:
            return Outcome.booked
        case Action.mark_do_not_call:
            return Outcome.opted_out
        case Action.schedule_callback:
            return Outcome.callback
        case Action.end_call if reason == "error":
            return Outcome.error
        case Action.end_call if reason == "no_response":
            return Outcome.no_answer
        case Action.end_call:
            return Outcome.not_interested
    return None


async def open_call(
    session: AsyncSession,
    engine: Engine,
    lead_id: int,
    *,
    channel: Channel,
    call_sid: str | None = None,
    campaign_id: int | None = None,
) -> Call:
    """Creates the Call record before anything is dialed; refuses do-not-call leads."""
    lead = await leads_repo.get(session, lead_id)
    if lead is None:
        raise LeadNotFound(f"Lead {lead_id} not found.")
    if lead.do_not_call:
        raise LeadNotCallable(f"Lead {lead_id} is marked do-not-call.")
    call = Call(
        lead_id=lead.id,
        channel=channel,
        call_sid=call_sid,
        campaign_id=campaign_id,
        status="queued",
        started_at=engine.pipeline.clock.now(),
    )
    await calls_repo.add(session, call)
    if lead.status == LeadStatus.new:
        await leads_repo.update(session, lead, {"status": LeadStatus.contacted})
    return call


async def _conversation(session: AsyncSession, engine: Engine, call: Call) -> Conversation:
    """Rebuilds the agent's view of the call from its records."""
    lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
    if lead is None:
        raise CallOver(f"Call {call.id}: its lead no longer exists.")
    turns = await calls_repo.turns(session, call.id)
    rules = AvailabilityRules.from_settings(engine.pipeline.settings)
    return Conversation(
        lead=LeadProfile.from_lead(lead),
        history=[Exchange(t.caller_en or "", t.agent_en) for t in turns if t.index > 0],
        offered=[slot_at(datetime.fromisoformat(s), rules) for s in call.offered_slots],
        call_id=call.id,
        greeted=bool(turns),
        last_agent_he=turns[-1].agent_he if turns else None,
        booked_meeting_id=call.meeting_id,
        ended=call.outcome is not None,
        questions_asked=call.questions_asked,
        errors=call.error_count,
        dialogue=Dialogue.from_json(call.dialogue),
    )


async def greet(session: AsyncSession, engine: Engine, call_id: int) -> Turn:
    """Turn 0: the catalog greeting. Asked twice (a retried webhook), it answers the same."""
    call = await _locked(session, call_id)
    existing = await calls_repo.turn_by_key(session, f"call-{call.id}-greeting")
    if existing is not None:
        return existing
    conversation = await _conversation(session, engine, call)
    line = engine.pipeline.greeting(conversation)
    call.dialogue = conversation.dialogue.to_json()
    call.status = "in-progress"
    call.answered_at = call.answered_at or engine.pipeline.clock.now()
    turn = Turn(
        call_id=call.id,
        index=await calls_repo.next_index(session, call.id),
        idempotency_key=f"call-{call.id}-greeting",
        agent_en=line.en,
        agent_he=line.he,
    )
    await calls_repo.add(session, turn)
    return turn


async def take_turn(
    session: AsyncSession,
    engine: Engine,
    call_id: int,
    caller_he: str,
    *,
    key: str | None = None,
    failure: str | None = None,
    ms_fetch: int | None = None,
    ms_stt: int | None = None,
    deadline_s: float | None = None,
) -> Turn:
    """Answers the caller's line (or a `failure` that lost it) and stores the turn.

    With a `key` already seen, returns the stored turn without running anything again.
    `deadline_s` shortens the pipeline's deadline (what is left of the webhook's time).
    """
    call = await _locked(session, call_id)
    if key is not None:
        existing = await calls_repo.turn_by_key(session, key)
        if existing is not None:
            return existing
    if call.outcome is not None:
        raise CallOver(f"Call {call.id} has ended ({call.outcome}).")
    conversation = await _conversation(session, engine, call)
    if failure is not None:
        result = engine.pipeline.failed_turn(conversation, failure)
    else:
        result = await engine.pipeline.run_turn(
            session, conversation, caller_he, silences=call.silence_count, deadline_s=deadline_s
        )
    _remember(call, conversation, result, silent=not caller_he.strip() and failure is None)
    turn = Turn(
        call_id=call.id,
        index=await calls_repo.next_index(session, call.id),
        idempotency_key=key,
        caller_he=result.caller_he or None,
        caller_en=result.caller_en or None,
        agent_en=result.agent_en,
        agent_he=result.agent_he,
        action=result.action,
        action_payload=result.payload,
        ended=result.ended,
        language=result.language if result.caller_he else None,
        ms_fetch=ms_fetch,
        ms_stt=ms_stt,
        ms_translate_in=result.ms.get("translate_in"),
        ms_llm=result.ms.get("llm"),
        ms_translate_out=result.ms.get("translate_out"),
        ms_total=result.ms.get("total"),
        error=result.error,
    )
    await calls_repo.add(session, turn)
    return turn


def _remember(call: Call, conversation: Conversation, result: TurnResult, *, silent: bool) -> None:
    call.offered_slots = [slot.start.isoformat() for slot in conversation.offered]
    call.questions_asked = conversation.questions_asked
    call.error_count = conversation.errors
    call.silence_count = call.silence_count + 1 if silent else 0
    call.meeting_id = conversation.booked_meeting_id
    call.dialogue = conversation.dialogue.to_json()
    if result.ended:
        call.outcome = outcome_for(result.action, result.payload) or Outcome.not_interested
        metrics.CALL_OUTCOMES.labels(outcome=call.outcome).inc()
        log.info("call_outcome", call_id=call.id, outcome=call.outcome)


async def _locked(session: AsyncSession, call_id: int) -> Call:
    call = await calls_repo.get(session, call_id, lock=True)
    if call is None:
        raise CallNotFound(f"Call {call_id} not found.")
    return call
