"""/twilio/*: the webhooks that run a call, turn by turn, in Hebrew.

Every webhook is signed (`require_twilio_signature`) and never answers Twilio with a 5xx, which
would make it play its own English error: an unexpected failure becomes the catalog fallback (or
the technical goodbye when the call is unknown or over). Numbers in the form and in our own query
(`turn`, `call_id`, durations) are parsed once, in `Webhook.of`: anything but a plain whole number
(`inf`, `NaN`, `1e999`, `-5`, 20 digits) counts as absent. What the caller said is cut to
`MAX_CALLER_CHARS` before anything reads it.

Idempotency keys are scoped to the call: a recorded turn is keyed by the call + its RecordingSid;
a spoken (gather) or silent turn by the call + the `turn` our TwiML put in its action URL (else
Twilio's idempotency token, else a digest of the request), so Twilio's retry of one webhook finds
the stored turn and gets the same TwiML, while the caller's next turn, sent to the next TwiML's
URL, is a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, Response, WebSocket, status
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.calls import repository as calls_repo
from app.calls import service as calls
from app.calls.models import Call, CallStatus, Channel, Outcome, Turn
from app.clock import Clock
from app.config import Settings
from app.contract import BAD_BODY, PROTECTED_RESPONSES, TOO_LARGE, described, not_found
from app.conversation.engine import Engine
from app.conversation.lines import catalogs
from app.conversation.providers.base import ProviderError
from app.db import read_session, write_session
from app.deps import ApiKey
from app.flows import call as call_flow
from app.flows import transfer as transfer_flow
from app.flows.call import Heard
from app.language.he import HebrewCatalog, as_lead_gender
from app.leads import repository as leads_repo
from app.security import require_twilio_signature
from app.telephony.base import Telephony, TelephonyError
from app.telephony.twilio import relay as relay_socket
from app.telephony.twilio import twiml
from app.telephony.twilio.events import CallEvents
from app.telephony.twilio.recordings import RecordingError, RecordingRefused, fetch_recording

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])
Signed = Depends(require_twilio_signature)

MACHINE_ANSWERS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)
# Twilio's CallStatus words, translated here and nowhere else.
TWILIO_STATUSES = {
    "queued": CallStatus.queued,
    "initiated": CallStatus.ringing,
    "ringing": CallStatus.ringing,
    "in-progress": CallStatus.in_progress,
    "completed": CallStatus.completed,
    "busy": CallStatus.busy,
    "no-answer": CallStatus.no_answer,
    "failed": CallStatus.failed,
    "canceled": CallStatus.canceled,
}

# Twilio gives up on a webhook after 15 s and plays its own English error; we answer well before.
WEBHOOK_BUDGET_S = 13.0

# What a caller says in one turn is a sentence or two; past this it is cut, never refused (Twilio
# would play its English error), so no unbounded text reaches the understanding of the turn.
MAX_CALLER_CHARS = 2000
MAX_KEY_CHARS = 100  # Turn.idempotency_key
MAX_SID_CHARS = 64  # Call.call_sid; Twilio's are 34
MAX_RELAY_RECONNECTS = 2

_WHOLE_NUMBER = re.compile(r"(\d{1,9})(?:\.\d{1,6})?")


def whole_number(raw: str | None) -> int | None:
    """A count as Twilio or our own URLs write it ("3", "3.0"); anything else is None."""
    match = _WHOLE_NUMBER.fullmatch((raw or "").strip())
    return int(match.group(1)) if match else None


def caller_text(text: str) -> str:
    """The caller's words, stripped and cut to MAX_CALLER_CHARS."""
    return text.strip()[:MAX_CALLER_CHARS].strip()


def _key(*parts: str) -> str:
    """An idempotency key that fits its column: a digest when the parts are too long."""
    key = ":".join(parts)
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"{parts[0]}:sha256-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


