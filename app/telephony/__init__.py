"""The phone network: Twilio when it is configured, else the offline network (telephony/base.py)."""

from __future__ import annotations

import httpx
import structlog
from fastapi import FastAPI

from app.config import Settings
from app.http import POOL_LIMITS
from app.telephony.base import Telephony
from app.telephony.offline import OfflineTelephony
from app.telephony.twilio.client import TwilioTelephony
from app.telephony.twilio.events import CallEvents
from app.telephony.twilio.relay_voices import relay_problems

log = structlog.get_logger("app.telephony")


def build_telephony(app: FastAPI, settings: Settings) -> Telephony:
    """Twilio with its credentials and caller id; otherwise the offline network."""
    if settings.twilio_can_dial:
        return TwilioTelephony(settings, app.state.http)
    return OfflineTelephony(
        app.state.sessionmaker, app.state.conversation, app.state.clock, settings
    )


def open_telephony(app: FastAPI, settings: Settings) -> None:
    """One shared HTTP client (recordings, Twilio REST), the phone network, the debug buffer."""
    app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0), limits=POOL_LIMITS)
    app.state.telephony = build_telephony(app, settings)
    app.state.call_events = CallEvents(enabled=settings.debug_call_events)
    log.info("phone_network", network=app.state.telephony.name)
    if settings.twilio_auth_token is None:
        log.warning(
            "twilio_webhooks_not_verified",
            detail="TWILIO_AUTH_TOKEN is unset: /twilio/* webhooks are NOT verified "
            "(X-Twilio-Signature) and anyone can drive calls. Set it for any public deployment.",
        )
    if settings.twilio_input_mode == "relay":
        for problem in relay_problems(settings):
            log.warning("relay_voice_unsupported", detail=problem)


async def close_telephony(app: FastAPI) -> None:
    telephony: Telephony | None = getattr(app.state, "telephony", None)
    if telephony is not None:
        await telephony.aclose()
    http = getattr(app.state, "http", None)
    if http is not None:
        await http.aclose()
