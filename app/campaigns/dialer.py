"""The dialer: places campaign calls within the window, at the campaign's pace, with retries.

All state is in the database, and every decision is taken under the campaign's row lock, so any
number of dialers (processes, machines) can run against one Postgres: an attempt is claimed with
SKIP LOCKED, written as `dialing` with its Call before Twilio is asked, and the campaign's
`next_dial_at` hands out pacing slots one at a time. A dialer that dies mid-dial leaves a
`dialing` attempt without a CallSid; after STALE_DIAL it counts as a failed attempt (retried
after the delay, never re-dialed on the spot), so a restart never dials anyone twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.calls import service as calls
from app.calls.models import Call, CallStatus, Channel, Outcome
from app.calls.service import UNANSWERED_OUTCOMES
from app.campaigns import repository
from app.campaigns.models import AttemptState, CallAttempt, Campaign, CampaignState
from app.campaigns.window import CallingWindow
from app.clock import Clock
from app.config import Settings
from app.leads import repository as leads_repo
from app.leads.models import Lead

log = structlog.get_logger(__name__)

RETRY_OUTCOMES = frozenset(
    {Outcome.no_answer, Outcome.busy, Outcome.failed, Outcome.voicemail, Outcome.callback}
)
# A completed call without an outcome: the lead hung up before the conversation gave one.
HUNG_UP = "completed"
STALE_DIAL = timedelta(minutes=2)
REGISTRY_MAX_AGE = timedelta(days=15)
DEFAULT_RETRY_DELAYS_MIN = (60, 240)


class DialRefused(Exception):
    """Twilio would not place the call."""


class DialRateLimited(DialRefused):
    """Twilio said too many requests (HTTP 429, error 20429): back off and try again."""


class CallPlacer(Protocol):
    """Places one outbound call for a stored Call; returns the network's call id (CallSid)."""

    channel: Channel  # what the stored Call says it went through

    async def place(self, call_id: int, phone: str) -> str: ...


@dataclass(frozen=True, slots=True)
class _Job:
    attempt_id: int
    call_id: int
    phone: str
    at: datetime


def skip_reason(lead: Lead | None, campaign: Campaign, now: datetime) -> str | None:
    """Why this lead must not be dialed in this campaign, or None."""
    if lead is None:
        return "lead deleted"
    if lead.do_not_call:
        return "do-not-call"
    if campaign.require_registry_check:
        checked = lead.dnc_registry_checked_at
        if checked is None or checked < now - REGISTRY_MAX_AGE:
            return "not checked against the do-not-call registry in the last 15 days"
    return None


def retry_delay(campaign: Campaign, attempts: int) -> timedelta:
    delays = campaign.retry_delays_minutes or list(DEFAULT_RETRY_DELAYS_MIN)
    return timedelta(minutes=delays[min(attempts, len(delays)) - 1])


class Dialer:
    """One dialer loop; run as many as you like against one database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        placer: CallPlacer,
        *,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.placer = placer
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.backoff = timedelta(seconds=1)
        self.placed_total = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Dials until `stop` is set; a failing tick is logged and retried, never fatal."""
        log.info("dialer_started")
        while not stop.is_set():
            try:
                placed = await self.tick()
            except Exception:
                log.exception("dialer_tick_failed")
                placed = 0
            if placed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)
        log.info("dialer_stopped")

    async def tick(self) -> int:
        """Settles finished calls, then places every call that is due now; returns how many."""
        await self.reconcile()
        async with self.sessions() as session:
            campaign_ids = await repository.active_ids(session)
        placed = 0
        for campaign_id in campaign_ids:
            while (job := await self._claim(campaign_id)) is not None:
                await self._wait_until(job.at)
                placed += await self._place(job)
        self.placed_total += placed
        return placed

    async def reconcile(self) -> int:
        """Moves attempts whose call has ended to retry_wait or done; returns how many."""
        now = self.clock.now()
        settled = 0
        async with self.sessions.begin() as session:
            campaigns: dict[int, Campaign | None] = {}
            for attempt, call in await repository.in_flight(session):
                outcome = _ended(call, attempt, now)
                if outcome is None:
                    continue
                if attempt.campaign_id not in campaigns:
                    campaigns[attempt.campaign_id] = await repository.get(
                        session, attempt.campaign_id
                    )
                campaign = campaigns[attempt.campaign_id]
                if campaign is not None:
                    _settle(attempt, campaign, outcome, now)
                    settled += 1
        return settled

    async def _claim(self, campaign_id: int) -> _Job | None:
        """Under the campaign's lock: window, concurrency, one due attempt, a pacing slot."""
        async with self.sessions.begin() as session:
            campaign = await repository.get(session, campaign_id, lock=True)
            if campaign is None or campaign.state != CampaignState.active:
                return None
            now = self.clock.now()
            window = CallingWindow.parse(campaign.window, self.settings.tz)
            if not window.is_open(now):
                return None
            if await repository.count_live(session, campaign_id) >= campaign.max_concurrent_calls:
                return None
            at = max(campaign.next_dial_at or now, now)
            if not window.is_open(at):
                return None
            for attempt in await repository.claim_due(session, campaign_id, now, limit=25):
                lead = await leads_repo.get(session, attempt.lead_id) if attempt.lead_id else None
                reason = skip_reason(lead, campaign, now)
                if reason is not None or lead is None:
                    attempt.state, attempt.skip_reason = AttemptState.skipped, reason
                    log.info("lead_skipped", campaign_id=campaign_id, reason=reason)
                    continue
                call = await calls.open_call(
                    session, lead, now, channel=self.placer.channel, campaign_id=campaign_id
                )
                attempt.state = AttemptState.dialing
                attempt.attempts += 1
                attempt.last_call_id = call.id
                attempt.next_attempt_at = None
                campaign.next_dial_at = at + timedelta(seconds=1 / campaign.calls_per_second)
                return _Job(attempt.id, call.id, lead.phone, at)
            if await repository.remaining(session, campaign_id) == 0:
                campaign.state, campaign.finished_at = CampaignState.completed, now
                log.info("campaign_completed", campaign_id=campaign_id)
            return None

    async def _wait_until(self, at: datetime) -> None:
        delay = (at - self.clock.now()).total_seconds()
        if delay > 0:
            await self.sleep(delay)

    async def _place(self, job: _Job) -> int:
        try:
            sid = await self.placer.place(job.call_id, job.phone)
        except DialRateLimited as exc:
            metrics.DIALS.labels(result="rate_limited").inc()
            await self._rate_limited(job, str(exc))
            return 0
        except DialRefused as exc:
            metrics.DIALS.labels(result="refused").inc()
            await self._refused(job, str(exc))
            return 1
        metrics.DIALS.labels(result="placed").inc()
        self.backoff = timedelta(seconds=1)
        async with self.sessions.begin() as session:
            call = await session.get(Call, job.call_id, with_for_update=True)
            attempt = await session.get(CallAttempt, job.attempt_id, with_for_update=True)
            if call is not None:
                calls.placed(call, sid)
            if attempt is not None and attempt.state == AttemptState.dialing:
                attempt.state = AttemptState.live
        return 1

    async def _rate_limited(self, job: _Job, error: str) -> None:
        """Twilio's 429: the attempt is given back untouched and the campaign slows down."""
        now = self.clock.now()
        log.warning("dial_rate_limited", call_id=job.call_id, backoff_s=self.backoff.seconds)
        async with self.sessions.begin() as session:
            attempt = await session.get(CallAttempt, job.attempt_id, with_for_update=True)
            call = await session.get(Call, job.call_id)
            if attempt is not None:
                attempt.attempts -= 1
                attempt.state = (
                    AttemptState.pending if attempt.attempts == 0 else AttemptState.retry_wait
                )
                attempt.next_attempt_at = now + self.backoff
                campaign = await repository.get(session, attempt.campaign_id, lock=True)
                if campaign is not None:
                    campaign.next_dial_at = max(campaign.next_dial_at or now, now + self.backoff)
            if call is not None:
                await session.delete(call)
        self.backoff = min(self.backoff * 2, timedelta(seconds=60))

    async def _refused(self, job: _Job, error: str) -> None:
        log.warning("dial_refused", call_id=job.call_id, error=error)
        async with self.sessions.begin() as session:
            call = await session.get(Call, job.call_id, with_for_update=True)
            if call is not None and not calls.is_final(call):
                calls.failed(call, self.clock.now(), error)


def _ended(call: Call | None, attempt: CallAttempt, now: datetime) -> str | None:
    """The outcome of an in-flight attempt's call, or None while it is still going."""
    if call is None:
        return Outcome.failed
    if call.outcome is not None:
        return call.outcome
    if call.status in UNANSWERED_OUTCOMES:
        return UNANSWERED_OUTCOMES[CallStatus(call.status)]
    if call.status == CallStatus.completed:
        return HUNG_UP
    if call.call_sid is None and call.started_at < now - STALE_DIAL:
        # The dialer died between writing the attempt and hearing from the network.
        calls.failed(call, now, "the dialer stopped before the network answered")
        return Outcome.failed
    return None


def _settle(attempt: CallAttempt, campaign: Campaign, outcome: str, now: datetime) -> None:
    attempt.last_outcome = outcome
    if outcome in RETRY_OUTCOMES and attempt.attempts < campaign.max_attempts:
        attempt.state = AttemptState.retry_wait
        attempt.next_attempt_at = now + retry_delay(campaign, attempt.attempts)
    else:
        attempt.state = AttemptState.done
