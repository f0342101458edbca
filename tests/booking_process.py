"""A standalone booking process for the race test: `python -m tests.booking_process`.

Reads the usual settings from the environment (DATABASE_URL, CALENDAR_BACKEND, CALDAV_*,
SALES_REPS), its clock from BOOKING_CLOCK (ISO 8601), says "ready", waits for a line on stdin,
then books BOOKING_START for lead BOOKING_LEAD_ID through the scheduler and prints
"booked <rep key>" or "taken".
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

from app.calendars.backends import build_calendar
from app.calendars.scheduler import Scheduler
from app.clock import FrozenClock
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.meetings.errors import SlotTaken


async def main() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    clock = FrozenClock(datetime.fromisoformat(os.environ["BOOKING_CLOCK"]))
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    scheduler = Scheduler(settings, clock, build_calendar(settings))
    start = datetime.fromisoformat(os.environ["BOOKING_START"])
    lead_id = int(os.environ["BOOKING_LEAD_ID"])
    await scheduler.freebusy.read(settings.reps, start, start)  # connect before the race
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    try:
        meeting = await scheduler.book(sessions, lead_id, start)
        print(f"booked {meeting.calendar}", flush=True)
    except SlotTaken:
        print("taken", flush=True)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
