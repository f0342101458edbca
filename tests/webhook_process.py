"""A process to kill between an event and its delivery: `python -m tests.webhook_process`.

Reads DATABASE_URL (and the WEBHOOK_* settings) from the environment; its clock stands still at
WEBHOOK_CLOCK (ISO 8601). It runs the post-call job once (the analysis and its webhook rows in
one transaction), prints "stored N", then one delivery tick, which leases the due rows and posts
them: the test kills it while the receiver holds the request.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime

import httpx

from app.clock import FrozenClock
from app.config import Settings
from app.conversation.analysis import OfflineCallAnalyst
from app.db import create_engine, create_sessionmaker
from app.flows.after_call import AfterCall
from app.integrations.webhooks.worker import WebhookWorker


async def main() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    clock = FrozenClock(datetime.fromisoformat(os.environ["WEBHOOK_CLOCK"]))
    sessions = create_sessionmaker(create_engine(settings.database_url))
    stored = await AfterCall(sessions, settings, clock, OfflineCallAnalyst()).tick()
    print(f"stored {stored}", flush=True)
    async with httpx.AsyncClient() as http:
        await WebhookWorker(sessions, settings, clock, http).tick()
    print("sent", flush=True)  # never reached in the test: it is killed first


if __name__ == "__main__":
    asyncio.run(main())
