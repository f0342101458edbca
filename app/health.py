"""Liveness and readiness, for load balancers and for humans checking what runs offline."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import text

from app.config import Settings

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ProviderStatus(BaseModel):
    name: str
    mode: Literal["online", "offline"]
    vendor: str


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    database: Literal["ok", "unreachable"]
    database_backend: str
    providers: list[ProviderStatus]


def _status(name: str, online: bool, vendor: str, offline_name: str) -> ProviderStatus:
    return ProviderStatus(
        name=name, mode="online" if online else "offline", vendor=vendor if online else offline_name
    )


def provider_statuses(settings: Settings) -> list[ProviderStatus]:
    """Which capabilities talk to a vendor and which run on the built-in offline implementation."""
    ai = settings.openai_configured
    return [
        _status("chat", ai, "openai", "offline brain"),
        _status("translation", ai, "openai", "offline catalog"),
        _status("transcription", ai, "openai", "offline"),
        _status("telephony", settings.twilio_can_dial, "twilio", "offline phone network"),
        _status(
            "calendar",
            settings.calendar_backend != "local",
            settings.calendar_backend,
            "local calendar",
        ),
        _status("email", bool(settings.smtp_host), "smtp", "database mailbox"),
        _status("sms", settings.sms_can_send, "twilio", "database mailbox"),
    ]


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Alive: the process answers."""
    return Health()


@router.get(
    "/ready",
    response_model=Readiness,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness}},
)
async def ready(request: Request, response: Response) -> Readiness:
    """Ready: the database answers; lists which providers are configured and which run offline."""
    settings: Settings = request.app.state.settings
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        database: Literal["ok", "unreachable"] = "ok"
    except Exception:
        database = "unreachable"
    if database != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(
        status="ready" if database == "ok" else "unavailable",
        database=database,
        database_backend=request.app.state.engine.dialect.name,
        providers=provider_statuses(settings),
    )
