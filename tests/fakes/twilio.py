"""A fake Twilio served for real on 127.0.0.1, and a caller that drives the app's webhooks.

`FakeTwilio` speaks Twilio's wire format over https, as Twilio does (a throwaway CA from
`trustme`, which the session trusts through SSL_CERT_FILE), so the real `twilio` SDK (pointed at it
with TWILIO_API_BASE_URL) and the app's recording download, which accepts https only, talk to it:

    POST /2010-04-01/Accounts/{AccountSid}/Calls.json          create a call (form fields recorded)
    POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json    update a live call (Twiml recorded)
    GET  /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.wav  a recording's WAV media
    POST /2010-04-01/Accounts/{AccountSid}/Messages.json       send an SMS (form fields recorded)

Every request must carry HTTP basic auth with the account SID and auth token, as Twilio's does.
`queue_create(TwilioError(429, 20429, ...))` makes the next create fail with Twilio's error body;
`add_recording(text)` stores a WAV whose bytes name the recording, and `transcript(audio)` tells
the fake OpenAI transcription which line that audio "says"; `fail_media(n)` 404s the next n
media requests (Twilio still storing the file).

`TwilioCaller` plays Twilio's side of one call against the app: it posts the real form fields
(CallSid, AccountSid, From, To, CallStatus, Direction, ApiVersion, plus RecordingUrl/RecordingSid/
RecordingDuration or SpeechResult/Confidence per turn), signs each request with the real
`RequestValidator` over the public URL, parses the TwiML it gets back and follows it: <Say> is
heard, <Record> and <Gather> take the caller's next line ("" is silence), <Redirect> is followed,
<Hangup/> ends the call.

Fixtures: `twilio_fake_server` (session) and `twilio_fake` (per test, reset). PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import base64
import io
import itertools
import os
import secrets
import tempfile
import time
import wave
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import trustme
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from app.calls import repository as calls_repo
from app.calls.models import Call
from app.leads.models import Lead
from tests.fakes.loopback import LoopbackServer

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-twilio-auth-token-0000"
CALLER_ID = "+97233760000"
PUBLIC_BASE_URL = "https://messiah.example.com"
API_VERSION = "2010-04-01"


@dataclass(frozen=True, slots=True)
class TwilioError:
    """An error answer with Twilio's body: {"code", "message", "more_info", "status"}."""

    status: int
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class RestRequest:
    method: str
    path: str
    form: Mapping[str, list[str]]
    authorized: bool
    at: float = field(default_factory=time.monotonic)

    def one(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


class FakeTwilio:
    """The REST API and media host, on one loopback port."""

    def __init__(self) -> None:
        self.account_sid = ACCOUNT_SID
        self.auth_token = AUTH_TOKEN
        self.requests: list[RestRequest] = []
        self.media_requests: list[str] = []
        self._create_replies: deque[TwilioError] = deque()
        self._recordings: dict[str, bytes] = {}
        self._transcripts: dict[bytes, str] = {}
        self._media_failures = 0
        self._ids = itertools.count(1)
        self._loopback: LoopbackServer | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        self.ca_file = ""
        self.port = 0
        base = "/2010-04-01/Accounts/{account}"
        self.app = Starlette(
            routes=[
                Route(base + "/Calls.json", self._create, methods=["POST"]),
                Route(base + "/Messages.json", self._message, methods=["POST"]),
                Route(base + "/Calls/{sid}.json", self._update, methods=["POST"]),
                Route(base + "/Recordings/{name}", self._media, methods=["GET"]),
            ]
        )

    # scripting

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def settings_overrides(self, **extra: object) -> dict[str, object]:
        """Twilio settings for the app: credentials, this fake as the API, a public BASE_URL."""
        return {
            "twilio_account_sid": self.account_sid,
            "twilio_auth_token": self.auth_token,
            "twilio_caller_id": CALLER_ID,
            "twilio_api_base_url": self.origin,
            "base_url": PUBLIC_BASE_URL,
            "recording_url_allowed_hosts": "127.0.0.1",
            **extra,
        }

    def queue_create(self, *errors: TwilioError) -> None:
        """The next call creations (or messages sent) fail with these errors, in order."""
        self._create_replies.extend(errors)

    def add_recording(self, text: str, *, host: str = "127.0.0.1") -> tuple[str, str]:
        """Stores a recording of `text`; returns (RecordingSid, RecordingUrl without extension)."""
        sid = "RE" + secrets.token_hex(16)
        audio = wav(sid)
        self._recordings[sid] = audio
        self._transcripts[audio] = text
        url = (
            f"https://{host}:{self.port}/{API_VERSION}/Accounts/{self.account_sid}/Recordings/{sid}"
        )
        return sid, url

    def transcript(self, audio: bytes) -> str | None:
        """What a stored recording says (for the fake OpenAI transcription)."""
        return self._transcripts.get(audio)

    def fail_media(self, times: int) -> None:
        """The next `times` media requests get 404, as while Twilio is still storing the file."""
        self._media_failures = times

    def calls_created(self) -> list[RestRequest]:
        return [r for r in self.requests if r.path.endswith("/Calls.json")]

    def messages_sent(self) -> list[RestRequest]:
        return [r for r in self.requests if r.path.endswith("/Messages.json")]

    def calls_updated(self) -> list[RestRequest]:
        return [r for r in self.requests if "/Calls/" in r.path]

    def reset(self) -> None:
        self.requests.clear()
        self.media_requests.clear()
        self._create_replies.clear()
        self._recordings.clear()
        self._transcripts.clear()
        self._media_failures = 0

    # serving

    def start(self) -> None:
        """Serves https with a certificate for 127.0.0.1 and localhost from a fresh test CA."""
        self._tls_dir = tempfile.TemporaryDirectory(prefix="fake-twilio-tls-")
        ca = trustme.CA()
        chain = os.path.join(self._tls_dir.name, "server.pem")
        ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(chain)
        self.ca_file = os.path.join(self._tls_dir.name, "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        self._loopback = LoopbackServer(self.app, "fake Twilio server", tls=(chain, chain))
        self._loopback.start()
        self.port = self._loopback.port

    def stop(self) -> None:
        if self._loopback is not None:
            self._loopback.stop()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()

    # endpoints

    def _authorized(self, request: Request) -> bool:
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {token}"

    async def _record(self, request: Request) -> RestRequest:
        form = await request.form()
        fields: dict[str, list[str]] = {}
        for name, value in form.multi_items():
            fields.setdefault(name, []).append(str(value))
        recorded = RestRequest(request.method, request.url.path, fields, self._authorized(request))
        self.requests.append(recorded)
        return recorded

    async def _create(self, request: Request) -> Response:
        recorded = await self._record(request)
        if not recorded.authorized or request.path_params["account"] != self.account_sid:
            return _error(TwilioError(401, 20003, "Authenticate"))
        if self._create_replies:
            return _error(self._create_replies.popleft())
        for name in ("To", "From"):
            if not recorded.one(name):
                return _error(TwilioError(400, 21201, f"No '{name}' number is specified"))
        sid = f"CA{next(self._ids):032x}"
        return JSONResponse(self._call(sid, recorded, "queued"), status_code=201)

    async def _message(self, request: Request) -> Response:
        recorded = await self._record(request)
        if not recorded.authorized or request.path_params["account"] != self.account_sid:
            return _error(TwilioError(401, 20003, "Authenticate"))
        if self._create_replies:
            return _error(self._create_replies.popleft())
        if not recorded.one("To") or not recorded.one("Body"):
            return _error(TwilioError(400, 21604, "A 'To' phone number and a Body are required."))
        sid = f"SM{next(self._ids):032x}"
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        body = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": recorded.one("Body"),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": recorded.one("From"),
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": recorded.one("To"),
            "uri": f"{uri}.json",
        }
        return JSONResponse(body, status_code=201)

    async def _update(self, request: Request) -> Response:
        recorded = await self._record(request)
        if not recorded.authorized:
            return _error(TwilioError(401, 20003, "Authenticate"))
        return JSONResponse(self._call(request.path_params["sid"], recorded, "in-progress"))

    async def _media(self, request: Request) -> Response:
        self.media_requests.append(str(request.url))
        if not self._authorized(request):
            return _error(TwilioError(401, 20003, "Authenticate"))
        name: str = request.path_params["name"]
        sid = name.removesuffix(".wav")
        if self._media_failures > 0:
            self._media_failures -= 1
            return _error(TwilioError(404, 20404, f"The requested resource {name} was not found"))
        if not name.endswith(".wav") or sid not in self._recordings:
            return _error(TwilioError(404, 20404, f"The requested resource {name} was not found"))
        return Response(self._recordings[sid], media_type="audio/x-wav")

    def _call(self, sid: str, recorded: RestRequest, status: str) -> dict[str, Any]:
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}"
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": recorded.one("From"),
            "from_formatted": recorded.one("From"),
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "start_time": None,
            "status": status,
            "subresource_uris": {
                "notifications": f"{uri}/Notifications.json",
                "recordings": f"{uri}/Recordings.json",
            },
            "to": recorded.one("To"),
            "to_formatted": recorded.one("To"),
            "trunk_sid": None,
            "uri": f"{uri}.json",
            "queue_time": "0",
        }


