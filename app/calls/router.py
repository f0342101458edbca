"""/calls: every call with its outcome and bilingual transcript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.calls import repository
from app.calls.schemas import CallRead
from app.calls.service import CallNotFound
from app.contract import PROTECTED_RESPONSES, Id, Offset, not_found
from app.deps import ApiKey, DbSession

router = APIRouter(
    prefix="/calls", tags=["calls"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


@router.get("", response_model=list[CallRead])
async def list_calls(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
    lead_id: Id | None = None,
) -> list[CallRead]:
    """Lists calls, newest first, each with its turns."""
    calls = await repository.list_calls(session, limit=limit, offset=offset, lead_id=lead_id)
    return [CallRead.of(call) for call in calls]


@router.get("/{call_id}", response_model=CallRead, responses=not_found("call"))
async def get_call(call_id: Id, session: DbSession) -> CallRead:
    """One call with its transcript (caller and agent, Hebrew and English, per-stage timings)."""
    call = await repository.get_with_turns(session, call_id)
    if call is None:
        raise CallNotFound(call_id)
    return CallRead.of(call)
