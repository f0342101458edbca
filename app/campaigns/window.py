"""When a campaign may dial: weekday hours in the business time zone, never on Shabbat,
an Israeli public holiday or its eve. Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.config import WEEKDAYS
from app.errors import Unprocessable
from app.meetings.availability import holiday_or_eve

SATURDAY = 5  # date.weekday()
DEFAULT_WINDOW: dict[str, list[str]] = {
    "sun": ["09:00", "20:00"],
    "mon": ["09:00", "20:00"],
    "tue": ["09:00", "20:00"],
    "wed": ["09:00", "20:00"],
    "thu": ["09:00", "20:00"],
    "fri": ["09:00", "13:00"],
}


class WindowError(Unprocessable):
    """A calling window that cannot be used; the message says which day and why."""

    loc = ("body", "window")


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """Opening hours per weekday (Monday = 0), in one time zone."""

    tz: ZoneInfo
    hours: Mapping[int, tuple[time, time]]

    @classmethod
    def parse(cls, spec: Mapping[str, Sequence[str]] | None, tz: ZoneInfo) -> CallingWindow:
        """Reads {"sun": ["09:00", "20:00"], ...}; an empty spec means the default window."""
        hours: dict[int, tuple[time, time]] = {}
        for day, span in (spec or DEFAULT_WINDOW).items():
            if day not in WEEKDAYS:
                raise WindowError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            if day == "sat":
                raise WindowError("Saturday (Shabbat) is never a calling day")
            try:
                opens, closes = (time.fromisoformat(s) for s in span)
            except (TypeError, ValueError) as exc:
                raise WindowError(f"{day}: expected two times like ['09:00', '20:00']") from exc
            if closes <= opens:
                raise WindowError(f"{day}: the window must close after it opens")
            hours[WEEKDAYS.index(day)] = (opens, closes)
        return cls(tz, hours)

    def closed_reason(self, day: date) -> str | None:
        """Why no call may be placed on this local date, or None when it has opening hours."""
        if day.weekday() == SATURDAY:
            return "Shabbat"
        match holiday_or_eve(day):
            case ("holiday", name):
                return f"holiday ({name})"
            case ("eve", name):
                return f"holiday eve ({name})"
        if day.weekday() not in self.hours:
            return "not a calling day"
        return None

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        if self.closed_reason(local.date()) is not None:
            return False
        opens, closes = self.hours[local.weekday()]
        return opens <= local.time().replace(tzinfo=None) < closes

    def next_open(self, at: datetime, horizon_days: int = 21) -> datetime | None:
        """The first instant at or after `at` when dialing is allowed."""
        if self.is_open(at):
            return at
        local_day = at.astimezone(self.tz).date()
        for offset in range(horizon_days + 1):
            day = local_day + timedelta(days=offset)
            if self.closed_reason(day) is not None:
                continue
            opens = datetime.combine(day, self.hours[day.weekday()][0], tzinfo=self.tz)
            if opens >= at:
                return opens
        return None
