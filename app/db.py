"""Async engine, session factory and the declarative base; the request (or job) commits once."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_

from app import metrics, sqlite_driver

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations match on every backend."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants in UTC and always hands back timezone-aware datetimes (SQLite has no tz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every stored instant must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


READ_ONLY = "messiah_read_only"
# SQLite: the session's statements run on the event loop's thread (see app.sqlite_driver).
INLINE = "messiah_inline"


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """One thread hop per statement (app.sqlite_driver); WAL for concurrent readers; BEGIN
    IMMEDIATE so racing writers queue instead of failing."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _one_hop_cursors(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        params["async_creator_fn"] = sqlite_driver.connect

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_driver.BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # app.sqlite_driver checkpoints instead
        cursor.execute("PRAGMA database_list")
        main_file = next((row[2] for row in cursor.fetchall() if row[1] == "main"), "")
        cursor.close()
        driver = record.driver_connection
        if isinstance(driver, sqlite_driver.Connection):
            driver.checkpoints = sqlite_driver.checkpoints_for(main_file)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        driver = conn.connection.driver_connection
        if isinstance(driver, sqlite_driver.Connection):  # every transaction says, for itself
            driver.run_inline(options.get(INLINE, False))
        # A read-only session (`read_session`) reads a WAL snapshot without the write lock.
        if options.get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")
            return
        started = time.perf_counter()
        # Inline, the lock is taken on the loop's thread (polled), else waited for in SQLite's
        # busy handler on the connection's thread.
        if not (
            isinstance(driver, sqlite_driver.Connection)
            and driver.inline
            and await_(driver.begin_immediate())
        ):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        metrics.DB_WAIT_SECONDS.labels(wait="write_lock").observe(time.perf_counter() - started)


class _TimedPool(AsyncAdaptedQueuePool):
    """The default async pool, timing how long a checkout waits for a free connection."""

    def _do_get(self) -> ConnectionPoolEntry:
        started = time.perf_counter()
        try:
            entry = super()._do_get()
        finally:
            metrics.DB_WAIT_SECONDS.labels(wait="pool").observe(time.perf_counter() - started)
        metrics.DB_POOL_IN_USE.inc()
        return entry

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        metrics.DB_POOL_IN_USE.dec()
        super()._do_return_conn(record)


def create_engine(database_url: str) -> AsyncEngine:
    """Builds the engine for SQLite (embedded default) or Postgres (multi-process)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, poolclass=_TimedPool, pool_size=5, max_overflow=10, pool_timeout=60
        )
        _prepare_sqlite(engine)
    else:
        engine = create_async_engine(url, poolclass=_TimedPool, pool_size=10, max_overflow=20)
        _ping_when_idle(engine)
    return engine


# A pooled connection idle this long is checked before it is used again.
PING_AFTER_IDLE_S = 10.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pings a pooled connection on checkout only when it sat idle for PING_AFTER_IDLE_S.

    `pool_pre_ping` pings on every checkout: on asyncpg three round trips (a transaction around
    the ping), each one a turn of the event loop, which on a busy loop kept every session's
    connection out three turns longer and ran the pool dry. A connection given back moments ago
    is alive; one idle long enough to have been dropped (a restart, a proxy's idle timeout) is
    pinged, and one that fails is replaced before anything runs on it."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection was dropped while idle") from exc


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session per request: commits when the handler returns, rolls back when it raises."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


@asynccontextmanager
async def read_session(
    factory: async_sessionmaker[AsyncSession], *, point: bool = False
) -> AsyncIterator[AsyncSession]:
    """A session that only reads: it never waits for, nor holds, SQLite's write lock.

    `point`: the caller reads a few rows by key (a turn's call, lead and turns; the meetings
    of the booking horizon, bounded by its slot grid), which SQLite answers in microseconds, so
    they run on the event loop's thread instead of a round trip to the connection's. Never for
    a read whose size the input decides.
    """
    options: dict[str, object] = {READ_ONLY: True, "postgresql_readonly": True, INLINE: point}
    sqlite = _is_sqlite(factory)
    if point and not sqlite:
        # Read committed reads each statement's own snapshot anyway, so a transaction around a
        # few point reads adds nothing but its BEGIN and ROLLBACK: two round trips (loop turns).
        options["isolation_level"] = "AUTOCOMMIT"
    if not (point and sqlite):
        async with factory() as session:
            await session.connection(execution_options=options)
            yield session
        return
    session = factory()
    try:
        await session.connection(execution_options=options)
        yield session
    finally:
        await _close_inline(session)


def _is_sqlite(factory: async_sessionmaker[AsyncSession]) -> bool:
    bind = factory.kw.get("bind")
    return bind is not None and bind.dialect.name == "sqlite"


async def _close_inline(session: AsyncSession) -> None:
    """Gives an inline SQLite session's connection back at once. `async with session` closes
    in a task of its own (shielded from cancellation), so the connection would stay out, and
    a lock held around the session stay taken, while the loop runs everything else that is
    ready. Inline, closing never waits, so there is nothing to shield it from."""
    await session.close()


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def write_session(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A short write transaction: a few statements by key, never a network wait inside.

    On SQLite, this process's writers queue before taking a connection, so they neither poll
    for the write lock together nor hold pooled connections while the one writer SQLite
    allows works; the transaction then runs on the event loop's thread (app.sqlite_driver),
    so the lock is held only while its statements and their ORM work run, a few ms at most."""
    bind = factory.kw.get("bind")
    if not _is_sqlite(factory):
        async with factory() as session:
            yield session
            await session.commit()  # see below
        return
    locks = _writers.setdefault(asyncio.get_running_loop(), {})
    lock = locks.setdefault(id(bind), asyncio.Lock())
    session = factory()
    started = time.perf_counter()
    try:
        async with lock:
            metrics.DB_WAIT_SECONDS.labels(wait="write_queue").observe(
                time.perf_counter() - started
            )
            await session.connection(execution_options={INLINE: True})
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            # Committed here rather than by `factory.begin()`, whose exit commits in a task
            # of its own: the loop would run everything else that is ready while the write
            # lock is held.
            await session.commit()
    finally:
        await _close_inline(session)
