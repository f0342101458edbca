"""Who may call what: the admin API key, and Twilio's signature on every webhook."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader
from twilio.request_validator import RequestValidator

from app.config import Settings

API_KEY_HEADER = "X-API-Key"
UNAUTHORIZED_DETAIL = "Missing or invalid X-API-Key header."

_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Set API_KEY")


def api_key_matches(settings: Settings, provided: str | None) -> bool:
    """Whether `provided` is the configured API key (always, when API_KEY is unset: dev)."""
    if settings.api_key is None:
        return True
    expected = settings.api_key.get_secret_value()
    return provided is not None and secrets.compare_digest(provided.encode(), expected.encode())


async def require_api_key(
    request: Request, provided: Annotated[str | None, Depends(_api_key_header)]
) -> None:
    """Rejects requests without the configured X-API-Key; open when API_KEY is unset (dev)."""
    if not api_key_matches(request.app.state.settings, provided):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=UNAUTHORIZED_DETAIL,
            headers={"WWW-Authenticate": "API-Key"},
        )


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: BASE_URL, not the Host this process saw behind a proxy or tunnel."""
    query = request.url.query
    return settings.base_url + request.url.path + (f"?{query}" if query else "")


def twilio_signed(
    settings: Settings, url: str, params: Mapping[str, Any], signature: str | None
) -> bool:
    """Whether Twilio signed `url` and `params` with TWILIO_AUTH_TOKEN (always, when unset)."""
    if settings.twilio_auth_token is None:
        return True
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    return bool(signature) and bool(validator.validate(url, params, signature))


async def require_twilio_signature(request: Request) -> None:
    """Refuses webhooks not signed with TWILIO_AUTH_TOKEN; open when it is unset (dev)."""
    settings: Settings = request.app.state.settings
    if settings.twilio_auth_token is None:
        return
    signature = request.headers.get("X-Twilio-Signature")
    params = await request.form() if request.method == "POST" else {}
    if not twilio_signed(settings, public_url(request, settings), params, signature):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN, detail="Missing or invalid X-Twilio-Signature."
        )
