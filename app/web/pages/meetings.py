"""Meetings: upcoming ones, their .ics invitation, and cancelling."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.contract import Id
from app.db import read_session
from app.deps import AppClock, AppSettings, DbSession, DbSessions, Events
from app.flows.meetings import AppScheduler, canceled_by, invitation_download
from app.leads import repository as leads_repo
from app.meetings import repository as meetings_repo
from app.meetings.models import MeetingStatus
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/meetings", include_in_schema=False)


@router.get("")
async def list_meetings(
    request: Request,
    console: Console,
    sessions: DbSessions,
    settings: AppSettings,
    clock: AppClock,
    cancelled: bool = False,
) -> Response:
    """Booked meetings from an hour ago on, by start time (and, if asked, cancelled ones)."""
    since = clock.now() - timedelta(hours=1)
    async with read_session(sessions) as session:
        meetings = await meetings_repo.list_meetings(
            session, [rep.key for rep in settings.reps], include_cancelled=cancelled
        )
        shown = [m for m in meetings if m.status != MeetingStatus.booked or m.end >= since]
        leads = {m.lead_id: await leads_repo.get(session, m.lead_id) for m in shown if m.lead_id}
    context = {"meetings": shown, "leads": leads, "cancelled": cancelled}
    return render(request, console, "meetings.html", context, page="meetings")


@router.get("/{meeting_id}.ics")
async def invitation(
    meeting_id: Id, console: Console, session: DbSession, settings: AppSettings
) -> Response:
    """The same invitation GET /meetings/{id}.ics serves, for the logged-in browser."""
    return await invitation_download(session, meeting_id, settings)


@router.post("/{meeting_id}/cancel")
async def cancel(
    meeting_id: Id,
    console: Console,
    sessions: DbSessions,
    scheduler: AppScheduler,
    events: Events,
    settings: AppSettings,
) -> Response:
    """As DELETE /meetings/{id}: the slot freed, the rep's event removed, the lead told."""
    await scheduler.cancel(sessions, meeting_id, on_cancelled=canceled_by(events, settings))
    return RedirectResponse("/console/meetings", status.HTTP_303_SEE_OTHER)
