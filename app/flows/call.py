"""One call from greeting to outcome, shared by the Twilio webhooks and the simulator.

The call's state lives in the database (Call + Turns), so any process can take the next turn.
A turn never holds a database connection while it waits on a provider: it reads the records and
lets go, runs the pipeline (whose tools open their own short transactions), then stores the turn
and the call's new state in one short transaction that locks the call row. In one process, turns
of one call queue on a lock of their own, so a retried webhook waits and is answered from the
record; across processes, the write re-checks the idempotency key (a retry another process
answered first gets that answer) and appends at the next free index, so no turn is ever lost.

Status changes go through calls/service.py (open, answered, finished); the errors are AppErrors:

    CallFlowError
    ├── LeadNotFound     no such lead (404)
    ├── LeadNotCallable  do-not-call, or no dialable phone (409)
    └── CallOver         the conversation has already ended (409)
    CallNotFound         no such call (404, from calls.service)
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.calls import repository as calls_repo
from app.calls import service as calls
from app.calls.models import Call, CallStatus, Channel, Outcome, Turn
from app.calls.service import CallNotFound
from app.clock import Clock
from app.conversation.engine import Engine
from app.conversation.pipeline import TurnResult
from app.conversation.speech import Voice
from app.conversation.state import (
    Action,
    Conversation,
    Dialogue,
    Exchange,
    LeadProfile,
    Snapshot,
)
from app.conversation.tools import apply_lead_changes
from app.db import read_session, write_session
from app.errors import AppError, Conflict, NotFound
from app.integrations.webhooks import outbox, payloads
from app.integrations.webhooks.models import Event
from app.leads import repository as leads_repo
from app.leads.models import Lead
from app.meetings.availability import AvailabilityRules, slot_at

log = structlog.get_logger(__name__)

# A turn decided without the pipeline's understanding of words (see `take_turn`'s `move`).
Move = Callable[[Conversation], Awaitable[TurnResult]]
MAX_HEARD_CHARS = 4000


__all__ = [
    "CallNotFound",
    "CallOver",
    "Heard",
    "LeadNotCallable",
    "LeadNotFound",
    "greet",
    "mark_heard",
    "take_turn",
]


class CallFlowError(AppError):
    """A call cannot start or go on; the message says why."""


class LeadNotFound(CallFlowError, NotFound):
    pass


class LeadNotCallable(CallFlowError, Conflict):
    pass


class CallOver(CallFlowError, Conflict):
    pass


def outcome_for(action: Action | None, payload: dict[str, object] | None) -> Outcome | None:
    """The call outcome a conversation-ending action stands for."""
    reason = (payload or {}).get("reason")
    match action:
        case Action.book_meeting:
            return Outcome.booked
        case Action.end_call if reason == "booked":
            return Outcome.booked  # the goodbye after the email step
        case Action.mark_do_not_call:
            return Outcome.opted_out
        case Action.schedule_callback:
            return Outcome.callback
        case Action.transfer_to_human:
            return Outcome.transferred
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
    return await calls.open_call(
        session,
        lead,
        engine.clock.now(),
        channel=channel,
        call_sid=call_sid,
        campaign_id=campaign_id,
    )


async def conversation_of(session: AsyncSession, engine: Engine, call: Call) -> Conversation:
    """Rebuilds the agent's view of the call from its records."""
    lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
    return conversation_from(engine, call, lead, await calls_repo.turns(session, call.id))


def conversation_from(
    engine: Engine, call: Call, lead: Lead | None, turns: Sequence[Turn]
) -> Conversation:
    """The agent's view of the call, from the call, its lead and its turns as read."""
    if lead is None:
        raise CallOver(f"Call {call.id}: its lead no longer exists.")
    rules = AvailabilityRules.from_settings(engine.settings)
    snapshot = Snapshot.from_json(call.conversation)
    return Conversation(
        lead=LeadProfile.from_lead(lead),
        history=[Exchange(t.caller_en or "", _agent_said(t)) for t in turns if t.index > 0],
        offered=[slot_at(datetime.fromisoformat(s), rules) for s in snapshot.offered],
        call_id=call.id,
        greeted=bool(turns),
        last_agent_he=turns[-1].agent_he if turns else None,
        booked_meeting_id=call.meeting_id,
        ended=call.outcome is not None,
        questions_asked=snapshot.questions_asked,
        errors=snapshot.errors,
        silences=snapshot.silences,
        dialogue=Dialogue.from_json(snapshot.dialogue),
    )


