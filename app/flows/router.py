"""Routes whose work spans domains: the agent's API turn and a lead's erasure."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.contract import PROTECTED_RESPONSES, Id, not_found
from app.conversation.engine import AppEngine
from app.conversation.schemas import AgentTurnRequest, AgentTurnResponse
from app.deps import ApiKey, AppClock, AppSettings, DbSession, DbSessions
from app.flows import agent_turn
from app.flows.privacy import erase_lead
from app.leads import repository as leads_repo

router = APIRouter(prefix="/agent", tags=["agent"], dependencies=[ApiKey])
erasure_router = APIRouter(
    prefix="/leads", tags=["leads"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


@router.post("/turn", response_model=AgentTurnResponse)
async def take_agent_turn(
    payload: AgentTurnRequest,
    sessions: DbSessions,
    settings: AppSettings,
    clock: AppClock,
    engine: AppEngine,
) -> AgentTurnResponse:
    """Answers the lead's English line given the history; may offer or book slots, or end."""
    return await agent_turn.agent_turn(payload, sessions, settings, clock, engine)


@erasure_router.delete(
    "/{lead_id}", status_code=status.HTTP_204_NO_CONTENT, responses=not_found("lead")
)
async def delete_lead(lead_id: Id, session: DbSession, clock: AppClock) -> None:
    """Erases the lead's personal data (right to deletion); anonymous call statistics remain."""
    await leads_repo.get_or_raise(session, lead_id)
    await erase_lead(session, lead_id, clock)
