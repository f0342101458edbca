"""The English agent: a chat model with tools, following the prompt's sales pattern."""

from __future__ import annotations

import json
from typing import Protocol

from app.conversation.lines import CATALOG_ACTIONS
from app.conversation.prompts import system_prompt
from app.conversation.providers.base import ChatModel, Message, ProviderUnavailable, ToolCall
from app.conversation.speech import ReplyStream
from app.conversation.state import Action, AgentReply, Conversation
from app.conversation.tools import TOOL_SPECS, Toolbox, ToolOutcome
from app.language.understanding import Understanding

MAX_TOOL_ROUNDS = 3
# When one turn does several things, the strongest one names the turn.
_PRIORITY = (
    Action.mark_do_not_call,
    Action.book_meeting,
    Action.transfer_to_human,
    Action.schedule_callback,
    Action.end_call,
    Action.offer_slots,
)


class Agent(Protocol):
    """Decides the reply to one caller line (in English) and which tools to use."""

    async def respond(
        self,
        user_en: str,
        tools: Toolbox,
        *,
        user_he: str | None = None,
        heard: Understanding | None = None,
        stream: ReplyStream | None = None,
    ) -> AgentReply:
        """`user_he` is the caller's original words; `heard` their offline reading; `stream`,
        when the call speaks while the reply is made, takes the reply's text as it comes."""
        ...


def _strongest(outcomes: list[ToolOutcome]) -> ToolOutcome | None:
    done = [(_PRIORITY.index(o.action), i, o) for i, o in enumerate(outcomes) if o.action]
    return min(done)[2] if done else None


class LLMAgent:
    """Runs the model, executes and validates its tool calls, and feeds results back to it.

    A tool whose success the catalog speaks (offer, booking, opt-out, goodbye) ends the turn:
    a second round would cost a model call for words the caller never hears.
    """

    def __init__(self, model: ChatModel) -> None:
        self.model = model

    def _messages(self, conversation: Conversation, user_en: str, tools: Toolbox) -> list[Message]:
        now = tools.clock.now().astimezone(tools.settings.tz)
        messages = [Message("system", system_prompt(conversation, tools.settings, now))]
        for exchange in conversation.history:
            messages += [Message("user", exchange.user), Message("assistant", exchange.agent)]
        messages.append(Message("user", user_en))
        return messages

    async def respond(
        self,
        user_en: str,
        tools: Toolbox,
        *,
        user_he: str | None = None,
        heard: Understanding | None = None,
        stream: ReplyStream | None = None,
    ) -> AgentReply:
        conversation = tools.conversation
        messages = self._messages(conversation, user_en, tools)
        outcomes: list[ToolOutcome] = []
        for _round in range(MAX_TOOL_ROUNDS + 1):
            specs = TOOL_SPECS if _round < MAX_TOOL_ROUNDS else ()
            if stream is None:
                reply = await self.model.complete(messages, specs)
            else:
                reply = await self.model.stream(
                    messages, specs, stream.text, lambda: stream.stopped
                )
                stream.flush()
                if stream.stopped:  # cut off by the caller: no tools run for a reply unheard
                    return AgentReply(reply_en=(reply.content or "").strip())
            if not reply.tool_calls or _round == MAX_TOOL_ROUNDS:
                break
            messages.append(Message("assistant", reply.content, tool_calls=reply.tool_calls))
            for call in reply.tool_calls:
                outcome = await tools.execute(call)
                outcomes.append(outcome)
                messages.append(_tool_result(call, outcome))
            done = _strongest(outcomes)
            if done is not None and done.action in CATALOG_ACTIONS:
                break  # the catalog speaks this outcome: no second round for words unheard
        strongest = _strongest(outcomes)
        if not (reply.content or "").strip() and strongest is None:
            raise ProviderUnavailable("the model returned an empty reply")
        return AgentReply(
            reply_en=(reply.content or "").strip(),
            action=strongest.action if strongest else None,
            payload=strongest.payload if strongest else None,
        )


def _tool_result(call: ToolCall, outcome: ToolOutcome) -> Message:
    return Message("tool", json.dumps(outcome.result, ensure_ascii=False), tool_call_id=call.id)
