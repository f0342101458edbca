"""Twilio voice: TwiML, the REST client, the /twilio webhooks and /outbound/initiate-call."""

from __future__ import annotations

import httpx
import structlog
from fastapi import FastAPI

from app.config import Settings
from app.telephony.events import CallEvents
from app.telephony.twilio_client import build_telephony

log = structlog.get_logger("app.telephony")


def open_telephony(app: FastAPI, settings: Settings) -> None:
    """One shared HTTP client (recordings, Twilio REST), the Twilio client, the debug buffer."""
    app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    app.state.telephony = build_telephony(settings, app.state.http)
    app.state.call_events = CallEvents(enabled=settings.debug_call_events)
    if settings.twilio_auth_token is None:
        log.warning(
            "twilio_webhooks_not_verified",
            detail="TWILIO_AUTH_TOKEN is unset: /twilio/* webhooks are NOT verified "
            "(X-Twilio-Signature) and anyone can drive calls. Set it for any public deployment.",
        )


async def close_telephony(app: FastAPI) -> None:
    telephony = getattr(app.state, "telephony", None)
    if telephony is not None:
        await telephony.aclose()
    http = getattr(app.state, "http", None)
    if http is not None:
        await http.aclose()
