"""The dialogue policy: rules every call keeps, whatever the agent (model or offline brain) says.

- No line is spoken a third time in a row: said again, it is said shorter; a third time, the
  agent makes another move (a concrete proposal, the next step, or a polite close).
- Hard limits per call (caller turns, offer rounds, clarifying questions): past them the call
  closes politely, as a callback when the lead was engaged and not_interested otherwise.
- Every slot offered is remembered and a turned-down slot is never booked (the tools enforce it
  with what `observe` records).
- Abuse closes the call and marks the lead do-not-call.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.config import Settings
from app.conversation import email_step
from app.conversation.lines import Line, Lines
from app.conversation.state import Action, AgentReply, Conversation
from app.conversation.tools import Toolbox, ToolOutcome
from app.language.understanding import Intent, Understanding

# Caller intents that show the lead is taking part, not brushing the agent off.
_ENGAGED = frozenset(
    {
        Intent.yes,
        Intent.interested,
        Intent.pick_slot,
        Intent.request_time,
        Intent.neither_slot,
        Intent.price,
        Intent.send_email,
    }
)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def said(line: Line, kind: str) -> AgentReply:
    """A catalog line as the agent's reply."""
    return AgentReply(line.en, line.he, kind=kind)


def answered(line: Line, outcome: ToolOutcome, kind: str | None = None) -> AgentReply:
    """A catalog line spoken with what a tool did."""
    return AgentReply(line.en, line.he, outcome.action, outcome.payload, kind=kind)


def propose_first(conversation: Conversation, lines: Lines) -> AgentReply:
    """Narrows two slots on the table to a concrete proposal of the first."""
    conversation.offered = conversation.offered[:1]
    conversation.dialogue.awaiting = "proposal"
    return said(lines.offer(conversation.offered), "propose")


def acted(lines: Lines, outcome: ToolOutcome, kind: str | None = None) -> AgentReply:
    """The catalog line for a tool's outcome (or the fallback when it was refused)."""
    line = lines.for_action(outcome.action, outcome.payload) or lines.say("fallback")
    return AgentReply(line.en, line.he, outcome.action, outcome.payload, kind=kind)


def offer_kind(reply: AgentReply) -> str:
    """An offer's kind names its slots: a new pair is a new line, the same pair a repeat."""
    slots = (reply.payload or {}).get("slots") or []
    return "offer:" + ",".join(str(slot.get("start")) for slot in slots)