def _error(error: TwilioError) -> JSONResponse:
    body = {
        "code": error.code,
        "message": error.message,
        "more_info": f"https://www.twilio.com/docs/errors/{error.code}",
        "status": error.status,
    }
    return JSONResponse(body, status_code=error.status)


def wav(name: str) -> bytes:
    """A short, valid 8 kHz mono WAV whose samples spell `name`, so each recording is unique."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(bytes(800) + name.encode())
    return buffer.getvalue()


# --- Twilio's side of a call ---


@dataclass(frozen=True, slots=True)
class Exchange:
    """One webhook request and the app's answer."""

    url: str
    params: Mapping[str, str]
    status: int
    body: str


Line = str | Callable[[], str]


@dataclass
class TwilioCaller:
    """Plays Twilio (and the person on the phone) for one call against the app."""

    client: httpx.AsyncClient
    fake: FakeTwilio
    call_sid: str
    auth_token: str | None = AUTH_TOKEN
    base_url: str = PUBLIC_BASE_URL
    to: str = "+972501234567"
    from_: str = CALLER_ID
    recording_host: str = "127.0.0.1"
    heard: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    hung_up: bool = False
    # <Dial>: the numbers dialed, what the rep heard first (the whisper), whether the rep answers.
    dialed: list[str] = field(default_factory=list)
    whispers: list[str] = field(default_factory=list)
    rep_answers: bool = True

    def params(self, **extra: str) -> dict[str, str]:
        """The fields Twilio sends with every voice webhook of this call."""
        return {
            "CallSid": self.call_sid,
            "AccountSid": self.fake.account_sid,
            "From": self.from_,
            "To": self.to,
            "CallStatus": "in-progress",
            "Direction": "outbound-api",
            "ApiVersion": API_VERSION,
            **extra,
        }

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        assert self.auth_token is not None
        return str(RequestValidator(self.auth_token).compute_signature(url, dict(params)))

    async def post(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POSTs a webhook as Twilio does: to our public URL, signed over it and the form."""
        if not url.startswith("http"):
            url = self.base_url + url
        assert url.startswith(self.base_url + "/twilio/"), f"TwiML points elsewhere: {url}"
        sent = dict(headers or {})
        if signature is not None:
            sent["X-Twilio-Signature"] = signature
        elif self.auth_token is not None:
            sent["X-Twilio-Signature"] = self.sign(url, params)
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = await self.client.post(path, data=dict(params), headers=sent)
        self.exchanges.append(Exchange(url, dict(params), response.status_code, response.text))
        return response

    async def webhook(self, url: str, **extra: str) -> ET.Element:
        """One signed webhook; asserts Twilio got 200 and TwiML, and returns the parsed TwiML."""
        response = await self.post(url, self.params(**extra))
        assert response.status_code == 200, (url, response.status_code, response.text)
        assert response.headers["content-type"].startswith(("application/xml", "text/xml"))
        root = ET.fromstring(response.text)
        assert root.tag == "Response", response.text
        return root

    async def status(self, call_status: str, **extra: str) -> httpx.Response:
        """A status callback (CallStatus, CallDuration, AnsweredBy...)."""
        return await self.post("/twilio/call-status", self.params(CallStatus=call_status, **extra))

    async def converse(self, lines: Iterable[Line], *, voice_url: str = "/twilio/voice") -> None:
        """Answers the call and follows the TwiML, one caller line per <Record>/<Gather>.

        Returns at <Hangup/> (or the end of a document: Twilio hangs up too) or, with the call
        still listening, when the lines run out.
        """
        pending: deque[Line] = deque(lines)
        root: ET.Element | None = await self.webhook(voice_url)
        while root is not None:
            root = await self._run(root, pending)

    async def _run(self, root: ET.Element, pending: deque[Line]) -> ET.Element | None:
        for verb in root:
            match verb.tag:
                case "Say":
                    self.heard.append(verb.text or "")
                case "Record":
                    if not pending:
                        return None
                    line = _line(pending.popleft())
                    if not line:
                        continue  # nothing recorded: Twilio skips the action, runs the next verb
                    sid, url = self.fake.add_recording(line, host=self.recording_host)
                    return await self.webhook(
                        verb.attrib["action"],
                        RecordingUrl=url,
                        RecordingSid=sid,
                        RecordingDuration=str(max(1, len(line) // 12)),
                    )
                case "Gather":
                    self.heard += [say.text or "" for say in verb if say.tag == "Say"]
                    if not pending:
                        return None
                    line = _line(pending.popleft())
                    if not line and verb.get("actionOnEmptyResult") != "true":
                        continue
                    speech = {"SpeechResult": line, "Confidence": "0.91"} if line else {}
                    return await self.webhook(verb.attrib["action"], **speech)
                case "Redirect":
                    return await self.webhook(verb.text or "")
                case "Dial":
                    return await self._dial(verb)
                case "Hangup":
                    self.hung_up = True
                    return None
                case other:
                    raise AssertionError(f"unexpected TwiML verb <{other}>")
        self.hung_up = True
        return None

    async def _dial(self, verb: ET.Element) -> ET.Element:
        """Rings the <Number>: the rep's leg fetches the whisper URL if the rep answers, then
        Twilio posts the <Dial>'s action with DialCallStatus, as it does when the leg ends."""
        number = verb.find("Number")
        assert number is not None and number.text, "a <Dial> without a <Number>"
        self.dialed.append(number.text.strip())
        rep_sid = "CA" + "e" * 32
        if self.rep_answers and number.get("url"):
            leg = {**self.params(), "CallSid": rep_sid, "ParentCallSid": self.call_sid}
            leg["To"] = number.text.strip()
            response = await self.post(number.attrib["url"], leg)
            assert response.status_code == 200, response.text
            root = ET.fromstring(response.text)
            self.whispers += [say.text or "" for say in root if say.tag == "Say"]
        status = "completed" if self.rep_answers else "no-answer"
        extra = {"DialCallStatus": status, "DialCallSid": rep_sid}
        if self.rep_answers:
            extra["DialCallDuration"] = "42"
        return await self.webhook(verb.attrib["action"], **extra)


def _line(line: Line) -> str:
    return line() if callable(line) else line


# --- test helpers ---


async def add_lead(app: FastAPI, **fields: Any) -> int:
    """Stores a lead (a female Israeli lead unless told otherwise) and returns its id."""
    values: dict[str, Any] = {
        "name": "דנה כהן",
        "phone": "+972501234567",
        "company": "כהן בע״מ",
        "gender": "female",
        **fields,
    }
    async with app.state.sessionmaker.begin() as session:
        lead = Lead(**values)
        session.add(lead)
        await session.flush()
        return lead.id


async def dial(client: httpx.AsyncClient, lead_id: int) -> tuple[int, str]:
    """POST /outbound/initiate-call through the fake REST API; returns (call id, CallSid)."""
    response = await client.post("/outbound/initiate-call", params={"lead_id": lead_id})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["call_id"], body["call_sid"]


async def stored_call(app: FastAPI, call_id: int) -> Call:
    """The call as stored, with its turns."""
    async with app.state.sessionmaker() as session:
        call = await calls_repo.get_with_turns(session, call_id)
    assert call is not None
    return call


# --- fixtures ---


@pytest.fixture(scope="session")
def twilio_fake_server() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    fake.start()
    # httpx (the app's client, the SDK's, a dialer subprocess's) trusts the fake's CA, as an
    # operator's SSL_CERT_FILE would be trusted; nothing else in the test run speaks TLS.
    previous = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = fake.ca_file
    try:
        yield fake
    finally:
        if previous is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = previous
        fake.stop()


@pytest.fixture
def twilio_fake(twilio_fake_server: FakeTwilio) -> Iterator[FakeTwilio]:
    twilio_fake_server.reset()
    yield twilio_fake_server
    twilio_fake_server.reset()
