"""What the API shows of an outbox job (DeliveryRead)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.integrations.models import JobState, OutboxJob


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
