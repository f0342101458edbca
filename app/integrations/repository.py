"""Queries on the offline mailbox (outgoing_messages)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.integrations.models import OutgoingMessage


async def recent_messages(
    session: AsyncSession, *, limit: int, ref: str | None = None
) -> Sequence[OutgoingMessage]:
    """The newest kept mail and SMS first, optionally only those about one subject."""
    query = select(OutgoingMessage).order_by(OutgoingMessage.id.desc()).limit(limit)
    if ref is not None:
        query = query.where(OutgoingMessage.ref == ref)
    return (await session.scalars(query)).all()
