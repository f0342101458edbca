"""A fake OpenAI API served for real on 127.0.0.1, so the real `openai` SDK talks HTTP to it.

It speaks the wire format of `POST /v1/chat/completions` and `POST /v1/audio/transcriptions`
(multipart), records every request, and answers what the test scripted:

    def test_books(openai_fake: FakeOpenAI) -> None:
        openai_fake.queue_chat(
            CallTool("book_meeting", {"start": "2026-11-25T14:00:00+02:00"}),
            "Great, see you then.",
        )
        ...
        assert openai_fake.chat_requests[0]["tools"][0]["function"]["strict"] is True

A scripted reply is one of:

    "text"                          assistant text, finish_reason "stop"
    CallTool(name, arguments)       one tool call (arguments: a dict, or a raw string to send as is)
    [CallTool(...), ...]            several tool calls
    HttpError(429)                  an error status with OpenAI's error body
    Delay(seconds, then=reply)      answers late (tests of deadlines)
    Raw(body, status=200)           any JSON body, for shapes the helpers don't cover
    Stream(pieces, gap_s)           streamed text in these pieces, `gap_s` apart

A request with `"stream": true` is answered as the real API streams: server-sent events of
`chat.completion.chunk` objects (a role delta, content or tool-call deltas, a finish chunk), then
`data: [DONE]`; a plain text reply streams word by word. A stream the client closes before its
end is counted in `abandoned_streams` (the generation was stopped).

For transcriptions a `str` is the transcript: `{"text": ...}`.

Like the real API, the fake refuses (400, `invalid_request_error`) requests the real one would:
a strict tool schema (or a strict `response_format` json_schema, whose answer a test scripts
as the JSON text) whose objects lack `additionalProperties: false` or don't require every
property, tool messages that answer no preceding assistant `tool_calls` (or calls left
unanswered), `parallel_tool_calls` without `tools`, and a transcription without `file` or `model`.
A request nothing was scripted for gets a 500 that names itself. Refusals, unscripted requests and
handlers that raise are also kept in `problems`, and `openai_fake` fails the test if any are left
at the end, so a pipeline that swallows provider errors cannot hide them; a test that provokes
one on purpose takes it with `take_problems()`.

Fixtures: `openai_fake_server` (session: one server thread), `openai_fake` (per test: the same
server, reset), `openai_client` (an `AsyncOpenAI` built by `make_openai_client` for the fake).
Load them with `pytest_plugins = ["tests.fakes.openai_server"]`. A test module may both import
the helpers above and name this plugin, which is why its asserts are not rewritten:
PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai import AsyncOpenAI
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.config import Settings
from app.conversation.providers.openai import make_openai_client
from tests.fakes.loopback import LoopbackServer

FAKE_API_KEY = "sk-test-fake-openai-0000"


# --- what a test can script ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallTool:
    """One tool call the fake model makes; a `str` for `arguments` is sent verbatim."""

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None
    content: str | None = None


@dataclass(frozen=True, slots=True)
class HttpError:
    """An error status with OpenAI's body: {"error": {"message", "type", "param", "code"}}."""

    status: int
    message: str | None = None
    type: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Delay:
    """Waits `seconds` (or until the client hangs up), then answers `then`."""

    seconds: float
    then: Reply = ""


@dataclass(frozen=True, slots=True)
class Raw:
    """Any JSON body and status, sent as is."""

    body: Any
    status: int = 200


@dataclass(frozen=True, slots=True)
class Stream:
    """Text streamed in these pieces, `gap_s` seconds apart (for a request with stream=true)."""

    pieces: Sequence[str]
    gap_s: float = 0.0


