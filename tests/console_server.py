"""The app on a real socket for the browser tests: `python -m tests.console_server PORT`.

Settings come from the environment (DATABASE_URL, API_KEY, ...). Its clock starts at
CONSOLE_CLOCK_START (ISO 8601; a business day, so slots and calling windows are open) and runs
at wall-clock speed from there. Prints "ready" when it accepts connections.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import datetime, timedelta

import uvicorn

from app.config import Settings
from app.main import create_app


class RunningClock:
    """Wall-clock time, shifted to start at a chosen instant."""

    def __init__(self, start: datetime) -> None:
        self.start, self.started = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


async def main(port: int) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    clock = RunningClock(datetime.fromisoformat(os.environ["CONSOLE_CLOCK_START"]))
    config = uvicorn.Config(
        create_app(settings, clock), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
        if task.done():
            return
    print("ready", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
