"""/simulator/calls: start a simulated call and answer it line by line (Hebrew text in and out)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from app.calls.models import Channel, Turn
from app.contract import PROTECTED_RESPONSES, Id, conflict, not_found
from app.conversation.engine import AppEngine
from app.deps import ApiKey, AppClock, DbSession, DbSessions
from app.flows import call as call_flow

router = APIRouter(
    prefix="/simulator", tags=["simulator"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


class SimulatedCallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_id: Id


class SimulatedReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""


class SimulatedTurn(BaseModel):
    call_id: int
    reply_he: str
    reply_en: str
    action: str | None
    action_payload: dict[str, Any] | None
    ended: bool


def _turn(call_id: int, turn: Turn) -> SimulatedTurn:
    return SimulatedTurn(
        call_id=call_id,
        reply_he=turn.agent_he,
        reply_en=turn.agent_en,
        action=turn.action,
        action_payload=turn.action_payload,
        ended=turn.ended,
    )


@router.post(
    "/calls",
    response_model=SimulatedTurn,
    status_code=status.HTTP_201_CREATED,
    responses={**not_found("lead"), **conflict("The lead is do-not-call")},
)
async def start_call(
    payload: SimulatedCallCreate, session: DbSession, engine: AppEngine
) -> SimulatedTurn:
    """Starts a simulated call and returns the greeting the lead would hear."""
    call = await call_flow.open_call(
        session,
        engine,
        payload.lead_id,
        channel=Channel.simulator,
        call_sid=f"SIM{uuid.uuid4().hex}",
    )
    greeting = await call_flow.greet(session, engine, call.id)
    return _turn(call.id, greeting)


@router.post(
    "/calls/{call_id}/reply",
    response_model=SimulatedTurn,
    responses={**not_found("call"), **conflict("The call has ended")},
)
async def reply(
    call_id: Id,
    payload: SimulatedReply,
    sessions: DbSessions,
    engine: AppEngine,
    clock: AppClock,
) -> SimulatedTurn:
    """Takes the lead's Hebrew line (empty text stands for silence); returns the agent's answer."""
    turn = await call_flow.take_turn(sessions, engine, call_id, payload.text)
    if turn.ended:  # the agent said goodbye: the simulated lead's phone goes down
        async with sessions.begin() as session:
            await call_flow.hang_up(session, call_id, clock)
    return _turn(call_id, turn)
