"""Managing subscriptions and replays; the checks a subscription URL must pass.

    SubscriptionNotFound   no such subscription (404)
    DeliveryNotFound       no such delivery (404)
    BadSubscription        not an http(s) URL, a private host, an unknown event, a bad secret (422)

Private hosts: a URL whose host is (or resolves to) a loopback, private, link-local or reserved
address is refused unless WEBHOOK_ALLOW_PRIVATE_HOSTS=true, so a subscriber cannot point the
service at its own network (SSRF). The worker checks again before every attempt, since a name
can resolve elsewhere later.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound, Unprocessable
from app.integrations.webhooks import repository, signing
from app.integrations.webhooks.models import Delivery, DeliveryStatus, Event, Subscription

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class SubscriptionNotFound(NotFound):
    def __init__(self, subscription_id: int) -> None:
        super().__init__(f"Webhook subscription {subscription_id} not found.")


class DeliveryNotFound(NotFound):
    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"Webhook delivery {delivery_id} not found.")


class BadSubscription(Unprocessable):
    pass


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> str:
    """The URL as stored; refuses anything but http(s) with a host and without credentials."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadSubscription("url must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise BadSubscription("url must not carry credentials; use the signing secret")
    return url.strip()


async def check_host(url: str, *, allow_private: bool) -> None:
    """Refuses a host that is, or resolves to, a non-public address (unless allowed)."""
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    if host.lower() in LOCAL_NAMES:
        raise BadSubscription(f"url host {host} is local; webhooks go to public hosts only")
    try:
        addresses = [host] if _literal(host) else await _resolve(host)
    except OSError as exc:
        raise BadSubscription(f"url host {host} does not resolve") from exc
    if any(_is_private(a) for a in addresses):
        raise BadSubscription(f"url host {host} is a private address; webhooks go to public hosts")


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_events(events: list[str]) -> list[str]:
    known = {e.value for e in Event}
    unknown = sorted(set(events) - known)
    if unknown or not events:
        raise BadSubscription(
            f"unknown event(s) {unknown}; use some of {', '.join(sorted(known))}"
            if unknown
            else "events must name at least one event"
        )
    return sorted(set(events))


async def create(
    session: AsyncSession,
    url: str,
    events: list[str],
    secret: str | None,
    now: datetime,
    *,
    allow_private: bool,
) -> Subscription:
    url = check_url(url)
    await check_host(url, allow_private=allow_private)
    if secret is not None:
        try:
            signing.secret_key(secret)
        except ValueError as exc:
            raise BadSubscription(f"secret: {exc}") from exc
    subscription = Subscription(
        url=url, events=check_events(events), secret=secret or signing.new_secret(), created_at=now
    )
    await repository.add(session, subscription)
    return subscription


async def get(session: AsyncSession, subscription_id: int) -> Subscription:
    subscription = await repository.get_subscription(session, subscription_id)
    if subscription is None:
        raise SubscriptionNotFound(subscription_id)
    return subscription


async def replay(session: AsyncSession, delivery_id: int, now: datetime) -> Delivery:
    """Sends a delivery again, at once, with its original webhook-id (receivers deduplicate)."""
    delivery = await repository.get_delivery(session, delivery_id, lock=True)
    if delivery is None:
        raise DeliveryNotFound(delivery_id)
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = now
    delivery.leased_until = None
    return delivery
