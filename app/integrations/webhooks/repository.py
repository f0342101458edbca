"""Subscription and delivery queries. Inner code flushes; the request (or the worker) commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.contract import storable_id
from app.integrations.webhooks.models import Delivery, DeliveryStatus, Subscription


async def add(session: AsyncSession, record: Subscription | Delivery) -> None:
    session.add(record)
    await session.flush()


async def get_subscription(session: AsyncSession, subscription_id: int) -> Subscription | None:
    if not storable_id(subscription_id):
        return None
    return await session.get(Subscription, subscription_id)


async def subscriptions(session: AsyncSession) -> Sequence[Subscription]:
    """Every subscription, oldest first."""
    return (await session.scalars(select(Subscription).order_by(Subscription.id))).all()


async def delete_subscription(session: AsyncSession, subscription: Subscription) -> None:
    await session.delete(subscription)
    await session.flush()


async def get_delivery(
    session: AsyncSession, delivery_id: int, *, lock: bool = False
) -> Delivery | None:
    if not storable_id(delivery_id):
        return None
    query = select(Delivery).where(Delivery.id == delivery_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def deliveries(
    session: AsyncSession, subscription_id: int, *, limit: int, offset: int
) -> Sequence[Delivery]:
    """A subscription's deliveries, newest first."""
    query = (
        select(Delivery)
        .where(Delivery.subscription_id == subscription_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.scalars(query)).all()


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Delivery]:
    """Pending deliveries whose attempt is due and that no live worker holds (SKIP LOCKED)."""
    query = (
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.next_attempt_at <= now,
            or_(Delivery.leased_until.is_(None), Delivery.leased_until <= now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(query)).all()
