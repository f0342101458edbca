"""What the API shows of an outbox job (DeliveryRead)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.integrations.models import JobState, OutboxJob, OutgoingMessage


class DeliveryRead(BaseModel):
    kind: str = Field(description="calendar.create, calendar.delete, mail.invite, mail.cancel, ...")
    state: JobState
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    done_at: datetime | None

    @classmethod
    def from_job(cls, job: OutboxJob) -> DeliveryRead:
        return cls(
            kind=job.kind,
            state=JobState(job.state),
            attempts=job.attempts,
            next_attempt_at=job.next_attempt_at if job.state == JobState.pending else None,
            last_error=job.last_error,
            done_at=job.done_at,
        )


class OutgoingMessageRead(BaseModel):
    id: int
    channel: str
    to_address: str
    subject: str | None
    body: str
    ref: str | None
    created_at: datetime

    @classmethod
    def from_message(cls, message: OutgoingMessage) -> OutgoingMessageRead:
        return cls(
            id=message.id,
            channel=message.channel,
            to_address=message.to_address,
            subject=message.subject,
            body=message.body,
            ref=message.ref,
            created_at=message.created_at,
        )
