"""The Meeting record; a partial unique index makes a slot bookable exactly once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class MeetingStatus(enum.StrEnum):
    booked = "booked"
    cancelled = "cancelled"


class MeetingSync(enum.StrEnum):
    """Where the meeting stands in the rep's real calendar."""

    local = "local"  # the local calendar: our database is the calendar
    pending = "pending"  # written here, waiting for the calendar server (the outbox retries)
    synced = "synced"  # the event is in the rep's calendar (external_event_id)
    conflict = "conflict"  # the rep's calendar was busy by the time we could write it
    failed = "failed"  # the calendar kept refusing; see sync_error


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        Index(
            "uq_meetings_calendar_start_booked",
            "calendar",
            "start",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), index=True
    )
    call_id: Mapped[int | None] = mapped_column(Integer)
    # The sales rep's key (SALES_REPS): one booked meeting per rep and start.
    calendar: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.booked)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_event_id: Mapped[str | None] = mapped_column(String(1024))
    sync_state: Mapped[str] = mapped_column(
        String(20), default=MeetingSync.local, server_default=MeetingSync.local.value
    )
    sync_error: Mapped[str | None] = mapped_column(Text)
