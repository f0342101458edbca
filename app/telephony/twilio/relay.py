"""/twilio/relay: one call over ConversationRelay's WebSocket, its replies streamed as they form.

Twilio recognises the caller's Hebrew and speaks our text; this socket takes each final prompt
through the same call flow as the webhooks (`flows.call.take_turn`, so every turn is stored and
the call's state stays in the database: a reconnect, or another process, continues the call),
with a `Voice` that sends each Hebrew sentence as soon as it is translated. The upgrade must
carry Twilio's signature over our public wss:// URL; without it the socket is refused.

Barge-in: an `interrupt` stops the reply at once (nothing more is sent, the model and the
translations in flight are abandoned); the turn then stores what the caller heard
(utteranceUntilInterrupt) and the agent's next reply is told what it never said.

Backchannel rule: a listener's sounds alone ("כן", "אהה", "מממ", "אוקיי", at most three) do not
take the turn while the agent talks. Said while the reply is still being made, they are ignored
and the reply goes on. Said right after an interrupt (Twilio already stopped speaking), the agent
says again the sentences the caller did not hear in full, stored as a turn of its own. The same
words when the agent had finished are an answer, and go through the pipeline. (The TwiML also
asks Twilio itself to ignore backchannels, `ignoreBackchannel`.)

DTMF: the opt-out key (RELAY_OPT_OUT_DIGIT) marks the lead do-not-call, says the catalog's
confirmation and ends the call; other keys are ignored. Work for the call runs in order (turns,
interrupts, keys); reading the socket never waits for it, so an interrupt is seen at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import WebSocket, WebSocketDisconnect, status
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.calls import repository as calls_repo
from app.calls.models import Call, Channel, Turn
from app.config import Settings
from app.conversation.engine import Engine
from app.conversation.lines import catalogs
from app.conversation.pipeline import TurnResult
from app.conversation.speech import Said, Voice, heard_count, joined
from app.conversation.state import Conversation
from app.db import read_session
from app.flows import call as call_flow
from app.language.he import is_backchannel
from app.security import twilio_signed
from app.telephony.twilio import relay_messages as wire
from app.telephony.twilio.twiml import relay_url

log = structlog.get_logger(__name__)

MAX_CALLER_CHARS = 2000
# How long a closing socket waits for the turn in hand to be stored.
DRAIN_S = 15.0


# (the caller's words so far, their English being made)
Early = tuple[str, "asyncio.Future[str]"]


def _seen(task: asyncio.Future[str]) -> None:
    """An early translation nobody waits for (replaced, or the words changed) fails quietly."""
    if not task.cancelled():
        task.exception()


def signed_upgrade(settings: Settings, websocket: WebSocket) -> bool:
    """Twilio signs the socket's URL (as our TwiML gave it) with no form parameters."""
    query = websocket.url.query
    url = relay_url(settings) + (f"?{query}" if query else "")
    return twilio_signed(settings, url, {}, websocket.headers.get("x-twilio-signature"))


