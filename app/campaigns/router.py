"""/campaigns and POST /outbound/campaign: thin handlers over the campaign service."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status

from app.campaigns import repository, service
from app.campaigns.schemas import CampaignCreate, CampaignRead
from app.contract import PROTECTED_RESPONSES, Id, conflict, not_found
from app.deps import ApiKey, AppClock, AppSettings, DbSession

router = APIRouter(
    prefix="/campaigns", tags=["campaigns"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)
outbound_router = APIRouter(
    prefix="/outbound", tags=["outbound"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


@router.post("", response_model=CampaignRead, status_code=status.HTTP_201_CREATED)
async def create_campaign(
    payload: CampaignCreate, session: DbSession, clock: AppClock, settings: AppSettings
) -> CampaignRead:
    """Starts a campaign over the given leads (or a filter, or every lead)."""
    campaign = await service.create(session, payload, clock, settings.tz)
    return await service.read(session, campaign)


@router.get("", response_model=list[CampaignRead])
async def list_campaigns(session: DbSession) -> list[CampaignRead]:
    """Lists campaigns with their progress, newest first."""
    return [await service.read(session, c) for c in await repository.list_campaigns(session)]


@router.get("/{campaign_id}", response_model=CampaignRead, responses=not_found("campaign"))
async def get_campaign(campaign_id: Id, session: DbSession) -> CampaignRead:
    """One campaign: counts per attempt state and outcome, skips with reasons."""
    return await service.read(session, await service.get(session, campaign_id))


@router.post(
    "/{campaign_id}/{verb}",
    response_model=CampaignRead,
    responses={**not_found("campaign"), **conflict("The campaign's state does not allow it")},
)
async def steer_campaign(
    campaign_id: Id,
    verb: Literal["pause", "resume", "cancel"],
    session: DbSession,
    clock: AppClock,
) -> CampaignRead:
    """Pauses, resumes or cancels; cancelling drops the attempts not yet dialed."""
    campaign = await service.transition(session, campaign_id, verb, clock)
    return await service.read(session, campaign)


@outbound_router.post("/campaign", response_model=CampaignRead, status_code=201)
async def call_all_leads(
    session: DbSession, clock: AppClock, settings: AppSettings
) -> CampaignRead:
    """Calls every lead with the default pacing and window (do-not-call leads are skipped)."""
    name = f"All leads {clock.now().astimezone(settings.tz):%Y-%m-%d %H:%M}"
    campaign = await service.create(session, CampaignCreate(name=name), clock, settings.tz)
    return await service.read(session, campaign)
