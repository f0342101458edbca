"""A warm transfer to a sales rep: the whisper the rep hears, and the way back when nobody answers.

The turn that transfers is an ordinary ending turn (action `transfer_to_human`, outcome
`transferred`); the telephony edge connects it. When the rep does not answer, the call is not
over: the outcome is cleared, the agent apologises and offers two meeting slots, stored as a new
turn keyed by the call, so Twilio's retry of the callback gets the same answer.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendars.backends import scheduler_for
from app.calls import repository as calls_repo
from app.calls import service as calls
from app.calls.models import Outcome, Turn
from app.conversation.analysis import analyze_offline
from app.conversation.engine import Engine
from app.conversation.lines import Lines
from app.conversation.state import Action
from app.conversation.tools import slot_payload
from app.db import read_session, write_session
from app.flows.after_call import transcript_of
from app.flows.call import conversation_of
from app.language.he import whisper_he

log = structlog.get_logger(__name__)


async def whisper(sessions: async_sessionmaker[AsyncSession], call_id: int) -> str | None:
    """The rep's briefing in Hebrew: who the lead is and what the call found so far."""
    async with read_session(sessions) as session:
        call = await calls_repo.get_with_turns(session, call_id)
        if call is None:
            return None
        lead = call.lead
        transcript = transcript_of(call)
    summary = analyze_offline(transcript).summary_he
    if call.outcome == Outcome.transferred:  # its first sentence says so: the rep knows
        summary = summary.partition(". ")[2]
    name = (lead.name_he or lead.name) if lead else None
    return whisper_he(name, lead.company if lead else None, summary)


async def rep_unanswered(
    sessions: async_sessionmaker[AsyncSession], engine: Engine, call_id: int
) -> Turn | None:
    """Back with the lead after an unanswered transfer: an apology and two slots (None: over)."""
    key = f"call-{call_id}:transfer-unanswered"
    # Free slots first: the reps' calendars may be a network away, and no transaction waits on them.
    scheduler = scheduler_for(engine.settings, engine.clock)
    slots = await scheduler.available(sessions, 2, spread_days=True)
    async with write_session(sessions) as session:
        call = await calls.get(session, call_id, lock=True)
        stored = await calls_repo.turn_by_key(session, key)
        if stored is not None:
            return stored
        if not calls.transfer_unanswered(call):
            return None
        conversation = await conversation_of(session, engine, call)
        conversation.offered = slots
        lines = Lines(engine.settings, conversation, engine.clock.now())
        sorry = lines.say("rep_unavailable")
        line = sorry + lines.offer(slots) if slots else sorry + lines.say("goodbye")
        if not slots:
            calls.concluded(call, Outcome.callback)
        call.conversation = conversation.snapshot()
        turn = Turn(
            call_id=call.id,
            index=await calls_repo.next_index(session, call.id),
            idempotency_key=key,
            agent_en=line.en,
            agent_he=line.he,
            action=Action.offer_slots if slots else Action.schedule_callback,
            action_payload={"slots": [slot_payload(s) for s in slots]} if slots else {},
            ended=not slots,
        )
        await calls_repo.add(session, turn)
    log.info("transfer_came_back", call_id=call_id, offered=len(slots))
    return turn