Answer = str | CallTool | Sequence[CallTool] | Stream
Reply = Answer | HttpError | Delay | Raw
# A handler returns None when it has nothing for this request (the fake answers 500, a problem).
ChatHandler = Callable[[dict[str, Any]], Reply | None]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake received it; header names are lower case."""

    method: str
    path: str
    headers: Mapping[str, str]
    json: Any = None
    form: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, UploadedFile] = field(default_factory=dict)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")


TranscriptionHandler = Callable[[RecordedRequest], Reply | None]

_ERROR_DEFAULTS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    404: (
        "The model does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    ),
    429: (
        "Rate limit reached for requests. Please try again in 20ms.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


class _Invalid(Exception):
    """The request is one the real API would refuse with 400."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


# --- the fake -----------------------------------------------------------------------------------


class FakeOpenAI:
    """The scriptable app plus the uvicorn thread that serves it on a free loopback port."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.problems: list[str] = []
        self._chat: ChatHandler | None = None
        self._transcription: TranscriptionHandler | None = None
        self._ids = itertools.count(1)
        self.abandoned_streams = 0
        self._closing = threading.Event()
        self._loopback: LoopbackServer | None = None
        self.port = 0
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat_endpoint, methods=["POST"]),
                Route("/v1/audio/transcriptions", self._transcription_endpoint, methods=["POST"]),
            ]
        )

    # scripting

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script_chat(self, handler: ChatHandler) -> None:
        """Answers every chat request with `handler(request_json)`."""
        self._chat = handler

    def queue_chat(self, *replies: Reply) -> None:
        """Answers the next chat requests with `replies`, in order (a 500 once they run out)."""
        self.script_chat(_queue(replies))

    def script_transcription(self, handler: TranscriptionHandler) -> None:
        """Answers every transcription with `handler(recorded_request)`; a `str` is the text."""
        self._transcription = handler

    def queue_transcription(self, *replies: Reply) -> None:
        self.script_transcription(_queue(replies))

    def take_problems(self) -> list[str]:
        """Returns and forgets the refusals, unscripted requests and handler errors so far."""
        taken = list(self.problems)
        self.problems.clear()
        return taken

    def reset(self) -> None:
        self.requests.clear()
        self.problems.clear()
        self._chat = None
        self._transcription = None
        self.abandoned_streams = 0

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat requests received, in order."""
        return [r.json for r in self.requests if r.path == "/v1/chat/completions"]

    @property
    def transcription_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/audio/transcriptions"]

    def settings(self, **overrides: Any) -> Settings:
        """Settings pointing the app's OpenAI client at this fake."""
        values: dict[str, Any] = {"app_env": "test", **self.settings_overrides(), **overrides}
        return Settings(_env_file=None, **values)

    def settings_overrides(self) -> dict[str, object]:
        """For conftest's `settings_overrides` fixture: the key and base URL of this fake.

        Every turn goes to the model (`script_first` off), since these tests script the model's
        moves; tests of the script-first path turn it back on.
        """
        return {
            "openai_api_key": FAKE_API_KEY,
            "openai_base_url": self.base_url,
            "script_first": False,
        }

    # serving

    def start(self) -> None:
        self._loopback = LoopbackServer(self.app, "fake OpenAI server", graceful_shutdown_s=2)
        self._loopback.start()
        self.port = self._loopback.port

    def stop(self) -> None:
        self._closing.set()
        if self._loopback is not None:
            self._loopback.stop()

    # endpoints

    async def _chat_endpoint(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return self._refuse("We could not parse the JSON body of your request.")
        self._record(request, json_body=body)
        try:
            _validate_chat(body)
        except _Invalid as exc:
            return self._refuse(exc.message, exc.param)
        reply = self._call(self._chat, body)
        if reply is None:
            return self._unscripted("chat")
        if body.get("stream") and not isinstance(reply, HttpError | Raw):
            while isinstance(reply, Delay):
                await self._pause(request, reply.seconds)
                reply = reply.then
            if not isinstance(reply, HttpError | Raw):
                return self._stream(body, reply)
        return await self._answer(request, reply, lambda r: self._completion(body, r))

    async def _transcription_endpoint(self, request: Request) -> Response:
        form: dict[str, str] = {}
        files: dict[str, UploadedFile] = {}
        async with request.form(max_part_size=50 * 1024 * 1024) as parsed:
            for name, value in parsed.multi_items():
                if isinstance(value, UploadFile):
                    files[name] = UploadedFile(
                        value.filename, value.content_type, await value.read()
                    )
                else:
                    form[name] = value
        recorded = self._record(request, form=form, files=files)
        if "file" not in files:
            return self._refuse("Missing required parameter: 'file'.", "file")
        if not form.get("model"):
            return self._refuse("Missing required parameter: 'model'.", "model")
        reply = self._call(self._transcription, recorded)
        if reply is None:
            return self._unscripted("transcription")
        return await self._answer(request, reply, _transcription)

    def _record(
        self,
        request: Request,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
    ) -> RecordedRequest:
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=json_body,
            form=dict(form or {}),
            files=dict(files or {}),
        )
        self.requests.append(recorded)
        return recorded

    def _refuse(self, message: str, param: str | None = None) -> JSONResponse:
        self.problems.append(f"refused with 400: {message}")
        return _error(400, message, param=param)

    def _unscripted(self, what: str) -> JSONResponse:
        message = f"fake OpenAI: no {what} reply scripted (or the scripted ones ran out)"
        self.problems.append(message)
        return _error(500, message)

    def _call(self, handler: Callable[[Any], Reply | None] | None, argument: Any) -> Reply | None:
        if handler is None:
            return None
        try:
            return handler(argument)
        except Exception:
            self.problems.append("a scripted handler raised:\n" + traceback.format_exc())
            return HttpError(500, "fake OpenAI: the test's handler raised (see the test failure)")

    async def _answer(
        self, request: Request, reply: Reply, success: Callable[[Answer], dict[str, Any]]
    ) -> Response:
        while isinstance(reply, Delay):
            await self._pause(request, reply.seconds)
            reply = reply.then
        if isinstance(reply, HttpError):
            return _error(reply.status, reply.message, type_=reply.type, code=reply.code)
        if isinstance(reply, Raw):
            return JSONResponse(reply.body, status_code=reply.status, headers=_headers())
        return JSONResponse(success(reply), headers=_headers())

    async def _pause(self, request: Request, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while not self._closing.is_set() and loop.time() < until:
            if await request.is_disconnected():
                return
            await asyncio.sleep(min(0.01, max(until - loop.time(), 0)))

    def _stream(self, body: dict[str, Any], reply: Reply) -> StreamingResponse:
        """The answer as server-sent `chat.completion.chunk` events, as the real API streams."""
        n = next(self._ids)
        base = {
            "id": f"chatcmpl-fake{n:06d}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return f"data: {json.dumps({**base, 'choices': [choice]}, ensure_ascii=False)}\n\n"

        async def events() -> AsyncIterator[str]:
            finished = False
            try:
                yield chunk({"role": "assistant", "content": "", "refusal": None})
                if isinstance(reply, str | Stream):
                    pieces, gap = (
                        (reply.pieces, reply.gap_s)
                        if isinstance(reply, Stream)
                        else (_words_of(reply), 0.0)
                    )
                    for i, piece in enumerate(pieces):
                        if i and gap:
                            await asyncio.sleep(gap)
                        yield chunk({"content": piece})
                    yield chunk({}, "stop")
                else:
                    calls = [reply] if isinstance(reply, CallTool) else list(reply)  # type: ignore[arg-type]
                    for i, call in enumerate(calls):
                        arguments = (
                            call.arguments
                            if isinstance(call.arguments, str)
                            else json.dumps(call.arguments, ensure_ascii=False)
                        )
                        head = {
                            "index": i,
                            "id": call.id or f"call_fake{n}x{i}",
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                        yield chunk({"tool_calls": [head]})
                        half = len(arguments) // 2
                        for part in (arguments[:half], arguments[half:]):
                            yield chunk(
                                {"tool_calls": [{"index": i, "function": {"arguments": part}}]}
                            )
                    yield chunk({}, "tool_calls")
                yield "data: [DONE]\n\n"
                finished = True
            finally:
                if not finished:
                    self.abandoned_streams += 1

        return StreamingResponse(events(), media_type="text/event-stream", headers=_headers())

    def _completion(self, body: dict[str, Any], reply: Answer) -> dict[str, Any]:
        n = next(self._ids)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "refusal": None,
            "annotations": [],
        }
        calls: list[CallTool] = []
        if isinstance(reply, Stream):
            reply = "".join(reply.pieces)
        if isinstance(reply, str):
            message["content"] = reply
        else:
            calls = [reply] if isinstance(reply, CallTool) else list(reply)
            tool_calls = []
            for i, call in enumerate(calls):
                assert isinstance(call, CallTool), f"not a scriptable reply: {call!r}"
                arguments = call.arguments
                tool_calls.append(
                    {
                        "id": call.id or f"call_fake{n}x{i}",
                        "type": "function",
                        "function": {
                            "name": call.name,
                            "arguments": arguments
                            if isinstance(arguments, str)
                            else json.dumps(arguments, ensure_ascii=False),
                        },
                    }
                )
                if call.content is not None:
                    message["content"] = call.content
            message["tool_calls"] = tool_calls
        prompt_tokens = sum(len(str(m.get("content") or "")) // 4 + 4 for m in body["messages"])
        completion_tokens = len(json.dumps(message, ensure_ascii=False)) // 4
        return {
            "id": f"chatcmpl-fake{n:06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        }


def _words_of(text: str) -> list[str]:
    """A text as a model streams it: word by word, each with its leading space."""
    words = text.split(" ")
    return [words[0], *(" " + word for word in words[1:])]


def _transcription(reply: Answer) -> dict[str, Any]:
    assert isinstance(reply, str), f"a transcription reply is a str, not {reply!r}"
    return {
        "text": reply,
        "usage": {"type": "duration", "seconds": 3},
    }


def _queue(replies: Sequence[Reply]) -> Callable[[Any], Reply | None]:
    pending = deque(replies)

    def next_reply(_: Any) -> Reply | None:
        return pending.popleft() if pending else None

    return next_reply


def _headers() -> dict[str, str]:
    return {"x-request-id": f"req_fake{time.monotonic_ns():x}", "openai-processing-ms": "1"}


def _error(
    status: int,
    message: str | None = None,
    *,
    type_: str | None = None,
    code: str | None = None,
    param: str | None = None,
) -> JSONResponse:
    default_message, default_type, default_code = _ERROR_DEFAULTS.get(
        status,
        (f"HTTP {status}", "invalid_request_error" if status < 500 else "server_error", None),
    )
    body = {
        "error": {
            "message": message or default_message,
            "type": type_ or default_type,
            "param": param,
            "code": code or default_code,
        }
    }
    return JSONResponse(body, status_code=status, headers=_headers())


# --- the real API's refusals --------------------------------------------------------------------


def _validate_chat(body: Any) -> None:
    if not isinstance(body, dict):
        raise _Invalid("The request body must be a JSON object.")
    for name in ("model", "messages"):
        if not body.get(name):
            raise _Invalid(f"Missing required parameter: '{name}'.", param=name)
    tools = body.get("tools") or []
    if "parallel_tool_calls" in body and not tools:
        raise _Invalid(
            "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed "
            "when 'tools' are specified.",
            param="parallel_tool_calls",
        )
    for i, tool in enumerate(tools):
        function = tool.get("function") or {}
        if tool.get("type") != "function" or not function.get("name"):
            raise _Invalid("Missing required parameter: 'tools[0].function'.", param=f"tools[{i}]")
        if function.get("strict"):
            problem = _strict_schema_problem(function.get("parameters") or {}, ())
            if problem:
                raise _Invalid(
                    f"Invalid schema for function '{function['name']}': {problem}",
                    param=f"tools[{i}].function.parameters",
                )
    _validate_response_format(body.get("response_format"))
    _validate_tool_turns(body["messages"])


def _validate_response_format(response_format: Any) -> None:
    """Structured outputs: `{"type": "json_schema", "json_schema": {name, strict, schema}}`."""
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return
    spec = response_format.get("json_schema")
    if not isinstance(spec, dict) or not spec.get("name"):
        raise _Invalid(
            "Missing required parameter: 'response_format.json_schema.name'.",
            param="response_format.json_schema.name",
        )
    if spec.get("strict"):
        schema = spec.get("schema") or {}
        problem = _strict_schema_problem(schema, ())
        if problem is None and schema.get("type") != "object":
            problem = "the root schema must be an object"
        if problem:
            raise _Invalid(
                f"Invalid schema for response_format '{spec['name']}': {problem}",
                param="response_format",
            )


def _validate_tool_turns(messages: list[dict[str, Any]]) -> None:
    open_calls: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_calls:
                raise _Invalid(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param=f"messages.[{i}].role",
                )
            open_calls.discard(call_id)
            continue
        if open_calls:
            raise _Invalid(
                "An assistant message with 'tool_calls' must be followed by tool messages "
                "responding to each 'tool_call_id'. The following tool_call_ids did not have "
                f"response messages: {', '.join(sorted(open_calls))}",
                param=f"messages.[{i}].role",
            )
        if role == "assistant":
            for call in message.get("tool_calls") or []:
                arguments = call.get("function", {}).get("arguments")
                if not isinstance(arguments, str):
                    raise _Invalid(
                        "Invalid type for 'messages.tool_calls.function.arguments': "
                        "expected a string.",
                        param=f"messages.[{i}].tool_calls",
                    )
                open_calls.add(call["id"])
    if open_calls:
        raise _Invalid(
            "An assistant message with 'tool_calls' must be followed by tool messages responding "
            f"to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
            f"{', '.join(sorted(open_calls))}",
            param="messages",
        )


def _strict_schema_problem(schema: Any, context: tuple[str, ...]) -> str | None:
    if not isinstance(schema, dict):
        return None
    types = schema.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    if is_object or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return (
                f"In context={context}, 'additionalProperties' is required to be supplied "
                "and to be false."
            )
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        missing = [name for name in properties if name not in required]
        if missing:
            return (
                f"In context={context}, 'required' is required to be supplied and to be an array "
                f"including every key in properties. Missing '{missing[0]}'."
            )
        for name, sub in properties.items():
            problem = _strict_schema_problem(sub, (*context, "properties", name))
            if problem:
                return problem
    if "items" in schema:
        problem = _strict_schema_problem(schema["items"], (*context, "items"))
        if problem:
            return problem
    for key in ("anyOf", "$defs", "definitions"):
        subs = schema.get(key)
        entries = subs.items() if isinstance(subs, dict) else enumerate(subs or [])
        for name, sub in entries:
            problem = _strict_schema_problem(sub, (*context, key, str(name)))
            if problem:
                return problem
    return None


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def openai_fake_server() -> Iterator[FakeOpenAI]:
    """One fake OpenAI server for the whole run; tests use `openai_fake`, which resets it."""
    fake = FakeOpenAI()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def openai_fake(openai_fake_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The fake, with nothing scripted or recorded; fails the test if `problems` are left."""
    openai_fake_server.reset()
    yield openai_fake_server
    problems = openai_fake_server.take_problems()
    openai_fake_server.reset()
    if problems:
        pytest.fail("the fake OpenAI server saw problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
async def openai_client(openai_fake: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    """The app's own client (`make_openai_client`) pointed at the fake; closed after the test."""
    client = make_openai_client(openai_fake.settings())
    yield client
    await client.close()
