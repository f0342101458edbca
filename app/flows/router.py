"""Routes whose work spans domains: the agent's API turn, a lead's erasure, and a do-not-call
list (its opt-outs are announced as webhooks)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.contract import PROTECTED_RESPONSES, Id, not_found
from app.conversation.engine import AppEngine
from app.conversation.schemas import AgentTurnRequest, AgentTurnResponse
from app.deps import ApiKey, AppClock, AppSettings, DbSession, DbSessions
from app.flows import agent_turn
from app.flows.privacy import erase_lead
from app.integrations.webhooks import outbox, payloads
from app.integrations.webhooks.models import Event
from app.leads import importer
from app.leads import repository as leads_repo
from app.leads.models import Lead
from app.leads.router import json_report, read_upload
from app.leads.schemas import DncReport

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


@erasure_router.post("/do-not-call/import", response_model=DncReport)
async def import_do_not_call(
    file: UploadFile, sessions: DbSessions, settings: AppSettings, clock: AppClock
) -> Response:
    """Marks the leads on a do-not-call list (CSV with a phone / טלפון column); never dialed.
    Each lead it newly marks is announced (`lead.opted_out`, with `call_id` null)."""
    data = await read_upload(file, settings)

    async def announce(session: AsyncSession, leads: Sequence[Lead]) -> None:
        for lead in leads:
            await outbox.emit(
                session,
                Event.lead_opted_out,
                {"lead": payloads.lead(lead), "call_id": None},
                clock.now(),
                personal_data=settings.webhook_personal_data,
            )

    report = await importer.import_dnc_csv(sessions, data, on_marked=announce)
    return await json_report(report)
