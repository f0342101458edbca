"""/outgoing-messages: the mail and SMS the offline senders kept instead of sending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.contract import PROTECTED_RESPONSES
from app.deps import ApiKey, DbSession
from app.integrations import repository
from app.integrations.schemas import OutgoingMessageRead

router = APIRouter(
    prefix="/outgoing-messages",
    tags=["integrations"],
    dependencies=[ApiKey],
    responses=PROTECTED_RESPONSES,
)


@router.get("", response_model=list[OutgoingMessageRead])
async def outgoing_messages(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ref: Annotated[str | None, Query(max_length=60, description="e.g. meeting:12")] = None,
) -> list[OutgoingMessageRead]:
    """Newest first: what would have been emailed or texted with no SMTP server or Twilio."""
    messages = await repository.recent_messages(session, limit=limit, ref=ref)
    return [OutgoingMessageRead.from_message(message) for message in messages]
