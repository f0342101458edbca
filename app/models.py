"""Imports every table so Alembic and tests see the whole schema."""

from app.agent_profile.models import AgentProfileRecord
from app.calls.models import Call, Turn
from app.campaigns.models import CallAttempt, Campaign
from app.db import Base
from app.integrations.models import OutboxJob, OutgoingMessage
from app.integrations.webhooks.models import Delivery, Subscription
from app.leads.models import Lead
from app.meetings.models import Meeting

__all__ = [
    "AgentProfileRecord",
    "Base",
    "Call",
    "CallAttempt",
    "Campaign",
    "Delivery",
    "Lead",
    "Meeting",
    "OutboxJob",
    "OutgoingMessage",
    "Subscription",
    "Turn",
]