def _agent_said(turn: Turn) -> str:
    """The agent's words in a turn as the agent should remember them: a reply the caller cut
    short says what they heard and what they never did, so the next reply can pick it up."""
    if not turn.interrupted:
        return turn.agent_en
    heard = (turn.heard_en or "").strip()
    unsaid = turn.agent_en.strip()
    if heard and unsaid.startswith(heard):
        unsaid = unsaid[len(heard) :].strip()
    if not unsaid:
        return turn.agent_en
    return f"{heard} [the caller cut in here; not said: {unsaid}]".strip()


async def greet(session: AsyncSession, engine: Engine, call_id: int) -> Turn:
    """Turn 0: the catalog greeting. Asked twice (a retried webhook), it answers the same."""
    call = await _get(session, call_id, lock=True)
    existing = await calls_repo.turn_by_key(session, f"call-{call.id}-greeting")
    if existing is not None:
        return existing
    conversation = await conversation_of(session, engine, call)
    line = engine.pipeline.greeting(conversation)
    call.conversation = conversation.snapshot()
    calls.answered(call, engine.clock.now())
    turn = Turn(
        call_id=call.id,
        index=await calls_repo.next_index(session, call.id),
        idempotency_key=f"call-{call.id}-greeting",
        agent_en=line.en,
        agent_he=line.he,
    )
    await calls_repo.add(session, turn)
    return turn


_gates: weakref.WeakValueDictionary[tuple[int, int], asyncio.Lock] = weakref.WeakValueDictionary()


def _gate(sessions: async_sessionmaker[AsyncSession], call_id: int) -> asyncio.Lock:
    """The lock one call's turns queue on in this process (per database, per call)."""
    key = (id(sessions), call_id)
    gate = _gates.get(key)
    if gate is None:
        gate = _gates[key] = asyncio.Lock()
    return gate


@dataclass(frozen=True, slots=True)
class Heard:
    """What the caller said as the phone line made it out, or why it could not (`failure`)."""

    text: str
    failure: str | None = None
    ms_fetch: int | None = None
    ms_stt: int | None = None

    @property
    def spent_s(self) -> float:
        return ((self.ms_fetch or 0) + (self.ms_stt or 0)) / 1000


# The pipeline always gets this long, even when hearing the caller ate most of the budget.
MIN_ANSWER_S = 1.5
# The write is tried again after a unique-constraint race (see calls.repository.locked_for_turn).
STORE_ATTEMPTS = 3


async def take_turn(
    sessions: async_sessionmaker[AsyncSession],
    engine: Engine,
    call_id: int,
    caller: str | Heard | Callable[[], Awaitable[Heard]],
    *,
    key: str | None = None,
    deadline_s: float | None = None,
    voice: Voice | None = None,
    move: Move | None = None,
) -> Turn:
    """Answers the caller's line and stores the turn.

    `caller` may be a function that hears the caller (transcribes a recording whose download is
    under way): it is called once the call's records are read and the turn is known to be new,
    so a retry answered already costs nothing. With a `key` already seen, returns the stored
    turn without running anything again. `deadline_s` bounds hearing and answering together
    (what the webhook has left); after a slow hearing the answer still gets `MIN_ANSWER_S`.
    `voice` speaks the reply while it is made (streaming calls); `move` decides the turn
    without the pipeline's understanding (a pressed key, a cut reply resumed).
    """
    async with _gate(sessions, call_id):
        async with read_session(sessions, point=True) as session:  # call + lead, turns
            call = await calls_repo.get_with_lead(session, call_id)
            if call is None:
                raise CallNotFound(call_id)
            turns = await calls_repo.turns(session, call_id)
        # Keys are scoped to their call (see the router), so a retry finds its turn among these.
        stored = next((t for t in turns if key is not None and t.idempotency_key == key), None)
        if stored is not None:
            return stored
        if call.outcome is not None:
            raise CallOver(f"Call {call.id} has ended ({call.outcome}).")
        conversation = conversation_from(engine, call, call.lead, turns)
        match caller:
            case str():
                heard = Heard(caller)
            case Heard():
                heard = caller
            case _:
                heard = await caller()
        if move is not None:
            result = await move(conversation)
        elif heard.failure is not None:
            result = engine.pipeline.failed_turn(conversation, heard.failure)
        else:
            left_s = deadline_s
            if deadline_s is not None and heard.spent_s:  # hearing never eats the whole answer
                left_s = max(MIN_ANSWER_S, deadline_s - heard.spent_s)
            result = await engine.pipeline.run_turn(
                sessions, conversation, heard.text, deadline_s=left_s, voice=voice
            )
        for attempt in range(STORE_ATTEMPTS):
            try:
                async with write_session(sessions) as session:
                    turn, concluded = await _store(
                        session, engine, call_id, conversation, result, key, heard
                    )
            except IntegrityError:  # a racing process took the index or the key first
                if attempt + 1 == STORE_ATTEMPTS:
                    raise
                log.warning("turn_store_retried", call_id=call_id)
                continue
            if concluded is not None:
                metrics.CALL_OUTCOMES.labels(outcome=concluded).inc()
                log.info("call_outcome", call_id=call_id, outcome=concluded)
            return turn
        raise AssertionError("unreachable")  # pragma: no cover


