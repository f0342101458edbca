"""When a meeting may start: business days and hours in the business time zone, never on
Shabbat, an Israeli public holiday or its eve, never in the past or at too short notice.
Pure functions, no database.

Every slot is built as a local wall time with ZoneInfo and then compared as an instant, so the
grid stays at 09:00, 09:30, ... local on both sides of Israel's daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import country_holidays
from holidays.constants import PUBLIC

from app.config import WEEKDAYS as WEEKDAY_KEYS
from app.config import Settings
from app.language.en import MONTHS, WEEKDAYS

SATURDAY = 5  # date.weekday(): Monday is 0


@dataclass(frozen=True, slots=True)
class AvailabilityRules:
    """The calendar rules, detached from Settings so tests can state them directly."""

    tz: ZoneInfo
    business_days: frozenset[int]
    opens: time
    closes: time
    duration: timedelta
    min_notice: timedelta
    horizon_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> AvailabilityRules:
        """Reads the BUSINESS_* and MEETING_* settings."""
        return cls(
            tz=ZoneInfo(settings.business_timezone),
            business_days=frozenset(WEEKDAY_KEYS.index(day) for day in settings.business_days),
            opens=settings.business_hours_start,
            closes=settings.business_hours_end,
            duration=timedelta(minutes=settings.meeting_duration_minutes),
            min_notice=timedelta(minutes=settings.meeting_min_notice_minutes),
            horizon_days=settings.availability_horizon_days,
        )


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable meeting time; start and end are aware and in the business time zone."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Slot needs timezone-aware start and end")

    @property
    def label(self) -> str:
        """English wording for the agent and the dashboard, e.g. 'Tuesday, December 1 at 10:00'."""
        return format_label(self.start)


def format_label(start: datetime) -> str:
    """'Tuesday, December 1 at 10:00' in start's own zone, independent of the process locale."""
    return f"{WEEKDAYS[start.weekday()]}, {MONTHS[start.month - 1]} {start.day} at {start:%H:%M}"


@lru_cache(maxsize=64)
def _holidays_in(year: int) -> dict[date, str]:
    """Israel's public holidays for one year (cached: the lookup builds a Hebrew calendar)."""
    found = country_holidays("IL", years=year, categories=PUBLIC, language="en_US")
    return {day: str(name) for day, name in found.items()}


def holiday_name(day: date) -> str | None:
    """The public holiday on this date, if any."""
    return _holidays_in(day.year).get(day)


def holiday_or_eve(day: date) -> tuple[str, str] | None:
    """("holiday", name) or ("eve", name of tomorrow's holiday): days nobody is called or met."""
    name = holiday_name(day)
    if name is not None:
        return ("holiday", name)
    eve_of = holiday_name(day + timedelta(days=1))
    return ("eve", eve_of) if eve_of is not None else None


def day_closed_reason(day: date, rules: AvailabilityRules) -> str | None:
    """Why no meeting can happen on this local date, or None when it is a working day."""
    weekday = day.weekday()
    if weekday == SATURDAY:
        return "Saturday (Shabbat) is never a meeting day"
    if weekday not in rules.business_days:
        return f"{WEEKDAYS[weekday]} is not a business day"
    match holiday_or_eve(day):
        case ("holiday", name):
            return f"{day.isoformat()} is a public holiday ({name})"
        case ("eve", name):
            return f"{day.isoformat()} is the eve of a public holiday ({name})"
    return None


def is_allowed_day(day: date, rules: AvailabilityRules) -> bool:
    """True on a business day that is neither Shabbat, a public holiday nor a holiday eve."""
    return day_closed_reason(day, rules) is None


