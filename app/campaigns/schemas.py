"""Campaign shapes: CampaignCreate comes in, CampaignRead (with progress) goes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.campaigns.window import DEFAULT_WINDOW
from app.contract import Id


class LeadFilter(BaseModel):
    """Which leads to call when no explicit ids are given; empty means every lead."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = None


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    lead_ids: list[Id] | None = Field(default=None, max_length=100_000)
    filter: LeadFilter | None = None
    max_concurrent_calls: int = Field(default=1, ge=1, le=200)
    calls_per_second: float = Field(
        default=1.0, gt=0, le=100, description="Twilio's default account limit is 1."
    )
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_delays_minutes: list[Annotated[int, Field(ge=1, le=10_080)]] = Field(
        default_factory=lambda: [60, 240], min_length=1, max_length=10
    )
    window: dict[str, list[str]] | None = Field(
        default=None,
        description="Calling hours per weekday in BUSINESS_TIMEZONE; Saturday is never allowed.",
        examples=[DEFAULT_WINDOW],
    )
    require_registry_check: bool = Field(
        default=False,
        description="Skip leads not checked against Israel's do-not-call registry in 15 days.",
    )


class Progress(BaseModel):
    total: int
    states: dict[str, int]
    outcomes: dict[str, int]
    skipped: dict[str, int]


class CampaignRead(BaseModel):
    id: int
    name: str
    state: str
    max_concurrent_calls: int
    calls_per_second: float
    max_attempts: int
    retry_delays_minutes: list[int]
    window: dict[str, list[str]]
    require_registry_check: bool
    created_at: datetime
    finished_at: datetime | None
    progress: Progress
