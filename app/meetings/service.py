"""Offering and booking meetings in our own book: the rules, the clock and the booked meetings
of every rep. The scheduler (app/calendars) adds the reps' own calendars through `blocked`; this
module never imports it. Raises the exceptions documented in app.meetings.errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.config import Settings
from app.leads import repository as leads_repo
from app.meetings import repository
from app.meetings.availability import (
    AvailabilityRules,
    Slot,
    format_label,
    horizon_end,
    iter_open,
    next_free_slots,
    slot_at,
    slot_rejection,
)
from app.meetings.errors import LeadNotFound, MeetingNotFound, SlotNotAllowed, SlotTaken
from app.meetings.models import Meeting, MeetingSync

# Whether a rep is busy in their own calendar during a slot (the calendars' free/busy).
Blocked = Callable[[str, Slot], bool]


def _never(rep: str, slot: Slot) -> bool:
    return False


def horizon_until(now: datetime, rules: AvailabilityRules) -> datetime:
    """The instant after the last bookable day (midnight, business zone)."""
    after_last_day = horizon_end(now, rules) + timedelta(days=1)
    return datetime.combine(after_last_day, time(0), tzinfo=rules.tz).astimezone(UTC)


async def _free(
    session: AsyncSession, settings: Settings, now: datetime, blocked: Blocked
) -> Iterator[Slot]:
    """Allowed slots with at least one rep neither booked here nor busy in their calendar."""
    rules = AvailabilityRules.from_settings(settings)
    reps = [rep.key for rep in settings.reps]
    booked = await repository.booked_by_calendar(session, reps, now, horizon_until(now, rules))
    taken = {(rep, start.astimezone(UTC)) for rep, start in booked}
    return (
        slot
        for instant, slot in iter_open(now, rules)
        if any((rep, instant) not in taken and not blocked(rep, slot) for rep in reps)
    )


async def available_slots(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    count: int,
    *,
    spread_days: bool = False,
    blocked: Blocked = _never,
) -> list[Slot]:
    """The next `count` free slots (optionally one per day while other days have room)."""
    rules = AvailabilityRules.from_settings(settings)
    now = clock.now()
    free = list(await _free(session, settings, now, blocked))
    return next_free_slots(now, rules, (), count, spread_days=spread_days, among=free)


async def free_slots(
    session: AsyncSession, settings: Settings, clock: Clock, *, blocked: Blocked = _never
) -> list[Slot]:
    """Every free slot in the booking horizon, in order (a few hundred at most)."""
    return list(await _free(session, settings, clock.now(), blocked))


def check_slot(settings: Settings, clock: Clock, start: datetime) -> Slot:
    """The slot starting at `start`; raises SlotNotAllowed when it is not bookable now."""
    if start.tzinfo is None:
        raise SlotNotAllowed("the start time has no time zone (UTC offset)")
    rules = AvailabilityRules.from_settings(settings)
    reason = slot_rejection(start.astimezone(UTC), clock.now(), rules)
    if reason is not None:
        raise SlotNotAllowed(reason)
    return slot_at(start, rules)


async def book_meeting(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    lead_id: int,
    start: datetime,
    call_id: int | None = None,
    *,
    calendar: str | None = None,
    sync_state: str = MeetingSync.local,
) -> Meeting:
    """Books `start` for the lead with one rep (the first unless `calendar` names one);
    raises SlotNotAllowed, LeadNotFound or SlotTaken."""
    slot = check_slot(settings, clock, start)
    if await leads_repo.get(session, lead_id) is None:
        raise LeadNotFound(lead_id)
    start = slot.start.astimezone(UTC)
    try:
        return await repository.book(
            session,
            calendar=calendar or settings.reps[0].key,
            lead_id=lead_id,
            start=start,
            end=slot.end.astimezone(UTC),
            now=clock.now(),
            call_id=call_id,
            sync_state=sync_state,
        )
    except SlotTaken as exc:
        raise SlotTaken(start, format_label(slot.start)) from exc


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """The meeting with this id; raises MeetingNotFound."""
    meeting = await repository.get(session, meeting_id)
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    return meeting
