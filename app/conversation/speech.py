"""A reply spoken while it is being made (streaming calls): sentences out as soon as ready.

The agent's English arrives piece by piece; `Sentences` cuts it into complete sentences, and a
`Voice` translates each one the moment it is complete (translations overlap) and speaks the
Hebrew strictly in order. When the caller cuts in, `stop()` ends it at once: nothing more is
sent, pending translations are cancelled, and the streaming model stops reading its answer.
What was sent, sentence by sentence in both languages, is kept so the turn can store what the
caller heard.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# A sentence ends at . ? ! or … followed by a space (a decimal point or "e.g." mid-word does not).
_END = re.compile(r"[.?!…]+[\"')\]]*\s+")
# Shorter than this, a "sentence" waits for the next one ("A." or "1." is no sentence).
MIN_SENTENCE_CHARS = 5


class Speaker(Protocol):
    """Where a streaming turn's words go, piece by piece (ConversationRelay's socket)."""

    async def say(self, text: str) -> None:
        """Sends one piece of the reply to be spoken."""
        ...


class Sentences:
    """Cuts streamed text into complete sentences; `rest()` is whatever is left at the end."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        done: list[str] = []
        start = 0
        for match in _END.finditer(self._buffer):
            candidate = self._buffer[start : match.end()].strip()
            if len(candidate) >= MIN_SENTENCE_CHARS:
                done.append(candidate)
                start = match.end()
        self._buffer = self._buffer[start:]
        return done

    def rest(self) -> str:
        rest, self._buffer = self._buffer.strip(), ""
        return rest


@dataclass(frozen=True, slots=True)
class Said:
    """One piece that went out: its English (for the transcript) and the Hebrew sent."""

    en: str
    he: str


Translate = Callable[[str], Awaitable[str]]


class Voice:
    """One turn's voice: in-order Hebrew from English sentences, stoppable mid-reply."""

    def __init__(
        self, speaker: Speaker, early: tuple[str, asyncio.Future[str]] | None = None
    ) -> None:
        """`early`: (the caller's words, their translation to English) begun before their
        final words arrived, from an interim transcript."""
        self.speaker = speaker
        self._early = early
        self.started = time.perf_counter()  # the caller's final words arrived
        self.said: list[Said] = []
        self.first_token_ms: int | None = None
        self.stopped = False
        self.closed = False
        self._tail: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._streamed_en: list[str] = []

    def early_english(self, caller: str) -> asyncio.Future[str] | None:
        """The translation begun early, when it was of these very words."""
        if self._early is None or _words(self._early[0]) != _words(caller):
            return None
        return self._early[1]

    def stop(self) -> None:
        """The caller cut in: nothing more is sent, and in-flight translations are dropped."""
        self.stopped = True
        self._cancel()

    def sentence(self, text_en: str, translate: Translate) -> None:
        """Starts translating one complete English sentence; it is spoken after those before."""
        if self.stopped or not text_en.strip():
            return
        self._streamed_en.append(text_en.strip())
        translation = self._track(asyncio.ensure_future(translate(text_en)))
        self._tail = self._track(
            asyncio.ensure_future(self._after(self._tail, text_en.strip(), translation))
        )

    async def _after(
        self, previous: asyncio.Task[None] | None, text_en: str, translation: asyncio.Task[str]
    ) -> None:
        if previous is not None:
            await previous
        await self._send(text_en, await translation)

    def carries(self, text_en: str) -> bool:
        """Whether `text_en` is exactly what was streamed (so its Hebrew is on its way)."""
        return bool(self._streamed_en) and _words(" ".join(self._streamed_en)) == _words(text_en)

    async def finish(self) -> str:
        """Waits until every streamed sentence is spoken; the Hebrew sent (less when stopped).

        A translation's failure is raised here, so the turn answers with its fallback line.
        """
        tail = self._tail
        if tail is not None:
            await asyncio.wait({tail})
            if not tail.cancelled() and tail.exception() is not None:
                raise tail.exception()  # type: ignore[misc]
        return self.hebrew

    async def close(self, text_en: str, text_he: str) -> None:
        """Ends the turn: any streaming left is dropped, and a line not streamed (a catalog
        line, the fallback) is spoken whole, at once."""
        self._cancel()
        self.closed = True
        if self.stopped or not text_he.strip():
            return
        if self.carries(text_en) and self.hebrew:
            return
        await self._send(text_en, text_he)

    @property
    def busy(self) -> bool:
        """The reply is still being made (neither finished nor stopped)."""
        return not (self.closed or self.stopped)

    @property
    def hebrew(self) -> str:
        return " ".join(part.he for part in self.said)

    async def _send(self, text_en: str, text_he: str) -> None:
        if self.stopped or not text_he.strip():
            return
        if self.first_token_ms is None:
            self.first_token_ms = round((time.perf_counter() - self.started) * 1000)
        self.said.append(Said(text_en, text_he.strip()))
        await self.speaker.say(text_he.strip() + " ")

    def _track(self, task: asyncio.Task[T]) -> asyncio.Task[T]:
        self._tasks.add(task)
        task.add_done_callback(_retrieve)
        task.add_done_callback(self._tasks.discard)
        return task

    def _cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


class ReplyStream:
    """What a streaming agent writes into: its text, cut into sentences for the voice."""

    def __init__(self, voice: Voice, translate: Translate) -> None:
        self.voice = voice
        self.translate = translate
        self._sentences = Sentences()

    @property
    def stopped(self) -> bool:
        return self.voice.stopped

    async def text(self, piece: str) -> None:
        for sentence in self._sentences.feed(piece):
            self.voice.sentence(sentence, self.translate)

    def flush(self) -> None:
        """The model's answer is complete: its last words are a sentence too."""
        rest = self._sentences.rest()
        if rest:
            self.voice.sentence(rest, self.translate)


def heard_count(said: list[Said], heard_he: str) -> int:
    """How many pieces of a reply cut at `heard_he` the caller heard in full."""
    heard = _words(heard_he)
    for count in range(len(said)):
        if not heard.startswith(_words(" ".join(part.he for part in said[: count + 1]))):
            return count
    return len(said)


def joined(parts: list[Said], language: str = "en") -> str:
    return " ".join(part.en if language == "en" else part.he for part in parts)


def _words(text: str) -> str:
    """Text compared as the ear hears it: words only, no punctuation or spacing."""
    return " ".join(re.findall(r"\w+", text))


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Marks a dropped task's failure seen: the turn already answered with its fallback."""
    if not task.cancelled():
        task.exception()
