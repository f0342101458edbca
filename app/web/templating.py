"""One Jinja2 environment for the console, and `render`, which every page answers through."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app.config import Settings
from app.web.auth import ConsoleSession, set_session_cookie

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

NAV = (
    ("overview", "/", "Overview"),
    ("leads", "/console/leads", "Leads"),
    ("calls", "/console/calls", "Calls"),
    ("meetings", "/console/meetings", "Meetings"),
    ("campaigns", "/console/campaigns", "Campaigns"),
    ("try", "/console/try", "Try a call"),
    ("agent", "/console/agent", "Agent"),
)


def _local(value: datetime | None, settings: Settings, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant in the business time zone, for people to read."""
    return value.astimezone(settings.tz).strftime(fmt) if value is not None else ""


def _masked(phone: str | None) -> str:
    """A phone with its middle hidden, for lists seen over a shoulder."""
    if not phone:
        return ""
    return phone if len(phone) < 8 else f"{phone[:4]}•••{phone[-3:]}"


templates.env.filters["masked"] = _masked


def render(
    request: Request,
    console: ConsoleSession,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    page: str | None = None,
) -> Response:
    """Renders a template with what every page shows (nav, CSRF token, time zone)."""
    settings: Settings = request.app.state.settings

    def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return _local(value, settings, fmt)

    response = templates.TemplateResponse(
        request,
        name,
        {
            "nav": NAV,
            "page": page,
            "csrf_token": console.csrf_token,
            "logged_in": console.authenticated and settings.api_key is not None,
            "local": local,
            "tz_name": settings.business_timezone,
            **(context or {}),
        },
        status_code=status_code,
    )
    if console.is_new:
        set_session_cookie(request, response, console)
    # No other site may frame a page whose buttons act (clickjacking), nor learn its URLs.
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
