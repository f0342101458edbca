"""SQLite statements: one thread hop each, or none in a session that asks (`point`), and never
the event loop's thread for what may wait on another process.

Which thread ran a statement is read from inside SQLite: a SQL function that answers the id of
the thread calling it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import sqlite_driver
from app.db import (
    create_engine,
    create_sessionmaker,
    read_session,
    session_scope,
    write_session,
)
from app.sqlite_driver import Connection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        await conn.execute(text("INSERT INTO notes (body) VALUES ('a'), ('b'), ('c')"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@contextlib.asynccontextmanager
async def loop_ticks() -> AsyncIterator[list[int]]:
    """Counts 10 ms ticks of the event loop while the block runs: proof it was never blocked."""
    ticks = [0]

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks[0] += 1

    ticker = asyncio.create_task(tick())
    try:
        yield ticks
    finally:
        ticker.cancel()


async def thread_of(session: AsyncSession) -> int:
    """The id of the thread SQLite ran this session's next statement on."""
    conn = await session.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    assert isinstance(driver, Connection)
    await driver.create_function("thread_id", 0, threading.get_ident)
    return int((await session.execute(text("SELECT thread_id()"))).scalar_one())


async def test_statements_run_on_the_connections_thread_unless_the_session_asks(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    loop_thread = threading.get_ident()

    async with read_session(sessions) as session:
        plain = await thread_of(session)
    async with read_session(sessions, point=True) as session:
        point_read = await thread_of(session)
    async with write_session(sessions) as session:
        short_write = await thread_of(session)
        await session.execute(text("INSERT INTO notes (body) VALUES ('d')"))
    # The connections the inline sessions used went back to the pool: none of them runs inline
    # for the next session, whichever connection it gets.
    for _ in range(3):
        async with read_session(sessions) as session:
            assert await thread_of(session) != loop_thread
        async with session_scope(sessions) as session:  # a request's write, of any size
            assert await thread_of(session) != loop_thread

    assert plain != loop_thread
    assert point_read == loop_thread and short_write == loop_thread
    async with read_session(sessions) as session:
        bodies = (await session.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies) == ["a", "b", "c", "d"]  # the inline write was committed


async def test_a_point_write_waiting_for_another_processs_lock_does_not_stop_the_loop(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    database = engine.url.database
    assert database is not None
    locked, release = threading.Event(), threading.Event()

    def other_process() -> None:  # another process's connection, holding SQLite's write lock
        conn = sqlite3.connect(database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO notes (body) VALUES ('other')")
        locked.set()
        release.wait(10)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    await asyncio.to_thread(locked.wait, 10)

    async def write() -> float:
        async with write_session(sessions) as session:
            waited = time.monotonic()
            await session.execute(text("INSERT INTO notes (body) VALUES ('ours')"))
        return time.monotonic() - waited

    async with loop_ticks() as ticks:
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.5)
        ticks_while_locked = ticks[0]
        release.set()
        await writing
    holder.join()

    assert ticks_while_locked >= 10  # the loop kept running while our write waited
    async with read_session(sessions) as session:
        bodies = (await session.execute(text("SELECT body FROM notes ORDER BY id"))).scalars()
        assert list(bodies)[-2:] == ["other", "ours"]


async def test_rows_are_read_whole_whichever_way_a_statement_runs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for point in (False, True):
        async with read_session(sessions, point=point) as session:
            result = await session.execute(
                text("SELECT id, body FROM notes WHERE id <= 3 ORDER BY id")
            )
            assert result.fetchone() == (1, "a")
            assert result.fetchmany(1) == [(2, "b")]
            assert result.fetchall() == [(3, "c")]
        async with write_session(sessions) as session:
            inserted = await session.execute(
                text("INSERT INTO notes (body) VALUES (:b) RETURNING id"), {"b": f"p{point}"}
            )
            new_id = inserted.scalar_one()
            updated = await session.execute(
                text("UPDATE notes SET body = body || '!' WHERE id = :i"), {"i": new_id}
            )
            assert updated.rowcount == 1
    async with read_session(sessions) as session:
        rows = (await session.execute(text("SELECT body FROM notes WHERE id > 3"))).scalars()
        assert list(rows) == ["pFalse!", "pTrue!"]


async def test_a_short_write_lets_nothing_else_run_from_its_first_statement_to_its_commit(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    database = engine.url.database
    assert database is not None
    loop = asyncio.get_running_loop()
    async with write_session(sessions) as session:  # the pool has a connection from here on
        await session.execute(text("SELECT 1"))
    seen: list[int] = []

    def another_task() -> None:  # what the rest of the loop would see, when it next runs
        with contextlib.closing(sqlite3.connect(database)) as other:
            seen.append(other.execute("SELECT count(*) FROM notes WHERE body = 'q!'").fetchone()[0])

    async with write_session(sessions) as session:
        loop.call_soon(another_task)
        await session.execute(text("INSERT INTO notes (body) VALUES ('q')"))
        await session.execute(text("UPDATE notes SET body = 'q!' WHERE body = 'q'"))
        assert seen == []  # no statement let the loop run
    await asyncio.sleep(0)
    assert seen == [1]  # it ran after the commit: the write lock was held by no one by then


async def test_leaving_an_inline_session_lets_nothing_else_run_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Its connection (and a short write's place in the queue) is given back at once, not a
    turn of the loop later, when every other ready task has run."""
    loop = asyncio.get_running_loop()
    for kind in ("read", "write"):
        ran: list[str] = []
        inline = read_session(sessions, point=True) if kind == "read" else write_session(sessions)
        async with inline as session:
            await session.execute(text("SELECT 1"))
            loop.call_soon(ran.append, kind)
        assert ran == []
        await asyncio.sleep(0)
        assert ran == [kind]


async def test_a_write_lock_held_past_the_polling_is_waited_for_on_the_connections_thread(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "POLL_S", 0.05)
    database = engine.url.database
    assert database is not None
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    loop.call_later(0.4, other.execute, "COMMIT")
    async with loop_ticks() as ticks:
        started = time.monotonic()
        async with write_session(sessions) as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('after the wait')"))
        waited = time.monotonic() - started
    other.close()

    assert waited >= 0.35 and ticks[0] >= 20  # it waited for the lock, and the loop ran meanwhile
    async with read_session(sessions) as session:
        found = await session.execute(text("SELECT body FROM notes ORDER BY id DESC LIMIT 1"))
        assert found.scalar_one() == "after the wait"


async def test_the_wal_is_checkpointed_off_the_loop_so_it_stops_growing(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 25)
    database = engine.url.database
    assert database is not None
    wal = Path(f"{database}-wal")
    blob = "x" * 8000  # two or three pages a commit
    for _ in range(500):
        async with write_session(sessions) as session:
            await session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": blob})
        await asyncio.sleep(0)  # a checkpoint may be under way in its thread
    # Unchecked, 500 such commits leave about 8 MB in the WAL; started over every 25 commits
    # or so, it stays near the size of the longest stretch between two checkpoints.
    assert (await asyncio.to_thread(wal.stat)).st_size < 3_000_000
    async with read_session(sessions) as session:
        found = await session.execute(
            text("SELECT count(*) FROM notes WHERE body = :b"), {"b": blob}
        )
        assert found.scalar_one() == 500
