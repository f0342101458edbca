"""The Meeting record; a partial unique index makes a slot bookable exactly once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class MeetingStatus(enum.StrEnum):
    booked = "booked"
    cancelled = "cancelled"


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
    calendar: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.booked)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
