"""Call shapes for /calls: a call with its bilingual transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.calls.analysis import Qualification
from app.calls.models import Call, Turn


class StageMs(BaseModel):
    """Per-stage milliseconds of one turn; null where a stage did not run."""

    fetch: int | None
    stt: int | None
    translate_in: int | None
    llm: int | None
    translate_out: int | None
    total: int | None
    first_token: int | None = None  # relay mode: final prompt -> first Hebrew token sent


class TurnRead(BaseModel):
    index: int
    caller_he: str | None
    caller_en: str | None
    agent_en: str
    agent_he: str
    action: str | None
    action_payload: dict[str, Any] | None
    ended: bool
    interrupted: bool = False
    heard_he: str | None = None  # what the caller heard of agent_he before cutting in
    error: str | None
    ms: StageMs
    created_at: datetime

    @classmethod
    def of(cls, turn: Turn) -> TurnRead:
        ms = StageMs(
            fetch=turn.ms_fetch,
            stt=turn.ms_stt,
            translate_in=turn.ms_translate_in,
            llm=turn.ms_llm,
            translate_out=turn.ms_translate_out,
            total=turn.ms_total,
            first_token=turn.ms_first_token,
        )
        return cls(
            index=turn.index,
            caller_he=turn.caller_he,
            caller_en=turn.caller_en,
            agent_en=turn.agent_en,
            agent_he=turn.agent_he,
            action=turn.action,
            action_payload=turn.action_payload,
            ended=turn.ended,
            interrupted=turn.interrupted,
            heard_he=turn.heard_he,
            error=turn.error,
            ms=ms,
            created_at=turn.created_at,
        )


class LeadSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    company: str | None


class AnalysisRead(BaseModel):
    """The post-call analysis beyond the summary and score: why, what next, what was learned."""

    score_reasons: list[str]
    next_step: str
    qualification: Qualification
    source: str


class CallRead(BaseModel):
    id: int
    call_sid: str | None
    lead: LeadSummary | None
    campaign_id: int | None
    channel: str
    direction: str
    status: str
    answered_by: str | None
    outcome: str | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_s: int | None
    offered_slots: list[str]
    meeting_id: int | None
    error_count: int
    summary: str | None = Field(description="English; null until the post-call analysis ran")
    summary_he: str | None
    score: str | None = Field(description="hot, warm or cold")
    analysis: AnalysisRead | None
    analyzed_at: datetime | None
    turns: list[TurnRead]

    @classmethod
    def of(cls, call: Call) -> CallRead:
        return cls(
            id=call.id,
            call_sid=call.call_sid,
            lead=LeadSummary.model_validate(call.lead) if call.lead else None,
            campaign_id=call.campaign_id,
            channel=call.channel,
            direction=call.direction,
            status=call.status,
            answered_by=call.answered_by,
            outcome=call.outcome,
            started_at=call.started_at,
            answered_at=call.answered_at,
            ended_at=call.ended_at,
            duration_s=call.duration_s,
            offered_slots=list(call.offered_slots),
            meeting_id=call.meeting_id,
            error_count=call.error_count,
            summary=call.summary,
            summary_he=call.summary_he,
            score=call.score,
            analysis=AnalysisRead.model_validate(call.analysis) if call.analysis else None,
            analyzed_at=call.analyzed_at,
            turns=[TurnRead.of(turn) for turn in call.turns],
        )