class Socket:
    """Our side of the socket: sends never raise (a dropped caller must not lose the turn)."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.open = True
        self._lock = asyncio.Lock()

    async def send(self, message: str) -> None:
        async with self._lock:
            if not self.open:
                return
            try:
                await self.websocket.send_text(message)
            except (WebSocketDisconnect, RuntimeError, OSError) as exc:
                self.open = False
                log.info("relay_send_failed", error=type(exc).__name__)

    async def say(self, text: str) -> None:
        """One piece of the reply (`Speaker`): a text token, more to come."""
        await self.send(wire.text_token(text, last=False))


@dataclass(slots=True)
class Cut:
    """The latest reply and what of it the caller has heard."""

    turn_id: int
    said: list[Said]
    unsaid_en: str = ""
    unsaid_he: str = ""


@dataclass(slots=True)
class RelayCall:
    """One socket's call: who it is, the reply being spoken, and the work queued for it."""

    settings: Settings
    engine: Engine
    sessions: async_sessionmaker[AsyncSession]
    socket: Socket
    call_id: int | None = None
    session_id: str = ""
    voice: Voice | None = None  # the reply in the making, or last made
    latest: Cut | None = None
    cut: Cut | None = None  # set when the caller cut the latest reply short
    over: bool = False
    _prompts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _early: Early | None = None  # the caller's words so far, being translated
    _queue: asyncio.Task[None] | None = None

    # --- the socket's events ------------------------------------------------------------------

    async def on(self, event: wire.Event) -> None:
        """Handles one message; the call's work goes into `_then`, in order."""
        match event:
            case wire.Setup():
                await self._setup(event)
            case wire.Prompt(text=text, last=True) if self.call_id is not None and not self.over:
                if self.voice is not None and self.voice.busy and is_backchannel(text):
                    log.info("relay_backchannel_ignored", call_id=self.call_id)
                    return  # "אהה" while the reply is being made: it goes on
                self._stop_speaking()  # the caller spoke over the agent
                early, self._early = self._early, None
                self._then(self._turn(text, early))
            case wire.Prompt(text=text, last=False) if self.call_id is not None and not self.over:
                self._translate_early(text)
            case wire.Interrupt(heard=heard):
                self._stop_speaking()
                self._then(self._interrupted(heard))
            case wire.Dtmf(digit=digit) if self.call_id is not None and not self.over:
                if digit and digit == self.settings.relay_opt_out_digit:
                    self._stop_speaking()
                    self._then(self._opt_out())
                else:
                    log.info("relay_key_ignored", call_id=self.call_id, digit=digit)
            case wire.RelayError(description=description):
                log.warning("relay_error", call_id=self.call_id, description=description[:200])
            case wire.Unreadable(reason=reason):
                log.warning("relay_message_unreadable", call_id=self.call_id, reason=reason)
            case _:
                pass  # words before `setup`, or after the call is over

    async def drain(self) -> None:
        """The socket closed: lets the work in hand finish, so its turn is stored."""
        if self._queue is not None:
            with contextlib.suppress(Exception, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._queue), DRAIN_S)

    def _then(self, work: Awaitable[None]) -> None:
        previous = self._queue

        async def run() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            try:
                await work
            except Exception:
                log.exception("relay_work_failed", call_id=self.call_id)

        self._queue = asyncio.ensure_future(run())

    def _translate_early(self, interim: str) -> None:
        """Starts translating the caller's words so far (RELAY_TRANSLATE_INTERIM): when their
        final words are the same, the turn starts with its English ready. A newer interim
        replaces an older one still in flight."""
        words = interim.strip()[:MAX_CALLER_CHARS].strip()
        if not self.settings.relay_translate_interim or not words:
            return
        if self._early is not None:
            if self._early[0] == words:
                return
            self._early[1].cancel()
        task = asyncio.ensure_future(self.engine.translator.to_english(words))
        task.add_done_callback(_seen)
        self._early = (words, task)

    def _stop_speaking(self) -> None:
        if self.voice is not None:
            self.voice.stop()

    # --- the call's work ---------------------------------------------------------------------

    async def _setup(self, setup: wire.Setup) -> None:
        async with read_session(self.sessions) as session:
            call = await _find_call(session, setup)
            over = call is None or call.outcome is not None
            self.call_id = call.id if call is not None else None
        self.session_id = setup.session_id[:40]
        structlog.contextvars.bind_contextvars(call_sid=setup.call_sid)
        log.info("relay_setup", call_id=self.call_id, session=self.session_id)
        if over:
            log.warning("relay_call_unknown_or_over", call_id=self.call_id)
            await self._end("call_over" if self.call_id is not None else "unknown_call")

    async def _turn(self, text: str, early: Early | None) -> None:
        caller_he = text.strip()[:MAX_CALLER_CHARS].strip()
        cut = self.cut
        if cut is not None and cut.unsaid_he and is_backchannel(caller_he):
            await self._answer(caller_he, self._resume(caller_he, cut))
            return
        await self._answer(caller_he, None, early)

    def _resume(self, caller_he: str, cut: Cut) -> call_flow.Move:
        async def move(conversation: Conversation) -> TurnResult:
            return self.engine.pipeline.resumed_turn(
                conversation, caller_he, cut.unsaid_en, cut.unsaid_he
            )

        return move

    async def _opt_out(self) -> None:
        async def move(conversation: Conversation) -> TurnResult:
            return await self.engine.pipeline.opt_out_turn(self.sessions, conversation)

        await self._answer("", move)

    async def _answer(
        self, caller_he: str, move: call_flow.Move | None, early: Early | None = None
    ) -> None:
        """One turn through the call flow, spoken as it forms, then closed with `last`."""
        assert self.call_id is not None
        voice = self.voice = Voice(self.socket, early)
        self.cut = None
        key = f"call-{self.call_id}:relay-{self.session_id}-{next(self._prompts)}"
        try:
            turn = await call_flow.take_turn(
                self.sessions,
                self.engine,
                self.call_id,
                caller_he,
                key=key,
                voice=voice,
                move=move,
            )
        except call_flow.CallOver:
            await self._end("call_over")
            return
        except Exception:  # never silence on the line: the fallback, and the caller's turn again
            log.exception("relay_turn_failed", call_id=self.call_id)
            if not voice.stopped:
                await self.socket.say(catalogs(self.settings, None)[0].fallback())
            await self.socket.send(wire.text_token("", last=True))
            return
        if not voice.said and not voice.stopped:
            await voice.close(turn.agent_en, turn.agent_he)  # a stored or decided turn
        await self.socket.send(wire.text_token("", last=True))
        metrics.TURN_SECONDS.labels(mode="relay").observe(time.perf_counter() - voice.started)
        said = list(voice.said)
        if not said and turn.agent_he:
            said = [Said(turn.agent_en, turn.agent_he)]
        self.latest = Cut(turn.id, said)
        if turn.ms_first_token is not None:
            metrics.FIRST_TOKEN_SECONDS.observe(turn.ms_first_token / 1000)
        if turn.ended:
            await self._end("call_over", turn)

    async def _interrupted(self, heard_he: str) -> None:
        """Stores what the caller heard of the latest reply, and what they did not."""
        latest = self.latest
        if latest is None or self.call_id is None:
            return  # the welcome greeting: nothing of ours to mark
        count = heard_count(latest.said, heard_he)
        heard_en = joined(latest.said[:count])
        latest.unsaid_en = joined(latest.said[count:])
        latest.unsaid_he = joined(latest.said[count:], "he")
        self.cut = latest
        await call_flow.mark_heard(self.sessions, latest.turn_id, heard_he, heard_en)
        log.info("relay_interrupted", call_id=self.call_id, heard=count, of=len(latest.said))

    async def _end(self, reason: str, turn: Turn | None = None) -> None:
        self.over = True
        handoff: dict[str, Any] = {"reason": reason, "callId": self.call_id}
        if turn is not None:
            handoff["action"] = turn.action
        await self.socket.send(wire.end_session(handoff))


