"""A fake of Google's Calendar API v3 and OAuth token endpoint, served on 127.0.0.1, speaking
their JSON, so the app's real client (googleapiclient + google-auth over httplib2) talks to it:

    POST /token                                        OAuth 2.0: a service account's JWT bearer
                                                       grant (RS256, checked against its key) or a
                                                       refresh_token grant; {"access_token", ...}
    POST /calendar/v3/freeBusy                         {"calendars": {id: {"busy": [...]}}}
    POST /calendar/v3/calendars/{id}/events            events.insert (409 "duplicate" on a known id)
    DELETE /calendar/v3/calendars/{id}/events/{eid}    events.delete (204; 410 once deleted)

Every API call needs a bearer token this fake issued. `busy` adds a rep's own busy time;
`fail_next(n, status)` answers the next n API calls with Google's error body.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer

CLIENT_EMAIL = "messiah@messiah-test.iam.gserviceaccount.com"
OAUTH_CLIENT_ID = "1234-test.apps.googleusercontent.com"
OAUTH_CLIENT_SECRET = "fake-oauth-client-secret"
REFRESH_TOKEN = "1//fake-refresh-token"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_error(status: int, reason: str, message: str) -> JSONResponse:
    """Google's JSON error body."""
    body = {
        "error": {
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return JSONResponse(body, status_code=status)


@dataclass
class FakeGoogle:
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    tokens: set[str] = field(default_factory=set)
    grants: list[str] = field(default_factory=list)
    events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    deleted: set[tuple[str, str]] = field(default_factory=set)
    own_busy: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.app = Starlette(
            routes=[
                Route("/token", self._token, methods=["POST"]),
                Route("/calendar/v3/freeBusy", self._freebusy, methods=["POST"]),
                Route("/calendar/v3/calendars/{cal}/events", self._insert, methods=["POST"]),
                Route(
                    "/calendar/v3/calendars/{cal}/events/{eid}", self._delete, methods=["DELETE"]
                ),
            ]
        )
        self._loopback: LoopbackServer | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service_account_json(self) -> str:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return json.dumps(
            {
                "type": "service_account",
                "project_id": "messiah-test",
                "private_key_id": "fake-key-1",
                "private_key": pem,
                "client_email": CLIENT_EMAIL,
                "client_id": "100000000000000000001",
                "token_uri": f"{self.origin}/token",
            }
        )

    def authorized_user_json(self) -> str:
        return json.dumps(
            {
                "type": "authorized_user",
                "client_id": OAUTH_CLIENT_ID,
                "client_secret": OAUTH_CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
                "token_uri": f"{self.origin}/token",
            }
        )

    def busy(self, calendar_id: str, start: datetime, end: datetime) -> None:
        self.own_busy.setdefault(calendar_id, []).append((start, end))

    def fail_next(self, times: int, status: int = 503) -> None:
        self._failures.extend([status] * times)

    def reset(self) -> None:
        self.tokens.clear()
        self.grants.clear()
        self.events.clear()
        self.deleted.clear()
        self.own_busy.clear()
        self.calls.clear()
        self._failures.clear()

    def start(self) -> None:
        self._loopback = LoopbackServer(self.app, "fake Google Calendar")
        self._loopback.start()
        self.port = self._loopback.port

    def stop(self) -> None:
        if self._loopback is not None:
            self._loopback.stop()

    # endpoints

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        grant = str(form.get("grant_type"))
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(
                    str(form.get("assertion")),
                    self.key.public_key(),
                    algorithms=["RS256"],
                    # google-auth signs for Google's endpoint whatever token_uri says.
                    audience="https://oauth2.googleapis.com/token",
                )
            except jwt.PyJWTError as exc:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": str(exc)}, status_code=400
                )
            if claims.get("iss") != CLIENT_EMAIL or "auth/calendar" not in claims.get("scope", ""):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
        elif grant == "refresh_token":
            if (form.get("refresh_token"), form.get("client_id"), form.get("client_secret")) != (
                REFRESH_TOKEN,
                OAUTH_CLIENT_ID,
                OAUTH_CLIENT_SECRET,
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        self.grants.append(grant)
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return JSONResponse({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _refused(self, request: Request) -> Response | None:
        self.calls.append(f"{request.method} {request.url.path}")
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            return google_error(401, "authError", "Invalid Credentials")
        if self._failures:
            status = self._failures.pop(0)
            return google_error(status, "backendError", "Backend Error")
        return None

    async def _freebusy(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        body = await request.json()
        low, high = _time(body["timeMin"]), _time(body["timeMax"])
        calendars: dict[str, Any] = {}
        for item in body.get("items", []):
            cal = item["id"]
            if cal not in self.events and cal not in self.own_busy:
                calendars[cal] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            spans = list(self.own_busy.get(cal, []))
            for event in self.events.get(cal, {}).values():
                spans.append((_time(event["start"]["dateTime"]), _time(event["end"]["dateTime"])))
            busy = [
                {"start": _iso(max(s, low)), "end": _iso(min(e, high))}
                for s, e in sorted(spans)
                if s < high and low < e
            ]
            calendars[cal] = {"busy": busy}
        return JSONResponse(
            {
                "kind": "calendar#freeBusy",
                "timeMin": body["timeMin"],
                "timeMax": body["timeMax"],
                "calendars": calendars,
            }
        )

    async def _insert(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        cal = request.path_params["cal"]
        body = await request.json()
        eid = body.get("id") or secrets.token_hex(13)
        stored = self.events.setdefault(cal, {})
        if eid in stored or (cal, eid) in self.deleted:
            return google_error(409, "duplicate", "The requested identifier already exists.")
        now = _iso(datetime.now(UTC))
        event = {
            "kind": "calendar#event",
            "etag": f'"{secrets.randbelow(10**15)}"',
            "id": eid,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": now,
            "updated": now,
            "creator": {"email": cal, "self": True},
            "organizer": {"email": cal, "self": True},
            "iCalUID": f"{eid}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
            **{k: v for k, v in body.items() if k != "id"},
        }
        stored[eid] = event
        return JSONResponse(event)

    async def _delete(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        cal, eid = request.path_params["cal"], request.path_params["eid"]
        if (cal, eid) in self.deleted:
            return google_error(410, "deleted", "Resource has been deleted")
        if eid not in self.events.get(cal, {}):
            return google_error(404, "notFound", "Not Found")
        del self.events[cal][eid]
        self.deleted.add((cal, eid))
        return Response(status_code=204)


@pytest.fixture(scope="session")
def google_fake_server() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def google_fake(google_fake_server: FakeGoogle) -> Iterator[FakeGoogle]:
    google_fake_server.reset()
    yield google_fake_server
    google_fake_server.reset()
