"""Imports every table so Alembic and tests see the whole schema."""

from app.calls.models import Call, Turn
from app.campaigns.models import CallAttempt, Campaign
from app.db import Base
from app.integrations.webhooks.models import Delivery, Subscription
from app.leads.models import Lead
from app.meetings.models import Meeting

__all__ = [
    "Base",
    "Call",
    "CallAttempt",
    "Campaign",
    "Delivery",
    "Lead",
    "Meeting",
    "Subscription",
    "Turn",
]
