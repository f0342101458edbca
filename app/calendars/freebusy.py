"""The reps' free/busy as last read: asked of the calendar under a short deadline, and when the
server is slow or down, the last known answer with its age instead of a waiting caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from app import metrics
from app.calendars.base import Busy, CalendarError, CalendarSync
from app.clock import Clock
from app.config import SalesRep
from app.meetings.availability import Slot

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Known:
    """What one rep's calendar said about [start, end), and when."""

    start: datetime
    end: datetime
    busy: tuple[Busy, ...]
    read_at: datetime

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


@dataclass(slots=True)
class FreeBusyView:
    """Busy intervals per rep key; `age` says how old a cached answer is (None = fresh)."""

    busy: dict[str, tuple[Busy, ...]] = field(default_factory=dict)
    age: dict[str, timedelta | None] = field(default_factory=dict)
    # Reps whose calendar could not be read and nothing was known: treated as free, and the
    # booking's sync reports a conflict if there was one.
    unknown: set[str] = field(default_factory=set)

    def blocks(self, rep: str, slot: Slot) -> bool:
        """True when the rep's calendar is busy at any moment of the slot."""
        return any(b.overlaps(slot.start, slot.end) for b in self.busy.get(rep, ()))

    @property
    def stale(self) -> bool:
        return bool(self.unknown) or any(age is not None for age in self.age.values())


class FreeBusyCache:
    """One per process: the last answer of each rep's calendar, reused while young enough."""

    def __init__(
        self, calendar: CalendarSync, clock: Clock, *, timeout_s: float, max_age_s: float
    ) -> None:
        self.calendar, self.clock = calendar, clock
        self.timeout_s, self.max_age = timeout_s, timedelta(seconds=max_age_s)
        self._known: dict[str, Known] = {}

    async def read(
        self, reps: Sequence[SalesRep], start: datetime, end: datetime, *, fresh: bool = False
    ) -> FreeBusyView:
        """Every rep's busy intervals over [start, end); `fresh` asks again whatever the age."""
        view = FreeBusyView()
        answers = await asyncio.gather(*(self._one(rep, start, end, fresh) for rep in reps))
        for rep, (known, age) in zip(reps, answers, strict=True):
            if known is None:
                view.unknown.add(rep.key)
                continue
            view.busy[rep.key] = tuple(b for b in known.busy if b.overlaps(start, end))
            view.age[rep.key] = age
        return view

    async def _one(
        self, rep: SalesRep, start: datetime, end: datetime, fresh: bool
    ) -> tuple[Known | None, timedelta | None]:
        now = self.clock.now()
        known = self._known.get(rep.key)
        if (
            not fresh
            and known is not None
            and known.covers(start, end)
            and now - known.read_at <= self.max_age
        ):
            return known, None
        try:
            async with asyncio.timeout(self.timeout_s):
                busy = await self.calendar.busy(rep, start, end)
        except (CalendarError, TimeoutError) as exc:
            reason = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            metrics.CALENDAR_FAILURES.labels(backend=self.calendar.name, reason=reason).inc()
            if known is None or not known.covers(start, end):
                log.warning("freebusy_unknown", rep=rep.key, error=str(exc) or reason)
                return None, None
            age = now - known.read_at
            metrics.FREEBUSY_AGE_SECONDS.set(age.total_seconds())
            log.warning(
                "freebusy_cached", rep=rep.key, age_s=round(age.total_seconds()), error=reason
            )
            return known, age
        read = Known(start, end, tuple(busy), now)
        if known is None or not fresh or read.covers(known.start, known.end):
            self._known[rep.key] = read
        else:
            # A narrow fresh read (one slot) refreshes what it saw inside the wider window.
            kept = tuple(b for b in known.busy if not b.overlaps(start, end))
            self._known[rep.key] = Known(known.start, known.end, kept + tuple(busy), known.read_at)
        metrics.FREEBUSY_AGE_SECONDS.set(0)
        return read, None
