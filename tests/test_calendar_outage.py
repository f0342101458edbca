"""The calendar server goes down in the middle of a call: the offer was read while it was up,
the booking's fresh read times out (a server that accepts and never answers), so the call books
on the last known free/busy and the meeting waits in the outbox; it syncs once the server is
back. A conflict found on sync is shown on the meeting. DST changes keep busy time in place."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from app.clock import FrozenClock
from tests.call_runner import play_call
from tests.fakes.radicale import PASSWORD, USERNAME, Radicale
from tests.fakes.twilio import add_lead

IL = ZoneInfo("Asia/Jerusalem")
# The lead has no email: after the booking it is asked for one and says it has none.
PICK_FIRST = [
    "כן, בטח, יש לי דקה",
    "יש לנו צוות של שלושה",
    "בעיקר בטלפון",
    "הראשון נשמע טוב",
    "אין לי מייל",
]


class BlackHole:
    """Listens on a port and never answers: a calendar server that hangs."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)

    def close(self) -> None:
        self.sock.close()  # the connections never accepted are reset


@pytest.fixture
def radicale() -> Iterator[Radicale]:
    server = Radicale()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def rep_calendar(radicale: Radicale) -> str:
    return radicale.make_calendar()


@pytest.fixture
def settings_overrides(radicale: Radicale, rep_calendar: str) -> dict[str, object]:
    rep = {"name": "Dana Levi", "email": "dana@example.com", "calendar": rep_calendar}
    return {
        "calendar_backend": "caldav",
        "caldav_url": radicale.url,
        "caldav_username": USERNAME,
        "caldav_password": PASSWORD,
        "sales_reps": json.dumps([rep]),
        "calendar_timeout_seconds": 0.3,
    }


async def test_the_calendar_hanging_mid_call_books_locally_and_syncs_when_it_is_back(
    app: FastAPI,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    radicale: Radicale,
    rep_calendar: str,
) -> None:
    holes: list[BlackHole] = []

    def fill(line: str, offered: list[datetime]) -> str:
        if offered and not holes:  # offered while up; the server hangs before the pick
            radicale.stop()
            holes.append(BlackHole(radicale.port))
        return line

    try:
        played = await play_call(app, PICK_FIRST, fill=fill)
    finally:
        for hole in holes:
            hole.close()
    assert holes and played.call.outcome == "booked", played.transcript
    meeting_id = played.call.meeting_id
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    assert (detail["sync"], detail["external_event_id"]) == ("pending", None)

    worker = app.state.scheduling.worker
    await worker.run_once()  # the server is down: the job waits for the next try
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    [job] = [d for d in detail["deliveries"] if d["kind"].startswith("calendar.")]
    assert (job["kind"], job["state"], job["attempts"]) == ("calendar.create", "pending", 1)
    assert job["last_error"] and detail["sync_error"].startswith("waiting for the calendar")

    radicale.start()
    clock.advance(timedelta(seconds=11))  # past the first backoff
    await worker.drain()
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    assert detail["sync"] == "synced" and detail["sync_error"] is None, detail
    uids = {str(event["uid"]) for event in radicale.events(rep_calendar)}
    assert uids == {f"meeting-{meeting_id}@agent-messiah"}


async def test_a_clash_found_on_sync_is_shown_on_the_meeting(
    app: FastAPI, client: httpx.AsyncClient, radicale: Radicale, rep_calendar: str
) -> None:
    start = datetime(2026, 11, 25, 10, 0, tzinfo=IL)
    radicale.stop()  # down while booking: nothing known, the rep counts as free
    lead_id = await add_lead(app)
    created = await client.post("/meetings", json={"lead_id": lead_id, "start": start.isoformat()})
    assert created.status_code == 201, created.text
    radicale.start()
    radicale.add_busy(rep_calendar, start, start + timedelta(hours=1), summary="Board meeting")
    await app.state.scheduling.worker.drain()
    detail = (await client.get(f"/meetings/{created.json()['id']}")).json()
    assert detail["sync"] == "conflict"
    assert "busy at that time" in detail["sync_error"]
    assert [(d["kind"], d["state"]) for d in detail["deliveries"]] == [("calendar.create", "done")]
    assert len(radicale.events(rep_calendar)) == 1  # never written over the rep's own event


async def test_busy_time_stays_put_across_the_end_of_daylight_saving(
    app: FastAPI,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    radicale: Radicale,
    rep_calendar: str,
) -> None:
    """Israel leaves DST on Sunday 25 October 2026: the same UTC hour is 10:00 local on the
    Thursday before and 09:00 on the Sunday."""
    clock.set(datetime(2026, 10, 21, 6, 0, tzinfo=UTC))  # Wednesday 09:00 (UTC+3)
    thursday = datetime(2026, 10, 22, 7, 0, tzinfo=UTC)
    sunday = datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    for moment in (thursday, sunday):
        radicale.add_busy(rep_calendar, moment, moment + timedelta(hours=1))
    slots = (await client.get("/meetings/available", params={"count": 20})).json()
    starts = {slot["start"] for slot in slots}
    assert "2026-10-22T09:30:00+03:00" in starts
    assert not {"2026-10-22T10:00:00+03:00", "2026-10-22T10:30:00+03:00"} & starts
    assert "2026-10-22T11:00:00+03:00" in starts
    free = await app.state.scheduling.scheduler.free_slots(app.state.sessionmaker)
    sunday_local = [s.start.isoformat() for s in free if s.start.date().day == 25]
    assert sunday_local[:2] == ["2026-10-25T10:00:00+02:00", "2026-10-25T10:30:00+02:00"]
    lead_id = await add_lead(app)
    refused = await client.post(
        "/meetings", json={"lead_id": lead_id, "start": "2026-10-25T09:30:00+02:00"}
    )
    assert refused.status_code == 409
    booked = await client.post(
        "/meetings", json={"lead_id": lead_id, "start": "2026-10-25T10:00:00+02:00"}
    )
    assert booked.status_code == 201 and booked.json()["end"] == "2026-10-25T10:30:00+02:00"