@dataclass(frozen=True, slots=True)
class Webhook:
    """One Twilio request: its form fields, and the query our own URLs carry (call_id, turn)."""

    form: dict[str, str]
    query: dict[str, str]
    idempotency_token: str | None
    path: str = ""
    turn: int | None = None
    call_id: int | None = None

    @classmethod
    def of(
        cls, form: Mapping[str, str], query: Mapping[str, str], token: str | None, path: str
    ) -> Webhook:
        """Parses our own query numbers once; a value that is not a whole number is absent."""
        return cls(
            dict(form),
            dict(query),
            token,
            path,
            turn=whole_number(query.get("turn")),
            call_id=whole_number(query.get("call_id")),
        )

    @property
    def call_sid(self) -> str:
        sid = self.field("CallSid")
        return sid if len(sid) <= MAX_SID_CHARS else ""

    def field(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def number(self, name: str) -> int | None:
        """A form field that is a count (RecordingDuration, CallDuration)."""
        return whole_number(self.form.get(name))

    def turn_key(self, call_id: int) -> str:
        """This caller turn's key within the call, the same on every retry of the webhook.

        The `turn` our TwiML asked for; else Twilio's idempotency token; else (a request that
        follows none of our TwiML) a digest of the path and form, which a retry repeats exactly.
        """
        call = f"call-{call_id}"
        if self.turn is not None:
            return _key(call, f"turn-{self.turn}")
        if self.idempotency_token:
            return _key(call, f"token-{self.idempotency_token}")
        request = repr((self.path, sorted(self.form.items()))).encode()
        digest = hashlib.sha256(request).hexdigest()[:32]
        return _key(call, f"form-{digest}")

    def recording_key(self, call_id: int) -> str | None:
        """A recorded turn's key: the call + its RecordingSid (another call's sid is not ours)."""
        sid = self.field("RecordingSid")
        return _key(f"call-{call_id}", f"rec-{sid}") if sid else None


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: async_sessionmaker[AsyncSession]
    telephony: Telephony
    events: CallEvents
    request: Request

    @property
    def catalog(self) -> HebrewCatalog:
        return catalogs(self.settings, None)[0]


Handler = Callable[[Context, Webhook], Awaitable[str]]


async def _webhook(request: Request) -> Webhook:
    form = await request.form()
    return Webhook.of(
        {k: v for k, v in form.items() if isinstance(v, str)},
        request.query_params,
        request.headers.get("I-Twilio-Idempotency-Token"),
        request.url.path,
    )


def _context(request: Request) -> Context:
    state = request.app.state
    return Context(
        state.settings,
        state.clock,
        state.conversation,
        state.sessionmaker,
        state.telephony,
        state.call_events,
        request,
    )


def _xml(body: str) -> Response:
    return Response(content=body, media_type="application/xml")


async def _answer(
    request: Request, handler: Handler, *, rescue: bool = True, turn_mode: str | None = None
) -> Response:
    """Runs a webhook; anything unexpected is logged and answered with catalog TwiML, never 5xx.

    Its latency is observed per path, and for a caller's turn per input mode (`turn_mode`).
    """
    started = time.perf_counter()
    ctx = _context(request)
    hook = Webhook.of({}, request.query_params, None, request.url.path)
    try:
        hook = await _webhook(request)
        structlog.contextvars.bind_contextvars(call_sid=hook.call_sid)
        body = await handler(ctx, hook)
    except Exception:
        log.exception("twilio_webhook_failed", path=request.url.path)
        body = await _rescue(ctx, hook) if rescue else twiml.empty()
    ctx.events.add(
        hook.call_sid,
        ctx.clock.now(),
        request.url.path,
        query=dict(hook.query),
        form={k: v for k, v in hook.form.items() if k not in ("AccountSid", "ApiVersion")},
        twiml=body,
    )
    elapsed = time.perf_counter() - started
    metrics.WEBHOOK_SECONDS.labels(path=request.url.path).observe(elapsed)
    if turn_mode is not None:
        metrics.TURN_SECONDS.labels(mode=turn_mode).observe(elapsed)
    return _xml(body)


async def _rescue(ctx: Context, hook: Webhook) -> str:
    """The fallback line and the caller's turn again, or the technical goodbye."""
    try:
        async with read_session(ctx.sessions, point=True) as session:
            call = await _find_call(session, hook)
            if call is not None and call.outcome is None:
                # The turn our URL named; without a usable one, the turn the call is at.
                turn = hook.turn
                if turn is None:
                    turn = await calls_repo.next_index(session, call.id)
                return twiml.speak_and_listen(ctx.settings, ctx.catalog.fallback(), turn)
    except Exception:
        log.exception("twilio_rescue_failed")
    return twiml.say_and_hang_up(ctx.settings, ctx.catalog.technical_goodbye())


class KnownCalls:
    """CallSid -> our call id, remembered per database in this process, so a caller's turn
    needs no read to find its call: once stored, a CallSid never changes hands. Bounded; the
    oldest is forgotten first."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: weakref.WeakKeyDictionary[object, dict[str, int]] = weakref.WeakKeyDictionary()

    def get(self, sessions: object, call_sid: str) -> int | None:
        found = self._ids.get(sessions)
        return found.get(call_sid) if found is not None and call_sid else None

    def remember(self, sessions: object, call_sid: str, call_id: int) -> None:
        found = self._ids.setdefault(sessions, {})
        if len(found) >= self.size:
            del found[next(iter(found))]
        found[call_sid] = call_id


_known_calls = KnownCalls()


async def _find_call(
    session: AsyncSession, hook: Webhook, *, lock: bool = False, bind: bool = False
) -> Call | None:
    """The call by CallSid, or by our call_id while its CallSid is not stored yet (`bind` does)."""
    call = await calls_repo.get_by_sid(session, hook.call_sid, lock=lock) if hook.call_sid else None
    call_id = hook.call_id
    if call is None and call_id is not None:
        candidate = await calls_repo.get(session, call_id, lock=lock)
        if candidate and candidate.call_sid is None and candidate.channel == Channel.twilio:
            call = candidate
            if bind and hook.call_sid:
                call.call_sid = hook.call_sid
    return call


def _render(ctx: Context, turn: Turn) -> str:
    """The TwiML for a stored turn: the same every time it is asked for."""
    number = ctx.settings.transfer_number
    if turn.ended and turn.action == "transfer_to_human" and number:
        return twiml.transfer(ctx.settings, turn.agent_he, number, call_id=turn.call_id)
    if turn.ended:
        return twiml.say_and_hang_up(ctx.settings, turn.agent_he)
    return twiml.speak_and_listen(ctx.settings, turn.agent_he, turn.index + 1)


def _unknown(ctx: Context, hook: Webhook) -> str:
    log.warning("twilio_unknown_call", path=ctx.request.url.path)
    return twiml.say_and_hang_up(ctx.settings, ctx.catalog.technical_goodbye())


# --- the call ------------------------------------------------------------------------------------


async def _voice(ctx: Context, hook: Webhook) -> str:
    async with write_session(ctx.sessions) as session:
        call = await _find_call(session, hook, bind=True)
        if call is None:
            return _unknown(ctx, hook)
        if call.outcome is not None or calls.is_final(call):
            return twiml.hang_up()
        turn = await call_flow.greet(session, ctx.engine, call.id)
    if ctx.settings.twilio_input_mode == "relay":
        return twiml.connect_relay(ctx.settings, turn.call_id, turn.agent_he)
    return _render(ctx, turn)


async def _relay_done(ctx: Context, hook: Webhook) -> str:
    """ConversationRelay's session ended: hang up when we ended it (or the call is over);
    a dropped socket reconnects, twice at most, and the call goes on from the database."""
    async with read_session(ctx.sessions, point=True) as session:
        call = await _find_call(session, hook)
        if call is None:
            return _unknown(ctx, hook)
        over = call.outcome is not None or calls.is_final(call)
        call_id = call.id
        lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
    catalog, _ = catalogs(ctx.settings, as_lead_gender(lead.gender if lead else None))
    if over or hook.field("HandoffData"):
        return twiml.hang_up()
    attempt = whole_number(hook.query.get("attempt")) or 0
    log.warning("relay_session_dropped", call_id=call_id, attempt=attempt)
    if attempt >= MAX_RELAY_RECONNECTS:
        return twiml.say_and_hang_up(ctx.settings, catalog.technical_goodbye())
    return twiml.connect_relay(ctx.settings, call_id, catalog.hear_me(), attempt=attempt + 1)


async def _take_turn(
    ctx: Context, call_id: int, caller: Heard | Callable[[], Awaitable[Heard]], key: str | None
) -> str:
    try:
        turn = await call_flow.take_turn(
            ctx.sessions, ctx.engine, call_id, caller, key=key, deadline_s=WEBHOOK_BUDGET_S
        )
    except call_flow.CallOver:
        return twiml.hang_up()
    return _render(ctx, turn)


async def _recording(ctx: Context, hook: Webhook) -> str:
    url, duration = hook.field("RecordingUrl"), hook.number("RecordingDuration")
    if not url or duration == 0:
        return await _spoken(ctx, hook, "", key=hook.recording_key)
    # The download starts at once and the call's records are read meanwhile; the (paid)
    # transcription waits until the turn is known to be new. A replay may download twice.
    started = time.perf_counter()
    download = asyncio.ensure_future(fetch_recording(ctx.request.app.state.http, ctx.settings, url))
    await asyncio.sleep(0)  # the request goes out now, before the reads below instead of after

    async def hear() -> Heard:
        return await _transcribe(ctx, download, started)

    try:
        return await _spoken(ctx, hook, hear, key=hook.recording_key)
    finally:
        download.cancel()
        if download.done() and not download.cancelled():
            download.exception()  # a download nobody waited for: its error is not news


async def _transcribe(ctx: Context, download: Awaitable[bytes], started: float) -> Heard:
    """What the caller said in one recorded turn, with the time fetching and transcribing took."""
    try:
        audio = await download
    except RecordingError as exc:
        kind = "refused" if isinstance(exc, RecordingRefused) else "fetch"
        metrics.PROVIDER_ERRORS.labels(provider="twilio", operation="recording", kind=kind).inc()
        if isinstance(exc, RecordingRefused):
            log.warning("recording_host_refused", detail=str(exc))
        return Heard("", f"{type(exc).__name__}: {exc}", _ms(started))
    ms_fetch, started = _ms(started), time.perf_counter()
    try:
        text = await ctx.engine.transcriber.transcribe(audio, filename="turn.wav", language="he")
    except ProviderError as exc:
        return Heard("", f"{type(exc).__name__}: {exc}", ms_fetch, _ms(started))
    return Heard(caller_text(text), None, ms_fetch, _ms(started))


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _speech(ctx: Context, hook: Webhook) -> str:
    return await _spoken(ctx, hook, caller_text(hook.field("SpeechResult")))


async def _silence(ctx: Context, hook: Webhook) -> str:
    return await _spoken(ctx, hook, "")


async def _spoken(
    ctx: Context,
    hook: Webhook,
    caller: str | Callable[[], Awaitable[Heard]],
    *,
    key: Callable[[int], str | None] | None = None,
) -> str:
    """A caller turn of a call we know; the turn's key is `key(call_id)`, else the webhook's."""
    call_id = _known_calls.get(ctx.sessions, hook.call_sid)
    if call_id is None:
        async with read_session(ctx.sessions, point=True) as session:
            call = await _find_call(session, hook)
            call_id = call.id if call is not None else None
            if call is not None and call.call_sid and call.call_sid == hook.call_sid:
                _known_calls.remember(ctx.sessions, call.call_sid, call.id)
    if call_id is None:
        return _unknown(ctx, hook)
    turn_key = (key and key(call_id)) or hook.turn_key(call_id)
    return await _take_turn(
        ctx, call_id, Heard(caller) if isinstance(caller, str) else caller, turn_key
    )


# --- status and answering machines --------------------------------------------------------------


async def _status(ctx: Context, hook: Webhook) -> str:
    machine_words: str | None = None  # "" hangs up without a message
    async with write_session(ctx.sessions) as session:
        call = await _find_call(session, hook, lock=True, bind=True)
        if call is None:
            log.warning("twilio_status_unknown_call", call_status=hook.field("CallStatus"))
            return twiml.empty()
        _apply_status(ctx, call, hook)
        answered_by = hook.field("AnsweredBy")[:40]
        if answered_by:
            call.answered_by = answered_by
        if answered_by in MACHINE_ANSWERS and calls.concluded(call, Outcome.voicemail):
            machine_words = await _voicemail_words(ctx, session, call)
        sid, over = call.call_sid, calls.is_final(call)
    if machine_words is not None and sid and not over:
        await _steer(ctx, sid, machine_words or None)
    return twiml.empty()


def _apply_status(ctx: Context, call: Call, hook: Webhook) -> None:
    """Twilio's status word becomes a lifecycle move; a late, out-of-order one is ignored."""
    word = hook.field("CallStatus").lower()
    new = TWILIO_STATUSES.get(word)
    if new is None:
        if word:
            log.warning("twilio_status_unknown", call_status=word[:40])
        return
    now = ctx.clock.now()
    try:
        if new in calls.FINAL_STATUSES:
            calls.finished(call, new, now, duration_s=hook.number("CallDuration"))
        elif new == CallStatus.in_progress:
            calls.answered(call, now)
        elif new == CallStatus.ringing:
            calls.placed(call, hook.call_sid or None)
    except calls.IllegalTransition as exc:  # callbacks may arrive out of order
        log.info("twilio_status_late", call_id=call.id, call_status=word, stored=exc.status)


async def _voicemail_words(ctx: Context, session: AsyncSession, call: Call) -> str:
    """The Hebrew message a machine hears ("" under VOICEMAIL_POLICY=hangup)."""
    log.info("call_voicemail", call_id=call.id, policy=ctx.settings.voicemail_policy)
    if ctx.settings.voicemail_policy == "hangup":
        return ""
    lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
    catalog, _ = catalogs(ctx.settings, as_lead_gender(lead.gender if lead else None))
    name = (lead.name_he or lead.name) if lead else None
    return catalog.voicemail(name)


async def _steer(ctx: Context, call_sid: str, last_words_he: str | None) -> None:
    try:
        await ctx.telephony.end_call(call_sid, last_words_he)
    except TelephonyError as exc:
        log.warning("voicemail_update_failed", error=exc.message, code=exc.code)


# --- warm transfer --------------------------------------------------------------------------------

# The rep's leg took the call; anything else means the lead is still waiting on the line.
DIAL_CONNECTED = frozenset({"completed", "answered"})


async def _whisper(ctx: Context, hook: Webhook) -> str:
    """The rep answered: the briefing they hear before the lead is connected (rep's leg)."""
    text = await transfer_flow.whisper(ctx.sessions, hook.call_id) if hook.call_id else None
    return twiml.whisper(ctx.settings, text or "")


async def _transfer_status(ctx: Context, hook: Webhook) -> str:
    """The <Dial> is over: hang up after a connected call, or come back to the lead."""
    dial_status = hook.field("DialCallStatus").lower()
    log.info("twilio_transfer_status", dial_status=dial_status[:20])
    async with read_session(ctx.sessions, point=True) as session:
        call = await _find_call(session, hook)
        call_id = call.id if call is not None else None
    if call_id is None:
        return _unknown(ctx, hook)
    if dial_status in DIAL_CONNECTED:
        return twiml.hang_up()
    turn = await transfer_flow.rep_unanswered(ctx.sessions, ctx.engine, call_id)
    return _render(ctx, turn) if turn is not None else twiml.hang_up()


# --- routes ---------------------------------------------------------------------------------------

TWIML: dict[int | str, dict[str, Any]] = {
    status.HTTP_200_OK: {"description": "TwiML", "content": {"application/xml": {}}},
    status.HTTP_400_BAD_REQUEST: BAD_BODY,
    status.HTTP_403_FORBIDDEN: described("Missing or invalid X-Twilio-Signature"),
    status.HTTP_413_CONTENT_TOO_LARGE: TOO_LARGE,
}
_TWILIO_FIELDS = [
    "CallSid",
    "AccountSid",
    "From",
    "To",
    "CallStatus",
    "Direction",
    "ApiVersion",
    "CallDuration",
    "AnsweredBy",
    "RecordingUrl",
    "RecordingSid",
    "RecordingDuration",
    "SpeechResult",
    "Confidence",
    "HandoffData",
    "SessionStatus",
    "DialCallStatus",
]
_OUR_QUERY = {"turn": "The turn our TwiML asked for", "call_id": "Our call id, before the CallSid"}
# What Twilio posts (documented, not parsed by FastAPI: a webhook never answers 422).
WEBHOOK_INPUT: dict[str, Any] = {
    "parameters": [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"{what}; any other value counts as absent.",
            "schema": {"type": "integer", "minimum": 0},
        }
        for name, what in _OUR_QUERY.items()
    ],
    "requestBody": {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {name: {"type": "string"} for name in _TWILIO_FIELDS},
                    "additionalProperties": {"type": "string"},
                }
            }
        },
    },
}


