"""Campaign and CallAttempt: the dialer's whole state lives here, so any process can resume it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class CampaignState(enum.StrEnum):
    active = "active"
    paused = "paused"
    cancelled = "cancelled"
    completed = "completed"


class AttemptState(enum.StrEnum):
    pending = "pending"  # never dialed yet
    dialing = "dialing"  # Call written, Twilio being asked
    live = "live"  # Twilio accepted; the call is ringing or talking
    retry_wait = "retry_wait"  # waits for next_attempt_at
    done = "done"  # finished for good (outcome in last_outcome)
    skipped = "skipped"  # never dialed: skip_reason says why
    cancelled = "cancelled"  # the campaign was cancelled first


OPEN_STATES = (AttemptState.pending, AttemptState.retry_wait)
LIVE_STATES = (AttemptState.dialing, AttemptState.live)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=CampaignState.active, index=True)
    max_concurrent_calls: Mapped[int] = mapped_column(Integer, default=1)
    calls_per_second: Mapped[float] = mapped_column(Float, default=1.0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    retry_delays_minutes: Mapped[list[int]] = mapped_column(JSON, default=list)
    # {"sun": ["09:00", "20:00"], ...}; Saturday, holidays and their eves are closed regardless.
    window: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    require_registry_check: Mapped[bool] = mapped_column(Boolean, default=False)
    # Pacing across processes: the earliest instant the next call may be placed.
    next_dial_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallAttempt(Base):
    """One lead in one campaign: how often it was dialed and what comes next."""

    __tablename__ = "call_attempts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "lead_id", name="uq_call_attempts_campaign_id_lead_id"),
        Index("ix_call_attempts_due", "campaign_id", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=AttemptState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_call_id: Mapped[int | None] = mapped_column(Integer)
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    skip_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
