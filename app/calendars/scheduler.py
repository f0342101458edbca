"""Offering and booking with real calendars: the business rules, our bookings and every rep's
free/busy together. A slot is free when at least one rep is free then; a booking assigns a rep
(least booked this week, or round robin), is refused when every rep got busy since the offer,
and writes its calendar event, invitation and SMS as outbox jobs in the booking's transaction.

The database stays the judge of double-booking: one booked meeting per rep and start (a partial
unique index), so two processes racing for a rep's last slot get one meeting and one SlotTaken.
No transaction is open while a calendar server is asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendars.base import CalendarSync
from app.calendars.freebusy import FreeBusyCache, FreeBusyView
from app.calendars.sync import CALENDAR_CREATE, CALENDAR_DELETE
from app.clock import Clock
from app.config import SalesRep, Settings
from app.db import read_session, write_session
from app.integrations import outbox
from app.integrations.invitations import MAIL_CANCEL, MAIL_INVITE, SMS_CONFIRM, subject_of
from app.integrations.sms import is_mobile
from app.leads import repository as leads_repo
from app.leads.models import Lead
from app.meetings import repository, service
from app.meetings.availability import AvailabilityRules, Slot, format_label
from app.meetings.errors import LeadNotFound, MeetingNotFound, SlotTaken
from app.meetings.models import Meeting, MeetingStatus, MeetingSync

log = structlog.get_logger(__name__)

# Runs in the booking's transaction (the call's own writes: lead status, call's meeting).
OnBooked = Callable[[AsyncSession, Meeting], Awaitable[None]]


def week_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The Sunday-to-Sunday business week holding `moment`, as UTC instants."""
    local = moment.astimezone(tz)
    sunday = local.date() - timedelta(days=(local.weekday() + 1) % 7)
    start = datetime.combine(sunday, time(0), tzinfo=tz)
    end = datetime.combine(sunday + timedelta(days=7), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class Scheduler:
    """One per process: the calendar backend, the free/busy cache and the delivery wake-up."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        calendar: CalendarSync,
        *,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings, self.clock, self.calendar = settings, clock, calendar
        self.freebusy = FreeBusyCache(
            calendar,
            clock,
            timeout_s=settings.calendar_timeout_seconds,
            max_age_s=settings.calendar_cache_seconds,
        )
        self.wake = wake

    @property
    def local(self) -> bool:
        return self.calendar.name == "local"

    @property
    def reps(self) -> list[SalesRep]:
        return self.settings.reps

    async def _view(self, start: datetime, end: datetime, *, fresh: bool = False) -> FreeBusyView:
        if self.local:
            return FreeBusyView()
        return await self.freebusy.read(self.reps, start, end, fresh=fresh)

    async def _horizon_view(self) -> FreeBusyView:
        rules = AvailabilityRules.from_settings(self.settings)
        now = self.clock.now()
        return await self._view(now, service.horizon_until(now, rules))

    # offering

    async def free_slots(self, sessions: async_sessionmaker[AsyncSession]) -> list[Slot]:
        """Every slot in the horizon with a rep free in our book and in their calendar."""
        view = await self._horizon_view()
        async with read_session(sessions, point=True) as session:
            return await service.free_slots(session, self.settings, self.clock, blocked=view.blocks)

    async def available(
        self,
        sessions: async_sessionmaker[AsyncSession],
        count: int,
        *,
        spread_days: bool = False,
    ) -> list[Slot]:
        view = await self._horizon_view()
        async with read_session(sessions, point=True) as session:
            return await service.available_slots(
                session,
                self.settings,
                self.clock,
                count,
                spread_days=spread_days,
                blocked=view.blocks,
            )

    # booking

    async def _candidates(
        self, sessions: async_sessionmaker[AsyncSession], lead_id: int, slot: Slot
    ) -> tuple[Lead, list[SalesRep]]:
        """The lead, and the reps not booked at the slot, in the order they should get it."""
        keys = [rep.key for rep in self.reps]
        start = slot.start.astimezone(UTC)
        week = week_bounds(slot.start, self.settings.tz)
        async with read_session(sessions, point=True) as session:
            lead = await leads_repo.get(session, lead_id)
            if lead is None:
                raise LeadNotFound(lead_id)
            if len(keys) == 1:  # no order to choose; a rep already booked then is met by the
                return lead, list(self.reps)  # slot's unique index, as a race is
            taken = await repository.booked_by_calendar(
                session, keys, start, start + timedelta(seconds=1)
            )
            counts = await repository.booked_counts(session, keys, *week)
            last = await repository.last_booked_calendar(session, keys)
        busy_keys = {key for key, _ in taken}
        reps = [rep for rep in self.reps if rep.key not in busy_keys]
        if self.settings.rep_assignment == "round_robin":
            after = keys.index(last) + 1 if last in keys else 0
            order = {key: (i - after) % len(keys) for i, key in enumerate(keys)}
            reps.sort(key=lambda rep: order[rep.key])
        else:
            reps.sort(key=lambda rep: counts.get(rep.key, 0))  # stable: SALES_REPS order on ties
        return lead, reps

    async def book(
        self,
        sessions: async_sessionmaker[AsyncSession],
        lead_id: int,
        start: datetime,
        *,
        call_id: int | None = None,
        on_booked: OnBooked | None = None,
    ) -> Meeting:
        """Books `start` with a free rep; raises SlotNotAllowed, LeadNotFound or SlotTaken."""
        slot = service.check_slot(self.settings, self.clock, start)
        label = format_label(slot.start)
        lead, candidates = await self._candidates(sessions, lead_id, slot)
        # Asked again now, whatever the cache says: an event may have landed since the offer.
        view = await self._view(slot.start, slot.end, fresh=True)
        free = [rep for rep in candidates if not view.blocks(rep.key, slot)]
        if not free:
            raise SlotTaken(slot.start, label)
        for rep in free:
            try:
                meeting = await self._insert(sessions, lead, rep, slot, call_id, on_booked)
            except SlotTaken:
                continue  # another process took this rep a moment ago: the next one
            self.wake()
            log.info(
                "meeting_assigned",
                meeting_id=meeting.id,
                rep=rep.key,
                calendar=self.calendar.name,
                freebusy_stale=view.stale,
            )
            return meeting
        raise SlotTaken(slot.start, label)

    async def _insert(
        self,
        sessions: async_sessionmaker[AsyncSession],
        lead: Lead,
        rep: SalesRep,
        slot: Slot,
        call_id: int | None,
        on_booked: OnBooked | None,
    ) -> Meeting:
        now = self.clock.now()
        async with write_session(sessions) as session:
            meeting = await service.book_meeting(
                session,
                self.settings,
                self.clock,
                lead.id,
                slot.start,
                call_id,
                calendar=rep.key,
                sync_state=MeetingSync.local if self.local else MeetingSync.pending,
            )
            subject = subject_of(meeting.id)
            payload = {"meeting_id": meeting.id}
            if not self.local:
                await outbox.enqueue(session, CALENDAR_CREATE, subject, payload, now)
            if lead.email:
                await outbox.enqueue(session, MAIL_INVITE, subject, payload, now)
            if is_mobile(lead.phone):
                await outbox.enqueue(session, SMS_CONFIRM, subject, payload, now)
            if on_booked is not None:
                await on_booked(session, meeting)
        return meeting

    async def invite(
        self, sessions: async_sessionmaker[AsyncSession], meeting_id: int, email: str
    ) -> None:
        """The lead gave an email after booking: stored on the lead and the invitation queued,
        in one transaction, as a booking with a known email queues it."""
        now = self.clock.now()
        async with write_session(sessions) as session:
            meeting = await repository.get(session, meeting_id)
            lead = (
                await leads_repo.get(session, meeting.lead_id)
                if meeting and meeting.lead_id
                else None
            )
            if meeting is None or lead is None:
                raise MeetingNotFound(meeting_id)
            await leads_repo.update(session, lead, {"email": email})
            if meeting.status != MeetingStatus.cancelled:
                payload = {"meeting_id": meeting.id}
                await outbox.enqueue(session, MAIL_INVITE, subject_of(meeting.id), payload, now)
        self.wake()

    async def cancel(
        self,
        sessions: async_sessionmaker[AsyncSession],
        meeting_id: int,
        *,
        on_cancelled: OnBooked | None = None,
    ) -> Meeting:
        """Cancels; the rep's event is deleted and the lead gets METHOD:CANCEL (outbox).

        `on_cancelled` runs in the same transaction, only when this call cancelled it."""
        now = self.clock.now()
        async with write_session(sessions) as session:
            meeting = await repository.get(session, meeting_id)
            if meeting is None:
                raise MeetingNotFound(meeting_id)
            if meeting.status == MeetingStatus.cancelled:
                return meeting
            await repository.cancel(session, meeting, now)
            subject, payload = subject_of(meeting.id), {"meeting_id": meeting.id}
            if meeting.sync_state in (MeetingSync.pending, MeetingSync.synced):
                await outbox.enqueue(session, CALENDAR_DELETE, subject, payload, now)
            lead = await leads_repo.get(session, meeting.lead_id) if meeting.lead_id else None
            if lead is not None and lead.email:
                await outbox.enqueue(session, MAIL_CANCEL, subject, payload, now)
            if on_cancelled is not None:
                await on_cancelled(session, meeting)
        self.wake()
        return meeting
