"""The offline brain: a deterministic agent for when no model is configured.

It follows the same sales pattern and uses the same tools as the model-driven agent, understands
common Hebrew and English replies (app.language.understanding), and speaks only catalog lines, so
nothing is ever translated at runtime.
"""

from __future__ import annotations

from dataclasses import replace

from app.config import Settings
from app.conversation.lines import Line, Lines
from app.conversation.state import AgentReply
from app.conversation.tools import Toolbox, ToolOutcome
from app.language.understanding import Intent, Understanding, understand

QUESTIONS_BEFORE_OFFER = 2
_ANSWERS = {
    Intent.who_is_this: "who_are_you",
    Intent.are_you_a_bot: "are_you_a_bot",
    Intent.price: "price",
}


class OfflineBrain:
    """Same tools, same pattern, catalog replies; no network."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def respond(
        self, user_en: str, tools: Toolbox, *, user_he: str | None = None
    ) -> AgentReply:
        heard = understand(
            user_he or user_en,
            [slot.start for slot in tools.conversation.offered],
            self.settings.tz,
            tools.clock.now(),
        )
        reply = await self._decide(heard, tools, hebrew=user_he is not None)
        return replace(reply, heard_en=heard.english if user_he else None)

    async def _decide(self, heard: Understanding, tools: Toolbox, *, hebrew: bool) -> AgentReply:
        conversation = tools.conversation
        lines = Lines(self.settings, conversation, tools.clock.now())
        match heard.intent:
            case Intent.do_not_call:
                return _acted(lines, await tools.mark_do_not_call())
            case Intent.not_interested:
                return _acted(lines, await tools.end_call("not_interested"))
            case Intent.busy_call_later:
                return await self._callback(lines, tools, heard, hebrew=hebrew)
            case Intent.no if not conversation.history and not conversation.offered:
                # "No" to "is this a good time?": call back later rather than push.
                return await self._callback(lines, tools, heard, hebrew=hebrew)
            case Intent.pick_slot if heard.slot_index is not None and conversation.offered:
                return await self._book(lines, tools, heard.slot_index)
            case Intent.pick_slot | Intent.neither_slot | Intent.no if conversation.offered:
                return _acted(lines, await tools.offer_slots())
            case Intent.who_is_this | Intent.are_you_a_bot | Intent.price:
                answer = lines.say(_ANSWERS[heard.intent])
                return await self._advance(lines, tools, answer)
            case Intent.repeat if conversation.history and conversation.last_agent_he:
                return _said(Line(conversation.history[-1].agent, conversation.last_agent_he))
            case Intent.silence | Intent.repeat:
                return _said(lines.say("reprompt", 1))
            case Intent.greeting if not conversation.greeted:
                return _said(lines.greeting())
            case Intent.interested if conversation.history:
                return await self._offer(lines, tools)
        return await self._advance(lines, tools)

    async def _advance(
        self, lines: Lines, tools: Toolbox, lead_in: Line | None = None
    ) -> AgentReply:
        """The next step of the pattern: a qualifying question, then the slot offer."""
        conversation = tools.conversation
        if conversation.offered:
            line = lines.offer(conversation.offered, again=False)
            return _said(lead_in + line if lead_in else line)
        if conversation.questions_asked < QUESTIONS_BEFORE_OFFER:
            line = lines.question(conversation.questions_asked)
            conversation.questions_asked += 1
            return _said(lead_in + line if lead_in else line)
        return await self._offer(lines, tools, lead_in)

    async def _offer(self, lines: Lines, tools: Toolbox, lead_in: Line | None = None) -> AgentReply:
        outcome = await tools.offer_slots()
        reply = _acted(lines, outcome)
        if lead_in is None:
            return reply
        line = lead_in + Line(reply.reply_en, reply.reply_he or "")
        return AgentReply(line.en, line.he, reply.action, reply.payload)

    async def _book(self, lines: Lines, tools: Toolbox, index: int) -> AgentReply:
        slot = tools.conversation.offered[index]
        outcome = await tools.book_meeting(slot.start)
        if outcome.ok:
            return _acted(lines, outcome)
        if outcome.result.get("error") == "slot_taken":
            offer = await tools.offer_slots()
            if offer.ok:
                alternative = tools.conversation.offered[0].start
                line = lines.say("slot_taken", alternative, lines.tz, lines.now)
                return AgentReply(line.en, line.he, offer.action, offer.payload)
        return _said(lines.say("fallback"))

    async def _callback(
        self, lines: Lines, tools: Toolbox, heard: Understanding, *, hebrew: bool
    ) -> AgentReply:
        outcome = await tools.schedule_callback(heard.when_text or "later")
        when = heard.when_text
        line = Line(
            lines.en.callback_ack(None if hebrew else when),
            lines.he.callback_ack(when if hebrew else None),
        )
        return AgentReply(line.en, line.he, outcome.action, outcome.payload)


def _said(line: Line) -> AgentReply:
    return AgentReply(line.en, line.he)


def _acted(lines: Lines, outcome: ToolOutcome) -> AgentReply:
    """Speaks the catalog line for a tool's outcome (or the fallback when it was refused)."""
    line = lines.for_action(outcome.action, outcome.payload) or lines.say("fallback")
    return AgentReply(line.en, line.he, outcome.action, outcome.payload)
