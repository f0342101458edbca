"""Availability and booking latency, in-process over ASGI, on SQLite or Postgres.

    python -m bench.booking                      # SQLite in a temp dir
    python -m bench.booking --database-url postgresql://postgres@127.0.0.1:55432/bench

Prints a report; not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.clock import FrozenClock
from app.config import Settings
from app.main import create_app


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   n={len(ordered)}"


async def _timed(work: Callable[[], Awaitable[httpx.Response]], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = await work()
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


async def run(database_url: str, racers: int) -> None:
    settings = Settings(_env_file=None, database_url=database_url, seed_demo_leads=False)  # type: ignore[call-arg]
    app = create_app(settings, FrozenClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            leads = []
            for i in range(racers):
                body = {"name": f"Bench {i}", "phone": f"+97250{1000000 + i}"}
                leads.append((await client.post("/leads", json=body)).json()["id"])
            available = await _timed(lambda: client.get("/meetings/available?count=2"), 200)
            slots = (await client.get("/meetings/available?count=20")).json()

            started = time.perf_counter()
            race = await asyncio.gather(
                *(
                    client.post("/meetings", json={"lead_id": lead, "start": slots[0]["start"]})
                    for lead in leads
                )
            )
            race_ms = (time.perf_counter() - started) * 1000
            codes = sorted(r.status_code for r in race)

            sequential = []
            for lead, slot in zip(leads, slots[1:], strict=False):
                t0 = time.perf_counter()
                response = await client.post(
                    "/meetings", json={"lead_id": lead, "start": slot["start"]}
                )
                sequential.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()

    backend = database_url.split(":", 1)[0]
    print(f"backend: {backend}")
    print(f"GET /meetings/available?count=2   {_ms(available)}")
    print(f"POST /meetings (free slot)        {_ms(sequential)}")
    print(
        f"{racers} concurrent POST /meetings, one slot: {race_ms:.0f} ms total; "
        f"201 x {codes.count(201)}, 409 x {codes.count(409)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--racers", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(url, args.racers))


if __name__ == "__main__":
    main()
