"""The Lead record."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Gender(enum.StrEnum):
    female = "female"
    male = "male"


class LeadStatus(enum.StrEnum):
    new = "new"
    contacted = "contacted"
    booked = "booked"
    callback = "callback"
    not_interested = "not_interested"
    do_not_call = "do_not_call"


class Lead(Base):
    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name in Hebrew letters, for Hebrew lines: a he-IL voice cannot read "David".
    name_he: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    company: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(320))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.new, index=True)
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the lead's details came from, in Hebrew, as the agent says it when asked
    # (Privacy Protection Law §17F): "השארת פרטים באתר".
    source: Mapped[str | None] = mapped_column(String(200))
    consent_source: Mapped[str | None] = mapped_column(String(200))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dnc_registry_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The score of the lead's latest analysed call: hot, warm or cold.
    score: Mapped[str | None] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
