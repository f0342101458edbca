"""Postgres connections and sessions: a connection dropped while idle is replaced before it is
used, a busy pool does not ping what it used a moment ago, and point reads need no transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import db

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(database_url)
    yield engine
    await engine.dispose()


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _drop(engine: AsyncEngine, pid: int) -> None:
    """What a Postgres restart or a proxy's idle timeout does to a pooled connection."""
    other = db.create_engine(engine.url.render_as_string(hide_password=False))
    try:
        async with other.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_dropped_while_idle_is_replaced_before_it_is_used(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await _backend_pid(engine)  # the pool now holds this connection, idle
    await _drop(engine, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)

    assert await _backend_pid(engine) != pid  # pinged, found dead, replaced: no error


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await _backend_pid(engine)
    await _drop(engine, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)

    # Not pinged, so the dropped connection is used and fails; the pool then lets it go.
    with pytest.raises(DBAPIError):
        await _backend_pid(engine)
    assert await _backend_pid(engine) != pid


async def test_a_point_read_runs_each_statement_on_its_own(engine: AsyncEngine) -> None:
    """No BEGIN and ROLLBACK around a few reads by key: read committed gives each statement
    its own snapshot anyway, and each round trip is a turn of the event loop. A transaction's
    now() stands still; statements on their own each get their own."""
    sessions = db.create_sessionmaker(engine)

    async def clock_moves(point: bool) -> bool:
        async with db.read_session(sessions, point=point) as session:
            first = (await session.execute(text("SELECT now()"))).scalar_one()
            await session.execute(text("SELECT pg_sleep(0.02)"))
            return bool((await session.execute(text("SELECT now()"))).scalar_one() > first)

    assert await clock_moves(point=True)
    assert not await clock_moves(point=False)  # a read of any size keeps its transaction