def _local(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The instant at this local wall time, or None when the clock skips it (DST gap)."""
    candidate = datetime.combine(day, wall, tzinfo=tz)
    round_trip = candidate.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        return None
    return candidate


def day_slots(day: date, rules: AvailabilityRules) -> list[Slot]:
    """The grid for one local date: every `duration` from opening, each ending by closing time."""
    return list(_grid(day, rules))


@lru_cache(maxsize=4096)
def _grid(day: date, rules: AvailabilityRules) -> tuple[Slot, ...]:
    """A day's grid is pure in (day, rules) and every offer walks the horizon: built once."""
    closing = _local(day, rules.closes, rules.tz)
    step = int(rules.duration.total_seconds()) // 60
    minute = rules.opens.hour * 60 + rules.opens.minute
    slots: list[Slot] = []
    while minute < 24 * 60:
        start = _local(day, time(minute // 60, minute % 60), rules.tz)
        minute += step
        if start is None:
            continue
        end = (start.astimezone(UTC) + rules.duration).astimezone(rules.tz)
        if closing is None or end > closing:
            break
        slots.append(Slot(start=start, end=end))
    return tuple(slots)


@lru_cache(maxsize=4096)
def _open_grid(day: date, rules: AvailabilityRules) -> tuple[Slot, ...]:
    """The day's grid when meetings may happen on it at all (Shabbat, holidays, eves: none)."""
    return _grid(day, rules) if is_allowed_day(day, rules) else ()


def horizon_end(now: datetime, rules: AvailabilityRules) -> date:
    """The last local date on which a meeting can be booked."""
    return now.astimezone(rules.tz).date() + timedelta(days=rules.horizon_days)


def slot_rejection(start: datetime, now: datetime, rules: AvailabilityRules) -> str | None:
    """Why `start` cannot be booked at `now`, or None when it is an allowed slot."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if start <= now:
        return "the time is in the past"
    if start < now + rules.min_notice:
        minutes = int(rules.min_notice.total_seconds()) // 60
        return f"too soon: meetings need at least {minutes} minutes' notice"
    local = start.astimezone(rules.tz)
    if local.date() > horizon_end(now, rules):
        return f"too far ahead: meetings can be booked up to {rules.horizon_days} days ahead"
    closed = day_closed_reason(local.date(), rules)
    if closed is not None:
        return closed
    if any(slot.start == start for slot in day_slots(local.date(), rules)):
        return None
    end = (start.astimezone(UTC) + rules.duration).astimezone(rules.tz)
    if local.time() < rules.opens or end.date() != local.date() or end.time() > rules.closes:
        return (
            f"{local:%H:%M} is outside business hours: meetings run "
            f"{rules.opens:%H:%M}-{rules.closes:%H:%M} {rules.tz.key}"
        )
    step = int(rules.duration.total_seconds()) // 60
    shown = f"{local:%H:%M:%S}" if local.second or local.microsecond else f"{local:%H:%M}"
    return (
        f"{shown} is not on the slot grid: meetings start every {step} minutes "
        f"from {rules.opens:%H:%M}"
    )


def is_allowed_slot(start: datetime, now: datetime, rules: AvailabilityRules) -> bool:
    """True when a meeting may be booked to start at `start`, seen from `now`."""
    return slot_rejection(start, now, rules) is None


def slot_at(start: datetime, rules: AvailabilityRules) -> Slot:
    """The slot beginning at `start`, with its end and in the business zone."""
    local = start.astimezone(rules.tz)
    end = (start.astimezone(UTC) + rules.duration).astimezone(rules.tz)
    return Slot(start=local, end=end)


@lru_cache(maxsize=4096)
def _open_instants(day: date, rules: AvailabilityRules) -> tuple[tuple[datetime, Slot], ...]:
    """The open grid with each start as a UTC instant: instants in one zone compare and hash
    without asking the business zone for its offset, slot by slot."""
    return tuple((slot.start.astimezone(UTC), slot) for slot in _open_grid(day, rules))


def iter_open(now: datetime, rules: AvailabilityRules) -> Iterator[tuple[datetime, Slot]]:
    """(UTC start, slot) of every allowed slot from `now` (plus notice) to the horizon's end."""
    now = now.astimezone(UTC)
    earliest = max(now + rules.min_notice, now + timedelta(microseconds=1))
    day = now.astimezone(rules.tz).date()
    last = horizon_end(now, rules)
    while day <= last:
        for instant, slot in _open_instants(day, rules):
            if instant >= earliest:
                yield instant, slot
        day += timedelta(days=1)


def iter_slots(now: datetime, rules: AvailabilityRules) -> Iterator[Slot]:
    """Every allowed slot from `now` (plus notice) to the end of the horizon, in order."""
    return (slot for _, slot in iter_open(now, rules))


def next_free_slots(
    now: datetime,
    rules: AvailabilityRules,
    taken: Collection[datetime],
    count: int,
    *,
    spread_days: bool = False,
    among: Iterable[Slot] | None = None,
) -> list[Slot]:
    """The first `count` free slots; with spread_days, one per day while other days have room.
    `among`: the free slots already worked out (in order), instead of the grid less `taken`."""
    if count <= 0:
        return []
    busy = {moment.astimezone(UTC) for moment in taken}
    source = iter_slots(now, rules) if among is None else among
    free = (slot for slot in source if slot.start.astimezone(UTC) not in busy)
    if not spread_days:
        chosen: list[Slot] = []
        for slot in free:
            chosen.append(slot)
            if len(chosen) == count:
                break
        return chosen
    firsts: list[Slot] = []
    rest: list[Slot] = []
    seen_days: set[date] = set()
    for slot in free:
        day = slot.start.date()
        if day in seen_days:
            rest.append(slot)
            continue
        seen_days.add(day)
        firsts.append(slot)
        if len(firsts) == count:
            return firsts
    return sorted(firsts + rest[: count - len(firsts)], key=lambda slot: slot.start)


def offer_two(now: datetime, rules: AvailabilityRules, taken: Collection[datetime]) -> list[Slot]:
    """Two slots to offer on a call: the first free one and the first free one on a later day."""
    return next_free_slots(now, rules, taken, 2, spread_days=True)
