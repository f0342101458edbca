"""A CRM's webhook endpoint on 127.0.0.1: verifies Standard Webhooks signatures as the README
tells a receiver to, records every request, and fails or hangs on demand.

    receiver = WebhookReceiver(secret_of=lambda: secret, clock=clock)
    receiver.fail_while = lambda: clock.now() < down_until   # 503 while "down"
    receiver.hold()               # holds requests unanswered (a worker killed mid-send)
    receiver.release()

PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.clock import Clock
from tests.fakes.loopback import LoopbackServer

TOLERANCE_S = 5 * 60


def verify(secret: str, headers: dict[str, str], body: bytes, now_s: int) -> bool:
    """The README's recipe, step by step: the key, the signed content, the comparison, the age."""
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    signatures = [
        part.split(",", 1)[1]
        for part in headers["webhook-signature"].split(" ")
        if part.startswith("v1,")
    ]
    fresh = abs(now_s - int(timestamp)) <= TOLERANCE_S
    return fresh and any(hmac.compare_digest(s, expected) for s in signatures)


@dataclass(frozen=True, slots=True)
class Received:
    message_id: str
    timestamp: int
    body: dict[str, Any]
    verified: bool
    answered: int  # the status code the receiver sent (0: held until its sender was gone)

    @property
    def type(self) -> str:
        return str(self.body["type"])


class WebhookReceiver:
    def __init__(self, secret_of: Callable[[], str], clock: Clock) -> None:
        self.secret_of = secret_of
        self.clock = clock
        self.received: list[Received] = []
        self.fail_while: Callable[[], bool] = lambda: False
        self.got_request = threading.Event()
        self._released = threading.Event()
        self._released.set()
        self._server = LoopbackServer(
            Starlette(routes=[Route("/hook", self._hook, methods=["POST"])]), "webhook-receiver"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/hook"

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self.release()
        self._server.stop()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, i.e. what the CRM took in."""
        return [r for r in self.received if 200 <= r.answered < 300]

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        verified = verify(self.secret_of(), headers, body, int(self.clock.now().timestamp()))
        self.got_request.set()
        hung = not self._released.is_set()
        await asyncio.to_thread(self._released.wait)
        # A request held until its sender died was never answered, as far as the sender knows.
        status = 0 if hung else 503 if self.fail_while() else 200 if verified else 400
        self.received.append(
            Received(
                headers["webhook-id"],
                int(headers["webhook-timestamp"]),
                json.loads(body),
                verified,
                status,
            )
        )
        return Response(status_code=status or 503)
