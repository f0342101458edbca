"""Placing a stored Call through Twilio: shared by POST /outbound/initiate-call and the dialer."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import FastAPI

from app.calls.models import Channel
from app.campaigns.dialer import CallPlacer, Dialer, DialRateLimited, DialRefused
from app.clock import Clock
from app.config import Settings
from app.telephony.twilio_client import PlacedCall, Telephony, TelephonyError
from app.telephony.twiml import webhook_url

log = structlog.get_logger(__name__)
RATE_LIMIT_CODE = 20429


async def place(telephony: Telephony, settings: Settings, call_id: int, phone: str) -> PlacedCall:
    """Dials `phone` for Call `call_id`: webhooks, status events and answering-machine detection."""
    assert settings.twilio_caller_id, "TWILIO_CALLER_ID is required to place calls"
    status_url = webhook_url(settings, "/twilio/call-status", call_id=call_id)
    return await telephony.place_call(
        to=phone,
        from_=settings.twilio_caller_id,
        url=webhook_url(settings, "/twilio/voice", call_id=call_id),
        status_callback=status_url,
        # Leaving a message waits for the beep; hanging up only needs to know it is a machine.
        machine_detection="DetectMessageEnd"
        if settings.voicemail_policy == "message"
        else "Enable",
        amd_callback=status_url,
    )


class TwilioCallPlacer(CallPlacer):
    """The dialer's view of Twilio: a CallSid, or DialRateLimited / DialRefused."""

    channel = Channel.twilio

    def __init__(self, telephony: Telephony, settings: Settings) -> None:
        self.telephony = telephony
        self.settings = settings

    async def place(self, call_id: int, phone: str) -> str:
        try:
            placed = await place(self.telephony, self.settings, call_id, phone)
        except TelephonyError as exc:
            if exc.status == 429 or exc.code == RATE_LIMIT_CODE:
                raise DialRateLimited(exc.message) from exc
            raise DialRefused(f"{exc.message} (code {exc.code})") from exc
        return placed.sid


def start_dialer(
    app: FastAPI, settings: Settings, clock: Clock, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """Runs the campaign dialer in this process when enabled and Twilio can place calls."""
    telephony: Telephony | None = getattr(app.state, "telephony", None)
    if not settings.dialer_enabled:
        return None
    if telephony is None or not settings.twilio_caller_id:
        log.warning(
            "dialer_idle",
            detail="campaigns are stored but not dialed: Twilio is not configured "
            "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_CALLER_ID)",
        )
        return None
    dialer = Dialer(
        app.state.sessionmaker,
        settings,
        clock,
        TwilioCallPlacer(telephony, settings),
        poll_seconds=settings.dialer_poll_seconds,
    )
    return asyncio.create_task(dialer.run(stop), name="campaign-dialer")
