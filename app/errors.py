"""One tree of refusals; one handler (in main.py) turns any of them into its HTTP answer.

Domain code raises what went wrong in its own words; the kind it inherits from says how HTTP
shows it, so no router maps exceptions by hand.

    AppError                500 {"detail": "..."}
    ├── NotFound            404 {"detail": "..."}
    ├── Conflict            409 {"detail": "..."} (or a documented object, e.g. PhoneTaken)
    ├── Unprocessable       422 {"detail": [{"type": "value_error", "loc": [...], "msg": "..."}]}
    ├── BadGateway          502 {"detail": {...}}  an outside service refused (the telephony)
    └── Unavailable         503 {"detail": "..."}  a provider is missing or down; retry

Each domain's exceptions subclass one of these (meetings.errors, campaigns.service,
leads.repository, flows.call, calls.service, telephony.base).
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Something the request asked for cannot be done; `str(exc)` says why, in English."""

    status_code: ClassVar[int] = 500

    @property
    def detail(self) -> Any:
        """The body's `detail`: the message, unless a subclass documents an object."""
        return str(self)


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Unprocessable(AppError, ValueError):
    """A value was well-formed but cannot be used; `loc` points at it, as validation errors do."""

    status_code = 422
    loc: tuple[str | int, ...] = ("body",)

    def __init__(self, message: str, *, loc: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        if loc is not None:
            self.loc = loc

    @property
    def detail(self) -> Any:
        return [{"type": "value_error", "loc": list(self.loc), "msg": str(self)}]


class BadGateway(AppError):
    status_code = 502


class Unavailable(AppError):
    status_code = 503
