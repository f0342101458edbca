"""The offline brain: a deterministic agent for when no model is configured.

It follows the same sales pattern and uses the same tools as the model-driven agent, reads the
caller with app.language.understanding, and speaks only catalog lines, so nothing is ever
translated at runtime. The dialogue policy (app.conversation.policy) holds around it as it holds
around the model.
"""

from __future__ import annotations

from dataclasses import replace

from app.config import Settings
from app.conversation.lines import Line, Lines
from app.conversation.policy import (
    DialoguePolicy,
    acted,
    answered,
    offer_kind,
    propose_first,
    said,
)
from app.conversation.speech import ReplyStream
from app.conversation.state import AgentReply
from app.conversation.tools import Toolbox
from app.language.foreign import APOLOGY, APOLOGY_EN
from app.language.understanding import Intent, Understanding, understand

QUESTIONS_BEFORE_OFFER = 2
_ANSWERS = {
    Intent.who_is_this: "who_are_you",
    Intent.are_you_a_bot: "are_you_a_bot",
    Intent.price: "price",
    Intent.agent_name: "agent_name_answer",
    Intent.what_is_it: "pitch",
}
_LANGUAGE_NAMES = {"ar": "Arabic", "ru": "Russian"}


class OfflineBrain:
    """Same tools, same pattern, catalog replies; no network."""

    def __init__(self, settings: Settings, policy: DialoguePolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or DialoguePolicy(settings)

    async def respond(
        self,
        user_en: str,
        tools: Toolbox,
        *,
        user_he: str | None = None,
        heard: Understanding | None = None,
        stream: ReplyStream | None = None,
    ) -> AgentReply:
        """Catalog lines only: the voice speaks them whole (`stream` is not needed)."""
        if heard is None:
            heard = understand(
                user_he or user_en,
                [slot.start for slot in tools.conversation.offered],
                self.settings.tz,
                tools.clock.now(),
            )
        lines = Lines(self.settings, tools.conversation, tools.clock.now())
        said_no = (user_he or user_en).strip().lower().startswith(("לא", "no"))
        if heard.intent is Intent.yes and said_no and tools.conversation.dialogue.awaiting:
            heard = replace(heard, intent=Intent.no)  # "לא, זה בסדר": no, it's fine
        reply = await self._decide(heard, tools, lines)
        return replace(reply, heard_en=heard.english if user_he else None)

    async def _decide(self, heard: Understanding, tools: Toolbox, lines: Lines) -> AgentReply:
        conversation = tools.conversation
        dialogue = conversation.dialogue
        awaiting, dialogue.awaiting = dialogue.awaiting, None
        intent = heard.intent
        if heard.language in APOLOGY:
            return await self._foreign(heard.language, tools)
        match intent:
            case Intent.do_not_call:
                return acted(lines, await tools.mark_do_not_call())
            case Intent.yes if awaiting == "remove_number":
                return acted(lines, await tools.mark_do_not_call())
            case Intent.talk_to_human:
                return await self._transfer(lines, tools)
            case Intent.wrong_number:
                return acted(lines, await tools.end_call("wrong_person"))
            case Intent.hostile:
                return answered(lines.say("hostile_close"), await tools.end_call("not_interested"))
            case Intent.not_interested:
                return acted(lines, await tools.end_call("not_interested"))
            case Intent.no | Intent.unsure if awaiting == "objection":
                return acted(lines, await tools.end_call("not_interested"))
            case Intent.busy_call_later:
                return await self._callback(lines, tools, heard)
            case Intent.no if not conversation.history and not conversation.offered:
                # "No" to "is this a good time?": call back later rather than push.
                return await self._callback(lines, tools, heard)
            case Intent.not_decision_maker if dialogue.count("decision_maker") == 1:
                dialogue.awaiting = "decision_maker"
                return said(lines.say("decision_maker_question"), "decision_maker")
            case Intent.not_decision_maker:
                return await self._callback(lines, tools, heard)
            case _ if awaiting == "decision_maker" and intent not in _QUESTIONS:
                return await self._callback(lines, tools, heard)
            case Intent.already_have_solution if dialogue.count("objection") == 1:
                dialogue.awaiting = "objection"
                return said(lines.say("already_have_solution"), "objection")
            case Intent.already_have_solution:
                return acted(lines, await tools.end_call("not_interested"))
            case Intent.number_source:
                dialogue.awaiting = "remove_number"
                return said(lines.say("number_source", conversation.lead.source), "source")
            case Intent.send_email if dialogue.count("email") == 1:
                email = conversation.lead.email is not None
                return await self._then_pending(lines, tools, lines.say("send_email", email))
            case Intent.send_email:
                return await self.policy.close(tools, lines)
            case Intent.who_is_this | Intent.are_you_a_bot | Intent.price | Intent.agent_name:
                return await self._then_pending(lines, tools, lines.say(_ANSWERS[intent]))
            case Intent.what_is_it:
                return said(lines.say("pitch"), "pitch")
            case Intent.greeting if not conversation.greeted:
                conversation.greeted = True
                return said(lines.greeting(), "greeting")
            case Intent.repeat | Intent.greeting:
                return self._again(lines, tools, hear_me=intent is Intent.greeting)
        if conversation.offered:
            return await self._slot_talk(heard, tools, lines, awaiting)
        if _asks_for_a_time(heard) or (intent is Intent.interested and conversation.history):
            return await self._offer(lines, tools, heard)
        if intent is Intent.yes and awaiting == "objection":
            return await self._offer(lines, tools, heard)
        return await self._advance(lines, tools)

    async def _slot_talk(
        self, heard: Understanding, tools: Toolbox, lines: Lines, awaiting: str | None
    ) -> AgentReply:
        """The caller answers an offer: a pick, an ambiguous pick, a request, or a no."""
        conversation = tools.conversation
        offered = conversation.offered
        intent = heard.intent
        if intent is Intent.pick_slot and heard.slot_index is not None:
            return await self._book(lines, tools, heard.slot_index)
        if intent in (Intent.yes, Intent.interested) and len(offered) == 1:
            return await self._book(lines, tools, 0)
        ambiguous = intent is Intent.pick_slot and len(heard.candidates) > 1
        if ambiguous or (intent in (Intent.yes, Intent.interested) and len(offered) == 2):
            return self._clarify(lines, tools)
        if intent in (Intent.request_time, Intent.pick_slot) or (
            intent is Intent.neither_slot and not heard.when.empty
        ):
            return await self._offer(lines, tools, heard)
        if intent in (Intent.neither_slot, Intent.no) or len(offered) == 1:
            return await self._offer(lines, tools, heard)
        if intent is Intent.unsure and len(offered) == 2:
            return propose_first(conversation, lines)
        return said(lines.offer(offered, short=True), "offer:short")

    def _clarify(self, lines: Lines, tools: Toolbox) -> AgentReply:
        """One short question naming the difference; past the limit, a concrete proposal."""
        conversation = tools.conversation
        if conversation.dialogue.clarifications >= self.settings.max_clarifications:
            return propose_first(conversation, lines)
        conversation.dialogue.clarifications += 1
        conversation.dialogue.awaiting = "clarify"
        return said(lines.clarify(conversation.offered), "clarify")

    def _again(self, lines: Lines, tools: Toolbox, *, hear_me: bool) -> AgentReply:
        """The caller did not hear or understand: the last move again, simpler."""
        conversation = tools.conversation
        recent = conversation.dialogue.recent
        last = recent[-1] if recent else "greeting"
        if last.startswith("question:"):
            line = lines.say("short_question", int(last.split(":", 1)[1]))
        elif conversation.offered and last.startswith(("offer", "clarify", "propose")):
            line = lines.offer(conversation.offered, short=len(conversation.offered) == 2)
        elif conversation.history and conversation.last_agent_he:
            line = Line(conversation.history[-1].agent, conversation.last_agent_he)
        else:
            line = lines.say("short_question", 0)
        if hear_me:
            line = lines.say("hear_me") + line
        return said(line, last)

    async def _then_pending(self, lines: Lines, tools: Toolbox, answer: Line) -> AgentReply:
        """Answers a question, then goes back to what the call was doing."""
        conversation = tools.conversation
        if conversation.offered:
            return said(answer + lines.offer(conversation.offered, short=True), "offer:short")
        return await self._advance(lines, tools, answer)

    async def _advance(
        self, lines: Lines, tools: Toolbox, lead_in: Line | None = None
    ) -> AgentReply:
        """The next step of the pattern: a qualifying question, then the slot offer."""
        conversation = tools.conversation
        if conversation.questions_asked < QUESTIONS_BEFORE_OFFER:
            index = conversation.questions_asked
            line = lines.question(index)
            conversation.questions_asked += 1
            return said(lead_in + line if lead_in else line, f"question:{index}")
        return await self._offer(lines, tools, None, lead_in)

    async def _transfer(self, lines: Lines, tools: Toolbox) -> AgentReply:
        """A person, when one is reachable; otherwise say so and offer a meeting with one."""
        outcome = await tools.transfer_to_human()
        if outcome.ok:
            return acted(lines, outcome)
        return await self._offer(lines, tools, None, lines.say("transfer_unavailable"))

    async def _offer(
        self,
        lines: Lines,
        tools: Toolbox,
        heard: Understanding | None,
        lead_in: Line | None = None,
    ) -> AgentReply:
        asked = heard.when if heard is not None and not heard.when.empty else None
        outcome = await tools.offer_slots(asked)
        if not outcome.ok:
            return await self.policy.close(tools, lines)
        reply = acted(lines, outcome)
        reply = replace(reply, kind=offer_kind(reply))
        if lead_in is None:
            return reply
        line = lead_in + Line(reply.reply_en, reply.reply_he or "")
        return replace(reply, reply_en=line.en, reply_he=line.he)

    async def _book(self, lines: Lines, tools: Toolbox, index: int) -> AgentReply:
        slot = tools.conversation.offered[index]
        outcome = await tools.book_meeting(slot.start)
        if outcome.ok:
            return acted(lines, outcome)
        error = outcome.result.get("error")
        if error == "slot_taken":
            offer = await tools.offer_slots()
            if offer.ok:
                alternative = tools.conversation.offered[0].start
                tools.conversation.offered = tools.conversation.offered[:1]
                line = lines.say("slot_taken", alternative, lines.tz, lines.now)
                return answered(line, offer, "propose")
            return await self.policy.close(tools, lines)
        if error in ("rejected", "ambiguous"):
            return self._clarify(lines, tools)
        return said(lines.say("fallback"), "fallback")

    async def _callback(self, lines: Lines, tools: Toolbox, heard: Understanding) -> AgentReply:
        when = heard.when_text
        english = heard.language == "en"
        outcome = await tools.schedule_callback(when or "later")
        line = Line(
            lines.en.callback_ack(when if english else None),
            lines.he.callback_ack(None if english else when),
        )
        return answered(line, outcome)

    async def _foreign(self, language: str, tools: Toolbox) -> AgentReply:
        """Offline, a caller in Arabic or Russian hears a short apology in their language."""
        outcome = await tools.schedule_callback(f"in {_LANGUAGE_NAMES[language]}")
        return answered(Line(APOLOGY_EN[language], APOLOGY[language]), outcome, "end")


# Caller questions answered on their own, whatever the call was waiting for.
_QUESTIONS = frozenset(
    {
        Intent.who_is_this,
        Intent.are_you_a_bot,
        Intent.price,
        Intent.agent_name,
        Intent.what_is_it,
        Intent.repeat,
        Intent.number_source,
        Intent.do_not_call,
        Intent.not_interested,
        Intent.hostile,
        Intent.silence,
    }
)


def _asks_for_a_time(heard: Understanding) -> bool:
    """A request before any offer; a bare number ("יש לנו שתיים") is an answer, not a time."""
    when = heard.when
    if heard.intent is not Intent.request_time:
        return False
    named = (when.weekday, when.date, when.part, when.minute)
    return any(value is not None for value in named) or when.next_week or when.earlier
