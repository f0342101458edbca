"""Who may use the console: a login form trades API_KEY for a signed, HttpOnly session cookie.

Every visitor gets a session (anonymous until login); its id keys the CSRF token every form and
HTMX request carries. With API_KEY unset the console is open, as the API is, but forms still
need the token, so another site cannot post them through the browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from app.config import Settings

COOKIE = "messiah_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """This browser's session: its id, whether it logged in, and whether the cookie is new."""

    sid: str
    authenticated: bool
    secret: bytes
    is_new: bool = False

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.secret, f"csrf:{self.sid}".encode(), hashlib.sha256).hexdigest()


def _secret(request: Request) -> bytes:
    """CONSOLE_SECRET, else one derived from API_KEY, else a random one for this process."""
    settings: Settings = request.app.state.settings
    if settings.console_secret is not None:
        return settings.console_secret.get_secret_value().encode()
    if settings.api_key is not None:
        key = settings.api_key.get_secret_value().encode()
        return hashlib.sha256(b"messiah-console:" + key).digest()
    state = request.app.state
    if getattr(state, "console_secret", None) is None:
        state.console_secret = secrets.token_bytes(32)
    secret: bytes = state.console_secret
    return secret


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="messiah-console-session")


def session_of(request: Request) -> ConsoleSession:
    """The session the cookie names, or a new anonymous one."""
    secret = _secret(request)
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(secret).loads(raw, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("sid"), str):
            return ConsoleSession(data["sid"], bool(data.get("auth")), secret)
    return ConsoleSession(secrets.token_urlsafe(24), False, secret, is_new=True)


def new_session(request: Request, *, authenticated: bool) -> ConsoleSession:
    """A fresh session id (on login and logout), so an old token is worth nothing."""
    return ConsoleSession(secrets.token_urlsafe(24), authenticated, _secret(request), is_new=True)


def set_session_cookie(request: Request, response: Response, console: ConsoleSession) -> None:
    settings: Settings = request.app.state.settings
    value = _serializer(console.secret).dumps({"sid": console.sid, "auth": console.authenticated})
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://") or request.url.scheme == "https",
        path="/",
    )


def _login_required(request: Request) -> HTTPException:
    """A page asks for login: a redirect, or HX-Redirect for an HTMX request."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={target}"
    if request.headers.get("HX-Request"):
        return HTTPException(status.HTTP_401_UNAUTHORIZED, "Log in", {"HX-Redirect": location})
    return HTTPException(status.HTTP_303_SEE_OTHER, "Log in", {"Location": location})


async def console_session(request: Request) -> ConsoleSession:
    """The visitor's session; with API_KEY set, only a logged-in one gets past."""
    console = session_of(request)
    settings: Settings = request.app.state.settings
    if settings.api_key is not None and not console.authenticated:
        raise _login_required(request)
    if request.method == "POST":
        await _check_csrf(request, console)
    return console


async def _check_csrf(request: Request, console: ConsoleSession) -> None:
    """A form or HTMX post must carry this session's token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if console.is_new or sent is None or not hmac.compare_digest(sent, console.csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "The form's security token is missing or stale: reload."
        )


async def anonymous_session(request: Request) -> ConsoleSession:
    """For the login page itself: any session, CSRF-checked on post."""
    console = session_of(request)
    if request.method == "POST":
        await _check_csrf(request, console)
    return console


Console = Annotated[ConsoleSession, Depends(console_session)]
Visitor = Annotated[ConsoleSession, Depends(anonymous_session)]
