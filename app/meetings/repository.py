"""Meeting queries; the only SQL in the meetings package. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.meetings.errors import SlotTaken
from app.meetings.models import Meeting, MeetingStatus, MeetingSync

SLOT_INDEX = "uq_meetings_calendar_start_booked"
# SQLite names the columns of the violated index instead of the index itself.
SQLITE_SLOT_MESSAGE = "meetings.calendar, meetings.start"


async def get(session: AsyncSession, meeting_id: int) -> Meeting | None:
    """Gets a meeting by its id."""
    return await session.get(Meeting, meeting_id)


async def list_meetings(
    session: AsyncSession, calendars: Collection[str], *, include_cancelled: bool = False
) -> Sequence[Meeting]:
    """Lists the calendars' meetings: booked ones first, each group by start time."""
    query = select(Meeting).where(Meeting.calendar.in_(list(calendars)))
    if not include_cancelled:
        query = query.where(Meeting.status == MeetingStatus.booked)
    booked_first = case((Meeting.status == MeetingStatus.booked, 0), else_=1)
    result = await session.scalars(query.order_by(booked_first, Meeting.start, Meeting.id))
    return result.all()


async def booked_by_calendar(
    session: AsyncSession, calendars: Collection[str], start_from: datetime, until: datetime
) -> set[tuple[str, datetime]]:
    """(calendar, start) of every booked meeting in [start_from, until): who is taken when."""
    result = await session.execute(
        select(Meeting.calendar, Meeting.start).where(
            Meeting.calendar.in_(list(calendars)),
            Meeting.status == MeetingStatus.booked,
            Meeting.start >= start_from,
            Meeting.start < until,
        )
    )
    return {(calendar, start) for calendar, start in result.all()}


async def booked_counts(
    session: AsyncSession, calendars: Collection[str], start_from: datetime, until: datetime
) -> dict[str, int]:
    """Booked meetings per calendar starting in [start_from, until) (least-booked assignment)."""
    result = await session.execute(
        select(Meeting.calendar, func.count())
        .where(
            Meeting.calendar.in_(list(calendars)),
            Meeting.status == MeetingStatus.booked,
            Meeting.start >= start_from,
            Meeting.start < until,
        )
        .group_by(Meeting.calendar)
    )
    return {calendar: int(count) for calendar, count in result.all()}


async def last_booked_calendar(session: AsyncSession, calendars: Collection[str]) -> str | None:
    """The calendar of the most recent booking (round-robin assignment goes on from it)."""
    result = await session.scalars(
        select(Meeting.calendar)
        .where(Meeting.calendar.in_(list(calendars)))
        .order_by(Meeting.id.desc())
        .limit(1)
    )
    return result.first()


def _is_slot_conflict(exc: IntegrityError) -> bool:
    message = str(exc.orig)
    return SLOT_INDEX in message or SQLITE_SLOT_MESSAGE in message


async def book(
    session: AsyncSession,
    *,
    calendar: str,
    lead_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    call_id: int | None = None,
    sync_state: str = "local",
) -> Meeting:
    """Inserts a booked meeting; raises SlotTaken when the partial unique index refuses it.

    The insert runs in a SAVEPOINT, so after a conflict the session (and the request's
    transaction) is still usable.
    """
    meeting = Meeting(
        calendar=calendar,
        lead_id=lead_id,
        call_id=call_id,
        start=start,
        end=end,
        status=MeetingStatus.booked,
        created_at=now,
        sync_state=sync_state,
    )
    try:
        async with session.begin_nested():
            session.add(meeting)
    except IntegrityError as exc:
        if _is_slot_conflict(exc):
            raise SlotTaken(start) from exc
        raise
    return meeting


async def cancel(session: AsyncSession, meeting: Meeting, now: datetime) -> Meeting:
    """Marks a meeting cancelled, which frees its slot; cancelling twice changes nothing."""
    if meeting.status != MeetingStatus.cancelled:
        meeting.status = MeetingStatus.cancelled
        meeting.cancelled_at = now
        await session.flush()
    return meeting


async def upcoming_in_calendars(
    session: AsyncSession, lead_id: int, now: datetime
) -> Sequence[int]:
    """Ids of the lead's upcoming meetings written (or being written) to a rep's calendar."""
    result = await session.scalars(
        select(Meeting.id).where(
            Meeting.lead_id == lead_id,
            Meeting.status == MeetingStatus.booked,
            Meeting.start >= now,
            Meeting.sync_state.in_([MeetingSync.pending, MeetingSync.synced]),
        )
    )
    return result.all()


async def cancel_upcoming_for_lead(session: AsyncSession, lead_id: int, now: datetime) -> int:
    """Cancels a lead's booked meetings that have not started yet; returns how many."""
    result = await session.execute(
        update(Meeting)
        .where(
            Meeting.lead_id == lead_id,
            Meeting.status == MeetingStatus.booked,
            Meeting.start >= now,
        )
        .values(status=MeetingStatus.cancelled, cancelled_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