async def _find_call(session: AsyncSession, setup: wire.Setup) -> Call | None:
    """The call by CallSid, or by the call_id our TwiML passed while no CallSid is stored."""
    call = await calls_repo.get_by_sid(session, setup.call_sid) if setup.call_sid else None
    raw_id = setup.parameters.get("call_id", "")
    if call is None and raw_id.isdigit() and len(raw_id) < 10:
        candidate = await calls_repo.get(session, int(raw_id))
        if (
            candidate is not None
            and candidate.channel == Channel.twilio
            and candidate.call_sid in (None, setup.call_sid)
        ):
            call = candidate
    return call


async def serve(websocket: WebSocket, make_call: Callable[[Socket], RelayCall]) -> None:
    """Accepts a signed socket and feeds its messages to one RelayCall until it closes."""
    settings: Settings = websocket.app.state.settings
    if not signed_upgrade(settings, websocket):
        log.warning("relay_signature_invalid")
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await websocket.accept()
    socket = Socket(websocket)
    relay = make_call(socket)
    try:
        while True:
            raw = await websocket.receive_text()
            await relay.on(wire.parse(raw))
    except WebSocketDisconnect:
        log.info("relay_closed", call_id=relay.call_id)
    except (RuntimeError, KeyError) as exc:  # a binary frame, or the socket already gone
        log.warning("relay_socket_failed", call_id=relay.call_id, error=type(exc).__name__)
    finally:
        socket.open = False
        await relay.drain()
