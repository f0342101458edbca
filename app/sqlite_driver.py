"""aiosqlite with one thread hop per statement, for SQLAlchemy's async SQLite dialect.

SQLAlchemy drives aiosqlite one DBAPI call at a time: open a cursor, execute, fetch all, close.
Each is a round trip to the connection's thread (a queue put, a wake-up, a call_soon_threadsafe
and a greenlet switch back), so a point read costs four of them and a turn's dozen statements
cost about fifty. Here a cursor runs the whole statement in its thread at once (execute, fetch
every row, close) and then answers SQLAlchemy's calls from what it brought back. Rows are always
fetched whole, as SQLAlchemy's buffered aiosqlite cursor already does; nothing here streams.

A connection can also run statements on the event loop's own thread (`inline`), with no hop
at all: `app.db` sets it as each transaction begins, on only for a session that asks (a turn's
point reads, and every short write). A WAL reader never waits for a writer, and inside a
transaction that holds the write lock nothing else waits, so an inline statement costs what
SQLite spends on it. Taking the write lock may wait on another process: inline, it is tried
without waiting and tried again after short sleeps of the loop (`begin_immediate`), so the
lock is held only while the transaction's statements run, never while a woken coroutine waits
its turn on a busy loop. Committing never checkpoints the WAL (which syncs to disk): every
`CHECKPOINT_EVERY` commits a checkpoint runs on a connection and thread of its own.

Installed by `app.db.create_engine` through the `do_connect` event; everything else (the
thread, commit, close, errors) is aiosqlite's own.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

# What sqlite3 hands back for one statement: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


def _execute(connection: sqlite3.Connection, sql: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _execute_many(connection: sqlite3.Connection, sql: str, rows: Iterable[Any]) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, rows)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class Cursor:
    """A statement run whole in the connection's thread; reads are answered from its rows."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._rows.clear()

    def _took(self, outcome: _Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        conn = self._connection
        if conn.inline and sql not in WAITS:
            self._took(_execute(conn._conn, sql, parameters))
        else:
            self._took(await conn.run(_execute, sql, parameters))
        return self

    async def executemany(self, sql: str, rows: Iterable[Any]) -> Cursor:
        self._took(await self._connection.run(_execute_many, sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


# Statements that may wait on another process, never run inline.
WAITS = frozenset({"BEGIN IMMEDIATE", "COMMIT"})
BUSY_TIMEOUT_MS = 30_000
# Inline, the write lock is polled this long (the sleeps growing to POLL_MAX_S) before the
# connection's thread waits for it in SQLite's own busy handler.
POLL_S, POLL_FIRST_S, POLL_MAX_S = 1.0, 0.0005, 0.005
CHECKPOINT_EVERY = 200
RESTART_TRIES, RESTART_PAUSE_S = 20, 0.002


class _Checkpoints:
    """WAL checkpoints of one database file, one at a time, off the event loop."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.commits = 0
        self.running: asyncio.Task[None] | None = None

    def committed(self) -> None:
        self.commits += 1
        if self.commits < CHECKPOINT_EVERY or (self.running and not self.running.done()):
            return
        self.commits = 0
        self.running = asyncio.get_running_loop().create_task(asyncio.to_thread(self._run))

    def _run(self) -> None:
        """Copies the WAL into the database while writers go on, then what they added meanwhile,
        holding them off that long, so that the next writer starts the WAL over instead of
        growing it. Neither waits for a lock: with a writer or reader in the way, the second
        is tried again after a pause of this thread."""
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            for _ in range(RESTART_TRIES):
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                if not busy:
                    return
                time.sleep(RESTART_PAUSE_S)
        finally:
            conn.close()


_checkpoints: dict[str, _Checkpoints] = {}


def checkpoints_for(path: str) -> _Checkpoints | None:
    """The checkpoints of a database file, shared by its connections (None in memory: "")."""
    if not path:
        return None
    found = _checkpoints.get(path)
    if found is None:
        found = _checkpoints[path] = _Checkpoints(path)
    return found


class Connection(aiosqlite.Connection):
    """aiosqlite's connection, whose cursors cost no round trip until they run a statement."""

    def __init__(self, *args: Any, same_thread_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._may_inline = not same_thread_only
        self.inline = False
        self.checkpoints: _Checkpoints | None = None  # set by app.db as the connection opens

    def run_inline(self, on: bool) -> None:
        """Statements on the event loop's thread from now on (`on`), or on the connection's."""
        self.inline = on and self._may_inline

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    def try_begin_immediate(self) -> bool:
        """BEGIN IMMEDIATE on the loop's thread, without waiting: False while another
        connection holds the write lock."""
        conn = self._conn
        conn.execute("PRAGMA busy_timeout=0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                return False
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return True

    async def begin_immediate(self) -> bool:
        """Takes the write lock from the loop's thread, sleeping between tries while another
        connection holds it; False after `POLL_S` (the caller then waits in the thread)."""
        deadline = time.monotonic() + POLL_S
        pause = POLL_FIRST_S
        while not self.try_begin_immediate():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, POLL_MAX_S)
        return True

    async def commit(self) -> None:
        """Inline, a commit only appends to the WAL; checkpoints run elsewhere, now and then."""
        if self.inline:
            self._conn.commit()
        else:
            await super().commit()
        if self.checkpoints is not None:
            self.checkpoints.committed()

    async def rollback(self) -> None:
        """Inline, a rollback is instant: a read's snapshot, or a short write's few pages."""
        if self.inline:
            self._conn.rollback()
        else:
            await super().rollback()

    async def run(self, statement: Callable[..., _Outcome], *args: Any) -> _Outcome:
        """Runs `statement(sqlite3_connection, *args)` in the connection's thread."""
        outcome: _Outcome = await self._execute(statement, self._conn, *args)  # type: ignore[no-untyped-call]
        return outcome


def connect(database: str, **kwargs: Any) -> Connection:
    """Like `aiosqlite.connect`, for SQLAlchemy's `async_creator_fn` (it awaits the result)."""
    connection = Connection(
        partial(sqlite3.connect, database, **kwargs),
        iter_chunk_size=64,
        same_thread_only=kwargs.get("check_same_thread", True),
    )
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own
    return connection
