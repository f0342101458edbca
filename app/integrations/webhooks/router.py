"""/webhooks: subscriptions for CRMs and automation, their delivery log, and replays."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.contract import PROTECTED_RESPONSES, Id, Offset, not_found
from app.deps import ApiKey, AppClock, AppSettings, DbSession
from app.integrations.webhooks import repository, service
from app.integrations.webhooks.schemas import DeliveryRead, SubscriptionCreate, SubscriptionRead

router = APIRouter(
    prefix="/webhooks", tags=["webhooks"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


@router.post("", response_model=SubscriptionRead, status_code=status.HTTP_201_CREATED)
async def subscribe(
    body: SubscriptionCreate, session: DbSession, settings: AppSettings, clock: AppClock
) -> SubscriptionRead:
    """Subscribes a URL to events; the answer carries the signing secret (whsec_…)."""
    subscription = await service.create(
        session,
        body.url,
        [str(event) for event in body.events],
        body.secret,
        clock.now(),
        allow_private=settings.webhook_allow_private_hosts,
    )
    return SubscriptionRead.model_validate(subscription)


@router.get("", response_model=list[SubscriptionRead])
async def list_subscriptions(session: DbSession) -> list[SubscriptionRead]:
    """Every subscription, oldest first."""
    return [SubscriptionRead.model_validate(s) for s in await repository.subscriptions(session)]


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=not_found("subscription"),
)
async def unsubscribe(subscription_id: Id, session: DbSession) -> Response:
    """Deletes a subscription and its delivery log; nothing more is sent to it."""
    await repository.delete_subscription(session, await service.get(session, subscription_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=list[DeliveryRead],
    responses=not_found("subscription"),
)
async def deliveries(
    subscription_id: Id,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[DeliveryRead]:
    """The subscription's deliveries, newest first: status, attempts, response codes."""
    await service.get(session, subscription_id)
    rows = await repository.deliveries(session, subscription_id, limit=limit, offset=offset)
    return [DeliveryRead.model_validate(row) for row in rows]


@router.post(
    "/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses=not_found("delivery"),
)
async def replay(delivery_id: Id, session: DbSession, clock: AppClock) -> DeliveryRead:
    """Sends a delivery again now, under its original webhook-id."""
    return DeliveryRead.model_validate(await service.replay(session, delivery_id, clock.now()))
