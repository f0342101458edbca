"""Webhook shapes: a subscription in and out (its secret shown), a delivery with its log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.integrations.webhooks.models import Event


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://crm.example.com/hooks/messiah"])
    events: list[Event] = Field(min_length=1, max_length=len(Event))
    secret: str | None = Field(
        default=None, max_length=200, description="whsec_ + base64 key; generated when omitted"
    )


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    events: list[str]
    secret: str = Field(description="Verify each delivery's webhook-signature with it")
    created_at: datetime


class AttemptRead(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    message_id: str = Field(description="The webhook-id header, the same on every attempt")
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    log: list[AttemptRead]
    payload: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None
