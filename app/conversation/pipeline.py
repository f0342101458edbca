"""One turn of a call: caller Hebrew -> English -> agent (tools) -> English -> Hebrew.

Telephony, the simulator and the tests all go through `Pipeline.run_turn`. Catalog lines are
never translated; a provider failure or a blown deadline becomes the catalog fallback, and
repeated failures end the call politely.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.clock import Clock
from app.config import Settings
from app.conversation.agent import Agent
from app.conversation.lines import Line, Lines
from app.conversation.policy import DialoguePolicy
from app.conversation.providers.base import ProviderError, Translator
from app.conversation.script import full_gloss, script_knows
from app.conversation.speech import ReplyStream, Voice
from app.conversation.state import Action, Conversation, Exchange
from app.conversation.tools import Toolbox
from app.language.understanding import MAX_INPUT_CHARS, understand

log = structlog.get_logger(__name__)
T = TypeVar("T")

MAX_ERRORS = 3
MAX_SILENCES = 3


@dataclass(slots=True)
class TurnResult:
    """Everything one turn produced, ready to be stored as a Turn and spoken."""

    caller_he: str
    caller_en: str
    agent_en: str
    agent_he: str
    action: Action | None = None
    payload: dict[str, Any] | None = None
    ended: bool = False
    error: str | None = None
    ms: dict[str, int] = field(default_factory=dict)
    language: str = "he"
    # What the tools decided about the lead, written in the transaction that stores the turn.
    lead_changes: dict[str, Any] = field(default_factory=dict)


def _observe(result: TurnResult) -> None:
    metrics.TURNS.labels(action=result.action or "none").inc()
    if result.error:
        metrics.TURN_FAILURES.labels(error=result.error.split(":", 1)[0]).inc()
    for stage, ms in result.ms.items():
        metrics.STAGE_SECONDS.labels(stage=stage).observe(ms / 1000)


class _Stopwatch:
    def __init__(self) -> None:
        self.ms: dict[str, int] = {}

    async def time(self, stage: str, work: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await work
        finally:
            self.ms[stage] = self.ms.get(stage, 0) + round((time.perf_counter() - started) * 1000)


class Pipeline:
    """Runs turns with one agent and one translator, under a per-turn deadline."""

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        agent: Agent,
        translator: Translator,
        deadline_s: float,
        policy: DialoguePolicy | None = None,
        script: Agent | None = None,
    ) -> None:
        """`script`: the agent for the turns `script_knows` (the offline brain, beside a model)."""
        self.settings = settings
        self.clock = clock
        self.agent = agent
        self.translator = translator
        self.deadline_s = deadline_s
        self.policy = policy or DialoguePolicy(settings)
        self.script = script

    def lines(self, conversation: Conversation) -> Lines:
        return Lines(self.settings, conversation, self.clock.now())

    def greeting(self, conversation: Conversation) -> Line:
        """The call's opening line; the caller's first reply answers it."""
        line = self.lines(conversation).greeting()
        conversation.greeted = True
        conversation.last_agent_he = line.he
        conversation.dialogue.recent = ["greeting"]
        return line

    async def run_turn(
        self,
        sessions: async_sessionmaker[AsyncSession],
        conversation: Conversation,
        caller_he: str,
        deadline_s: float | None = None,
        voice: Voice | None = None,
    ) -> TurnResult:
        """Answers one caller line; silent turns in a row are counted on the conversation.

        Holds no database connection while it waits on a provider: tools open their own short
        transactions, and the caller stores the result. With a `voice` (a streaming call) the
        reply is spoken as it is made: the model's sentences as each is translated, a catalog
        line whole at once; the result then holds what was actually sent.
        """
        started = time.perf_counter()
        caller_he = caller_he.strip()[:MAX_INPUT_CHARS]
        lines = self.lines(conversation)
        if not caller_he:
            conversation.silences += 1
            result = self._silence(lines, conversation.silences)
        else:
            conversation.silences = 0
            deadline = min(self.deadline_s, deadline_s or self.deadline_s)
            result = await self._answer(sessions, conversation, lines, caller_he, deadline, voice)
        if voice is not None:
            await self._spoken(voice, result)
        result.ms["total"] = round((time.perf_counter() - started) * 1000)
        _observe(result)
        log.info(
            "turn",
            call_id=conversation.call_id,
            lead_id=conversation.lead.id,
            action=result.action,
            ended=result.ended,
            error=result.error,
            ms=result.ms,
        )
        self._finish(conversation, result)
        return result

    async def _spoken(self, voice: Voice, result: TurnResult) -> None:
        """Speaks what was not streamed, and records what went out and when it started."""
        await voice.close(result.agent_en, result.agent_he)
        if voice.said:
            result.agent_he = voice.hebrew
        elif voice.stopped:
            result.agent_he = ""
        if voice.first_token_ms is not None:
            result.ms["first_token"] = voice.first_token_ms

    async def opt_out_turn(
        self, sessions: async_sessionmaker[AsyncSession], conversation: Conversation
    ) -> TurnResult:
        """The caller pressed the opt-out key: off the list, the catalog's confirmation, end."""
        toolbox = Toolbox(sessions, self.settings, self.clock, conversation)
        outcome = await toolbox.mark_do_not_call()
        line = self.lines(conversation).say("opt_out_ack")
        result = TurnResult(
            "",
            "(pressed the opt-out key)",
            line.en,
            line.he,
            outcome.action,
            outcome.payload,
            ended=True,
            lead_changes=toolbox.lead_changes,
        )
        self._finish(conversation, result)
        return result

    def resumed_turn(
        self, conversation: Conversation, caller_he: str, unsaid_en: str, unsaid_he: str
    ) -> TurnResult:
        """A backchannel ("כן", "אהה") cut the agent off: it says again what was not heard."""
        conversation.silences = 0
        result = TurnResult(caller_he, "(backchannel)", unsaid_en, unsaid_he)
        self._finish(conversation, result)
        return result

    def failed_turn(self, conversation: Conversation, error: str) -> TurnResult:
        """A turn lost before the pipeline (recording or speech-to-text failed): same fallback."""
        conversation.silences = 0
        result = self._failed(conversation, self.lines(conversation), "", "", error, {})
        self._finish(conversation, result)
        return result

    def _finish(self, conversation: Conversation, result: TurnResult) -> None:
        if result.ended:
            conversation.ended = True
        conversation.history.append(Exchange(result.caller_en, result.agent_en))
        conversation.last_agent_he = result.agent_he

    def _silence(self, lines: Lines, silences: int) -> TurnResult:
        if silences >= MAX_SILENCES:
            line = lines.say("goodbye")
            return TurnResult(
                "", "(silence)", line.en, line.he, Action.end_call, {"reason": "no_response"}, True
            )
        line = lines.say("reprompt", silences)
        return TurnResult("", "(silence)", line.en, line.he)

    async def _answer(
        self,
        sessions: async_sessionmaker[AsyncSession],
        conversation: Conversation,
        lines: Lines,
        caller_he: str,
        deadline_s: float,
        voice: Voice | None = None,
    ) -> TurnResult:
        watch = _Stopwatch()
        heard = understand(
            caller_he,
            [slot.start for slot in conversation.offered],
            self.settings.tz,
            self.clock.now(),
        )
        self.policy.observe(conversation, heard)
        english = conversation.dialogue.language == "en"
        scripted = self.script is not None and script_knows(conversation, heard, caller_he)
        # A scripted line the offline gloss renders whole needs no translation round either.
        gloss = full_gloss(heard) if scripted else None
        toolbox = Toolbox(sessions, self.settings, self.clock, conversation, heard)
        caller_en = caller_he if english else ""
        try:
            async with asyncio.timeout(deadline_s):
                if english or gloss is not None:
                    # No network round to hide it behind: slots are read only if a tool needs them.
                    caller_en = await self._to_english(caller_he, english, gloss)
                else:
                    # The slot lookup (its own short read) overlaps the translation (network).
                    translated, prefetched = await asyncio.gather(
                        watch.time(
                            "translate_in", self._to_english(caller_he, english, voice=voice)
                        ),
                        watch.time("prefetch", toolbox.prefetch_slots()),
                        return_exceptions=True,
                    )
                    for outcome in (translated, prefetched):
                        if isinstance(outcome, BaseException):
                            raise outcome
                    caller_en = str(translated)
                reply = await self.policy.preempt(conversation, heard, toolbox, lines, caller_he)
                if reply is None and scripted and self.script is not None:
                    reply = await watch.time(
                        "script",
                        self.script.respond(caller_en, toolbox, user_he=caller_he, heard=heard),
                    )
                    reply = replace(reply, heard_en=None)  # caller_en is already the best
                elif reply is None:
                    conversation.dialogue.awaiting = None  # a model's line awaits no script move
                    stream = self._stream(conversation, voice, english)
                    reply = await watch.time(
                        "llm",
                        self.agent.respond(
                            caller_en, toolbox, user_he=caller_he, heard=heard, stream=stream
                        ),
                    )
                reply = await self.policy.review(conversation, reply, toolbox, lines, heard)
                caller_en = reply.heard_en or caller_en
                line = lines.spoken(reply)
                foreign = conversation.dialogue.language in ("ar", "ru") and not reply.kind
                if line is not None and not foreign:
                    agent_en, agent_he = line.en, line.en if english else line.he
                elif voice is not None and (voice.stopped or voice.carries(reply.reply_en)):
                    # Spoken sentence by sentence while the model wrote (or cut off by the
                    # caller): wait for the last one, translate nothing more.
                    agent_en = reply.reply_en
                    agent_he = await watch.time("translate_out", voice.finish())
                elif english:
                    agent_en = agent_he = line.en if line else reply.reply_en
                else:
                    agent_en = line.en if line else reply.reply_en
                    agent_he = await watch.time(
                        "translate_out", self._to_caller(conversation, agent_en)
                    )
        except (ProviderError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            result = self._failed(conversation, lines, caller_he, caller_en, error, watch.ms)
            result.language = heard.language
            result.lead_changes = toolbox.lead_changes
            return result
        return TurnResult(
            caller_he,
            caller_en,
            agent_en,
            agent_he,
            reply.action,
            reply.payload,
            ended=reply.ends_call,
            ms=watch.ms,
            language=heard.language,
            lead_changes=toolbox.lead_changes,
        )

    def _stream(
        self, conversation: Conversation, voice: Voice | None, english: bool
    ) -> ReplyStream | None:
        """Where a streaming model's text goes: each sentence to the caller's language."""
        if voice is None:
            return None

        async def translate(text_en: str) -> str:
            return text_en if english else await self._to_caller(conversation, text_en)

        return ReplyStream(voice, translate)

    async def _to_english(
        self, caller: str, english: bool, gloss: str | None = None, voice: Voice | None = None
    ) -> str:
        """The caller's words in English: as said when they speak English, or the full gloss;
        else translated, or the translation a streaming call began while they were speaking."""
        if english:
            return caller
        if gloss is not None:
            return gloss
        early = voice.early_english(caller) if voice is not None else None
        if early is not None and not early.cancelled():
            try:
                return await early
            except ProviderError:
                log.info("early_translation_failed")  # translated again, below
        return await self.translator.to_english(caller)

    async def _to_caller(self, conversation: Conversation, text_en: str) -> str:
        """The agent's free reply in the caller's language: Hebrew, or Arabic / Russian."""
        language = conversation.dialogue.language
        if language in ("ar", "ru"):
            return await self.translator.to_language(text_en, language)
        return await self.translator.to_hebrew(
            text_en, lead_gender=conversation.lead.gender, agent_gender=self.settings.agent_gender
        )

    def _failed(
        self,
        conversation: Conversation,
        lines: Lines,
        caller_he: str,
        caller_en: str,
        error: str,
        ms: dict[str, int],
    ) -> TurnResult:
        conversation.errors += 1
        log.warning(
            "turn_failed", error=error, errors=conversation.errors, call_id=conversation.call_id
        )
        if conversation.errors >= MAX_ERRORS:
            line = lines.say("technical_goodbye")
            return TurnResult(
                caller_he,
                caller_en,
                line.en,
                line.he,
                Action.end_call,
                {"reason": "error"},
                ended=True,
                error=error,
                ms=ms,
            )
        line = lines.say("fallback")
        return TurnResult(caller_he, caller_en, line.en, line.he, error=error, ms=ms)
