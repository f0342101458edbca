"""The offline phone network: personas answer in Hebrew through the real call flow, and a
campaign over the demo leads finishes by itself with final statuses, outcomes and transcripts."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.calls.models import Call
from app.campaigns import service
from app.campaigns.dialer import Dialer
from app.campaigns.models import CallAttempt, Campaign
from app.campaigns.schemas import CampaignCreate
from app.clock import FrozenClock
from app.leads.models import Lead
from app.leads.seed import seed_demo_leads
from app.meetings.models import Meeting
from app.telephony.dialing import TelephonyCallPlacer
from app.telephony.offline import OfflineTelephony
from app.telephony.offline.personas import PERSONAS, WHEEL, persona_for

pytestmark = pytest.mark.both_backends

EXPECTED = {
    "interested": "booked",
    "busy_now": "callback",
    "not_interested": "not_interested",
    "remove_me": "opted_out",
    "voicemail": "voicemail",
    "no_answer": "no_answer",
    "hesitant": "booked",
    "asks_price": "booked",
    "by_weekday": "booked",
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"offline_phone_speed": 1000.0}


def test_every_persona_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == set(PERSONAS) == set(WHEEL)


def test_a_lead_always_gets_the_same_persona_and_notes_can_name_one() -> None:
    picks = {persona_for(i, f"+97250000{i:04d}", None).name for i in range(1, 200)}
    assert picks == set(WHEEL)  # the hash reaches every persona
    assert persona_for(7, "+972501234567", None) == persona_for(7, "+972501234567", "Demo lead")
    assert persona_for(7, "+972501234567", "called before. Persona = Asks_Price").name == (
        "asks_price"
    )
    hashed = persona_for(7, "+972501234567", None)
    assert persona_for(7, "+972501234567", "persona: nobody_we_know") == hashed


async def _lead(app: FastAPI, persona: str, gender: str = "male") -> int:
    async with app.state.sessionmaker.begin() as session:
        lead = Lead(
            name="Yossi",
            name_he="יוסי",
            phone="+972521112233",
            gender=gender,
            notes=f"persona: {persona}",
        )
        session.add(lead)
        await session.flush()
        return lead.id


@pytest.mark.parametrize("gender", ["male", "female"])
@pytest.mark.parametrize("persona", sorted(EXPECTED))
async def test_each_persona_ends_its_call_as_it_should(
    app: FastAPI, client: httpx.AsyncClient, persona: str, gender: str
) -> None:
    lead_id = await _lead(app, persona, gender)
    placed = await client.post("/outbound/initiate-call", params={"lead_id": lead_id})
    assert placed.status_code == 201, placed.text
    telephony: OfflineTelephony = app.state.telephony
    await telephony.wait_idle()
    call = (await client.get(f"/calls/{placed.json()['call_id']}")).json()
    transcript = "\n".join(f"> {t['caller_he']}\n< {t['agent_he']}" for t in call["turns"])
    assert call["outcome"] == EXPECTED[persona], transcript
    final = "no_answer" if persona == "no_answer" else "completed"
    assert (call["status"], call["channel"]) == (final, "offline")
    assert call["ended_at"] is not None and call["duration_s"] is not None
    if PERSONAS[persona].pickup == "human":
        assert call["duration_s"] > 0
        said = [t for t in call["turns"] if t["index"] > 0]
        assert said and all(t["caller_he"] and t["caller_en"] for t in said), transcript
        assert all(t["agent_he"] and t["agent_en"] for t in call["turns"])
    else:
        assert call["turns"] == []
    lead = (await client.get(f"/leads/{lead_id}")).json()
    assert lead["status"] != "new"
    assert lead["do_not_call"] is (persona == "remove_me")


async def test_picking_by_weekday_books_the_day_it_named(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    lead_id = await _lead(app, "by_weekday")
    placed = (await client.post("/outbound/initiate-call", params={"lead_id": lead_id})).json()
    await app.state.telephony.wait_idle()
    call = (await client.get(f"/calls/{placed['call_id']}")).json()
    offered = [datetime.fromisoformat(s) for s in call["offered_slots"]]
    meeting = (await client.get(f"/meetings/{call['meeting_id']}")).json()
    assert datetime.fromisoformat(meeting["start"]) == offered[0]


async def _run_campaign(
    app: FastAPI, clock: FrozenClock, campaign_id: int, step: timedelta = timedelta(seconds=1)
) -> Campaign:
    """Ticks the dialer (its waits move the frozen clock), letting each call finish between."""

    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    telephony: OfflineTelephony = app.state.telephony
    dialer = Dialer(
        app.state.sessionmaker,
        app.state.settings,
        clock,
        TelephonyCallPlacer(telephony),
        sleep=sleep,
    )
    for _ in range(100):
        await dialer.tick()
        await telephony.wait_idle()
        clock.advance(step)
        async with app.state.sessionmaker() as session:
            campaign = await session.get(Campaign, campaign_id)
            assert campaign is not None
            if campaign.state == "completed":
                return campaign
    raise AssertionError("the campaign never completed")


async def test_a_campaign_over_the_demo_leads_finishes_by_itself(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    async with app.state.sessionmaker.begin() as session:
        await seed_demo_leads(session)
        session.add(Lead(name="Never Call", phone="+972549998877", do_not_call=True))
    payload = CampaignCreate(name="demo", max_attempts=1, max_concurrent_calls=2)
    async with app.state.sessionmaker.begin() as session:
        campaign = await service.create(session, payload, clock, app.state.settings.tz)
    await _run_campaign(app, clock, campaign.id)

    calls = (await client.get("/calls")).json()
    assert len(calls) == 5  # every demo lead once; the do-not-call lead never
    for call in calls:
        assert call["status"] in ("completed", "no_answer", "busy"), call
        assert call["ended_at"] is not None and call["outcome"] is not None, call
        assert call["campaign_id"] == campaign.id
    async with app.state.sessionmaker() as session:
        meetings = (await session.scalars(select(Meeting))).all()
        attempts = (await session.scalars(select(CallAttempt))).all()
        leads = (await session.scalars(select(Lead))).all()
    assert meetings, "no demo lead booked"
    assert sorted(a.state for a in attempts) == ["done"] * 5 + ["skipped"]
    assert all(lead.status != "new" for lead in leads if not lead.do_not_call)
    progress = (await client.get(f"/campaigns/{campaign.id}")).json()["progress"]
    assert progress["skipped"] == {"do-not-call": 1}


async def test_an_unanswered_lead_is_called_again_after_the_retry_delay(
    app: FastAPI, client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    lead_id = await _lead(app, "no_answer")
    payload = CampaignCreate(
        name="retry", lead_ids=[lead_id], max_attempts=2, retry_delays_minutes=[30]
    )
    async with app.state.sessionmaker.begin() as session:
        campaign = await service.create(session, payload, clock, app.state.settings.tz)
    started = clock.now()
    await _run_campaign(app, clock, campaign.id, step=timedelta(minutes=1))
    async with app.state.sessionmaker() as session:
        calls = (await session.scalars(select(Call).order_by(Call.id))).all()
    assert [c.outcome for c in calls] == ["no_answer", "no_answer"]
    assert calls[1].started_at - started >= timedelta(minutes=30)
