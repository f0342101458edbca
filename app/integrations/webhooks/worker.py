"""The delivery worker: sends due outbox rows, signed, with exponential backoff and jitter.

Each tick leases due deliveries in one short transaction (SKIP LOCKED on Postgres; SQLite's
single writer elsewhere), sends them with no transaction open, then records every result in
another. A worker that dies mid-send leaves its lease to expire, and the delivery goes out again
with the same webhook-id: at least once, never under two ids. Any number of workers may run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.clock import Clock
from app.config import Settings
from app.db import write_session
from app.integrations.webhooks import repository, service, signing
from app.integrations.webhooks.models import Delivery, DeliveryStatus

log = structlog.get_logger(__name__)

BATCH = 20
MAX_DELAY = timedelta(hours=6)
LOG_ENTRIES = 20


@dataclass(frozen=True, slots=True)
class _Send:
    delivery_id: int
    message_id: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Result:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(attempt: int, base_s: float, rng: random.Random) -> timedelta:
    """The wait after failed attempt `attempt` (1, 2, ...): base·2^(n-1), capped, half jittered."""
    full = min(MAX_DELAY.total_seconds(), base_s * 2 ** (attempt - 1))
    return timedelta(seconds=full / 2 + rng.uniform(0, full / 2))


class WebhookWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        http: httpx.AsyncClient,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.http = http
        self.rng = rng or random.Random()
        self.lease = timedelta(seconds=settings.webhook_timeout_seconds + 30)

    async def run(self, stop: asyncio.Event) -> None:
        """Delivers until `stop` is set; a failing tick is logged and retried, never fatal."""
        while not stop.is_set():
            try:
                sent = await self.tick()
            except Exception:
                log.exception("webhook_tick_failed")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.webhook_poll_seconds)

    async def tick(self) -> int:
        """Sends every due delivery once; returns how many were attempted."""
        jobs = await self._lease()
        if not jobs:
            return 0
        results = await asyncio.gather(*(self._send(job) for job in jobs))
        async with write_session(self.sessions) as session:
            for job, result in zip(jobs, results, strict=True):
                delivery = await repository.get_delivery(session, job.delivery_id, lock=True)
                if delivery is not None:
                    self._record(delivery, result, self.clock.now())
        return len(jobs)

    async def _lease(self) -> list[_Send]:
        now = self.clock.now()
        async with write_session(self.sessions) as session:
            jobs = []
            for delivery in await repository.claim_due(session, now, BATCH):
                subscription = await repository.get_subscription(session, delivery.subscription_id)
                if subscription is None:
                    continue
                delivery.leased_until = now + self.lease
                body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
                jobs.append(
                    _Send(
                        delivery.id,
                        delivery.message_id,
                        subscription.url,
                        subscription.secret,
                        body.encode(),
                    )
                )
        return jobs

    async def _send(self, job: _Send) -> _Result:
        try:
            await service.check_host(
                job.url, allow_private=self.settings.webhook_allow_private_hosts
            )
        except service.BadSubscription as exc:
            return _Result(None, f"refused: {exc}")
        timestamp = int(self.clock.now().timestamp())
        headers = signing.headers(job.secret, job.message_id, timestamp, job.body)
        try:
            response = await self.http.post(
                job.url,
                content=job.body,
                headers=headers,
                timeout=self.settings.webhook_timeout_seconds,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            return _Result(None, f"{type(exc).__name__}: {exc}"[:500])
        error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        return _Result(response.status_code, error)

    def _record(self, delivery: Delivery, result: _Result, now: datetime) -> None:
        delivery.attempts += 1
        delivery.leased_until = None
        delivery.last_status_code = result.status_code
        delivery.last_error = result.error
        entry = {"at": now.isoformat(), "status_code": result.status_code, "error": result.error}
        delivery.log = [*(delivery.log or []), entry][-LOG_ENTRIES:]
        if result.ok:
            delivery.status = DeliveryStatus.delivered
            delivery.delivered_at = now
        elif delivery.attempts >= self.settings.webhook_max_attempts:
            delivery.status = DeliveryStatus.failed
        else:
            wait = backoff(delivery.attempts, self.settings.webhook_retry_base_seconds, self.rng)
            delivery.next_attempt_at = now + wait
        log.info(
            "webhook_attempt",
            delivery_id=delivery.id,
            webhook_event=delivery.event,
            attempt=delivery.attempts,
            status_code=result.status_code,
            error=result.error,
            delivery_status=delivery.status,
        )


def start_webhook_worker(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    stop: asyncio.Event,
) -> tuple[asyncio.Task[None], httpx.AsyncClient] | None:
    """Runs the delivery worker in this process when WEBHOOKS_ENABLED."""
    if not settings.webhooks_enabled:
        return None
    http = httpx.AsyncClient()
    worker = WebhookWorker(sessions, settings, clock, http)
    return asyncio.create_task(worker.run(stop), name="webhook-worker"), http
