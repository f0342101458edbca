"""One English turn of the agent without a call (POST /agent/turn), for integrations and testing."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.conversation.engine import Engine
from app.conversation.lines import Lines
from app.conversation.providers.base import ProviderError
from app.conversation.schemas import (
    AgentTurnRequest,
    AgentTurnResponse,
    EchoedOffer,
    HistoryItem,
)
from app.conversation.slot_choice import choose
from app.conversation.state import Action, Conversation, Exchange, LeadProfile
from app.conversation.tools import Toolbox, apply_lead_changes
from app.db import read_session
from app.errors import Unavailable, Unprocessable
from app.language import en
from app.leads import repository as leads_repo
from app.meetings.availability import AvailabilityRules, slot_at


class ModelUnavailable(Unavailable):
    """The model failed this turn; nothing was written, so the client may retry."""


async def agent_turn(
    payload: AgentTurnRequest,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    engine: Engine,
) -> AgentTurnResponse:
    """Answers the lead's English line given the history; may offer or book slots, or end."""
    async with read_session(sessions, point=True) as session:
        lead = await leads_repo.get_or_raise(session, payload.lead_id)
    conversation = Conversation(
        lead=LeadProfile.from_lead(lead),
        history=[Exchange(item.user, item.agent) for item in payload.history],
        greeted=bool(payload.history),
    )
    tools = Toolbox(sessions, settings, clock, conversation)
    lines = Lines(settings, conversation, clock.now())
    await _restore(conversation, payload.history, tools, lines)
    try:
        reply = await engine.agent.respond(payload.user_utterance, tools)
    except ProviderError as exc:  # nothing is written; the client may retry
        raise ModelUnavailable(
            f"The agent's language model is unavailable, try again: {exc}"
        ) from exc
    async with sessions.begin() as session:
        await apply_lead_changes(session, lead.id, tools.lead_changes)
    line = lines.spoken(reply)
    return AgentTurnResponse(
        agent_reply=line.en if line else reply.reply_en,
        action=reply.action,
        action_payload=reply.payload,
    )


async def _restore(
    conversation: Conversation, history: list[HistoryItem], tools: Toolbox, lines: Lines
) -> None:
    """Rebuilds what the history implies: questions asked and the slots last offered."""
    questions = [lines.question(i).en for i in range(3)]
    conversation.questions_asked = sum(item.agent in questions for item in history)
    rules = AvailabilityRules.from_settings(tools.settings)
    for item in history:
        if item.action == Action.offer_slots and item.action_payload:
            try:
                offer = EchoedOffer.model_validate(item.action_payload)
            except ValidationError as exc:
                reason = exc.errors()[0]["msg"]
                raise Unprocessable(f"history action_payload is not an offer: {reason}") from exc
            conversation.offered = [slot_at(slot.start, rules) for slot in offer.slots]
    if conversation.offered or not history:
        return
    # No echoed payload: the pair a first offer makes now, if the agent's last lines spoke it.
    free = await tools.scheduler.free_slots(tools.sessions)
    pair = choose(free, None, tools.clock.now()).slots
    said = " ".join(item.agent for item in history[-2:])
    if pair and all(
        slot.label in said or en.time_phrase(slot.start, lines.tz) in said for slot in pair
    ):
        conversation.offered = pair
