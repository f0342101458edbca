"""The AgentProfile record: one row holding the operator's overrides of the agent's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

PROFILE_ID = 1


class AgentProfileRecord(Base):
    """Only the values that differ from the environment, keyed by their Settings name."""

    __tablename__ = "agent_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
