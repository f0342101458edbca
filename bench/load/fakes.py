"""The fake OpenAI and the fake Twilio (REST + recording media), each served in its own process.

They reuse tests/fakes (the wire formats, the real API's refusals) and add what a load run needs:
a configured latency per endpoint, answers derived from each request's body alone (see
`script`), `POST /v1/audio/translations`, and a request log. The log keeps, per request, which
provider stage it was, which call it belongs to, and when the fake started and finished serving
it (`time.monotonic()`, the same clock in every process of this machine):

    GET  /_bench/log     {"entries": [[kind, call, start, end, status], ...], "problems": [...]}
    POST /_bench/reset   forget the log (between runs)
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import socket
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import uvicorn
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.load import script
from tests.fakes.openai_server import (
    CallTool,
    Delay,
    FakeOpenAI,
    RecordedRequest,
    Reply,
    Stream,
)
from tests.fakes.twilio import FakeTwilio, TwilioError, wav
from tests.fakes.twilio import _error as twilio_error

HEBREW = re.compile(r"[\u0590-\u05ff]")
SLOT_START = re.compile(r"slot_start=(\S+)")
JSON_START = re.compile(r'"start"\s*:\s*"([^"]+)"')

# Set per request by RequestLog; the handlers fill in what the request was and whose call.
_tag: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("bench_request_tag")


def tag(kind: str, call: int | None) -> None:
    found = _tag.get(None)
    if found is not None:
        found["kind"], found["call"] = kind, call


@dataclass(frozen=True, slots=True)
class Latency:
    """Seconds each fake endpoint takes to answer."""

    fetch: float = 0.150
    stt: float = 0.450
    chat: float = 0.600
    translate: float = 0.350
    first_token: float = 0.150  # a streamed chat's first token (relay mode)


class RequestLog:
    """ASGI middleware: one entry per request, from its arrival to its last byte sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.entries: list[tuple[str, int | None, float, float, int]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_bench"):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        found: dict[str, Any] = {"kind": scope["path"], "call": None, "status": 0}
        token = _tag.set(found)

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                found["status"] = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                entry = (found["kind"], found["call"], started, time.monotonic(), found["status"])
                self.entries.append(entry)

        try:
            await self.app(scope, receive, sending)
        finally:
            _tag.reset(token)

    def routes(self, problems: list[str]) -> list[Route]:
        async def read(_: Request) -> Response:
            return JSONResponse({"entries": self.entries, "problems": problems[:20]})

        async def reset(_: Request) -> Response:
            self.entries.clear()
            problems.clear()
            return Response(status_code=204)

        return [
            Route("/_bench/log", read, methods=["GET"]),
            Route("/_bench/reset", reset, methods=["POST"]),
        ]


# --- OpenAI ---------------------------------------------------------------------------------------


class BenchOpenAI(FakeOpenAI):
    """Chat (agent and translator), transcription and audio translation, stateless and timed."""

    def __init__(self, calls: int, turns: int, latency: Latency) -> None:
        super().__init__()
        self.turns, self.latency = turns, latency
        self.tables = script.tables(calls, turns)
        self.script_chat(self._reply)
        self.script_transcription(self._transcribe)
        self.app.router.routes.append(
            Route("/v1/audio/translations", self._audio_translation, methods=["POST"])
        )

    def _record(self, request: Request, **parts: Any) -> RecordedRequest:
        # Hundreds of calls: nothing is kept per request but the log entry.
        return RecordedRequest(
            request.method,
            request.url.path,
            {},
            parts.get("json_body"),
            dict(parts.get("form") or {}),
            dict(parts.get("files") or {}),
        )

    async def _pause(self, request: Request, seconds: float) -> None:
        await asyncio.sleep(seconds)  # no polling: hundreds of waits at once stay cheap

    def _line(self, sid_or_audio: bytes) -> script.Line | None:
        sid = script.sid_in_wav(sid_or_audio)
        parsed = script.parse_sid(sid) if sid else None
        if parsed is None:
            return None
        call, index = parsed
        lines = script.caller(call, self.turns).lines
        return lines[index - 1] if 0 < index <= len(lines) else None

    def _transcribe(self, request: RecordedRequest) -> Reply:
        line = self._line(request.files["file"].data)
        tag("transcription", line.call if line else None)
        return Delay(self.latency.stt, then=line.he if line else "")

    async def _audio_translation(self, request: Request) -> Response:
        """POST /v1/audio/translations: the recording straight to English (multipart)."""
        form: dict[str, str] = {}
        audio: bytes | None = None
        async with request.form(max_part_size=50 * 1024 * 1024) as parsed:
            for name, value in parsed.multi_items():
                if isinstance(value, UploadFile):
                    audio = await value.read() if name == "file" else audio
                else:
                    form[name] = value
        if audio is None:
            return self._refuse("Missing required parameter: 'file'.", "file")
        if not form.get("model"):
            return self._refuse("Missing required parameter: 'model'.", "model")
        line = self._line(audio)
        tag("audio_translation", line.call if line else None)
        await self._pause(request, self.latency.stt)
        return JSONResponse({"text": line.en if line else ""})

    def _reply(self, body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        if "tools" not in body:
            return self._translate(str(messages[-1].get("content") or ""))
        reply = self._agent(messages)
        return self._streamed(reply) if body.get("stream") else reply

    def _streamed(self, reply: Reply) -> Reply:
        """A streamed answer: text starts at the first token and ends at the chat latency,
        word by word in between; a tool call (its arguments complete) at the chat latency."""
        if not (isinstance(reply, Delay) and isinstance(reply.then, str)):
            return reply
        words = reply.then.split(" ")
        pieces = [words[0], *(" " + word for word in words[1:])]
        gap = max(0.0, self.latency.chat - self.latency.first_token) / max(1, len(pieces) - 1)
        return Delay(self.latency.first_token, then=Stream(pieces, gap))

    def _translate(self, text: str) -> Reply:
        t, seconds = self.tables, self.latency.translate
        line = t.lines_he.get(text)
        if line is not None:
            tag("translate_in", line.call)
            return Delay(seconds, then=line.en)
        asked = t.questions_en.get(text)
        if asked is not None:
            tag("translate_out", asked[0].call)
            return Delay(seconds, then=asked[1])
        hebrew = HEBREW.search(text) is not None
        tag("translate_in" if hebrew else "translate_out", script.call_named_in(text, t))
        return Delay(seconds, then="Okay." if hebrew else "בסדר גמור.")

    def _agent(self, messages: list[dict[str, Any]]) -> Reply:
        """A sales call decided by the caller's last line: questions, offer_slots, book."""
        t, seconds = self.tables, self.latency.chat
        said = [str(m.get("content") or "") for m in messages if m.get("role") == "user"]
        line = (t.lines_en.get(said[-1]) or t.lines_he.get(said[-1])) if said else None
        call = line.call if line else script.call_named_in(str(messages[0].get("content")), t)
        tag("chat", call)
        who = script.caller(call, self.turns) if call is not None else None
        if messages[-1].get("role") == "tool":
            return Delay(seconds, then=f"Wonderful, {who.first_en}." if who else "Wonderful.")
        if line is None or who is None:
            return Delay(seconds, then="Could you tell me a bit more about your sales team?")
        if line.kind == "interest":
            return Delay(seconds, then=CallTool("offer_slots", {}))
        if line.kind == "choice":
            starts = _offered(messages)
            pick = 0 if "first" in line.en else 1
            if len(starts) > pick:
                return Delay(seconds, then=CallTool("book_meeting", {"slot_start": starts[pick]}))
            return Delay(seconds, then=CallTool("offer_slots", {}))
        return Delay(seconds, then=script.question(who, line)[0])


def _offered(messages: list[dict[str, Any]]) -> list[str]:
    """The slot starts on offer: the system prompt's slot_start= lines, else the tool results."""
    found = SLOT_START.findall(str(messages[0].get("content") or ""))
    if found:
        return list(found)
    for message in reversed(messages):
        if message.get("role") == "tool":
            found = JSON_START.findall(str(message.get("content") or ""))
            if found:
                return list(found)
    return []


# --- Twilio -------------------------------------------------------------------------------------


class BenchTwilio(FakeTwilio):
    """The REST API as in the tests; recording media made from the RecordingSid, after a delay."""

    def __init__(self, latency: Latency) -> None:
        super().__init__()
        self.latency = latency

    async def _media(self, request: Request) -> Response:
        if not self._authorized(request):
            return twilio_error(TwilioError(401, 20003, "Authenticate"))
        name: str = request.path_params["name"]
        sid = name.removesuffix(".wav")
        parsed = script.parse_sid(sid) if name.endswith(".wav") else None
        tag("fetch", parsed[0] if parsed else None)
        if parsed is None:
            return twilio_error(
                TwilioError(404, 20404, f"The requested resource {name} was not found")
            )
        await asyncio.sleep(self.latency.fetch)
        return Response(wav(sid), media_type="audio/x-wav")


# --- serving in a child process -----------------------------------------------------------------


def _serve(app: Any, conn: Connection, tls: tuple[str, str] | None = None) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=4096,
        timeout_keep_alive=75,  # like the real APIs: pooled connections outlive a think time
        timeout_graceful_shutdown=2,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )
    conn.send(sock.getsockname()[1])
    uvicorn.Server(config).run(sockets=[sock])


def serve_openai(conn: Connection, calls: int, turns: int, latency: Latency) -> None:
    """Process entry point: the fake OpenAI on a free port (sent back through `conn`)."""
    fake = BenchOpenAI(calls, turns, latency)
    log = RequestLog(fake.app)
    fake.app.router.routes.extend(log.routes(fake.problems))
    _serve(log, conn)


def serve_twilio(conn: Connection, latency: Latency, tls_chain: str) -> None:
    """Process entry point: the fake Twilio over https on a free port."""
    fake = BenchTwilio(latency)
    log = RequestLog(fake.app)
    fake.app.router.routes.extend(log.routes([]))
    _serve(log, conn, tls=(tls_chain, tls_chain))
