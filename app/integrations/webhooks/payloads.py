"""The `data` of each webhook event, from the records (the outbox strips personal keys)."""

from __future__ import annotations

from typing import Any

from app.calls.models import Call
from app.config import Settings
from app.leads.models import Lead
from app.meetings.models import Meeting
from app.meetings.schemas import MeetingRead


def lead(record: Lead | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "name": record.name,
        "phone": record.phone,
        "email": record.email,
        "company": record.company,
        "status": record.status,
        "score": record.score,
    }


def call(record: Call) -> dict[str, Any]:
    def at(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": record.id,
        "call_sid": record.call_sid,
        "lead_id": record.lead_id,
        "campaign_id": record.campaign_id,
        "channel": record.channel,
        "status": record.status,
        "outcome": record.outcome,
        "started_at": at(record.started_at),
        "answered_at": at(record.answered_at),
        "ended_at": at(record.ended_at),
        "duration_s": record.duration_s,
        "meeting_id": record.meeting_id,
    }


def analysis(record: Call) -> dict[str, Any]:
    return {
        "summary": record.summary,
        "summary_he": record.summary_he,
        "score": record.score,
        **(record.analysis or {}),
    }


def meeting(record: Meeting, settings: Settings) -> dict[str, Any]:
    return MeetingRead.from_meeting(record, settings).model_dump(mode="json")
