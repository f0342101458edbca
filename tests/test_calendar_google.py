"""Google Calendar through Google's own client library against a loopback fake of its API and
token endpoint (no Google host is ever asked): freeBusy removes busy slots, events.insert
writes the booking with the lead as attendee, events.delete removes it on cancellation; both
kinds of credentials (service account, OAuth refresh token) get their tokens. The SMS goes
through the real Twilio SDK to the fake Twilio Messages API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from app.calendars.google import event_id
from app.clock import FrozenClock
from app.language import he
from tests.fakes.google_calendar import FakeGoogle
from tests.fakes.twilio import FakeTwilio, TwilioError, add_lead

IL = ZoneInfo("Asia/Jerusalem")
TUESDAY_12 = datetime(2026, 11, 24, 12, 0, tzinfo=IL)
REP_CALENDAR = "dana@example.com"
MOBILE = "+972547654321"


@pytest.fixture(params=["service_account", "authorized_user"])
def credentials_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_overrides(
    google_fake: FakeGoogle, twilio_fake: FakeTwilio, credentials_kind: str
) -> dict[str, object]:
    google_fake.busy(REP_CALENDAR, TUESDAY_12, TUESDAY_12 + timedelta(hours=1))
    credentials = (
        google_fake.service_account_json()
        if credentials_kind == "service_account"
        else google_fake.authorized_user_json()
    )
    rep = {"name": "Dana Levi", "email": "dana@example.com", "calendar": REP_CALENDAR}
    return {
        **twilio_fake.settings_overrides(),
        "calendar_backend": "google",
        "google_calendar_credentials": credentials,
        "google_calendar_api_url": google_fake.origin,
        "google_oauth_token_url": f"{google_fake.origin}/token",
        "sales_reps": json.dumps([rep]),
    }


async def test_google_free_busy_booking_and_cancellation(
    app: FastAPI,
    client: httpx.AsyncClient,
    google_fake: FakeGoogle,
    twilio_fake: FakeTwilio,
    credentials_kind: str,
) -> None:
    slots = (await client.get("/meetings/available", params={"count": 3})).json()
    one = TUESDAY_12 + timedelta(hours=1)  # the rep's own 12:00-13:00 is busy
    assert [slot["start"] for slot in slots] == [
        (one + timedelta(minutes=minutes)).isoformat() for minutes in (0, 30, 60)
    ]
    expected_grant = {
        "service_account": "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "authorized_user": "refresh_token",
    }[credentials_kind]
    assert google_fake.grants == [expected_grant]

    lead_id = await add_lead(app, phone=MOBILE, email="yossi@example.com", name="Yossi Cohen")
    created = await client.post("/meetings", json={"lead_id": lead_id, "start": one.isoformat()})
    assert created.status_code == 201, created.text
    meeting_id = created.json()["id"]
    await app.state.scheduling.worker.drain()
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    wanted = event_id(f"meeting-{meeting_id}@agent-messiah")
    assert (detail["sync"], detail["external_event_id"]) == ("synced", wanted)
    event = google_fake.events[REP_CALENDAR][wanted]
    assert event["attendees"] == [{"email": "yossi@example.com", "displayName": "Yossi Cohen"}]
    assert event["start"] == {"dateTime": one.isoformat(), "timeZone": "Asia/Jerusalem"}

    [sms] = twilio_fake.messages_sent()
    assert sms.authorized and sms.one("To") == MOBILE
    assert he.slot_phrase(one, IL) in (sms.one("Body") or "")

    assert (await client.delete(f"/meetings/{meeting_id}")).status_code == 200
    await app.state.scheduling.worker.drain()
    assert wanted not in google_fake.events[REP_CALENDAR]
    assert all("googleapis.com" not in call for call in google_fake.calls)


async def test_google_down_then_back_syncs_once_and_a_failed_sms_shows(
    app: FastAPI,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    google_fake: FakeGoogle,
    twilio_fake: FakeTwilio,
    credentials_kind: str,
) -> None:
    lead_id = await add_lead(app, phone=MOBILE)
    start = TUESDAY_12 + timedelta(hours=2)
    google_fake.fail_next(3)  # the booking's fresh read, then the sync's first try
    twilio_fake.queue_create(TwilioError(400, 21610, "Attempt to send to unsubscribed recipient"))
    created = await client.post("/meetings", json={"lead_id": lead_id, "start": start.isoformat()})
    assert created.status_code == 201, created.text
    meeting_id = created.json()["id"]
    worker = app.state.scheduling.worker
    await worker.run_once()
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    states = {d["kind"]: (d["state"], d["attempts"]) for d in detail["deliveries"]}
    assert states == {"calendar.create": ("pending", 1), "sms.confirm": ("failed", 1)}
    sms_job = next(d for d in detail["deliveries"] if d["kind"] == "sms.confirm")
    assert "21610" in sms_job["last_error"]
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
    detail = (await client.get(f"/meetings/{meeting_id}")).json()
    assert detail["sync"] == "synced", detail
    assert len(google_fake.events[REP_CALENDAR]) == 1