async def _store(
    session: AsyncSession,
    engine: Engine,
    call_id: int,
    conversation: Conversation,
    result: TurnResult,
    key: str | None,
    heard: Heard,
) -> tuple[Turn, Outcome | None]:
    """Writes the turn and the call's new state; a retry another process stored wins.
    Returns the turn and the outcome the call came to in it."""
    found = await calls_repo.locked_for_turn(session, call_id, key)
    if found is None:
        raise CallNotFound(call_id)
    call, index, stored_id = found
    if stored_id is not None:
        stored = await calls_repo.get_turn(session, stored_id)
        if stored is not None:
            log.info("turn_answered_elsewhere", call_id=call_id)
            return stored, None
    if index != len(conversation.history):  # history includes this turn; turn 0 is the greeting
        log.warning("turn_raced", call_id=call_id, index=index)
    concluded = _remember(call, conversation, result)
    await apply_lead_changes(session, conversation.lead.id, result.lead_changes)
    if concluded == Outcome.opted_out:
        await _opted_out(session, engine, call)
    turn = Turn(
        call_id=call_id,
        index=index,
        idempotency_key=key,
        caller_he=result.caller_he or None,
        caller_en=result.caller_en or None,
        agent_en=result.agent_en,
        agent_he=result.agent_he,
        action=result.action,
        action_payload=result.payload,
        ended=result.ended,
        language=result.language if result.caller_he else None,
        ms_fetch=heard.ms_fetch,
        ms_stt=heard.ms_stt,
        ms_translate_in=result.ms.get("translate_in"),
        ms_llm=result.ms.get("llm"),
        ms_translate_out=result.ms.get("translate_out"),
        ms_total=result.ms.get("total"),
        ms_first_token=result.ms.get("first_token"),
        error=result.error,
    )
    await calls_repo.add(session, turn)
    return turn, concluded


async def mark_heard(
    sessions: async_sessionmaker[AsyncSession], turn_id: int, heard_he: str, heard_en: str
) -> None:
    """The caller cut this turn's reply short: stores what they heard of it."""
    async with write_session(sessions) as session:
        turn = await calls_repo.get_turn(session, turn_id)
        if turn is not None:
            turn.interrupted = True
            turn.heard_he = heard_he[:MAX_HEARD_CHARS]
            turn.heard_en = heard_en[:MAX_HEARD_CHARS]


def _remember(call: Call, conversation: Conversation, result: TurnResult) -> Outcome | None:
    """Keeps the conversation's state on the call; returns the outcome it came to in this turn."""
    call.conversation = conversation.snapshot()
    call.meeting_id = conversation.booked_meeting_id or call.meeting_id
    if result.ended:
        outcome = outcome_for(result.action, result.payload) or Outcome.not_interested
        if conversation.booked_meeting_id is not None and outcome != Outcome.opted_out:
            outcome = Outcome.booked  # a meeting was booked: whatever ended the call after it
        if calls.concluded(call, outcome):
            return outcome
    return None


async def _opted_out(session: AsyncSession, engine: Engine, call: Call) -> None:
    """Announces the opt-out (lead.opted_out) in the transaction that records it."""
    lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
    await outbox.emit(
        session,
        Event.lead_opted_out,
        {"lead": payloads.lead(lead), "call_id": call.id},
        engine.clock.now(),
        personal_data=engine.settings.webhook_personal_data,
    )


async def _get(session: AsyncSession, call_id: int, *, lock: bool = False) -> Call:
    return await calls.get(session, call_id, lock=lock)


async def hang_up(session: AsyncSession, call_id: int, clock: Clock) -> Call:
    """Our own channels (simulator, offline network) put the phone down: the call is completed."""
    call = await _get(session, call_id, lock=True)
    if not calls.is_final(call):
        now = clock.now()
        calls.finished(call, CallStatus.completed, now, duration_s=calls.elapsed_s(call, now))
    return call
