"""Call and Turn records: the per-call session state and the bilingual transcript."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.leads.models import Lead


class Outcome(enum.StrEnum):
    booked = "booked"
    not_interested = "not_interested"
    callback = "callback"
    voicemail = "voicemail"
    no_answer = "no_answer"
    busy = "busy"
    failed = "failed"
    error = "error"
    opted_out = "opted_out"
    transferred = "transferred"  # connected to a human (TRANSFER_NUMBER)


class CallStatus(enum.StrEnum):
    """Where a call is in its lifecycle; only calls/service.py moves it."""

    queued = "queued"  # stored, not yet handed to the phone network
    ringing = "ringing"  # the network took it and rings the lead
    in_progress = "in_progress"  # answered (by a person or a machine)
    completed = "completed"  # answered, then hung up
    busy = "busy"
    no_answer = "no_answer"
    failed = "failed"  # the network refused or could not connect it
    canceled = "canceled"  # hung up by us before it was answered


class Channel(enum.StrEnum):
    twilio = "twilio"
    simulator = "simulator"  # typed by a person (POST /simulator/calls, `messiah simulate`)
    offline = "offline"  # the offline phone network's simulated leads (telephony/offline)


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.twilio)
    direction: Mapped[str] = mapped_column(String(20), default="outbound")
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.queued)
    answered_by: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(Integer)
    # The conversation's state between turns (conversation.state.Snapshot), one JSON value:
    # the slots on offer, questions asked, errors and silences, the dialogue policy's memory.
    conversation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The post-call analysis (flows/after_call.py): null until the job has run for the call.
    summary: Mapped[str | None] = mapped_column(Text)
    summary_he: Mapped[str | None] = mapped_column(Text)
    score: Mapped[str | None] = mapped_column(String(10), index=True)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    lead: Mapped[Lead | None] = relationship(lazy="raise")
    turns: Mapped[list[Turn]] = relationship(
        back_populates="call", order_by="Turn.index", cascade="all, delete-orphan", lazy="raise"
    )

    # Read-only views of the snapshot, for the API and reports.
    @property
    def offered_slots(self) -> list[str]:
        return list((self.conversation or {}).get("offered", []))

    @property
    def error_count(self) -> int:
        return int((self.conversation or {}).get("errors", 0))

    @property
    def dialogue(self) -> dict[str, Any]:
        return dict((self.conversation or {}).get("dialogue", {}))


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("call_id", "index", name="uq_turns_call_id_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    # Twilio's RecordingSid, or CallSid + turn number: a retried webhook finds its turn here.
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    caller_he: Mapped[str | None] = mapped_column(Text)
    caller_en: Mapped[str | None] = mapped_column(Text)
    agent_en: Mapped[str] = mapped_column(Text)
    agent_he: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(30))
    action_payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ended: Mapped[bool] = mapped_column(default=False)
    # The caller's language in this turn: he, en, ar or ru.
    language: Mapped[str | None] = mapped_column(String(8))
    ms_fetch: Mapped[int | None] = mapped_column(Integer)
    ms_stt: Mapped[int | None] = mapped_column(Integer)
    ms_translate_in: Mapped[int | None] = mapped_column(Integer)
    ms_llm: Mapped[int | None] = mapped_column(Integer)
    ms_translate_out: Mapped[int | None] = mapped_column(Integer)
    ms_total: Mapped[int | None] = mapped_column(Integer)
    # Streaming (relay) turns: from the caller's final words to the first Hebrew token sent.
    ms_first_token: Mapped[int | None] = mapped_column(Integer)
    # The caller cut the reply short: what they heard of agent_he, and its English.
    interrupted: Mapped[bool] = mapped_column(default=False, server_default=false())
    heard_he: Mapped[str | None] = mapped_column(Text)
    heard_en: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call: Mapped[Call] = relationship(back_populates="turns")
