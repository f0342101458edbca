"""Overview: the funnel, conversion, outcomes per day and turn latency per stage."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.calls import repository as calls_repo
from app.db import read_session
from app.deps import AppClock, AppSettings, DbSessions
from app.web import charts
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(include_in_schema=False)


async def _context(
    sessions: DbSessions, settings: AppSettings, clock: AppClock
) -> dict[str, object]:
    today = clock.now().astimezone(settings.tz).date()
    async with read_session(sessions) as session:
        counts = await calls_repo.funnel_counts(session)
        rows = await calls_repo.outcomes_since(session, clock.now() - timedelta(days=15))
        timings = await calls_repo.stage_timings(session)
    days, tallest = charts.outcomes_by_day(rows, settings.tz, today)
    stages, scale = charts.latencies(timings)
    dialed = counts["dialed"]
    return {
        "funnel": charts.funnel(counts),
        "conversion": counts["booked"] / dialed if dialed else None,
        "days": days,
        "tallest": tallest,
        "colors": charts.OUTCOME_COLORS,
        "stages": stages,
        "scale": scale,
    }


@router.get("/")
async def overview(
    request: Request,
    console: Console,
    sessions: DbSessions,
    settings: AppSettings,
    clock: AppClock,
) -> Response:
    """The console's home page."""
    context = await _context(sessions, settings, clock)
    return render(request, console, "overview.html", context, page="overview")


@router.get("/console/overview/charts")
async def overview_charts(
    request: Request,
    console: Console,
    sessions: DbSessions,
    settings: AppSettings,
    clock: AppClock,
) -> Response:
    """The charts alone, which the page reloads every few seconds."""
    context = await _context(sessions, settings, clock)
    return render(request, console, "_overview_charts.html", context)
