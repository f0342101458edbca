"""The campaign dialer against the fake Twilio REST API (real SDK), with an injected clock."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.calls.models import Call, Channel
from app.campaigns import service
from app.campaigns.dialer import STALE_DIAL, Dialer
from app.campaigns.models import AttemptState, CallAttempt, Campaign
from app.campaigns.schemas import CampaignCreate
from app.clock import FrozenClock
from app.leads.models import Lead
from app.telephony.dialing import TelephonyCallPlacer
from tests.fakes.twilio import FakeTwilio, TwilioError

PHONES = itertools.count()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings_overrides(twilio_fake: FakeTwilio) -> dict[str, object]:
    return twilio_fake.settings_overrides(dialer_enabled=False)


class Spy:
    """Notes the (virtual) instant of every placement, then really places it."""

    channel = Channel.twilio

    def __init__(self, placer: TelephonyCallPlacer, clock: FrozenClock) -> None:
        self.placer, self.clock = placer, clock
        self.times: list[datetime] = []

    async def place(self, call_id: int, phone: str) -> str:
        self.times.append(self.clock.now())
        return await self.placer.place(call_id, phone)


def make_dialer(app: FastAPI, clock: FrozenClock) -> tuple[Dialer, Spy]:
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    spy = Spy(TelephonyCallPlacer(app.state.telephony), clock)
    dialer = Dialer(app.state.sessionmaker, app.state.settings, clock, spy, sleep=sleep)
    return dialer, spy


async def add_leads(app: FastAPI, n: int, **fields: Any) -> list[int]:
    async with app.state.sessionmaker.begin() as session:
        leads = [
            Lead(name=f"Lead {i}", phone=f"+9725{30000000 + next(PHONES)}", **fields)
            for i in range(n)
        ]
        session.add_all(leads)
        await session.flush()
        return [lead.id for lead in leads]


async def start(app: FastAPI, clock: FrozenClock, lead_ids: list[int], **options: Any) -> int:
    payload = CampaignCreate(name="test", lead_ids=lead_ids, **options)
    async with app.state.sessionmaker.begin() as session:
        campaign = await service.create(session, payload, clock, app.state.settings.tz)
        return campaign.id


async def finish_live_calls(app: FastAPI, outcome: str) -> int:
    """Plays Twilio's status callbacks: every placed call without an outcome gets one."""
    async with app.state.sessionmaker.begin() as session:
        result = await session.execute(
            update(Call)
            .where(Call.call_sid.is_not(None), Call.outcome.is_(None))
            .values(outcome=outcome, status="completed")
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def attempts(app: FastAPI) -> list[CallAttempt]:
    async with app.state.sessionmaker() as session:
        return list((await session.scalars(select(CallAttempt).order_by(CallAttempt.id))).all())


async def campaign_state(app: FastAPI, campaign_id: int) -> str:
    async with app.state.sessionmaker() as session:
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        return campaign.state


def dialed(twilio_fake: FakeTwilio) -> Counter[str]:
    return Counter(str(r.one("To")) for r in twilio_fake.calls_created())


async def test_each_lead_once_within_pace_and_concurrency(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio
) -> None:
    lead_ids = await add_leads(app, 12)
    campaign_id = await start(app, clock, lead_ids, calls_per_second=2, max_concurrent_calls=3)
    dialer, spy = make_dialer(app, clock)
    for _ in range(30):
        placed = await dialer.tick()
        assert placed <= 3
        async with app.state.sessionmaker() as session:
            live = await session.scalar(
                select(Call).where(Call.outcome.is_(None)).with_only_columns(Call.id).limit(10)
            )
        await finish_live_calls(app, "not_interested")
        clock.advance(timedelta(seconds=1))
        if await campaign_state(app, campaign_id) == "completed":
            break
    assert live is None or placed <= 3
    assert await campaign_state(app, campaign_id) == "completed"
    counts = dialed(twilio_fake)
    assert len(counts) == 12 and set(counts.values()) == {1}
    gaps = [(b - a).total_seconds() for a, b in zip(spy.times, spy.times[1:], strict=False)]
    assert min(gaps) >= 0.5
    request = twilio_fake.calls_created()[0]
    assert request.one(
        "Url",
    ) and "/twilio/voice" in str(request.one("Url"))
    assert all(a.state == AttemptState.done and a.attempts == 1 for a in await attempts(app))


async def test_retries_after_the_delay_up_to_max_attempts(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio
) -> None:
    lead_ids = await add_leads(app, 3)
    await start(app, clock, lead_ids, max_attempts=2, retry_delays_minutes=[30])
    dialer, _ = make_dialer(app, clock)
    await dialer.tick()
    assert sum(dialed(twilio_fake).values()) == 1  # max_concurrent_calls=1
    async with app.state.sessionmaker.begin() as session:
        await session.execute(update(Call).values(outcome="booked", status="completed"))
    for _ in range(2):
        await dialer.tick()
        await finish_live_calls(app, "no_answer")
    assert sum(dialed(twilio_fake).values()) == 3

    await dialer.tick()  # settles the no-answers: both wait 30 minutes
    clock.advance(timedelta(minutes=29))
    await dialer.tick()
    assert sum(dialed(twilio_fake).values()) == 3
    clock.advance(timedelta(minutes=2))
    for _ in range(3):
        await dialer.tick()
        await finish_live_calls(app, "busy")
    await dialer.tick()
    counts = dialed(twilio_fake)
    by_lead = sorted(counts.values())
    assert by_lead == [1, 2, 2]  # booked once; no-answer twice, then attempts are used up
    states = [(a.state, a.attempts, a.last_outcome) for a in await attempts(app)]
    assert states == [("done", 1, "booked"), ("done", 2, "busy"), ("done", 2, "busy")]


async def test_do_not_call_and_registry_checks_skip_and_report(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio
) -> None:
    now = clock.now()
    dnc = await add_leads(app, 1, do_not_call=True)
    never = await add_leads(app, 1)
    fresh = await add_leads(app, 1, dnc_registry_checked_at=now - timedelta(days=3))
    stale = await add_leads(app, 1, dnc_registry_checked_at=now - timedelta(days=20))
    ids = dnc + never + fresh + stale
    campaign_id = await start(app, clock, ids, require_registry_check=True, max_concurrent_calls=5)
    dialer, _ = make_dialer(app, clock)
    await dialer.tick()
    async with app.state.sessionmaker() as session:
        fresh_lead = await session.get(Lead, fresh[0])
        assert fresh_lead is not None
    assert list(dialed(twilio_fake)) == [fresh_lead.phone]
    async with app.state.sessionmaker() as session:
        progress = (await service.read(session, await service.get(session, campaign_id))).progress
    assert progress.skipped == {
        "do-not-call": 1,
        "not checked against the do-not-call registry in the last 15 days": 2,
    }


@pytest.mark.parametrize(
    ("closed", "opens"),
    [
        (
            datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
            datetime(2026, 11, 29, 7, 0, tzinfo=UTC),
        ),  # Fri 13:00
        (
            datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
            datetime(2026, 11, 29, 7, 0, tzinfo=UTC),
        ),  # Shabbat
        (
            datetime(2026, 9, 20, 9, 0, tzinfo=UTC),
            datetime(2026, 9, 22, 6, 0, tzinfo=UTC),
        ),  # Yom Kippur eve
        (
            datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
            datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
        ),  # 20:00
    ],
)
async def test_never_dials_outside_the_window(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio, closed: datetime, opens: datetime
) -> None:
    lead_ids = await add_leads(app, 1)
    await start(app, clock, lead_ids)
    clock.set(closed)
    dialer, spy = make_dialer(app, clock)
    while clock.now() < opens - timedelta(minutes=1):
        assert await dialer.tick() == 0
        clock.advance(timedelta(minutes=30))
    clock.set(opens)
    assert await dialer.tick() == 1
    assert spy.times == [opens]


async def test_rate_limit_gives_the_attempt_back(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio
) -> None:
    lead_ids = await add_leads(app, 1)
    await start(app, clock, lead_ids)
    twilio_fake.queue_create(TwilioError(429, 20429, "Too Many Requests"))
    dialer, _ = make_dialer(app, clock)
    assert await dialer.tick() == 0
    [attempt] = await attempts(app)
    assert (attempt.state, attempt.attempts) == ("pending", 0)
    async with app.state.sessionmaker() as session:
        assert (await session.scalars(select(Call))).all() == []
    clock.advance(timedelta(seconds=2))
    assert await dialer.tick() == 1
    assert len(twilio_fake.calls_created()) == 2  # one refused, one placed
    [attempt] = await attempts(app)
    assert (attempt.state, attempt.attempts) == ("live", 1)


async def test_a_dialer_killed_mid_dial_never_causes_a_double_dial(
    app: FastAPI, clock: FrozenClock, twilio_fake: FakeTwilio
) -> None:
    lead_ids = await add_leads(app, 3)
    await start(app, clock, lead_ids, max_concurrent_calls=3, retry_delays_minutes=[10])
    crashed, _ = make_dialer(app, clock)
    job = await crashed._claim((await attempts(app))[0].campaign_id)  # wrote the attempt, then died
    assert job is not None

    restarted, _ = make_dialer(app, clock)
    await restarted.tick()
    assert sorted(dialed(twilio_fake).values()) == [1, 1]  # the other two; not the orphan
    await finish_live_calls(app, "not_interested")
    clock.advance(STALE_DIAL + timedelta(seconds=1))
    await restarted.tick()  # the orphan counts as a failed attempt and waits for its retry
    assert sum(dialed(twilio_fake).values()) == 2
    clock.advance(timedelta(minutes=10))
    await restarted.tick()
    counts = dialed(twilio_fake)
    assert sorted(counts.values()) == [1, 1, 1]
    orphan = next(a for a in await attempts(app) if a.id == job.attempt_id)
    assert (orphan.attempts, orphan.state) == (2, "live")


def _process_env(twilio_fake: FakeTwilio, database_url: str, start_at: datetime) -> dict[str, str]:
    return {
        **os.environ,
        **{k.upper(): str(v) for k, v in twilio_fake.settings_overrides().items()},
        "DATABASE_URL": database_url,
        "DIALER_CLOCK_START": start_at.isoformat(),
        "DIALER_RUN_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    """Starts a dialer process and waits until it is up (and SIGTERM would stop it cleanly)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.dialer_process",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert (await asyncio.wait_for(process.stdout.readline(), 30)).strip() == b"ready"
    return process


async def _play_twilio_until(app: FastAPI, twilio_fake: FakeTwilio, dialed_calls: int) -> int:
    """Completes placed calls (as status callbacks would); returns the peak of live calls."""
    peak = 0
    deadline = time.monotonic() + 60
    while sum(dialed(twilio_fake).values()) < dialed_calls and time.monotonic() < deadline:
        async with app.state.sessionmaker() as session:
            live = await session.scalar(
                select(func.count()).select_from(Call).where(Call.outcome.is_(None))
            )
        peak = max(peak, int(live or 0))
        await finish_live_calls(app, "not_interested")
        await asyncio.sleep(0.02)
    return peak


@pytest.mark.postgres_only
async def test_two_dialer_processes_on_postgres_dial_500_leads_once(
    app: FastAPI, twilio_fake: FakeTwilio, database_url: str
) -> None:
    """Two OS processes, each its own dialer and pool, on one Postgres, in real time."""
    start_at = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tue 10:00 in Israel
    lead_ids = await add_leads(app, 500)
    cps, concurrency = 100.0, 40
    env = _process_env(twilio_fake, database_url, start_at)
    processes = [await _spawn(env) for _ in range(2)]
    await start(
        app, FrozenClock(start_at), lead_ids, calls_per_second=cps, max_concurrent_calls=concurrency
    )
    peak = await _play_twilio_until(app, twilio_fake, 500)
    await asyncio.sleep(0.3)  # let both settle their last calls, then stop them
    for process in processes:
        process.terminate()
    outputs = [await p.communicate() for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()[-2000:]
    placed = [int(out.decode().split()[-1]) for out, _ in outputs]

    counts = dialed(twilio_fake)
    assert len(counts) == 500 and set(counts.values()) == {1}
    assert sum(placed) == 500 and min(placed) >= 1, placed  # both processes really dialed
    assert peak <= concurrency
    times = sorted(r.at for r in twilio_fake.calls_created())
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u - t < 1.0) <= cps + 1


@pytest.mark.postgres_only
async def test_a_killed_dialer_process_loses_and_duplicates_nothing(
    app: FastAPI, twilio_fake: FakeTwilio, database_url: str
) -> None:
    """SIGKILL a dialer mid-campaign, start another: every lead is dialed at most once."""
    start_at = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    lead_ids = await add_leads(app, 200)
    await start(app, FrozenClock(start_at), lead_ids, calls_per_second=50, max_concurrent_calls=20)
    env = _process_env(twilio_fake, database_url, start_at)
    first = await _spawn(env)
    await _play_twilio_until(app, twilio_fake, 60)
    first.kill()
    await first.communicate()
    second = await _spawn(env)
    async with app.state.sessionmaker() as session:
        stuck = await session.scalar(
            select(func.count())
            .select_from(CallAttempt)
            .where(CallAttempt.state == AttemptState.dialing)
        )
    await _play_twilio_until(app, twilio_fake, 200 - int(stuck or 0))
    await asyncio.sleep(0.3)
    second.terminate()
    _, err = await second.communicate()
    assert second.returncode == 0, err.decode()[-2000:]

    counts = dialed(twilio_fake)
    assert set(counts.values()) == {1}  # nobody twice
    rows = await attempts(app)
    assert all(a.attempts == 1 for a in rows)
    async with app.state.sessionmaker() as session:
        phones = {row[0]: row[1] for row in await session.execute(select(Lead.id, Lead.phone))}
    # Every lead was dialed, except attempts the killed process left mid-dial: those wait (as
    # failed, after STALE_DIAL) for their retry instead of being dialed again on the spot.
    orphans = {a.lead_id for a in rows if a.state == AttemptState.dialing}
    assert len(orphans) <= 20  # at most what the killed process had in flight
    assert all(phones[a.lead_id] in counts or a.lead_id in orphans for a in rows)
