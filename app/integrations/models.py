"""The outbox (work to deliver outside, written with the event it follows) and the offline
mailbox (mail and SMS kept in the database instead of sent)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class JobState(enum.StrEnum):
    pending = "pending"  # due at next_attempt_at (also while a worker holds its lease)
    done = "done"
    failed = "failed"  # gave up: attempts used, or a permanent refusal; see last_error


class OutboxJob(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What to do, e.g. "calendar.create", "mail.invite"; a handler is registered per kind.
    kind: Mapped[str] = mapped_column(String(40))
    # What it is about, e.g. "meeting:12": the meeting page lists its jobs by this.
    subject: Mapped[str] = mapped_column(String(60), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=JobState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Channel(enum.StrEnum):
    email = "email"
    sms = "sms"


class OutgoingMessage(Base):
    """A mail or SMS the offline senders kept instead of sending (viewable in the console)."""

    __tablename__ = "outgoing_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The raw message as it would go out (RFC 5322 with the .ics for mail).
    raw: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
