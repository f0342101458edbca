"""A meeting as an iCalendar invitation (RFC 5545), so it lands in any calendar app."""

from __future__ import annotations

from datetime import UTC, date
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar, Event, vCalAddress

from app.config import SalesRep, Settings
from app.leads.models import Lead
from app.meetings.models import Meeting, MeetingStatus

PRODID = "-//Agent Messiah//Meetings//EN"
UID_DOMAIN = "agent-messiah"


def meeting_uid(meeting: Meeting) -> str:
    """Stable per meeting, so a re-sent (or cancelled) invitation updates the same event."""
    return f"meeting-{meeting.id}@{UID_DOMAIN}"


def summary(lead: Lead | None) -> str:
    """The event's title, in English: it is read in the rep's calendar."""
    if lead is None:
        return "Alta intro call"
    if lead.company:
        return f"Alta intro call with {lead.name} ({lead.company})"
    return f"Alta intro call with {lead.name}"


def organizer(meeting: Meeting, settings: Settings) -> SalesRep:
    """The meeting's rep (SALES_REPS by key), or the first rep for a rep no longer listed."""
    reps = settings.reps
    return next((rep for rep in reps if rep.key == meeting.calendar), reps[0])


def meeting_to_ics(
    meeting: Meeting, lead: Lead | None, settings: Settings, *, method: bool = True
) -> bytes:
    """VCALENDAR (REQUEST, or CANCEL once cancelled) with the business VTIMEZONE and one VEVENT,
    the rep as ORGANIZER. `method=False` for a calendar server's copy (RFC 4791 has no METHOD)."""
    tz = ZoneInfo(settings.business_timezone)
    cancelled = meeting.status == MeetingStatus.cancelled
    event = Event.new(
        uid=meeting_uid(meeting),
        stamp=(
            meeting.cancelled_at if cancelled and meeting.cancelled_at else meeting.created_at
        ).astimezone(UTC),
        start=meeting.start.astimezone(tz),
        end=meeting.end.astimezone(tz),
        summary=summary(lead),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        sequence=1 if cancelled else 0,
    )
    rep = organizer(meeting, settings)
    organizer_address = vCalAddress(f"mailto:{rep.email}")
    organizer_address.params["CN"] = rep.name
    event.add("organizer", organizer_address)
    if lead is not None and lead.email:
        attendee = vCalAddress(f"mailto:{lead.email}")
        attendee.params["CN"] = lead.name
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    calendar = Calendar.new(
        prodid=PRODID,
        method=("CANCEL" if cancelled else "REQUEST") if method else None,
        uid=f"calendar-{meeting_uid(meeting)}",
        subcomponents=[event],
    )
    year = meeting.start.astimezone(tz).year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    result: bytes = calendar.to_ical()
    return result
