"""Writes events into the outbox: one delivery row per subscriber, in the event's transaction.

A delivery written here commits with the change it reports (or neither does); the worker sends
it later, however many times the process restarts in between. Personal data (the lead's name,
phone, email, the call's summary) stays out of payloads unless WEBHOOK_PERSONAL_DATA=true.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.integrations.webhooks import repository
from app.integrations.webhooks.models import Delivery, DeliveryStatus, Event

log = structlog.get_logger(__name__)

# Keys that carry personal data, at any depth of a payload's `data`.
PERSONAL_KEYS = frozenset(
    {"name", "name_he", "phone", "email", "summary", "summary_he", "lead_handling", "notes"}
)


def _without_personal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value


async def emit(
    session: AsyncSession,
    event: Event,
    data: dict[str, Any],
    now: datetime,
    *,
    personal_data: bool,
) -> int:
    """Queues `event` for every subscription that wants it; returns the deliveries written."""
    written = 0
    body = data if personal_data else _without_personal(data)
    for subscription in await repository.subscriptions(session):
        if event not in subscription.events:
            continue
        payload = {"type": str(event), "timestamp": now.isoformat(), "data": body}
        await repository.add(
            session,
            Delivery(
                subscription_id=subscription.id,
                message_id=f"msg_{uuid.uuid4().hex}",
                event=event,
                payload=payload,
                status=DeliveryStatus.pending,
                attempts=0,
                next_attempt_at=now,
                log=[],
                created_at=now,
            ),
        )
        written += 1
    if written:
        log.info("webhook_event_queued", webhook_event=str(event), deliveries=written)
    return written


class WebhookOutbox:
    """`app.events.EventSink` over the webhook outbox, with the service's clock and settings."""

    def __init__(self, clock: Clock, *, personal_data: bool) -> None:
        self.clock = clock
        self.personal_data = personal_data

    async def emit(self, session: AsyncSession, event: str, data: dict[str, Any]) -> int:
        return await emit(
            session, Event(event), data, self.clock.now(), personal_data=self.personal_data
        )
