"""Capabilities the conversation needs from the outside world, as vendor-neutral Protocols.

Provider errors, which the pipeline turns into the Hebrew fallback line instead of silence:

    ProviderError
    ├── ProviderTimeout      no answer within the deadline
    └── ProviderUnavailable  5xx, 429, connection refused or a malformed answer
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from app.calls.analysis import CallAnalysis
    from app.conversation.analysis import CallTranscript


class ProviderError(Exception):
    """An outside service failed; the call must go on."""


class ProviderTimeout(ProviderError):
    """The service did not answer in time."""


class ProviderUnavailable(ProviderError):
    """The service answered with an error, or not at all."""


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call; `parameters` is a strict JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message; `tool_calls` on assistant messages, `tool_call_id` on tool results."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChatReply:
    content: str | None
    tool_calls: tuple[ToolCall, ...] = field(default_factory=tuple)


# Receives a reply's text piece by piece, as a streaming model produces it.
TextSink = Callable[[str], Awaitable[None]]


class ChatModel(Protocol):
    """A chat-completions model with tool calling (OpenAI or any compatible server)."""

    async def complete(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> ChatReply:
        """Returns the assistant's next message: text, tool calls, or both."""
        ...

    async def stream(
        self,
        messages: Sequence[Message],
        tools: Sequence[ToolSpec],
        on_text: TextSink,
        stopped: Callable[[], bool],
    ) -> ChatReply:
        """Like `complete`, handing each piece of text to `on_text` as it arrives. Once
        `stopped()` is true it stops reading (the generation is abandoned) and returns the text
        so far with no tool calls."""
        ...


class Translator(Protocol):
    """Hebrew <-> English for free-form lines; fixed lines come from the catalogs instead."""

    async def to_english(self, text_he: str) -> str:
        """Translates what the caller said into plain English for the agent."""
        ...

    async def to_hebrew(
        self,
        text_en: str,
        *,
        lead_gender: Literal["female", "male"] | None,
        agent_gender: Literal["female", "male"],
    ) -> str:
        """Translates the agent's reply into spoken Israeli Hebrew, gendered for both speakers."""
        ...

    async def to_language(self, text_en: str, language: str) -> str:
        """Translates the agent's reply into the caller's own language ("ar", "ru")."""
        ...


class Transcriber(Protocol):
    """Speech to text for the caller's recorded turn."""

    async def transcribe(self, audio: bytes, *, filename: str, language: str = "he") -> str:
        """Returns what was said, or an empty string for silence."""
        ...


class CallAnalyst(Protocol):
    """Reads an ended call's English transcript: summary, qualification fields, score."""

    async def analyze(self, transcript: CallTranscript) -> CallAnalysis:
        """Returns the analysis; raises ProviderError when the service fails."""
        ...
