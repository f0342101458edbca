"""Who may call what: the admin API key (Twilio request signatures join it with telephony)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from app.config import Settings

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Set API_KEY")


async def require_api_key(
    request: Request, provided: Annotated[str | None, Depends(_api_key_header)]
) -> None:
    """Rejects requests without the configured X-API-Key; open when API_KEY is unset (dev)."""
    settings: Settings = request.app.state.settings
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value()
    if provided is None or not secrets.compare_digest(provided.encode(), expected.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Missing or invalid X-API-Key header.",
            headers={"WWW-Authenticate": "API-Key"},
        )
