"""The HTTP contract every router shares: bounded ids and offsets, documented error bodies.

Every primary key is a 32-bit INTEGER column (Postgres `integer`, whose largest value is
2^31-1), so an id or offset past that is refused as a validation error (422) at the edge instead
of reaching the database driver, which would overflow (a 500).
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Le
from fastapi import status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

MAX_ID = 2**31 - 1

# Plain constraints (not Field/Query) so one type serves path, query and body alike.
Id = Annotated[int, Ge(1), Le(MAX_ID)]
"""A record id: 1 .. 2^31-1 (the database's INTEGER)."""

Offset = Annotated[int, Ge(0), Le(MAX_ID)]
"""Rows to skip in a listing."""


def storable_id(value: int) -> bool:
    """Whether an id from outside (a webhook, the agent API) can name a stored record at all."""
    return 1 <= value <= MAX_ID


class ErrorMessage(BaseModel):
    """Every refusal that is not a validation error: `detail` says why, in English."""

    detail: str


class PhoneConflictDetail(BaseModel):
    message: str
    existing_lead_id: int | None


class PhoneConflict(BaseModel):
    """409 on /leads: another lead already has this phone number."""

    detail: PhoneConflictDetail


def described(description: str, model: type[BaseModel] = ErrorMessage) -> dict[str, Any]:
    return {"description": description, "model": model}


UNAUTHORIZED = described("Missing or invalid X-API-Key header")
TOO_LARGE = described("The request body is larger than the limit (MAX_REQUEST_BODY_BYTES)")
BAD_BODY = described("The body could not be parsed (malformed JSON or form data)")

# Every route behind the API key can answer these three besides its own.
PROTECTED_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: BAD_BODY,
    status.HTTP_401_UNAUTHORIZED: UNAUTHORIZED,
    status.HTTP_413_CONTENT_TOO_LARGE: TOO_LARGE,
}


def not_found(what: str) -> dict[int | str, dict[str, Any]]:
    return {status.HTTP_404_NOT_FOUND: described(f"No such {what}")}


def conflict(why: str, model: type[BaseModel] = ErrorMessage) -> dict[int | str, dict[str, Any]]:
    return {status.HTTP_409_CONFLICT: described(why, model)}


def unprocessable(loc: tuple[str | int, ...], message: str) -> RequestValidationError:
    """A 422 with the documented validation body, for a refusal found after parsing."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": message}])
