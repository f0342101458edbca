"""Offering and booking meetings: the one place that joins the rules, the clock and the calendar.

Used by the meetings router and by the conversation agent's tools; it never imports either.
Raises the exceptions documented in app.meetings.errors.
"""

from __future__ import annotations

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
    iter_slots,
    next_free_slots,
    slot_at,
    slot_rejection,
)
from app.meetings.errors import LeadNotFound, MeetingNotFound, SlotNotAllowed, SlotTaken
from app.meetings.models import Meeting


async def _taken(
    session: AsyncSession, settings: Settings, rules: AvailabilityRules, now: datetime
) -> set[datetime]:
    """Booked starts between now and the end of the horizon."""
    after_last_day = horizon_end(now, rules) + timedelta(days=1)
    until = datetime.combine(after_last_day, time(0), tzinfo=rules.tz).astimezone(UTC)
    return await repository.booked_starts(session, settings.calendar_name, now, until)


async def available_slots(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    count: int,
    *,
    spread_days: bool = False,
) -> list[Slot]:
    """The next `count` free slots (optionally one per day while other days have room)."""
    rules = AvailabilityRules.from_settings(settings)
    now = clock.now()
    taken = await _taken(session, settings, rules, now)
    return next_free_slots(now, rules, taken, count, spread_days=spread_days)


async def free_slots(session: AsyncSession, settings: Settings, clock: Clock) -> list[Slot]:
    """Every free slot in the booking horizon, in order (a few hundred at most)."""
    rules = AvailabilityRules.from_settings(settings)
    now = clock.now()
    taken = {moment.astimezone(UTC) for moment in await _taken(session, settings, rules, now)}
    return [slot for slot in iter_slots(now, rules) if slot.start.astimezone(UTC) not in taken]


async def offer_slots(session: AsyncSession, settings: Settings, clock: Clock) -> list[Slot]:
    """Two free slots to offer a caller, on different days when the horizon allows it."""
    return await available_slots(session, settings, clock, 2, spread_days=True)


async def book_meeting(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    lead_id: int,
    start: datetime,
    call_id: int | None = None,
) -> Meeting:
    """Books `start` for the lead; raises SlotNotAllowed, LeadNotFound or SlotTaken."""
    if start.tzinfo is None:
        raise SlotNotAllowed("the start time has no time zone (UTC offset)")
    rules = AvailabilityRules.from_settings(settings)
    now = clock.now()
    start = start.astimezone(UTC)
    reason = slot_rejection(start, now, rules)
    if reason is not None:
        raise SlotNotAllowed(reason)
    if await leads_repo.get(session, lead_id) is None:
        raise LeadNotFound(lead_id)
    slot = slot_at(start, rules)
    try:
        return await repository.book(
            session,
            calendar=settings.calendar_name,
            lead_id=lead_id,
            start=start,
            end=slot.end.astimezone(UTC),
            now=now,
            call_id=call_id,
        )
    except SlotTaken as exc:
        raise SlotTaken(start, format_label(slot.start)) from exc


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """The meeting with this id; raises MeetingNotFound."""
    meeting = await repository.get(session, meeting_id)
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    return meeting


async def cancel_meeting(session: AsyncSession, clock: Clock, meeting_id: int) -> Meeting:
    """Cancels a meeting and frees its slot; raises MeetingNotFound."""
    meeting = await get_meeting(session, meeting_id)
    return await repository.cancel(session, meeting, clock.now())
