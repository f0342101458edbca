"""The agent's effective profile: the environment's values overlaid with the stored ones.

The overlay is written onto the app's one Settings object, so the catalog (conversation/lines.py)
and the LLM prompt (conversation/prompts.py), which read Settings on every turn, use it at once
with no other change. A process applies the stored values at startup and when its console saves
them, and re-reads them every REFRESH_SECONDS (`follow`), so other processes on the same database
catch up within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agent_profile import repository
from app.agent_profile.schemas import AgentProfile
from app.config import Settings
from app.db import read_session

REFRESH_SECONDS = 3.0

log = structlog.get_logger(__name__)


def effective(defaults: AgentProfile, stored: dict[str, Any]) -> AgentProfile:
    """The defaults with the stored values over them; stored values no longer valid are dropped."""
    known = {name: value for name, value in stored.items() if name in AgentProfile.model_fields}
    try:
        return AgentProfile.model_validate({**defaults.model_dump(), **known})
    except ValidationError as exc:
        log.warning("agent_profile_invalid", error=exc.errors()[0]["msg"])
        return defaults


def apply(settings: Settings, profile: AgentProfile) -> None:
    """Writes the profile onto the running Settings (read by every turn)."""
    for name in AgentProfile.model_fields:
        setattr(settings, name, getattr(profile, name))


async def load(session: AsyncSession, settings: Settings, defaults: AgentProfile) -> AgentProfile:
    """Reads the stored profile and applies it; returns what the agent now uses."""
    profile = effective(defaults, await repository.stored_values(session))
    apply(settings, profile)
    return profile


async def save(session: AsyncSession, defaults: AgentProfile, profile: AgentProfile) -> None:
    """Stores what differs from the environment; the caller commits, then `apply`s it."""
    await repository.store(session, profile.overrides(defaults))


async def follow(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    defaults: AgentProfile,
    stop: asyncio.Event,
) -> None:
    """Re-reads the stored profile until `stop`; a failed read keeps what the agent has."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
            return
        try:
            async with read_session(sessions) as session:
                await load(session, settings, defaults)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("agent_profile_not_read", error=str(exc))
