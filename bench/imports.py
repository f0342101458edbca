"""Lead import speed, and how long /health waits while a large import runs, on SQLite or Postgres.

    python -m bench.imports                      # 50,000 rows, SQLite in a temp dir
    python -m bench.imports --rows 10000 --database-url postgresql://postgres@127.0.0.1:55432/bench

In-process over ASGI: the import and the /health probes share one event loop, so a probe's wait
is exactly how long the import kept the loop from anyone else. Runs a first import (every row
created), the same file again (merge: nothing changes), the file with new companies (update: every
lead changes) and a do-not-call list of every number. Prints a report; not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from app.config import Settings
from app.leads.parsing import parse_leads
from app.main import create_app


def _leads(rows: int, company: str) -> bytes:
    lines = [
        f"Lead {i},ליד {i},05{i % 10}-{i:07d},{company} {i},lead{i}@example.com,female,note {i}"
        for i in range(rows)
    ]
    header = "name,name_he,phone,company,email,gender,notes\n"
    return (header + "\n".join(lines) + "\n").encode()


def _phones(rows: int) -> bytes:
    return ("טלפון\n" + "\n".join(f"05{i % 10}-{i:07d}" for i in range(rows)) + "\n").encode()


async def _while_probing(
    client: httpx.AsyncClient, path: str, data: bytes, params: dict[str, str]
) -> tuple[float, list[float], list[float], dict[str, object]]:
    """Uploads the file while /health is asked every 10 ms; latencies and loop gaps in seconds."""
    latencies: list[float] = []
    gaps: list[float] = []
    started = last = time.perf_counter()
    upload = asyncio.create_task(
        client.post(path, params=params, files={"file": ("f.csv", data, "text/csv")})
    )
    while not upload.done():
        asked = time.perf_counter()
        (await client.get("/health")).raise_for_status()
        now = time.perf_counter()
        latencies.append(now - asked)
        gaps.append(now - last)
        last = now
        await asyncio.sleep(0.01)
    response = await upload
    response.raise_for_status()
    return time.perf_counter() - started, latencies, gaps, response.json()


def _line(title: str, rows: int, took: float, latencies: list[float], gaps: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return (
        f"  {title:34} {took:6.2f} s  {rows / took:8.0f} rows/s   /health p50 "
        f"{statistics.median(ordered) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
        f"worst wait {max(gaps) * 1000:6.1f} ms  n={len(ordered)}"
    )


async def run(rows: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=url,
            seed_demo_leads=False,
            api_key=None,
            dialer_enabled=False,
            log_level="WARNING",
            max_upload_bytes=64 * 1024 * 1024,
        )
        first, changed = _leads(rows, "Company"), _leads(rows, "Renamed")
        started = time.perf_counter()
        parse_leads(first)
        parse_s = time.perf_counter() - started
        print(f"lead import, {rows} rows ({len(first) / 1e6:.1f} MB), {url.split(':')[0]}")
        print(f"  checking the file alone takes {parse_s:.2f} s (how long the old import froze)")
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                runs: list[tuple[str, str, bytes, dict[str, str], str]] = [
                    ("first import (created)", "/leads/import", first, {}, "created"),
                    ("same file again (merge)", "/leads/import", first, {}, "unchanged"),
                    (
                        "new companies (update)",
                        "/leads/import",
                        changed,
                        {"mode": "update"},
                        "merged",
                    ),
                    ("do-not-call list", "/leads/do-not-call/import", _phones(rows), {}, "marked"),
                ]
                for title, path, data, params, counted in runs:
                    took, latencies, gaps, report = await _while_probing(client, path, data, params)
                    print(
                        _line(title, rows, took, latencies, gaps) + f"  {counted} {report[counted]}"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.database_url))


if __name__ == "__main__":
    main()