def _webhook_route(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        path,
        dependencies=[Signed],
        response_class=Response,
        responses=TWIML,
        openapi_extra=WEBHOOK_INPUT,
    )


@_webhook_route("/voice")
async def voice(request: Request) -> Response:
    """The call is answered: the catalog greeting, then the caller's first turn."""
    return await _answer(request, _voice)


@_webhook_route("/process-recording")
async def process_recording(request: Request) -> Response:
    """A recorded caller turn: fetch, transcribe, answer."""
    return await _answer(request, _recording, turn_mode="record")


@_webhook_route("/process-speech")
async def process_speech(request: Request) -> Response:
    """A caller turn Twilio already recognised (gather mode); empty means silence."""
    return await _answer(request, _speech, turn_mode="gather")


@_webhook_route("/silence")
async def silence(request: Request) -> Response:
    """The caller said nothing: the re-prompt, or the goodbye after three in a row."""
    settings: Settings = request.app.state.settings
    return await _answer(request, _silence, turn_mode=settings.twilio_input_mode)


@_webhook_route("/relay-done")
async def relay_done(request: Request) -> Response:
    """ConversationRelay's session ended (the <Connect> action): hang up, or reconnect."""
    return await _answer(request, _relay_done)


@router.websocket("/relay")
async def relay(websocket: WebSocket) -> None:
    """ConversationRelay's socket (TWILIO_INPUT_MODE=relay): a call's turns, streamed."""
    state = websocket.app.state

    def make_call(socket: relay_socket.Socket) -> relay_socket.RelayCall:
        return relay_socket.RelayCall(
            state.settings, state.conversation, state.sessionmaker, socket
        )

    await relay_socket.serve(websocket, make_call)


@_webhook_route("/whisper")
async def whisper(request: Request) -> Response:
    """The rep answered a transfer: a short Hebrew briefing, then the lead is connected."""
    return await _answer(request, _whisper, rescue=False)


@_webhook_route("/transfer-status")
async def transfer_status(request: Request) -> Response:
    """A transfer's <Dial> ended: done, or the rep did not answer and the agent takes over."""
    return await _answer(request, _transfer_status)


@_webhook_route("/call-status")
async def call_status(request: Request) -> Response:
    """Call progress and answering-machine results (status and async AMD callbacks)."""
    return await _answer(request, _status, rescue=False)


@router.get(
    "/debug/{call_sid}",
    dependencies=[ApiKey],
    responses={**PROTECTED_RESPONSES, **not_found("events for this call")},
)
async def debug_events(call_sid: str, request: Request) -> list[dict[str, Any]]:
    """Recent webhooks of one call, phones masked (DEBUG_CALL_EVENTS=true)."""
    events: CallEvents = request.app.state.call_events
    found = events.get(call_sid) if events.enabled else None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No events for call {call_sid}.")
    return found
