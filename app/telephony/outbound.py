"""POST /outbound/initiate-call: store the Call, then dial the lead through Twilio.

The Call is committed before Twilio is asked, so no call is ever placed without a record; a
refusal from Twilio marks it failed. Status codes: 503 Twilio not configured, 404 no such lead,
409 the lead is do-not-call, 422 the lead's phone cannot be dialed, 502 Twilio refused or failed.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from app.calls import service as calls
from app.calls.models import CallStatus, Channel
from app.contract import (
    PROTECTED_RESPONSES,
    ErrorMessage,
    Id,
    conflict,
    described,
    not_found,
)
from app.conversation.engine import AppEngine
from app.deps import ApiKey, AppClock, AppSettings
from app.errors import Unavailable, Unprocessable
from app.flows import call as call_flow
from app.leads import repository as leads_repo
from app.leads.phones import InvalidPhone, to_e164
from app.telephony.dialing import place
from app.telephony.twilio_client import Telephony, TelephonyError

log = structlog.get_logger(__name__)
router = APIRouter(
    prefix="/outbound", tags=["outbound"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)

NOT_CONFIGURED = (
    "Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID "
    "(and BASE_URL, the public URL Twilio reaches this service at). Without Twilio, try the call "
    "in the simulator: POST /simulator/calls."
)


class TelephonyNotConfigured(Unavailable):
    """No phone network can place calls."""


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
        status.HTTP_503_SERVICE_UNAVAILABLE: described("Twilio is not configured", ErrorMessage),
    },
)
async def initiate_call(
    request: Request,
    settings: AppSettings,
    clock: AppClock,
    engine: AppEngine,
    lead_id: Annotated[Id, Query()],
) -> OutboundCall:
    """Dials one lead now; the conversation runs on the /twilio webhooks."""
    telephony: Telephony | None = request.app.state.telephony
    if telephony is None or not settings.twilio_caller_id:
        raise TelephonyNotConfigured(NOT_CONFIGURED)
    sessions = request.app.state.sessionmaker
    async with sessions.begin() as session:
        lead = await leads_repo.get_or_raise(session, lead_id)
        try:
            phone = to_e164(lead.phone)
        except InvalidPhone as exc:
            raise Unprocessable(f"Lead {lead_id}: {exc}", loc=("query", "lead_id")) from exc
        call = await call_flow.open_call(session, engine, lead_id, channel=Channel.twilio)
        call_id = call.id
    try:
        placed = await place(telephony, settings, call_id, phone)
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
