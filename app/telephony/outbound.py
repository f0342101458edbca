"""POST /outbound/initiate-call: store the Call, then dial the lead on the phone network in use.

Twilio when it is configured, else the offline network (telephony/offline). The Call is committed
before the network is asked, so no call is ever placed without a record; a refusal marks it
failed. Status codes: 404 no such lead, 409 the lead is do-not-call, 422 the lead's phone cannot
be dialed, 502 the network refused or failed.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from app.calls import service as calls
from app.calls.models import CallStatus
from app.contract import (
    PROTECTED_RESPONSES,
    Id,
    conflict,
    described,
    not_found,
)
from app.conversation.engine import AppEngine
from app.deps import ApiKey, AppClock, AppSettings
from app.errors import Unprocessable
from app.flows import call as call_flow
from app.leads import repository as leads_repo
from app.leads.phones import InvalidPhone, to_e164
from app.telephony.base import Telephony, TelephonyError

log = structlog.get_logger(__name__)
router = APIRouter(
    prefix="/outbound", tags=["outbound"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


class OutboundCall(BaseModel):
    call_id: int
    call_sid: str
    status: CallStatus


class TwilioRefusalDetail(BaseModel):
    message: str
    twilio_code: int | None
    twilio_status: int | None


class TwilioRefusal(BaseModel):
    detail: TwilioRefusalDetail


@router.post(
    "/initiate-call",
    status_code=status.HTTP_201_CREATED,
    response_model=OutboundCall,
    responses={
        **not_found("lead"),
        **conflict("The lead is do-not-call"),
        status.HTTP_502_BAD_GATEWAY: described("Twilio refused or failed", TwilioRefusal),
    },
)
async def initiate_call(
    request: Request,
    settings: AppSettings,
    clock: AppClock,
    engine: AppEngine,
    lead_id: Annotated[Id, Query()],
) -> OutboundCall:
    """Dials one lead now; the conversation runs on the network (/twilio webhooks, or offline)."""
    telephony: Telephony = request.app.state.telephony
    sessions = request.app.state.sessionmaker
    async with sessions.begin() as session:
        lead = await leads_repo.get_or_raise(session, lead_id)
        try:
            phone = to_e164(lead.phone)
        except InvalidPhone as exc:
            raise Unprocessable(f"Lead {lead_id}: {exc}", loc=("query", "lead_id")) from exc
        call = await call_flow.open_call(session, engine, lead_id, channel=telephony.channel)
        call_id = call.id
    try:
        placed = await telephony.place_call(call_id, phone)
    except TelephonyError as exc:
        log.warning("call_not_placed", call_id=call_id, error=exc.message, code=exc.code)
        async with sessions.begin() as session:
            calls.failed(await calls.get(session, call_id, lock=True), clock.now(), exc.message)
        raise
    async with sessions.begin() as session:
        stored = await calls.get(session, call_id, lock=True)
        calls.placed(stored, placed.sid)
        status_now = CallStatus(stored.status)
    log.info("call_placed", call_id=call_id, lead_id=lead_id)
    return OutboundCall(call_id=call_id, call_sid=placed.sid, status=status_now)
