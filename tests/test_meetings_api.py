"""/meetings over HTTP: booking, conflicts, rules, cancelling, .ics, and a 50-way race for one slot.

The frozen clock stands at Tuesday 24 November 2026, 10:00 in Israel (+02:00).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import FrozenClock
from app.config import Settings
from app.leads.models import Lead
from app.meetings import service
from app.meetings.errors import SlotTaken
from app.meetings.models import Meeting, MeetingStatus

pytestmark = pytest.mark.both_backends

IL = ZoneInfo("Asia/Jerusalem")
WEDNESDAY_10 = "2026-11-25T10:00:00+02:00"


async def add_lead(
    session: AsyncSession,
    phone: str = "+972501234567",
    *,
    name: str = "Dana Cohen",
    company: str | None = "Acme Ltd",
    email: str | None = None,
) -> int:
    """Inserts a lead directly and commits, so the app (another engine) sees it."""
    lead = Lead(name=name, phone=phone, company=company, email=email)
    session.add(lead)
    await session.commit()
    return lead.id


async def book(client: httpx.AsyncClient, lead_id: int, start: str) -> httpx.Response:
    return await client.post("/meetings", json={"lead_id": lead_id, "start": start})


async def test_book_then_read_back(client: httpx.AsyncClient, session: AsyncSession) -> None:
    lead_id = await add_lead(session)
    response = await book(client, lead_id, WEDNESDAY_10)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["lead_id"] == lead_id
    assert created["call_id"] is None
    assert created["start"] == WEDNESDAY_10
    assert created["end"] == "2026-11-25T10:30:00+02:00"
    assert created["status"] == "booked"
    assert created["rep"] == {"key": "sales", "name": "Sales team", "email": "meetings@example.com"}
    assert (created["sync"], created["external_event_id"]) == ("local", None)
    detail = (await client.get(f"/meetings/{created['id']}")).json()
    # No email, and +972501234567 is not a number any mobile network hands out: nothing to send.
    assert detail.pop("deliveries") == []
    assert detail == created
    assert (await client.get("/meetings")).json() == [created]


async def test_same_slot_twice_is_409_whatever_the_offset(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await add_lead(session, "+972501234567")
    second = await add_lead(session, "+972521234567", name="Yossi Levi")
    assert (await book(client, first, WEDNESDAY_10)).status_code == 201
    again = await book(client, second, "2026-11-25T08:00:00Z")  # the same instant, in UTC
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Slot taken: Wednesday, November 25 at 10:00")
    meetings = (await client.get("/meetings")).json()
    assert [meeting["lead_id"] for meeting in meetings] == [first]


@pytest.mark.parametrize(
    ("start", "why"),
    [
        ("2026-11-28T10:00:00+02:00", "Shabbat"),
        ("2026-11-27T10:00:00+02:00", "Friday"),
        ("2026-11-25T10:15:00+02:00", "grid"),
        ("2026-11-25T17:45:00+02:00", "outside business hours"),
        ("2026-11-24T11:00:00+02:00", "notice"),
        ("2026-11-23T10:00:00+02:00", "past"),
        ("2027-01-10T10:00:00+02:00", "ahead"),
    ],
)
async def test_not_an_allowed_slot_is_422(
    client: httpx.AsyncClient, session: AsyncSession, start: str, why: str
) -> None:
    lead_id = await add_lead(session)
    response = await book(client, lead_id, start)
    assert response.status_code == 422
    [error] = response.json()["detail"]  # the documented validation shape, never a string
    assert error["loc"] == ["body", "start"]
    assert error["msg"].startswith("Not an allowed slot:")
    assert why in error["msg"]


async def test_naive_start_is_422_with_a_clear_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    lead_id = await add_lead(session)
    response = await book(client, lead_id, "2026-11-25T10:00:00")
    assert response.status_code == 422
    assert "UTC offset" in response.text


async def test_unknown_lead_is_404(client: httpx.AsyncClient) -> None:
    response = await book(client, 9999, WEDNESDAY_10)
    assert response.status_code == 404
    assert response.json()["detail"] == "Lead 9999 not found."


async def test_unknown_meeting_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/meetings/9999")).status_code == 404
    assert (await client.get("/meetings/9999.ics")).status_code == 404
    assert (await client.delete("/meetings/9999")).status_code == 404


async def test_ics_with_attendee(client: httpx.AsyncClient, session: AsyncSession) -> None:
    lead_id = await add_lead(session, email="dana@acme.example")
    meeting = (await book(client, lead_id, WEDNESDAY_10)).json()
    response = await client.get(f"/meetings/{meeting['id']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;TZID=Asia/Jerusalem:20261125T100000" in response.text
    assert "DTEND;TZID=Asia/Jerusalem:20261125T103000" in response.text
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jerusalem"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting['id']}@agent-messiah"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Alta intro call with Dana Cohen (Acme Ltd)"
    assert event.decoded("DTSTART") == datetime(2026, 11, 25, 10, tzinfo=IL)
    assert "DTSTAMP" in event
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:dana@acme.example"
    assert attendee.params["CN"] == "Dana Cohen"


async def test_ics_without_email_has_no_attendee(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    lead_id = await add_lead(session, email=None, company=None)
    meeting = (await book(client, lead_id, WEDNESDAY_10)).json()
    response = await client.get(f"/meetings/{meeting['id']}.ics")
    assert response.status_code == 200
    assert "ATTENDEE" not in response.text
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Alta intro call with Dana Cohen"


async def test_cancel_frees_the_slot(client: httpx.AsyncClient, session: AsyncSession) -> None:
    first = await add_lead(session, "+972501234567")
    second = await add_lead(session, "+972521234567", name="Yossi Levi")
    meeting = (await book(client, first, WEDNESDAY_10)).json()
    cancelled = await client.delete(f"/meetings/{meeting['id']}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["start"] == WEDNESDAY_10
    ics = await client.get(f"/meetings/{meeting['id']}.ics")
    assert "STATUS:CANCELLED" in ics.text
    assert "METHOD:CANCEL" in ics.text
    rebooked = await book(client, second, WEDNESDAY_10)
    assert rebooked.status_code == 201, rebooked.text
    assert [m["id"] for m in (await client.get("/meetings")).json()] == [rebooked.json()["id"]]
    everything = (await client.get("/meetings", params={"include_cancelled": True})).json()
    assert [(m["id"], m["status"]) for m in everything] == [
        (rebooked.json()["id"], "booked"),
        (meeting["id"], "cancelled"),
    ]


async def test_available_offers_two_future_slots_on_different_days(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.get("/meetings/available", params={"count": 2})
    assert response.status_code == 200
    slots = response.json()
    assert [slot["start"] for slot in slots] == [
        "2026-11-24T12:00:00+02:00",
        "2026-11-25T09:00:00+02:00",
    ]
    assert [slot["label"] for slot in slots] == [
        "Tuesday, November 24 at 12:00",
        "Wednesday, November 25 at 09:00",
    ]
    assert slots[0]["end"] == "2026-11-24T12:30:00+02:00"
    now = datetime.fromisoformat("2026-11-24T10:00:00+02:00")
    assert all(datetime.fromisoformat(slot["start"]) > now for slot in slots)
    assert (await client.get("/meetings/available")).json() == slots  # count defaults to 2

    lead_id = await add_lead(session)
    assert (await book(client, lead_id, "2026-11-24T12:00:00+02:00")).status_code == 201
    after = (await client.get("/meetings/available")).json()
    assert [slot["start"] for slot in after] == [
        "2026-11-24T12:30:00+02:00",
        "2026-11-25T09:00:00+02:00",
    ]


async def test_available_count(client: httpx.AsyncClient) -> None:
    slots = (await client.get("/meetings/available", params={"count": 5})).json()
    assert [slot["start"][11:16] for slot in slots] == ["12:00", "12:30", "13:00", "13:30", "14:00"]
    assert (await client.get("/meetings/available", params={"count": 0})).status_code == 422
    assert (await client.get("/meetings/available", params={"count": 21})).status_code == 422


async def test_fifty_concurrent_bookings_of_one_slot(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    lead_ids = [await add_lead(session, f"+9725012{i:05d}", name=f"Lead {i}") for i in range(50)]
    responses = await asyncio.gather(*(book(client, lead_id, WEDNESDAY_10) for lead_id in lead_ids))
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * 49, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    booked = await session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.status == MeetingStatus.booked)
    )
    await session.rollback()
    assert booked == 1


async def test_a_lost_race_leaves_the_session_usable(
    session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    """The agent may try another slot in the same transaction after SlotTaken."""
    lead_id = await add_lead(session)
    wednesday = datetime(2026, 11, 25, 10, tzinfo=IL)
    first = await service.book_meeting(session, settings, clock, lead_id, wednesday)
    with pytest.raises(SlotTaken):
        await service.book_meeting(session, settings, clock, lead_id, wednesday)
    second = await service.book_meeting(
        session, settings, clock, lead_id, wednesday + timedelta(minutes=30), call_id=7
    )
    await session.commit()
    assert second.call_id == 7
    assert second.end - second.start == timedelta(minutes=30)
    starts = list(await session.scalars(select(Meeting.start).order_by(Meeting.start)))
    assert starts == [first.start, second.start]
    await session.rollback()
