"""What the post-call analysis says about a call: the shape stored on it and shown in /calls."""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Score(enum.StrEnum):
    hot = "hot"  # booked, asked for a person, or qualified and asking for a follow-up
    warm = "warm"  # engaged: a callback, questions, details by email
    cold = "cold"  # refused, opted out, or never reached


class Qualification(BaseModel):
    """The qualification answers, as far as the call got (null / empty where never said)."""

    has_sdr_team: bool | None = None
    sdr_team_size: int | None = Field(default=None, ge=0, le=100000)
    lead_handling: str | None = None
    current_tools: list[str] = Field(default_factory=list)
    objections: list[str] = Field(default_factory=list)
    requested_follow_up: str | None = None


class CallAnalysis(BaseModel):
    """The summary (English, with its Hebrew twin), the score with its reasons, the next step."""

    summary: str
    summary_he: str
    score: Score
    score_reasons: list[str]
    next_step: str
    qualification: Qualification
    source: Literal["openai", "offline"]

    def stored(self) -> dict[str, Any]:
        """The JSON kept in Call.analysis (summary and score have columns of their own)."""
        return self.model_dump(
            mode="json", include={"score_reasons", "next_step", "qualification", "source"}
        )
