"""The one AgentProfile row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.agent_profile.models import PROFILE_ID, AgentProfileRecord


async def stored_values(session: AsyncSession) -> dict[str, Any]:
    """The stored overrides (empty when the agent was never edited)."""
    record = await session.get(AgentProfileRecord, PROFILE_ID)
    return dict(record.values) if record is not None else {}


async def store(session: AsyncSession, values: dict[str, Any]) -> None:
    """Replaces the stored overrides."""
    record = await session.get(AgentProfileRecord, PROFILE_ID, with_for_update=True)
    if record is None:
        session.add(AgentProfileRecord(id=PROFILE_ID, values=values))
    else:
        record.values = values
    await session.flush()
