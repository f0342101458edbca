"""Campaigns: create (leads by filter or selection, window, pacing, retries), steer, watch."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.calls import repository as calls_repo
from app.campaigns import repository as campaigns_repo
from app.campaigns import service
from app.campaigns.schemas import CampaignCreate, CampaignRead
from app.campaigns.window import DEFAULT_WINDOW
from app.contract import Id
from app.db import read_session
from app.deps import AppClock, AppSettings, DbSession, DbSessions
from app.errors import AppError
from app.leads import repository as leads_repo
from app.leads.models import LeadStatus
from app.web import forms
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/campaigns", include_in_schema=False)
CALLING_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri")
FINISHED_ATTEMPTS = ("done", "skipped", "cancelled")
RECENT, LIVE_CALLS = 3, 8  # the newest campaigns show their latest calls


def finished_share(campaign: CampaignRead) -> float:
    """The part of the campaign's attempts that are over, 0..1."""
    total = campaign.progress.total
    done = sum(campaign.progress.states.get(state, 0) for state in FINISHED_ATTEMPTS)
    return done / total if total else 1.0


async def _campaigns(sessions: DbSessions) -> dict[str, object]:
    """Every campaign with its progress, and the latest calls of the newest ones."""
    async with read_session(sessions) as session:
        campaigns = [
            await service.read(session, c) for c in await campaigns_repo.list_campaigns(session)
        ]
        calls = {
            c.id: await calls_repo.list_calls(session, campaign_id=c.id, limit=LIVE_CALLS)
            for c in campaigns[:RECENT]
        }
    return {"campaigns": campaigns, "calls": calls, "finished_share": finished_share}


async def _page(
    request: Request,
    console: Console,
    sessions: DbSessions,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with read_session(sessions) as session:
        leads, _ = await leads_repo.search(session, do_not_call=False, limit=500)
    context = {
        **await _campaigns(sessions),
        "leads": leads,
        "statuses": list(LeadStatus),
        "days": CALLING_DAYS,
        "default_window": DEFAULT_WINDOW,
        "errors": errors or {},
    }
    return render(
        request, console, "campaigns.html", context, status_code=status_code, page="campaigns"
    )


@router.get("")
async def campaigns_page(request: Request, console: Console, sessions: DbSessions) -> Response:
    return await _page(request, console, sessions)


@router.get("/rows")
async def campaign_rows(request: Request, console: Console, sessions: DbSessions) -> Response:
    """The campaign table alone: the page reloads it every two seconds."""
    return render(request, console, "_campaign_rows.html", await _campaigns(sessions))


def _payload(form: FormData) -> CampaignCreate:
    """The form as the API's CampaignCreate (so its validation and limits apply)."""
    start, end = forms.values(form, ("window_start", "window_end")).values()
    days = [day for day in CALLING_DAYS if forms.checked(form, f"day_{day}")]
    window = {day: [start or "09:00", end or "18:00"] for day in days} if days else None
    lead_ids = [int(v) for v in form.getlist("lead_ids") if isinstance(v, str) and v.isdigit()]
    chosen = form.get("leads")
    delays = str(form.get("retry_delays_minutes") or "").replace(" ", "")
    lead_status = form.get("lead_status")
    return CampaignCreate.model_validate(
        {
            "name": form.get("name") or "",
            "lead_ids": lead_ids if chosen == "selected" else None,
            "filter": {"status": lead_status} if chosen == "filter" and lead_status else None,
            "max_concurrent_calls": forms.number(form, "max_concurrent_calls", 1),
            "calls_per_second": forms.number(form, "calls_per_second", 1.0),
            "max_attempts": forms.number(form, "max_attempts", 3),
            "retry_delays_minutes": [d for d in delays.split(",") if d] or [60, 240],
            "window": window,
        }
    )


@router.post("")
async def create_campaign(
    request: Request,
    console: Console,
    session: DbSession,
    sessions: DbSessions,
    clock: AppClock,
    settings: AppSettings,
) -> Response:
    """Creates the campaign with the API's service; unticked "start now" leaves it paused."""
    form = await request.form()
    try:
        payload = _payload(form)
        if payload.lead_ids == []:
            return await _page(
                request, console, sessions, {"leads": "Tick at least one lead."}, 422
            )
        campaign = await service.create(session, payload, clock, settings.tz)
        if not forms.checked(form, "start_now"):
            await service.transition(session, campaign.id, "pause", clock)
    except ValidationError as exc:
        return await _page(request, console, sessions, forms.errors(exc), 422)
    except AppError as exc:
        return await _page(request, console, sessions, {"form": str(exc)}, exc.status_code)
    return RedirectResponse("/console/campaigns", status.HTTP_303_SEE_OTHER)


@router.post("/{campaign_id}/{verb}")
async def steer(
    request: Request,
    console: Console,
    campaign_id: Id,
    verb: Literal["pause", "resume", "cancel"],
    session: DbSession,
    clock: AppClock,
) -> Response:
    """Pause, resume (or start a paused one) or cancel, as POST /campaigns/{id}/{verb} does."""
    await service.transition(session, campaign_id, verb, clock)
    return RedirectResponse("/console/campaigns", status.HTTP_303_SEE_OTHER)
