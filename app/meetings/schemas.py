"""What the meetings API accepts (MeetingCreate) and returns (MeetingRead, SlotRead)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from app.meetings.availability import Slot
from app.meetings.models import Meeting, MeetingStatus


class MeetingCreate(BaseModel):
    lead_id: int = Field(ge=1)
    start: datetime = Field(
        description="Start of the slot with its UTC offset, e.g. 2026-11-25T10:00:00+02:00",
        examples=["2026-11-25T10:00:00+02:00"],
    )
    call_id: int | None = None

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """A wall time without an offset is ambiguous across zones and DST changes."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("start must include a UTC offset or Z, e.g. 2026-11-25T10:00:00+02:00")
        return value


class MeetingRead(BaseModel):
    id: int
    lead_id: int | None
    call_id: int | None
    start: datetime
    end: datetime
    status: MeetingStatus
    created_at: datetime

    @classmethod
    def from_meeting(cls, meeting: Meeting, tz: ZoneInfo) -> MeetingRead:
        """Shows start and end in the business time zone, where people read them."""
        return cls(
            id=meeting.id,
            lead_id=meeting.lead_id,
            call_id=meeting.call_id,
            start=meeting.start.astimezone(tz),
            end=meeting.end.astimezone(tz),
            status=MeetingStatus(meeting.status),
            created_at=meeting.created_at,
        )


class SlotRead(BaseModel):
    start: datetime
    end: datetime
    label: str

    @classmethod
    def from_slot(cls, slot: Slot) -> SlotRead:
        """A slot as offered: local times and the English label the agent would say."""
        return cls(start=slot.start, end=slot.end, label=slot.label)
