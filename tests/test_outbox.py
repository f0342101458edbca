"""The outbox's delivery rules with an injected clock: a job exists exactly when its change
commits, a failure is retried with backoff, a job a worker holds is not run twice, and a job is
given up after its attempts (or at once when refused), the hook recording why."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import FrozenClock
from app.db import create_engine, create_sessionmaker
from app.integrations import outbox
from app.integrations.models import JobState, OutboxJob
from app.integrations.outbox import GiveUp, Job, OutboxWorker, Retry, backoff

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _job(sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, kind: str) -> int:
    async with sessions.begin() as session:
        job = await outbox.enqueue(session, kind, "meeting:1", {"n": 1}, clock.now())
        return job.id


async def _stored(sessions: async_sessionmaker[AsyncSession], job_id: int) -> OutboxJob:
    async with sessions() as session:
        job = await session.get(OutboxJob, job_id)
    assert job is not None
    return job


async def test_a_rolled_back_change_leaves_no_job(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await outbox.enqueue(session, "mail.invite", "meeting:1", {}, clock.now())
            raise RuntimeError("the booking failed")
    async with sessions() as session:
        assert (await session.scalars(select(OutboxJob))).all() == []


async def test_failures_retry_with_backoff_then_give_up_and_say_why(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    tries: list[int] = []
    failed: list[str] = []

    async def flaky(job: Job) -> None:
        tries.append(job.attempt)
        raise Retry("server said 503")

    async def on_failed(session: AsyncSession, job: Job, error: str) -> None:
        failed.append(error)

    worker = OutboxWorker(
        sessions,
        clock,
        {"flaky": flaky},
        max_attempts=3,
        poll_seconds=1,
        on_failed={"flaky": on_failed},
    )
    job_id = await _job(sessions, clock, "flaky")
    assert await worker.run_once() == 1
    stored = await _stored(sessions, job_id)
    assert (stored.state, stored.attempts, stored.last_error) == (
        "pending",
        1,
        "Retry: server said 503",
    )
    assert stored.next_attempt_at == clock.now() + backoff(1)
    assert await worker.run_once() == 0  # not due yet
    clock.advance(backoff(1))
    assert await worker.run_once() == 1
    clock.advance(backoff(2))
    assert await worker.run_once() == 1
    stored = await _stored(sessions, job_id)
    assert (stored.state, stored.attempts) == (JobState.failed, 3)
    assert tries == [1, 2, 3] and failed == ["Retry: server said 503"]
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [10, 20, 40, 1800]


async def test_a_refusal_gives_up_at_once_and_success_is_done(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async def refused(job: Job) -> None:
        raise GiveUp("no such recipient")

    async def fine(job: Job) -> None:
        return None

    worker = OutboxWorker(
        sessions, clock, {"refused": refused, "fine": fine}, max_attempts=5, poll_seconds=1
    )
    bad, good = await _job(sessions, clock, "refused"), await _job(sessions, clock, "fine")
    unknown = await _job(sessions, clock, "nobody.handles.this")
    await worker.drain()
    assert (await _stored(sessions, bad)).state == JobState.failed
    assert (await _stored(sessions, good)).state == JobState.done
    assert (
        await _stored(sessions, unknown)
    ).last_error == "no handler for job kind 'nobody.handles.this'"


async def test_a_claimed_job_is_not_run_by_a_second_worker(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    """Two workers (as in two processes): the first one's lease keeps the second off the job,
    and a worker that died mid-job is covered once the lease runs out."""
    runs: list[str] = []

    async def slow(job: Job) -> None:
        runs.append("second")

    first = OutboxWorker(sessions, clock, {}, max_attempts=3, poll_seconds=1)
    second = OutboxWorker(sessions, clock, {"slow": slow}, max_attempts=3, poll_seconds=1)
    job_id = await _job(sessions, clock, "slow")
    [claimed] = await first._claim()  # the first worker took it, then its process died
    assert claimed.id == job_id
    assert await second.run_once() == 0
    clock.advance(timedelta(minutes=2))
    assert await second.run_once() == 1
    assert runs == ["second"] and (await _stored(sessions, job_id)).attempts == 2
