"""A fresh database per run, and what it holds afterwards (read only once the run is over).

The tables are reflected, not imported from the app, so the check keeps working while the
server's models change; every `ms_*` column of `turns` is a stage.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import MetaData, select, text
from sqlalchemy.ext.asyncio import create_async_engine


def async_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


@dataclass(frozen=True, slots=True)
class FreshDatabase:
    url: str  # what the server is given
    drop: str | None = None  # the Postgres database to drop afterwards
    admin: str | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"


def fresh(base_url: str | None, tmp: Path, tag: str) -> FreshDatabase:
    """An empty database for one run: a SQLite file in `tmp`, or a new database on the Postgres
    server `base_url` names (created here, dropped by `drop`)."""
    if base_url is None:
        return FreshDatabase(f"sqlite+aiosqlite:///{tmp / f'messiah-{tag}.db'}")
    url = async_url(base_url)
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        return FreshDatabase(f"sqlite+aiosqlite:///{path.with_name(f'{path.stem}-{tag}.db')}")
    name = re.sub(r"\W", "_", f"bench_load_{os.getpid()}_{tag}").lower()
    parts = urlsplit(url)
    asyncio.run(_execute(url, f'CREATE DATABASE "{name}"'))
    return FreshDatabase(urlunsplit(parts._replace(path=f"/{name}")), drop=name, admin=url)


def drop(db: FreshDatabase) -> None:
    if db.drop and db.admin:
        asyncio.run(_execute(db.admin, f'DROP DATABASE IF EXISTS "{db.drop}" WITH (FORCE)'))


async def _execute(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _rows(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    engine = create_async_engine(url)
    try:
        meta = MetaData()
        async with engine.connect() as conn:
            await conn.run_sync(lambda sync: meta.reflect(sync, only=["calls", "turns"]))
            calls = [dict(r._mapping) for r in await conn.execute(select(meta.tables["calls"]))]
            turns = meta.tables["turns"]
            ordered = select(turns).order_by(turns.c.call_id, turns.c["index"], turns.c.id)
            stored = [dict(r._mapping) for r in await conn.execute(ordered)]
    finally:
        await engine.dispose()
    return calls, stored


def read(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every call and every turn (ordered by call, index) in the database."""
    return asyncio.run(_rows(url))


def completeness(
    driven: list[dict[str, Any]], url: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Whether every turn Twilio got TwiML for is stored exactly once, in order, saying what
    Twilio was told to say. Returns the verdict and the measured calls' stored caller turns."""
    calls, turns = read(url)
    by_sid = {c["call_sid"]: c for c in calls if c.get("call_sid")}
    stored: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for turn in turns:
        stored[turn["call_id"]].append(turn)
    expected = missing = duplicates = mismatched = extra = unknown_calls = 0
    problems: list[str] = []
    outcomes: dict[str, int] = defaultdict(int)
    for run in driven:
        if run["call_sid"] is None:
            continue
        answered = [e for e in run["exchanges"] if e["line"] >= 0 and e["status"] == 200]
        answered = [e for e in answered if not e["timeout"] and e["error"] is None]
        expected += len(answered)
        call = by_sid.get(run["call_sid"])
        if call is None:
            unknown_calls += 1
            missing += len(answered)
            problems.append(f"call {run['index']}: no calls row for {run['call_sid']}")
            continue
        outcomes[str(call.get("outcome"))] += 1
        rows = stored.get(call["id"], [])
        indexes = [r["index"] for r in rows]
        duplicates += len(indexes) - len(set(indexes))
        keys = [r.get("idempotency_key") for r in rows if r.get("idempotency_key")]
        duplicates += len(keys) - len(set(keys))
        said = [r["agent_he"] for r in rows]
        heard = [e["said"] for e in answered]
        for i, line in enumerate(heard):
            if i >= len(said):
                missing += 1
            elif _norm(said[i]) != _norm(line):
                mismatched += 1
                if len(problems) < 10:
                    problems.append(
                        f"call {run['index']} turn {i}: stored {said[i]!r}, heard {line!r}"
                    )
        extra += max(0, len(said) - len(heard))
    verdict = {
        "complete": missing == duplicates == mismatched == unknown_calls == 0,
        "turns_expected": expected,
        "turns_stored": len(turns),
        "missing": missing,
        "duplicates": duplicates,
        "mismatched": mismatched,
        "stored_without_twiml": extra,
        "calls_not_stored": unknown_calls,
        "turns_with_error": sum(1 for t in turns if t.get("error")),
        "outcomes": dict(sorted(outcomes.items())),
        "problems": problems,
    }
    warm = {
        by_sid[r["call_sid"]]["id"] for r in driven if r.get("warmup") and r["call_sid"] in by_sid
    }
    return verdict, [t for t in turns if t["index"] > 0 and t["call_id"] not in warm]


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())
