"""The dialer's view of the phone network: shared by campaigns whatever the network is."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import FastAPI

from app.calls.models import Channel
from app.campaigns.dialer import Dialer, DialRateLimited, DialRefused
from app.clock import Clock
from app.config import Settings
from app.telephony.base import Telephony, TelephonyError

log = structlog.get_logger(__name__)


class TelephonyCallPlacer:
    """Places a campaign's call: a call id, or DialRateLimited / DialRefused."""

    def __init__(self, telephony: Telephony) -> None:
        self.telephony = telephony
        self.channel: Channel = telephony.channel

    async def place(self, call_id: int, phone: str) -> str:
        try:
            placed = await self.telephony.place_call(call_id, phone)
        except TelephonyError as exc:
            if exc.rate_limited:
                raise DialRateLimited(exc.message) from exc
            raise DialRefused(f"{exc.message} (code {exc.code})") from exc
        return placed.sid


def start_dialer(
    app: FastAPI, settings: Settings, clock: Clock, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """Runs the campaign dialer in this process when enabled, over whichever network is in use."""
    if not settings.dialer_enabled:
        return None
    telephony: Telephony = app.state.telephony
    log.info("dialer_network", network=telephony.name)
    dialer = Dialer(
        app.state.sessionmaker,
        settings,
        clock,
        TelephonyCallPlacer(telephony),
        poll_seconds=settings.dialer_poll_seconds,
    )
    return asyncio.create_task(dialer.run(stop), name="campaign-dialer")
