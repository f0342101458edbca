"""POST /outbound/initiate-call: store the Call, then dial the lead through Twilio.

The Call is committed before Twilio is asked, so no call is ever placed without a record; a
refusal from Twilio marks it failed. Status codes: 503 Twilio not configured, 404 no such lead,
409 the lead is do-not-call, 422 the lead's phone cannot be dialed, 502 Twilio refused or failed.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel

from app.calls import repository as calls_repo
from app.calls.models import Channel, Outcome
from app.contract import (
    PROTECTED_RESPONSES,
    ErrorMessage,
    Id,
    conflict,
    described,
    not_found,
    unprocessable,
)
from app.conversation.engine import AppEngine
from app.deps import ApiKey, AppSettings
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


class OutboundCall(BaseModel):
    call_id: int
    call_sid: str
    status: str


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
    engine: AppEngine,
    lead_id: Annotated[Id, Query()],
) -> OutboundCall:
    """Dials one lead now; the conversation runs on the /twilio webhooks."""
    telephony: Telephony | None = request.app.state.telephony
    if telephony is None or not settings.twilio_caller_id:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, NOT_CONFIGURED)
    sessions = request.app.state.sessionmaker
    async with sessions.begin() as session:
        lead = await leads_repo.get(session, lead_id)
        if lead is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Lead {lead_id} not found.")
        try:
            phone = to_e164(lead.phone)
        except InvalidPhone as exc:
            raise unprocessable(("query", "lead_id"), f"Lead {lead_id}: {exc}") from exc
        try:
            call = await call_flow.open_call(session, engine, lead_id, channel=Channel.twilio)
        except call_flow.LeadNotCallable as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        call_id = call.id
    try:
        placed = await place(telephony, settings, call_id, phone)
    except TelephonyError as exc:
        log.warning("call_not_placed", call_id=call_id, error=exc.message, code=exc.code)
        async with sessions.begin() as session:
            failed = await calls_repo.get(session, call_id, lock=True)
            if failed is not None:
                failed.status, failed.outcome = "failed", Outcome.failed
                failed.ended_at = engine.pipeline.clock.now()
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY,
            {"message": exc.message, "twilio_code": exc.code, "twilio_status": exc.status},
        ) from exc
    async with sessions.begin() as session:
        stored = await calls_repo.get(session, call_id, lock=True)
        if stored is not None:
            stored.call_sid = stored.call_sid or placed.sid
            if stored.status == "queued":
                stored.status = placed.status
    log.info("call_placed", call_id=call_id, lead_id=lead_id)
    return OutboundCall(call_id=call_id, call_sid=placed.sid, status=placed.status)
