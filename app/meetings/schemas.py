"""What the meetings API accepts (MeetingCreate) and returns (MeetingRead, SlotRead)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from app.config import Settings
from app.contract import Id
from app.meetings.availability import Slot
from app.meetings.ics import organizer
from app.meetings.models import Meeting, MeetingStatus, MeetingSync


def example_start(now: datetime | None = None) -> str:
    """A start for the docs that is still ahead: a Tuesday at 10:00 in Israel, weeks from now."""
    tz = ZoneInfo("Asia/Jerusalem")
    day = (now or datetime.now(UTC)).astimezone(tz).date() + timedelta(days=21)
    day += timedelta(days=(1 - day.weekday()) % 7)  # the next Tuesday
    return datetime.combine(day, time(10, 0), tzinfo=tz).isoformat()


EXAMPLE_START = example_start()


class MeetingCreate(BaseModel):
    lead_id: Id
    start: datetime = Field(
        description=f"Start of the slot with its UTC offset, e.g. {EXAMPLE_START}",
        examples=[EXAMPLE_START],
    )
    call_id: Id | None = None

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """A wall time without an offset is ambiguous across zones and DST changes."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"start must include a UTC offset or Z, e.g. {EXAMPLE_START}")
        return value


class RepRead(BaseModel):
    key: str
    name: str
    email: str


class MeetingRead(BaseModel):
    id: int
    lead_id: int | None
    call_id: int | None
    start: datetime
    end: datetime
    status: MeetingStatus
    created_at: datetime
    rep: RepRead
    external_event_id: str | None = Field(description="The event's id in the rep's calendar")
    sync: MeetingSync = Field(
        description="local (our calendar only), pending, synced, conflict or failed"
    )
    sync_error: str | None = Field(description="Why the rep's calendar is not in step, if so")

    @classmethod
    def from_meeting(cls, meeting: Meeting, settings: Settings) -> MeetingRead:
        """Shows start and end in the business time zone, where people read them."""
        tz = settings.tz
        rep = organizer(meeting, settings)
        return cls(
            id=meeting.id,
            lead_id=meeting.lead_id,
            call_id=meeting.call_id,
            start=meeting.start.astimezone(tz),
            end=meeting.end.astimezone(tz),
            status=MeetingStatus(meeting.status),
            created_at=meeting.created_at,
            rep=RepRead(key=rep.key, name=rep.name, email=str(rep.email)),
            external_event_id=meeting.external_event_id,
            sync=MeetingSync(meeting.sync_state),
            sync_error=meeting.sync_error,
        )


class SlotRead(BaseModel):
    start: datetime
    end: datetime
    label: str

    @classmethod
    def from_slot(cls, slot: Slot) -> SlotRead:
        """A slot as offered: local times and the English label the agent would say."""
        return cls(start=slot.start, end=slot.end, label=slot.label)
