"""Try a call: the simulator in the browser, typed as the Hebrew caller or played by a persona."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.calls import repository as calls_repo
from app.calls.models import Channel
from app.calls.service import CallNotFound
from app.contract import Id
from app.conversation.engine import AppEngine
from app.db import read_session
from app.deps import AppClock, AppSettings, DbSession, DbSessions
from app.errors import AppError
from app.flows import call as call_flow
from app.language.he import as_lead_gender
from app.leads import repository as leads_repo
from app.telephony.offline.personas import PERSONAS, Speaker
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/try", include_in_schema=False)
Line = Annotated[str, Form(max_length=1000)]


@router.get("")
async def try_page(request: Request, console: Console, sessions: DbSessions) -> Response:
    """Pick a lead (and, if you like, a persona to answer for them)."""
    async with read_session(sessions) as session:
        leads, _ = await leads_repo.search(session, do_not_call=False, limit=500)
    context = {"leads": leads, "personas": PERSONAS.values()}
    return render(request, console, "try.html", context, page="try")


@router.post("")
async def start(
    request: Request,
    console: Console,
    session: DbSession,
    engine: AppEngine,
    lead_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    persona: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Opens a simulated call and its greeting, as POST /simulator/calls does."""
    call = await call_flow.open_call(
        session, engine, lead_id, channel=Channel.simulator, call_sid=f"SIM{uuid.uuid4().hex}"
    )
    await call_flow.greet(session, engine, call.id)
    query = f"?persona={persona}" if persona in PERSONAS else ""
    return RedirectResponse(f"/console/try/{call.id}{query}", status.HTTP_303_SEE_OTHER)


async def _context(sessions: DbSessions, call_id: int, persona: str | None) -> dict[str, object]:
    async with read_session(sessions) as session:
        call = await calls_repo.get_with_turns(session, call_id)
    if call is None:
        raise CallNotFound(call_id)
    return {
        "call": call,
        "ended": call.outcome is not None,
        "persona": PERSONAS.get(persona or ""),
    }


@router.get("/{call_id}")
async def conversation(
    request: Request,
    console: Console,
    sessions: DbSessions,
    call_id: Id,
    persona: str | None = None,
) -> Response:
    context = await _context(sessions, call_id, persona)
    return render(request, console, "try_call.html", context, page="try")


async def _say(
    sessions: DbSessions, engine: AppEngine, clock: AppClock, call_id: int, text: str
) -> str | None:
    """One caller line through the call flow; the simulated phone goes down when the agent ends."""
    try:
        turn = await call_flow.take_turn(sessions, engine, call_id, text.strip())
    except AppError as exc:
        return str(exc)
    if turn.ended:
        async with sessions.begin() as session:
            await call_flow.hang_up(session, call_id, clock)
    return None


@router.post("/{call_id}/say")
async def say(
    request: Request,
    console: Console,
    sessions: DbSessions,
    engine: AppEngine,
    clock: AppClock,
    call_id: Id,
    text: Line = "",
) -> Response:
    """The typed Hebrew line (empty is silence); answers with the grown transcript."""
    problem = await _say(sessions, engine, clock, call_id, text)
    context = {**await _context(sessions, call_id, None), "problem": problem}
    return render(request, console, "_try_transcript.html", context)


@router.post("/{call_id}/persona")
async def persona_says(
    request: Request,
    console: Console,
    sessions: DbSessions,
    engine: AppEngine,
    clock: AppClock,
    settings: AppSettings,
    call_id: Id,
    persona: Annotated[str, Form(max_length=40)],
    answered: Annotated[int, Form(ge=0, le=100)] = 0,
    at_offer: Annotated[int, Form(ge=0, le=100)] = 0,
) -> Response:
    """The persona's next line (the offline phone network's, for the slots on offer now)."""
    chosen = PERSONAS.get(persona)
    if chosen is None:
        context = {**await _context(sessions, call_id, None), "problem": "Unknown persona."}
        return render(request, console, "_try_transcript.html", context, status_code=422)
    async with read_session(sessions) as session:
        call = await calls_repo.get(session, call_id)
        if call is None:
            raise CallNotFound(call_id)
        lead = await leads_repo.get(session, call.lead_id) if call.lead_id else None
        offered = [datetime.fromisoformat(s) for s in call.offered_slots]
    female = as_lead_gender(lead.gender if lead else None) == "female"
    speaker = Speaker(chosen, female, settings.tz, answered, at_offer)
    line = speaker.next_line(offered)
    problem = await _say(sessions, engine, clock, call_id, line)
    context = {
        **await _context(sessions, call_id, persona),
        "problem": problem,
        "answered": speaker._answered,
        "at_offer": speaker._at_offer,
    }
    return render(request, console, "_try_transcript.html", context)
