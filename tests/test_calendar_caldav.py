"""Against a real CalDAV server (Radicale) and a real SMTP server (aiosmtpd): a rep's busy event
removes the slot from offers, a booking lands in the rep's calendar with the lead as attendee,
the lead receives a valid METHOD:REQUEST invite, and cancelling deletes the event and sends
METHOD:CANCEL. A busy event added after the offer is refused in Hebrew with a new offer."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar
from sqlalchemy import select

from app.clock import FrozenClock
from app.integrations.models import OutgoingMessage
from app.language import he
from app.meetings.models import Meeting
from tests.call_runner import play_call
from tests.fakes.radicale import PASSWORD, USERNAME, Radicale
from tests.fakes.smtp import SmtpServer
from tests.fakes.twilio import add_lead

IL = ZoneInfo("Asia/Jerusalem")
TUESDAY_12 = datetime(2026, 11, 24, 12, 0, tzinfo=IL)  # the first slot: 10:00 now, 2 h notice
MOBILE = "+972547654321"


@pytest.fixture
def rep_calendar(radicale_server: Radicale) -> str:
    return radicale_server.make_calendar()


@pytest.fixture
def settings_overrides(
    radicale_server: Radicale, rep_calendar: str, smtp_server: SmtpServer
) -> dict[str, object]:
    rep = {
        "name": "Dana Levi",
        "name_he": "דנה לוי",
        "email": "dana@example.com",
        "calendar": rep_calendar,
    }
    return {
        "calendar_backend": "caldav",
        "caldav_url": radicale_server.url,
        "caldav_username": USERNAME,
        "caldav_password": PASSWORD,
        "sales_reps": json.dumps([rep]),
        **smtp_server.settings_overrides(),
    }


async def deliver(app: FastAPI) -> None:
    await app.state.scheduling.worker.drain()


def invite_of(message: object) -> Calendar:
    """The text/calendar part of a received mail, parsed."""
    part = message.get_body(preferencelist=("calendar",))  # type: ignore[attr-defined]
    assert part is not None, "no text/calendar part"
    return Calendar.from_ical(part.get_content())


async def test_a_busy_event_in_the_reps_calendar_is_not_offered_once_read(
    client: httpx.AsyncClient, clock: FrozenClock, radicale_server: Radicale, rep_calendar: str
) -> None:
    def starts(slots: list[dict[str, str]]) -> list[str]:
        return [slot["start"] for slot in slots]

    before = (await client.get("/meetings/available", params={"count": 3})).json()
    assert starts(before)[0] == TUESDAY_12.isoformat()
    radicale_server.add_busy(rep_calendar, TUESDAY_12, TUESDAY_12 + timedelta(hours=1))
    cached = (await client.get("/meetings/available", params={"count": 3})).json()
    assert cached == before  # free/busy younger than CALENDAR_CACHE_SECONDS is reused
    clock.advance(timedelta(seconds=61))
    after = (await client.get("/meetings/available", params={"count": 3})).json()
    assert starts(after) == [
        (TUESDAY_12 + timedelta(hours=1)).isoformat(),
        (TUESDAY_12 + timedelta(hours=1, minutes=30)).isoformat(),
        (TUESDAY_12 + timedelta(hours=2)).isoformat(),
    ]


async def test_booking_writes_the_event_invites_the_lead_and_cancelling_undoes_both(
    app: FastAPI,
    client: httpx.AsyncClient,
    radicale_server: Radicale,
    rep_calendar: str,
    smtp_server: SmtpServer,
) -> None:
    radicale_server.add_busy(rep_calendar, TUESDAY_12, TUESDAY_12 + timedelta(hours=1))
    offered = (await client.get("/meetings/available", params={"count": 2})).json()
    starts = [datetime.fromisoformat(slot["start"]) for slot in offered]
    assert TUESDAY_12 not in starts and TUESDAY_12 + timedelta(minutes=30) not in starts
    lead_id = await add_lead(app, phone=MOBILE, email="lead@example.com", name="Yossi Cohen")
    one = TUESDAY_12 + timedelta(hours=1)
    response = await client.post("/meetings", json={"lead_id": lead_id, "start": one.isoformat()})
    assert response.status_code == 201, response.text
    meeting = response.json()
    assert meeting["sync"] == "pending" and meeting["rep"]["name"] == "Dana Levi"

    await deliver(app)
    detail = (await client.get(f"/meetings/{meeting['id']}")).json()
    assert detail["sync"] == "synced", detail
    assert detail["external_event_id"].startswith(rep_calendar)
    assert {(d["kind"], d["state"]) for d in detail["deliveries"]} == {
        ("calendar.create", "done"),
        ("mail.invite", "done"),
        ("sms.confirm", "done"),
    }
    stored = {str(e["uid"]): e for e in radicale_server.events(rep_calendar)}
    ours = stored[f"meeting-{meeting['id']}@agent-messiah"]
    assert ours["dtstart"].dt == one
    assert str(ours["attendee"]) == "mailto:lead@example.com"
    assert str(ours["organizer"]) == "mailto:dana@example.com"

    [received] = smtp_server.mailbox.messages
    assert received.rcpt_tos == ["lead@example.com"]
    assert received.message["Subject"].startswith("הזמנה: פגישה עם אלטה")
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "דנה לוי" in body and he.slot_phrase(one, IL) in body
    invite = invite_of(received.message)
    assert invite["method"] == "REQUEST"
    [event] = invite.walk("VEVENT")
    assert event["dtstart"].dt == one and str(event["organizer"]) == "mailto:dana@example.com"

    async with app.state.sessionmaker() as session:
        [sms] = (await session.scalars(select(OutgoingMessage))).all()
    assert sms.channel == "sms" and sms.to_address == MOBILE
    assert he.slot_phrase(one, IL) in sms.body and not any(ch.isdigit() for ch in sms.body)

    cancelled = await client.delete(f"/meetings/{meeting['id']}")
    assert cancelled.status_code == 200
    await deliver(app)
    uids = {str(e["uid"]) for e in radicale_server.events(rep_calendar)}
    assert f"meeting-{meeting['id']}@agent-messiah" not in uids
    assert len(uids) == 1  # the rep's own busy event stays
    cancel_mail = smtp_server.mailbox.messages[-1]
    assert cancel_mail.message["Subject"].startswith("בוטלה:")
    assert invite_of(cancel_mail.message)["method"] == "CANCEL"


async def test_an_event_added_after_the_offer_is_refused_in_hebrew_with_a_new_offer(
    app: FastAPI, radicale_server: Radicale, rep_calendar: str
) -> None:
    taken: list[datetime] = []

    def fill(line: str, offered: list[datetime]) -> str:
        if offered and not taken:  # the rep's phone adds a dentist at the first offered time
            taken.append(offered[0])
            radicale_server.add_busy(rep_calendar, offered[0], offered[0] + timedelta(minutes=30))
        return line

    played = await play_call(
        app,
        ["כן, בטח, יש לי דקה", "יש לנו צוות של שלושה", "בעיקר בטלפון", "הראשון נשמע טוב"],
        lead={"gender": "female"},
        fill=fill,
    )
    assert taken, played.transcript
    last = played.turns[-1].agent_he
    assert last.startswith("אופס, השעה הזאת נתפסה הרגע."), played.transcript
    assert played.call.outcome is None  # still talking: a new time is on offer
    async with app.state.sessionmaker() as session:
        assert (await session.scalars(select(Meeting))).all() == []


async def test_erasing_the_lead_deletes_its_event_from_the_reps_calendar(
    app: FastAPI, client: httpx.AsyncClient, radicale_server: Radicale, rep_calendar: str
) -> None:
    lead_id = await add_lead(app, email="lead@example.com")
    start = datetime(2026, 11, 25, 10, 0, tzinfo=IL)
    created = await client.post("/meetings", json={"lead_id": lead_id, "start": start.isoformat()})
    assert created.status_code == 201, created.text
    await deliver(app)
    assert len(radicale_server.events(rep_calendar)) == 1
    assert (await client.delete(f"/leads/{lead_id}")).status_code == 204
    await deliver(app)
    assert radicale_server.events(rep_calendar) == []  # its name and phone are gone there too
