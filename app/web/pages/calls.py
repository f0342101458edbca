"""Calls: a live list, and one call's bilingual transcript with actions, timings and errors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.calls import repository as calls_repo
from app.calls.service import CallNotFound, is_final
from app.contract import Id
from app.db import read_session
from app.deps import DbSessions
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/calls", include_in_schema=False)
LIST_SIZE = 100


@router.get("")
async def list_calls(request: Request, console: Console, sessions: DbSessions) -> Response:
    """The latest calls; the rows reload every two seconds."""
    async with read_session(sessions) as session:
        calls = await calls_repo.list_calls(session, limit=LIST_SIZE)
    return render(request, console, "calls.html", {"calls": calls}, page="calls")


@router.get("/rows")
async def call_rows(request: Request, console: Console, sessions: DbSessions) -> Response:
    async with read_session(sessions) as session:
        calls = await calls_repo.list_calls(session, limit=LIST_SIZE)
    return render(request, console, "_call_rows.html", {"calls": calls})


async def _call_context(sessions: DbSessions, call_id: int) -> dict[str, object]:
    async with read_session(sessions) as session:
        call = await calls_repo.get_with_turns(session, call_id)
    if call is None:
        raise CallNotFound(call_id)
    return {"call": call, "live": not is_final(call)}


@router.get("/{call_id}")
async def call_detail(
    request: Request, console: Console, sessions: DbSessions, call_id: Id
) -> Response:
    """Hebrew and English side by side; reloads while the call is live."""
    context = await _call_context(sessions, call_id)
    return render(request, console, "call.html", context, page="calls")


@router.get("/{call_id}/transcript")
async def call_transcript(
    request: Request, console: Console, sessions: DbSessions, call_id: Id
) -> Response:
    context = await _call_context(sessions, call_id)
    return render(request, console, "_call_transcript.html", context)
