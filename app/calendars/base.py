"""The vendor-neutral calendar capability: busy intervals in, events out.

CalendarError
├── CalendarUnavailable   the server did not answer in time, or is down (retry later)
└── CalendarRefused       the server answered no (bad calendar, credentials): retrying won't help
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.config import SalesRep


class CalendarError(Exception):
    """A calendar server could not do what was asked."""


class CalendarUnavailable(CalendarError):
    """Down, unreachable or too slow: the outbox retries, offers use the cached free/busy."""


class CalendarRefused(CalendarError):
    """The server answered and refused; retrying the same request will not help."""


@dataclass(frozen=True, slots=True)
class Busy:
    """One busy interval of a rep's calendar, [start, end), timezone-aware."""

    start: datetime
    end: datetime
    uid: str | None = None  # the event's UID where the server says (CalDAV does)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """A meeting as written into a rep's calendar; `uid` is stable per meeting (idempotent)."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str
    organizer: Attendee
    attendee: Attendee | None
    ics: bytes  # the same event as RFC 5545 text, for servers that take iCalendar


class CalendarSync(Protocol):
    """A calendar service holding every rep's calendar."""

    name: str

    async def busy(self, rep: SalesRep, start: datetime, end: datetime) -> list[Busy]:
        """The rep's busy intervals overlapping [start, end)."""
        ...

    async def create_event(self, rep: SalesRep, event: CalendarEvent) -> str:
        """Writes the event into the rep's calendar; returns its id there. Idempotent by uid."""
        ...

    async def delete_event(self, rep: SalesRep, external_id: str) -> None:
        """Removes the event; an event already gone is not an error."""
        ...

    async def aclose(self) -> None: ...
