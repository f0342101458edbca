"""Webhooks: subscriptions over the API, signed Standard Webhooks deliveries from an outbox
written with the event, retries with backoff under one webhook-id, replays, and a process killed
between the event and its delivery."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.calls.models import Call, CallStatus, Channel, Outcome
from app.clock import FrozenClock
from app.flows.after_call import AfterCall, build_analyst
from app.integrations.webhooks import signing
from app.integrations.webhooks.models import Delivery
from app.integrations.webhooks.worker import WebhookWorker
from tests.fakes.twilio import add_lead
from tests.fakes.webhook_receiver import WebhookReceiver, verify

ROOT = Path(__file__).resolve().parent.parent
SECRET = signing.new_secret()


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"webhook_allow_private_hosts": True}


@pytest.fixture
def receiver(clock: FrozenClock) -> Iterator[WebhookReceiver]:
    server = WebhookReceiver(lambda: SECRET, clock)
    server.start()
    yield server
    server.stop()


async def subscribe(client: httpx.AsyncClient, url: str, *events: str) -> dict[str, Any]:
    response = await client.post("/webhooks", json={"url": url, "events": events, "secret": SECRET})
    assert response.status_code == 201, response.text
    return dict(response.json())


def worker(app: FastAPI, http: httpx.AsyncClient) -> WebhookWorker:
    state = app.state
    return WebhookWorker(
        state.sessionmaker, state.settings, state.clock, http, rng=random.Random(7)
    )


async def deliveries(app: FastAPI) -> list[Delivery]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def say(client: httpx.AsyncClient, call_id: int, text: str) -> dict[str, Any]:
    response = await client.post(f"/simulator/calls/{call_id}/reply", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def booked_call(app: FastAPI, client: httpx.AsyncClient) -> int:
    """A simulated call that books the first slot offered and hangs up."""
    lead_id = await add_lead(app)
    call_id = int(
        (await client.post("/simulator/calls", json={"lead_id": lead_id})).json()["call_id"]
    )
    for line in ("כן, יש לי דקה", "יש לנו שני אנשי מכירות", "בטלפון, לפעמים זה לוקח יום"):
        await say(client, call_id, line)
    assert (await say(client, call_id, "הראשון"))["action"] == "book_meeting"
    assert (await say(client, call_id, "אין לי מייל"))["ended"]  # asked for one after booking
    return call_id


async def test_subscriptions_are_managed_over_the_api(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/webhooks", json={"url": "https://crm.example.com/in", "events": ["call.completed"]}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(signing.secret_key(body["secret"])) == 24
    assert body["events"] == ["call.completed"]
    assert [s["id"] for s in (await client.get("/webhooks")).json()] == [body["id"]]
    assert (await client.get(f"/webhooks/{body['id']}/deliveries")).json() == []
    assert (await client.delete(f"/webhooks/{body['id']}")).status_code == 204
    assert (await client.delete(f"/webhooks/{body['id']}")).status_code == 404
    assert (await client.get(f"/webhooks/{body['id']}/deliveries")).status_code == 404
    assert (await client.post("/webhooks/deliveries/99/replay")).status_code == 404


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"url": "ftp://crm.example.com/in", "events": ["call.completed"]}, "http"),
        ({"url": "https://", "events": ["call.completed"]}, "http"),
        ({"url": "https://u:p@crm.example.com/", "events": ["call.completed"]}, "credentials"),
        ({"url": "https://crm.example.com/", "events": ["call.exploded"]}, "call.exploded"),
        ({"url": "https://crm.example.com/", "events": []}, "events"),
        (
            {"url": "https://crm.example.com/", "events": ["call.completed"], "secret": "x"},
            "secret",
        ),
        ({"url": "https://crm.example.com/", "events": ["call.completed"], "x": 1}, "x"),
    ],
)
async def test_bad_subscriptions_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], why: str
) -> None:
    response = await client.post("/webhooks", json=body)
    assert response.status_code == 422, response.text
    assert why in response.text


@pytest.mark.parametrize("settings_overrides", [{}])
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/",
    ],
)
async def test_private_hosts_are_refused_by_default(client: httpx.AsyncClient, url: str) -> None:
    response = await client.post("/webhooks", json={"url": url, "events": ["call.completed"]})
    assert response.status_code == 422, response.text
    assert "host" in response.text


@pytest.mark.parametrize("settings_overrides", [{"api_key": "k" * 32}])
async def test_webhooks_need_the_api_key(client: httpx.AsyncClient) -> None:
    assert (await client.get("/webhooks")).status_code == 401
    assert (await client.get("/webhooks", headers={"X-API-Key": "k" * 32})).status_code == 200


@pytest.mark.both_backends
async def test_a_booked_call_reaches_a_receiver_that_was_down_for_a_minute(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock, receiver: WebhookReceiver
) -> None:
    subscription = await subscribe(client, receiver.url, "meeting.booked", "call.completed")
    down_until = clock.now() + timedelta(minutes=1)
    receiver.fail_while = lambda: clock.now() < down_until
    call_id = await booked_call(app, client)
    state = app.state
    after_call = AfterCall(
        state.sessionmaker, state.settings, clock, build_analyst(state.conversation)
    )
    assert await after_call.tick() == 1

    async with httpx.AsyncClient() as http:
        sender = worker(app, http)
        for _ in range(20):
            await sender.tick()
            pending = [d for d in await deliveries(app) if d.status == "pending"]
            if not pending:
                break
            clock.set(min(d.next_attempt_at for d in pending))

    delivered = receiver.delivered()
    assert sorted(r.type for r in delivered) == ["call.completed", "meeting.booked"]
    assert all(r.verified for r in receiver.received)
    completed = next(r for r in delivered if r.type == "call.completed")
    assert completed.body["data"]["call"]["id"] == call_id
    assert completed.body["data"]["call"]["outcome"] == "booked"
    assert "phone" not in completed.body["data"]["lead"]  # WEBHOOK_PERSONAL_DATA is off
    assert "name" not in completed.body["data"]["lead"]
    booked = next(r for r in delivered if r.type == "meeting.booked")
    assert booked.body["data"]["meeting"]["call_id"] == call_id
    assert all(r.timestamp >= int(down_until.timestamp()) for r in delivered)

    rows = await deliveries(app)
    assert len(rows) == 2 and all(row.status == "delivered" for row in rows)
    for row in rows:
        tries = [r for r in receiver.received if r.message_id == row.message_id]
        assert len(tries) == row.attempts > 2  # every retry under the same webhook-id
        assert [entry["status_code"] for entry in row.log] == [503] * (row.attempts - 1) + [200]
        times = [datetime.fromisoformat(entry["at"]) for entry in row.log]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert gaps == sorted(gaps) and gaps[-1] > gaps[0]  # backing off
    listed = (await client.get(f"/webhooks/{subscription['id']}/deliveries")).json()
    assert {d["status"] for d in listed} == {"delivered"}
    assert listed[0]["last_status_code"] == 200


@pytest.mark.both_backends
@pytest.mark.parametrize(
    "settings_overrides", [{"webhook_allow_private_hosts": True, "webhook_max_attempts": 2}]
)
async def test_a_failed_delivery_is_replayed_under_its_webhook_id(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock, receiver: WebhookReceiver
) -> None:
    await subscribe(client, receiver.url, "meeting.canceled")
    lead_id = await add_lead(app)
    slot = (await client.get("/meetings/available", params={"count": 1})).json()[0]
    meeting = (
        await client.post("/meetings", json={"lead_id": lead_id, "start": slot["start"]})
    ).json()
    assert (await client.delete(f"/meetings/{meeting['id']}")).status_code == 200
    assert (await client.delete(f"/meetings/{meeting['id']}")).status_code == 200  # announced once
    receiver.fail_while = lambda: True
    async with httpx.AsyncClient() as http:
        sender = worker(app, http)
        await sender.tick()
        clock.advance(timedelta(hours=1))
        await sender.tick()
        (row,) = await deliveries(app)
        assert row.status == "failed" and row.attempts == 2 and row.last_status_code == 503
        replayed = await client.post(f"/webhooks/deliveries/{row.id}/replay")
        assert replayed.status_code == 202 and replayed.json()["status"] == "pending"
        receiver.fail_while = lambda: False
        await sender.tick()
    assert [r.message_id for r in receiver.received] == [row.message_id] * 3
    (taken,) = receiver.delivered()
    assert taken.type == "meeting.canceled" and taken.body["data"]["meeting"]["id"] == meeting["id"]
    assert (await deliveries(app))[0].status == "delivered"


@pytest.mark.parametrize(
    "settings_overrides", [{"webhook_allow_private_hosts": True, "webhook_personal_data": True}]
)
async def test_an_opt_out_is_announced_with_personal_data_when_configured(
    app: FastAPI, client: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await subscribe(client, receiver.url, "lead.opted_out")
    lead_id = await add_lead(app)
    call_id = (await client.post("/simulator/calls", json={"lead_id": lead_id})).json()["call_id"]
    assert (await say(client, call_id, "תורידו אותי מהרשימה"))["ended"] is True
    async with httpx.AsyncClient() as http:
        await worker(app, http).tick()
    (taken,) = receiver.delivered()
    assert taken.type == "lead.opted_out"
    assert taken.body["data"]["lead"]["phone"] == "+972501234567"
    assert taken.body["data"]["call_id"] == call_id


async def test_a_do_not_call_list_announces_each_lead_it_newly_marks(
    app: FastAPI, client: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await subscribe(client, receiver.url, "lead.opted_out")
    dana = await add_lead(app)
    await add_lead(app, name="אלי לוי", phone="+972521112244", gender="male")
    listing = b"phone\n050-123-4567\n053-000-0000\n"

    for _ in range(2):  # the same list twice: the second marks nobody new
        response = await client.post(
            "/leads/do-not-call/import", files={"file": ("dnc.csv", listing, "text/csv")}
        )
        assert response.status_code == 200, response.text
    async with httpx.AsyncClient() as http:
        await worker(app, http).tick()

    (taken,) = receiver.delivered()
    assert taken.type == "lead.opted_out"
    assert taken.body["data"]["lead"]["id"] == dana and taken.body["data"]["call_id"] is None
    assert response.json()["marked"] == 1


def test_the_documented_verification_refuses_a_tampered_body() -> None:
    headers = signing.headers(SECRET, "msg_1", 1_700_000_000, b'{"a":1}')
    assert verify(SECRET, headers, b'{"a":1}', 1_700_000_000)
    assert not verify(SECRET, headers, b'{"a":2}', 1_700_000_000)
    assert not verify(signing.new_secret(), headers, b'{"a":1}', 1_700_000_000)
    assert not verify(SECRET, headers, b'{"a":1}', 1_700_000_000 + 301)  # too old: a replay


# --- a process killed between the event and its delivery ---


@pytest.mark.both_backends
async def test_a_process_killed_between_the_event_and_its_delivery_delivers_once(
    app: FastAPI,
    client: httpx.AsyncClient,
    clock: FrozenClock,
    receiver: WebhookReceiver,
    database_url: str,
) -> None:
    """The child stores the event, takes the delivery and is SIGKILLed while posting it."""
    await subscribe(client, receiver.url, "call.completed")
    lead_id = await add_lead(app)
    async with app.state.sessionmaker.begin() as session:
        call = Call(
            lead_id=lead_id,
            channel=Channel.twilio,
            status=CallStatus.no_answer,
            outcome=Outcome.no_answer,
            started_at=clock.now(),
        )
        session.add(call)
    receiver.hold()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEBHOOK_CLOCK": clock.now().isoformat(),
        "WEBHOOK_ALLOW_PRIVATE_HOSTS": "true",
        "OPENAI_API_KEY": "",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.webhook_process",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await asyncio.wait_for(asyncio.to_thread(receiver.got_request.wait, 60), 70)
    child.kill()
    out, _ = await child.communicate()
    assert "stored 1" in out.decode() and "sent" not in out.decode()
    receiver.release()
    (row,) = await deliveries(app)
    assert row.status == "pending" and row.attempts == 0 and row.leased_until is not None

    async with httpx.AsyncClient() as http:
        restarted = worker(app, http)
        assert await restarted.tick() == 0  # its lease still holds
        clock.advance(restarted.lease + timedelta(seconds=1))
        assert await restarted.tick() == 1
        clock.advance(timedelta(days=1))
        assert await restarted.tick() == 0
    assert [r.message_id for r in receiver.received] == [row.message_id] * 2  # one id, twice
    (taken,) = receiver.delivered()
    assert taken.message_id == row.message_id and taken.type == "call.completed"
    assert taken.body["data"]["call"]["id"] == call.id
    (row,) = await deliveries(app)
    assert row.status == "delivered" and row.attempts == 1
