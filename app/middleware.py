"""The edge: what is refused before a request body is read (ASGI middleware).

FastAPI reads and parses a body before it runs a route's dependencies, so the X-API-Key
dependency alone would let anyone make the server read (and hold) a large body. `EdgeGuard` runs
first and answers without touching the body:

- 401 for a route behind the API key (every operation the OpenAPI schema marks with the
  X-API-Key scheme, plus /docs, /redoc, /openapi.json and /metrics unless EXPOSE_DOCS /
  METRICS_PUBLIC say they are public) when the key is missing or wrong;
- 413 when Content-Length is over the limit, or when a body without one grows past it:
  MAX_REQUEST_BODY_BYTES, or MAX_UPLOAD_BYTES (plus the multipart framing) for a multipart
  upload to a route behind the key.

The route's own dependency still checks the key; this only refuses earlier.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import structlog
from fastapi import FastAPI, HTTPException, status
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.security import API_KEY_HEADER, UNAUTHORIZED_DETAIL, api_key_matches

MULTIPART_OVERHEAD_BYTES = 64 * 1024
# Swagger UI and ReDoc, served from vendored files by app/web/docs.py.
DOC_PAGES = ("/docs", "/redoc")
REQUEST_ID_HEADER = "X-Request-ID"

log = structlog.get_logger("app")


class RequestContext:
    """Every log line of a request carries its id, returned as X-Request-ID; an escaped error
    is logged and answered 500 with that id.

    Plain ASGI rather than Starlette's BaseHTTPMiddleware, which runs each request in a task of
    its own behind memory streams: that costs every webhook CPU the event loop is short of.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", method=scope.get("method"), path=scope.get("path"))
            if started:
                raise
            response = JSONResponse(
                {"detail": "Internal server error."},
                status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
                headers={REQUEST_ID_HEADER: request_id},
            )
            await response(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without Content-Length grows past the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"Request body too large: at most {limit} bytes."


@dataclass(frozen=True, slots=True)
class _Protected:
    """Which paths need the API key, compiled once from the app's OpenAPI schema."""

    patterns: tuple[re.Pattern[str], ...]
    exact: frozenset[str]

    @classmethod
    def of(cls, app: FastAPI, settings: Settings) -> _Protected:
        patterns = []
        for path, operations in app.openapi().get("paths", {}).items():
            if any(op.get("security") for op in operations.values() if isinstance(op, dict)):
                parts = re.split(r"\{[^}]+\}", path)
                patterns.append(re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z"))
        exact: set[str] = set()
        if not settings.docs_open:
            exact |= {url for url in (app.openapi_url, *DOC_PAGES) if url}
        if not settings.metrics_open:
            exact.add("/metrics")
        return cls(tuple(patterns), frozenset(exact))

    def __contains__(self, path: str) -> bool:
        return path in self.exact or any(p.match(path) for p in self.patterns)


class EdgeGuard:
    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self._protected: _Protected | None = None

    def _is_protected(self, path: str, settings: Settings) -> bool:
        if self._protected is None:
            self._protected = _Protected.of(self.fastapi_app, settings)
        return path in self._protected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings: Settings = self.fastapi_app.state.settings
        headers = Headers(scope=scope)
        protected = self._is_protected(scope["path"], settings)
        if protected and not api_key_matches(settings, headers.get(API_KEY_HEADER)):
            response = JSONResponse(
                {"detail": UNAUTHORIZED_DETAIL},
                status_code=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "API-Key"},
            )
            await response(scope, receive, send)
            return
        limit = settings.max_request_body_bytes
        if protected and headers.get("content-type", "").startswith("multipart/form-data"):
            limit = settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = JSONResponse(
                {"detail": _too_large(limit)}, status_code=status.HTTP_413_CONTENT_TOO_LARGE
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing (BodyTooLarge, a 413) once the body passes `limit` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted
