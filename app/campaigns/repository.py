"""Campaign and attempt queries; claims use FOR UPDATE SKIP LOCKED so dialers never collide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calls.models import Call
from app.campaigns.models import (
    LIVE_STATES,
    OPEN_STATES,
    AttemptState,
    CallAttempt,
    Campaign,
    CampaignState,
)


async def get(session: AsyncSession, campaign_id: int, *, lock: bool = False) -> Campaign | None:
    """Gets a campaign; `lock` holds its row (pacing and concurrency are decided under it)."""
    query = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


def lead_ids_of(campaign_id: int) -> Select[tuple[int]]:
    """The ids of a campaign's leads, as a query to filter leads by."""
    return select(CallAttempt.lead_id).where(
        CallAttempt.campaign_id == campaign_id, CallAttempt.lead_id.is_not(None)
    )  # type: ignore[return-value]


async def list_campaigns(session: AsyncSession) -> Sequence[Campaign]:
    """Lists campaigns, newest first."""
    return (await session.scalars(select(Campaign).order_by(Campaign.id.desc()))).all()


async def active_ids(session: AsyncSession) -> list[int]:
    """The campaigns a dialer should work on."""
    query = select(Campaign.id).where(Campaign.state == CampaignState.active).order_by(Campaign.id)
    return list((await session.scalars(query)).all())


async def add(session: AsyncSession, campaign: Campaign, lead_ids: Sequence[int]) -> Campaign:
    """Stores a campaign with one pending attempt per lead."""
    session.add(campaign)
    await session.flush()
    session.add_all(
        CallAttempt(campaign_id=campaign.id, lead_id=lead_id, state=AttemptState.pending)
        for lead_id in dict.fromkeys(lead_ids)
    )
    await session.flush()
    return campaign


async def count_live(session: AsyncSession, campaign_id: int) -> int:
    """Attempts being dialed or talking right now."""
    query = select(func.count()).where(
        CallAttempt.campaign_id == campaign_id, CallAttempt.state.in_(LIVE_STATES)
    )
    return int(await session.scalar(query) or 0)


async def claim_due(
    session: AsyncSession, campaign_id: int, now: datetime, limit: int
) -> Sequence[CallAttempt]:
    """Locks attempts that are due, skipping rows another dialer holds."""
    query = (
        select(CallAttempt)
        .where(
            CallAttempt.campaign_id == campaign_id,
            CallAttempt.state.in_(OPEN_STATES),
            or_(CallAttempt.next_attempt_at.is_(None), CallAttempt.next_attempt_at <= now),
        )
        .order_by(CallAttempt.next_attempt_at.nulls_first(), CallAttempt.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()


async def in_flight(session: AsyncSession) -> Sequence[tuple[CallAttempt, Call | None]]:
    """Attempts being dialed or live, with their current call (for reconciling outcomes)."""
    query = (
        select(CallAttempt, Call)
        .outerjoin(Call, Call.id == CallAttempt.last_call_id)
        .where(CallAttempt.state.in_(LIVE_STATES))
        .with_for_update(of=CallAttempt, skip_locked=True)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def progress(session: AsyncSession, campaign_id: int) -> dict[str, dict[str, int]]:
    """Counts per attempt state, per last outcome and per skip reason."""
    counts: dict[str, dict[str, int]] = {"states": {}, "outcomes": {}, "skipped": {}}
    for column, key in (
        (CallAttempt.state, "states"),
        (CallAttempt.last_outcome, "outcomes"),
        (CallAttempt.skip_reason, "skipped"),
    ):
        rows = await session.execute(
            select(column, func.count())
            .where(CallAttempt.campaign_id == campaign_id, column.is_not(None))
            .group_by(column)
        )
        counts[key] = {str(value): int(n) for value, n in rows.all()}
    return counts


async def remaining(session: AsyncSession, campaign_id: int) -> int:
    """Attempts that may still be dialed or are being dialed."""
    query = select(func.count()).where(
        CallAttempt.campaign_id == campaign_id,
        CallAttempt.state.in_((*OPEN_STATES, *LIVE_STATES)),
    )
    return int(await session.scalar(query) or 0)


async def cancel_open(session: AsyncSession, campaign_id: int) -> None:
    """Cancels every attempt not yet dialed."""
    attempts = await session.scalars(
        select(CallAttempt).where(
            CallAttempt.campaign_id == campaign_id, CallAttempt.state.in_(OPEN_STATES)
        )
    )
    for attempt in attempts:
        attempt.state = AttemptState.cancelled
    await session.flush()
