"""Writing bookings into the reps' calendars from the outbox: create (after checking the rep is
still free: a clash is reported on the meeting, never hidden) and delete on cancellation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendars.base import (
    Attendee,
    CalendarEvent,
    CalendarRefused,
    CalendarSync,
    CalendarUnavailable,
)
from app.config import Settings
from app.db import read_session, write_session
from app.integrations.outbox import GiveUp, Job, OnFailed, Retry
from app.leads.models import Lead
from app.meetings import ics
from app.meetings.availability import format_label
from app.meetings.models import Meeting, MeetingStatus, MeetingSync

CALENDAR_CREATE = "calendar.create"
CALENDAR_DELETE = "calendar.delete"


def calendar_event(meeting: Meeting, lead: Lead | None, settings: Settings) -> CalendarEvent:
    """The meeting as the rep's calendar stores it: the lead as attendee when we have an email."""
    rep = ics.organizer(meeting, settings)
    lines = [f"Booked by Agent Messiah (meeting {meeting.id})."]
    if lead is not None:
        lines.append(f"Lead: {lead.name}" + (f", {lead.company}" if lead.company else ""))
        lines.append(f"Phone: {lead.phone}")
    return CalendarEvent(
        uid=ics.meeting_uid(meeting),
        start=meeting.start.astimezone(settings.tz),
        end=meeting.end.astimezone(settings.tz),
        summary=ics.summary(lead),
        description="\n".join(lines),
        organizer=Attendee(str(rep.email), rep.name),
        attendee=Attendee(lead.email, lead.name) if lead is not None and lead.email else None,
        ics=ics.meeting_to_ics(meeting, lead, settings, method=False),
    )


class CalendarWriter:
    """The outbox handlers that keep the reps' calendars in step with our meetings."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        calendar: CalendarSync,
    ) -> None:
        self.sessions, self.settings, self.calendar = sessions, settings, calendar

    async def _load(self, job: Job) -> tuple[Meeting, Lead | None]:
        async with read_session(self.sessions) as session:
            meeting = await session.get(Meeting, int(job.payload["meeting_id"]))
            lead = await session.get(Lead, meeting.lead_id) if meeting and meeting.lead_id else None
        if meeting is None:
            raise GiveUp("the meeting no longer exists")
        return meeting, lead

    async def _set(self, meeting_id: int, **values: object) -> None:
        async with write_session(self.sessions) as session:
            meeting = await session.get(Meeting, meeting_id)
            if meeting is not None:
                for name, value in values.items():
                    setattr(meeting, name, value)

    async def create(self, job: Job) -> None:
        meeting, lead = await self._load(job)
        if meeting.status == MeetingStatus.cancelled or meeting.external_event_id:
            return
        rep = ics.organizer(meeting, self.settings)
        event = calendar_event(meeting, lead, self.settings)
        try:
            busy = await self.calendar.busy(rep, meeting.start, meeting.end)
            clash = [b for b in busy if b.uid != event.uid]
            if clash:
                when = format_label(clash[0].start.astimezone(self.settings.tz))
                await self._set(
                    meeting.id,
                    sync_state=MeetingSync.conflict,
                    sync_error=f"{rep.name}'s calendar is busy at that time ({when}); "
                    "the meeting was not written there: move or reassign it",
                )
                return
            external_id = await self.calendar.create_event(rep, event)
        except CalendarRefused as exc:
            raise GiveUp(str(exc)) from exc
        except CalendarUnavailable as exc:
            await self._set(meeting.id, sync_error=f"waiting for the calendar: {exc}")
            raise Retry(str(exc)) from exc
        await self._set(
            meeting.id,
            external_event_id=external_id,
            sync_state=MeetingSync.synced,
            sync_error=None,
        )

    async def delete(self, job: Job) -> None:
        meeting, _ = await self._load(job)
        if meeting.external_event_id is None:
            if meeting.sync_state == MeetingSync.pending:
                raise Retry("the event is still being written; deleting it after")
            return
        rep = ics.organizer(meeting, self.settings)
        try:
            await self.calendar.delete_event(rep, meeting.external_event_id)
        except CalendarRefused as exc:
            raise GiveUp(str(exc)) from exc
        except CalendarUnavailable as exc:
            raise Retry(str(exc)) from exc

    async def failed(self, session: AsyncSession, job: Job, error: str) -> None:
        """A calendar job given up: the meeting says so."""
        meeting = await session.get(Meeting, int(job.payload["meeting_id"]))
        if meeting is not None and meeting.sync_state != MeetingSync.conflict:
            meeting.sync_state = MeetingSync.failed
            meeting.sync_error = error

    def on_failed(self) -> dict[str, OnFailed]:
        return {CALENDAR_CREATE: self.failed, CALENDAR_DELETE: self.failed}
