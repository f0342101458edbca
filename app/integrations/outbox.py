"""The durable outbox: work for the outside world (a calendar event, an invitation, later a CRM
webhook) is a row written in the same transaction as the change it follows, and a worker
delivers it with retries, so a crash or a server that is down loses nothing.

A handler per kind does the network part (no transaction open while it waits) and may write its
result in its own short transaction. It raises `Retry` for a passing failure (or any error: the
worker retries with backoff), `GiveUp` when retrying cannot help. Claiming a job moves its
next_attempt_at a lease ahead, so a second worker (another process) skips it, and a worker that
died mid-job is retried once the lease runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.clock import Clock
from app.db import write_session
from app.integrations.models import JobState, OutboxJob

log = structlog.get_logger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 20
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(minutes=30)


class Retry(Exception):
    """A passing failure: try again later."""


class GiveUp(Exception):
    """Retrying cannot help (refused, no such recipient): the job fails now."""


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job, detached from the session that claimed it."""

    id: int
    kind: str
    subject: str
    payload: dict[str, Any]
    attempt: int  # 1 on the first try


Handler = Callable[[Job], Awaitable[None]]
# Called in the transaction that marks a job failed for good (e.g. to show it on the meeting).
OnFailed = Callable[[AsyncSession, Job, str], Awaitable[None]]


async def enqueue(
    session: AsyncSession,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    delay: timedelta = timedelta(0),
) -> OutboxJob:
    """Adds a job in the caller's transaction: it exists exactly when the change commits."""
    job = OutboxJob(
        kind=kind,
        subject=subject,
        payload=payload,
        state=JobState.pending,
        attempts=0,
        next_attempt_at=now + delay,
        created_at=now,
    )
    session.add(job)
    await session.flush()
    return job


async def jobs_for(session: AsyncSession, subject: str) -> Sequence[OutboxJob]:
    """Every job about one subject, oldest first (what a meeting's page shows)."""
    result = await session.scalars(
        select(OutboxJob).where(OutboxJob.subject == subject).order_by(OutboxJob.id)
    )
    return result.all()


def backoff(attempt: int) -> timedelta:
    """10 s, 20 s, 40 s, ... at most half an hour between tries."""
    return min(FIRST_RETRY * (1 << min(max(attempt - 1, 0), 20)), LONGEST_RETRY)


class OutboxWorker:
    """Delivers due jobs; `run_once` is one pass (tests drive it with a frozen clock)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        handlers: Mapping[str, Handler],
        *,
        max_attempts: int,
        poll_seconds: float,
        on_failed: Mapping[str, OnFailed] | None = None,
    ) -> None:
        self.sessions, self.clock, self.handlers = sessions, clock, dict(handlers)
        self.max_attempts, self.poll_seconds = max_attempts, poll_seconds
        self.on_failed = dict(on_failed or {})
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was just enqueued: deliver it now instead of at the next poll."""
        self._wake.set()

    async def _claim(self) -> list[Job]:
        now = self.clock.now()
        async with write_session(self.sessions) as session:
            rows = (
                await session.scalars(
                    select(OutboxJob)
                    .where(OutboxJob.state == JobState.pending, OutboxJob.next_attempt_at <= now)
                    .order_by(OutboxJob.next_attempt_at, OutboxJob.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            claimed = []
            for row in rows:
                row.attempts += 1
                row.next_attempt_at = now + LEASE
                claimed.append(Job(row.id, row.kind, row.subject, dict(row.payload), row.attempts))
        return claimed

    async def run_once(self) -> int:
        """Claims the due jobs and runs each; returns how many ran."""
        jobs = await self._claim()
        for job in jobs:
            await self._deliver(job)
        return len(jobs)

    async def drain(self, rounds: int = 10) -> None:
        """Runs passes until nothing is due (tests; a bounded number of rounds)."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def _deliver(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        error: str | None = None
        final = False
        try:
            if handler is None:
                raise GiveUp(f"no handler for job kind {job.kind!r}")
            await handler(job)
        except GiveUp as exc:
            error, final = str(exc) or type(exc).__name__, True
        except Exception as exc:  # any failure is retried, never lost
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            final = job.attempt >= self.max_attempts
        await self._record(job, error, final)

    async def _record(self, job: Job, error: str | None, final: bool) -> None:
        now = self.clock.now()
        async with write_session(self.sessions) as session:
            row = await session.get(OutboxJob, job.id)
            if row is None:
                return
            if error is None:
                row.state, row.done_at, row.last_error = JobState.done, now, None
                result = "done"
            elif final:
                row.state, row.done_at, row.last_error = JobState.failed, now, error
                hook = self.on_failed.get(job.kind)
                if hook is not None:
                    await hook(session, job, error)
                result = "failed"
            else:
                row.next_attempt_at, row.last_error = now + backoff(job.attempt), error
                result = "retry"
        metrics.OUTBOX.labels(kind=job.kind, result=result).inc()
        log_event = log.info if error is None else log.warning
        log_event("outbox_job", job_id=job.id, kind=job.kind, result=result, error=error)

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop` is set; a wake() skips the wait. A failing pass is logged."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:  # the database may be restarting; poll again
                log.exception("outbox_pass_failed")
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            try:
                await asyncio.wait(
                    waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
