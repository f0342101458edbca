"""The events other systems hear about (webhooks), as a seam domain code can write through.

Domain packages may not import the integrations built on them, so a domain router emits through
this Protocol (`deps.Events`); app/integrations/webhooks implements it. `emit` writes in the
caller's session, so the event and what it reports commit together or not at all.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class EventSink(Protocol):
    async def emit(self, session: AsyncSession, event: str, data: dict[str, Any]) -> int:
        """Queues `event` for every subscriber in `session`'s transaction; returns how many."""
        ...
