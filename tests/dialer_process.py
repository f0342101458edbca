"""A standalone dialer process for the multi-process test: `python -m tests.dialer_process`.

Reads the usual settings from the environment (DATABASE_URL, TWILIO_*), starts its clock at
DIALER_CLOCK_START (ISO 8601), says "ready" once SIGTERM stops it cleanly, and runs until SIGTERM
or DIALER_RUN_SECONDS; then prints how many calls it placed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import datetime, timedelta

import httpx

from app.campaigns.dialer import Dialer
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.telephony.dialing import TelephonyCallPlacer
from app.telephony.twilio.client import TwilioTelephony


class RunningClock:
    def __init__(self, start: datetime) -> None:
        self.start, self.started = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


async def main() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    clock = RunningClock(datetime.fromisoformat(os.environ["DIALER_CLOCK_START"]))
    engine = create_engine(settings.database_url)
    async with httpx.AsyncClient() as http:
        telephony = TwilioTelephony(settings, http)
        placer = TelephonyCallPlacer(telephony)
        dialer = Dialer(create_sessionmaker(engine), settings, clock, placer, poll_seconds=0.05)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.call_later(float(os.environ["DIALER_RUN_SECONDS"]), stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await dialer.run(stop)
        await telephony.aclose()
    await engine.dispose()
    print(f"placed {dialer.placed_total}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
