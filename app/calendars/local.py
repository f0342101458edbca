"""`LocalCalendar`: our database is the calendar (the default); nothing outside to ask."""

from __future__ import annotations

from datetime import datetime

from app.calendars.base import Busy, CalendarEvent
from app.config import SalesRep


class LocalCalendar:
    """Reps are busy only with the meetings we booked, which the database already knows."""

    name = "local"

    async def busy(self, rep: SalesRep, start: datetime, end: datetime) -> list[Busy]:
        return []

    async def create_event(self, rep: SalesRep, event: CalendarEvent) -> str:
        return event.uid

    async def delete_event(self, rep: SalesRep, external_id: str) -> None:
        return None

    async def aclose(self) -> None:
        return None
