"""Two OS processes book the last free rep slot at once, each having seen the rep free in the
real CalDAV calendar: one meeting, one clear refusal, never a double booking."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.meetings.models import Meeting, MeetingStatus
from tests.conftest import DEFAULT_NOW
from tests.fakes.radicale import PASSWORD, USERNAME, Radicale
from tests.fakes.twilio import add_lead

ROOT = Path(__file__).resolve().parent.parent
IL = ZoneInfo("Asia/Jerusalem")
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=IL)


@pytest.fixture
def reps(radicale_server: Radicale) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "email": f"{name.lower()}@example.com",
            "calendar": radicale_server.make_calendar(),
        }
        for name in ("Dana", "Avi")
    ]


@pytest.fixture
def settings_overrides(radicale_server: Radicale, reps: list[dict[str, str]]) -> dict[str, object]:
    return {
        "calendar_backend": "caldav",
        "caldav_url": radicale_server.url,
        "caldav_username": USERNAME,
        "caldav_password": PASSWORD,
        "sales_reps": json.dumps(reps),
    }


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.booking_process",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if line.strip() != b"ready":
        _, err = await process.communicate()
        raise AssertionError(err.decode()[-2000:])
    return process


@pytest.mark.both_backends
async def test_two_processes_racing_for_the_last_free_rep_get_one_meeting(
    app: FastAPI,
    database_url: str,
    radicale_server: Radicale,
    reps: list[dict[str, str]],
    settings_overrides: dict[str, object],
) -> None:
    first = await add_lead(app, phone="+972547000001")
    response = await app.state.scheduling.scheduler.book(
        app.state.sessionmaker, first, WEDNESDAY_10
    )
    assert response.calendar in {"dana@example.com", "avi@example.com"}
    # One rep is left at Wednesday 10:00; two more leads, in two processes, want it.
    leads = [await add_lead(app, phone=f"+97254700000{i}") for i in (2, 3)]
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CALDAV", "CALENDAR", "SALES", "DATABASE"))
    }
    envs = [
        {
            **base,
            "DATABASE_URL": database_url,
            "CALENDAR_BACKEND": "caldav",
            "CALDAV_URL": radicale_server.url,
            "CALDAV_USERNAME": USERNAME,
            "CALDAV_PASSWORD": PASSWORD,
            "SALES_REPS": json.dumps(reps),
            "RUN_MIGRATIONS_ON_STARTUP": "false",
            "BOOKING_CLOCK": DEFAULT_NOW.isoformat(),
            "BOOKING_START": WEDNESDAY_10.isoformat(),
            "BOOKING_LEAD_ID": str(lead),
        }
        for lead in leads
    ]
    processes = [await _spawn(env) for env in envs]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
    for process in processes:
        assert process.stdin is not None
        await process.stdin.drain()
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    results = sorted(
        out.decode().splitlines()[-1].split()[0] if out else err.decode()[-500:]
        for out, err in outputs
    )
    assert results == ["booked", "taken"], outputs
    async with app.state.sessionmaker() as session:
        booked = (
            await session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.booked))
        ).all()
    assert len(booked) == 2
    assert {m.calendar for m in booked} == {"dana@example.com", "avi@example.com"}
