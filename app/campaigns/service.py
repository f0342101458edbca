"""Creating and steering campaigns; used by the API and the CLI."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.campaigns import repository
from app.campaigns.models import Campaign, CampaignState
from app.campaigns.schemas import CampaignCreate, CampaignRead, Progress
from app.campaigns.window import DEFAULT_WINDOW, CallingWindow
from app.clock import Clock
from app.errors import AppError, Conflict, NotFound, Unprocessable
from app.leads.models import Lead


class CampaignError(AppError):
    """The request cannot be carried out; the message says why."""


class CampaignNotFound(CampaignError, NotFound):
    pass


class CampaignConflict(CampaignError, Conflict):
    """The campaign's state does not allow this (e.g. resuming a cancelled one)."""


class CampaignInvalid(CampaignError, Unprocessable):
    """Unknown lead ids, or no lead to call."""


_TRANSITIONS = {
    "pause": ({CampaignState.active}, CampaignState.paused),
    "resume": ({CampaignState.paused}, CampaignState.active),
    "cancel": ({CampaignState.active, CampaignState.paused}, CampaignState.cancelled),
}


async def _lead_ids(session: AsyncSession, payload: CampaignCreate) -> list[int]:
    if payload.lead_ids is not None:
        wanted = list(dict.fromkeys(payload.lead_ids))
        found = set((await session.scalars(select(Lead.id).where(Lead.id.in_(wanted)))).all())
        unknown = [lead_id for lead_id in wanted if lead_id not in found]
        if unknown:
            raise CampaignInvalid(f"unknown lead ids: {unknown[:20]}")
        return wanted
    query = select(Lead.id).order_by(Lead.id)
    if payload.filter is not None and payload.filter.status is not None:
        query = query.where(Lead.status == payload.filter.status)
    return list((await session.scalars(query)).all())


async def create(
    session: AsyncSession, payload: CampaignCreate, clock: Clock, tz: ZoneInfo
) -> Campaign:
    """Stores the campaign and one attempt per lead; do-not-call leads are skipped when reached."""
    CallingWindow.parse(payload.window, tz)  # raises WindowError with the reason
    lead_ids = await _lead_ids(session, payload)
    if not lead_ids:
        raise CampaignInvalid("no leads match: nothing to call")
    campaign = Campaign(
        name=payload.name,
        state=CampaignState.active,
        max_concurrent_calls=payload.max_concurrent_calls,
        calls_per_second=payload.calls_per_second,
        max_attempts=payload.max_attempts,
        retry_delays_minutes=payload.retry_delays_minutes,
        window=payload.window or DEFAULT_WINDOW,
        require_registry_check=payload.require_registry_check,
        created_at=clock.now(),
    )
    return await repository.add(session, campaign, lead_ids)


async def get(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await repository.get(session, campaign_id)
    if campaign is None:
        raise CampaignNotFound(f"Campaign {campaign_id} not found.")
    return campaign


async def transition(session: AsyncSession, campaign_id: int, verb: str, clock: Clock) -> Campaign:
    """pause / resume / cancel; refuses moves that make no sense (e.g. resuming a cancelled one)."""
    campaign = await repository.get(session, campaign_id, lock=True)
    if campaign is None:
        raise CampaignNotFound(f"Campaign {campaign_id} not found.")
    allowed, target = _TRANSITIONS[verb]
    if campaign.state not in allowed:
        raise CampaignConflict(f"cannot {verb} a campaign that is {campaign.state}")
    campaign.state = target
    if target == CampaignState.cancelled:
        campaign.finished_at = clock.now()
        await repository.cancel_open(session, campaign_id)
    await session.flush()
    return campaign


async def read(session: AsyncSession, campaign: Campaign) -> CampaignRead:
    counts = await repository.progress(session, campaign.id)
    progress = Progress(total=sum(counts["states"].values()), **counts)
    return CampaignRead(
        id=campaign.id,
        name=campaign.name,
        state=campaign.state,
        max_concurrent_calls=campaign.max_concurrent_calls,
        calls_per_second=campaign.calls_per_second,
        max_attempts=campaign.max_attempts,
        retry_delays_minutes=list(campaign.retry_delays_minutes),
        window=dict(campaign.window),
        require_registry_check=campaign.require_registry_check,
        created_at=campaign.created_at,
        finished_at=campaign.finished_at,
        progress=progress,
    )
