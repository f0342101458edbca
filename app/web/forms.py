"""Form posts into the API's own shapes: blank fields are unset, errors become per-field text."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData


def values(form: FormData, fields: tuple[str, ...]) -> dict[str, str | None]:
    """The named text fields, stripped; blank is None."""
    found: dict[str, str | None] = {}
    for name in fields:
        raw = form.get(name)
        text = raw.strip() if isinstance(raw, str) else ""
        found[name] = text or None
    return found


def errors(exc: ValidationError) -> dict[str, str]:
    """One message per field (the first), for the form to show beside it."""
    messages: dict[str, str] = {}
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        messages.setdefault(field, str(item["msg"]).removeprefix("Value error, "))
    return messages


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


def number(form: FormData, name: str, default: Any) -> Any:
    """A numeric field as typed (pydantic validates it), or `default` when blank."""
    raw = form.get(name)
    return raw.strip() if isinstance(raw, str) and raw.strip() else default
