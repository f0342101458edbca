"""Imports every table so Alembic and tests see the whole schema."""

from app.db import Base
from app.leads.models import Lead
from app.meetings.models import Meeting

__all__ = ["Base", "Lead", "Meeting"]
