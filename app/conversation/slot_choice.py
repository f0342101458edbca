"""Which free slots to put to a caller: a varied pair by default, or the ones they asked for.

Pure functions over the free slots of the booking horizon, so the rules are the same for the
offline brain and the model, and testable without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.language.understanding import When
from app.meetings.availability import Slot

# Parts of the day, as local hours [start, end).
PARTS: dict[str, tuple[int, int]] = {
    "morning": (0, 12),
    "noon": (12, 15),
    "afternoon": (12, 17),
    "evening": (17, 24),
}


@dataclass(frozen=True, slots=True)
class Choice:
    """The slots to offer and whether they are what the caller asked for."""

    slots: list[Slot]
    requested: bool = False  # the caller asked for a day or a time
    matched: bool = False  # and these slots fit it


def _week_start(day: date) -> date:
    """The Sunday that starts an Israeli week."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def fits(slot: Slot, when: When, now: datetime, around: Sequence[Slot] = ()) -> bool:
    """Does `slot` fit what the caller asked for? `around`: the slots offered last."""
    local = slot.start
    day = local.date()
    today = now.astimezone(local.tzinfo).date()
    if when.date is not None and day != when.date:
        return False
    if when.weekday is not None and local.weekday() != when.weekday:
        return False
    if when.next_week and _week_start(day) != _week_start(today) + timedelta(days=7):
        return False
    if when.part is not None:
        start, end = PARTS.get(when.part, (0, 24))
        if not start <= local.hour < end:
            return False
    if when.hour is not None:
        wanted = local.replace(hour=when.hour, minute=when.minute or 0)
        if when.relation == "after" and local < wanted:
            return False
        if when.relation == "before" and local >= wanted:
            return False
        if when.relation == "around" and abs(local - wanted) > timedelta(minutes=60):
            return False
        if when.relation == "at" and (
            local.hour != when.hour or (when.minute is not None and local.minute != when.minute)
        ):
            return False
    if around and when.earlier and local >= min(s.start for s in around):
        return False
    if around and when.later:
        latest = max(s.start.time() for s in around)
        if local.time() <= latest:
            return False
    return True


def _varied_pair(slots: Sequence[Slot]) -> list[Slot]:
    """The first slot, and a second on a later day at another hour, so "at nine" names one."""
    if not slots:
        return []
    first = slots[0]
    later_days = [s for s in slots if s.start.date() != first.start.date()]
    for pool in (
        [s for s in later_days if s.start.hour != first.start.hour],
        later_days,
        [s for s in slots[1:] if s.start.hour != first.start.hour],
        list(slots[1:]),
    ):
        if pool:
            return [first, pool[0]]
    return [first]


def _target_day(when: When, now: datetime) -> date | None:
    if when.date is not None:
        return when.date
    today = now.date()
    if when.weekday is not None:
        ahead = (when.weekday - today.weekday()) % 7
        if when.next_week:
            ahead += 7 if _week_start(today + timedelta(days=ahead)) == _week_start(today) else 0
        return today + timedelta(days=ahead)
    if when.next_week:
        return _week_start(today) + timedelta(days=7)
    return None


def choose(
    free: Sequence[Slot], when: When | None, now: datetime, around: Sequence[Slot] = ()
) -> Choice:
    """Two slots to offer (one when only one fits the request); none when nothing is free."""
    if when is None or when.empty:
        return Choice(_varied_pair(free))
    matching = [slot for slot in free if fits(slot, when, now, around)]
    if matching:
        same_day = when.date is not None or when.weekday is not None
        pair = _varied_pair(matching) if not same_day else _same_day_pair(matching)
        return Choice(pair, requested=True, matched=True)
    target = _target_day(when, now.astimezone(free[0].start.tzinfo) if free else now)
    nearest = list(free)
    if target is not None:
        nearest.sort(key=lambda slot: (abs((slot.start.date() - target).days), slot.start))
        first = nearest[0]
        others = sorted(
            (s for s in nearest if s.start.date() != first.start.date()),
            key=lambda s: (abs((s.start.date() - target).days), s.start),
        )
        pair = [first, *others[:1]] if others else [first]
        return Choice(sorted(pair, key=lambda s: s.start), requested=True)
    return Choice(_varied_pair(free), requested=True)


def _same_day_pair(slots: Sequence[Slot]) -> list[Slot]:
    """Two times on the first day that fits, a couple of hours apart when the day allows."""
    first = slots[0]
    day = [s for s in slots if s.start.date() == first.start.date()]
    apart = [s for s in day if s.start - first.start >= timedelta(hours=2)]
    second = apart[0] if apart else (day[1] if len(day) > 1 else None)
    return [first, second] if second is not None else [first]