def _shorter(text: str) -> str:
    """The last sentence of a line (where its question is), for a free reply said again."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    return sentences[-1] if len(sentences) > 1 else text


class DialoguePolicy:
    """Applies the rules around any agent: `observe` and `preempt` before it, `review` after."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def observe(self, conversation: Conversation, heard: Understanding) -> None:
        """Remembers what this caller line tells the policy: language, rejections, engagement."""
        dialogue = conversation.dialogue
        dialogue.caller_turns += 1
        if heard.language != dialogue.language and dialogue.email_step is None:
            dialogue.language = heard.language  # (an address in Latin letters is no switch)
        offered = conversation.offered
        turned_down = set(heard.rejected)
        if heard.intent is Intent.neither_slot and not turned_down:
            turned_down = set(range(len(offered)))
        if heard.intent is Intent.no and len(offered) == 1:
            turned_down = {0}  # "no" to a single proposal
        for index in sorted(turned_down):
            if index < len(offered):
                iso = offered[index].start.isoformat()
                if iso not in dialogue.rejected:
                    dialogue.rejected.append(iso)
        if heard.slot_index is not None and heard.slot_index < len(offered):
            picked = offered[heard.slot_index].start.isoformat()
            if picked in dialogue.rejected and heard.slot_index not in turned_down:
                dialogue.rejected.remove(picked)  # picked again in a later turn: the latest wins
        if heard.intent in _ENGAGED or (conversation.history and heard.intent is Intent.unclear):
            dialogue.engaged = True

    async def preempt(
        self,
        conversation: Conversation,
        heard: Understanding,
        tools: Toolbox,
        lines: Lines,
        caller: str = "",
    ) -> AgentReply | None:
        """A reply decided before the agent runs: abuse, the email step after a booking, or a
        call past its turn limit. `caller` is the line as said (an address is read from it)."""
        if heard.intent is Intent.abuse:
            return answered(lines.say("abuse_close"), await tools.mark_do_not_call(), "close")
        if conversation.dialogue.email_step is not None and heard.intent is not Intent.do_not_call:
            return await email_step.answer(conversation, heard, caller, tools, lines)
        if conversation.dialogue.caller_turns > self.settings.max_caller_turns:
            return await self.close(tools, lines)
        return None

    async def close(self, tools: Toolbox, lines: Lines) -> AgentReply:
        """The polite close of a call that goes nowhere: a callback if the lead was engaged."""
        engaged = tools.conversation.dialogue.engaged
        if engaged:
            outcome = await tools.schedule_callback("later")
        else:
            outcome = await tools.end_call("not_interested")
        return answered(lines.say("limit_close", engaged), outcome, "close")

    async def review(
        self,
        conversation: Conversation,
        reply: AgentReply,
        tools: Toolbox,
        lines: Lines,
        heard: Understanding | None = None,
    ) -> AgentReply:
        """Holds the agent's reply to the rules: no third repeat, limits end the call, and a
        booking for a lead with no email asks for one before the call ends."""
        if self._asks_email(conversation, reply):
            reply = email_step.start(conversation, reply, lines)
        if (reply.kind or "").startswith("email:"):  # the step bounds its own repeats
            self._said(conversation, reply.kind or "email")
            return reply
        if reply.ends_call:
            self._said(conversation, "end")
            return reply
        if tools.limit_hit and reply.action is None:
            return await self.close(tools, lines)
        kind = reply.kind or self._kind_of(reply)
        recent = conversation.dialogue.recent
        if recent and _spoken(reply, lines) == conversation.last_agent_he:
            kind = recent[-1]  # the same words under another name are the same line
        if recent[-2:] == [kind, kind]:
            reply = await self._another_move(conversation, tools, lines)
            kind = reply.kind or self._kind_of(reply)
        elif recent[-1:] == [kind]:
            reply = self._short(conversation, reply, lines)
            asked_again = heard is not None and heard.intent in (Intent.repeat, Intent.greeting)
            if not asked_again and _spoken(reply, lines) == conversation.last_agent_he:
                reply = await self._another_move(conversation, tools, lines)
                kind = reply.kind or self._kind_of(reply)
        self._said(conversation, kind)
        return reply

    def _asks_email(self, conversation: Conversation, reply: AgentReply) -> bool:
        return (
            self.settings.ask_for_email
            and reply.action is Action.book_meeting
            and not reply.goes_on
            and conversation.booked_meeting_id is not None
            and conversation.lead.email is None
        )

    def _said(self, conversation: Conversation, kind: str) -> None:
        conversation.dialogue.recent = [*conversation.dialogue.recent[-1:], kind]

    @staticmethod
    def _kind_of(reply: AgentReply) -> str:
        if reply.action is Action.offer_slots:
            return offer_kind(reply)
        return "free:" + " ".join(reply.reply_en.lower().split())

    def _short(self, conversation: Conversation, reply: AgentReply, lines: Lines) -> AgentReply:
        """The same move said again, shorter."""
        kind = reply.kind or self._kind_of(reply)
        if kind.startswith(("offer", "clarify")) and len(conversation.offered) == 2:
            return _with_line(reply, lines.offer(conversation.offered, short=True))
        if kind.startswith("question:"):
            index = int(kind.split(":", 1)[1])
            return _with_line(reply, lines.say("short_question", index))
        if reply.reply_he is None:
            return replace(reply, reply_en=_shorter(reply.reply_en))
        return replace(reply, reply_en=_shorter(reply.reply_en), reply_he=_shorter(reply.reply_he))

    async def _another_move(
        self, conversation: Conversation, tools: Toolbox, lines: Lines
    ) -> AgentReply:
        """A third time the same: a concrete proposal while two slots are on the table, else
        the polite close."""
        if len(conversation.offered) == 2 and conversation.booked_meeting_id is None:
            return propose_first(conversation, lines)
        return await self.close(tools, lines)


def _spoken(reply: AgentReply, lines: Lines) -> str | None:
    line = lines.spoken(reply)
    return line.he if line is not None else None


def _with_line(reply: AgentReply, line: Line) -> AgentReply:
    return replace(reply, reply_en=line.en, reply_he=line.he)
