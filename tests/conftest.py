"""Per-test isolated databases (SQLite always, Postgres with TEST_POSTGRES_URL) and an app client.

Tests marked `both_backends` run once per backend. Without a Postgres server those runs skip with a
reason, unless REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app import migrate
from app.clock import FrozenClock
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.main import create_app

pytest_plugins = [
    "tests.fakes.openai_server",
    "tests.fakes.twilio",
    "tests.fakes.google_calendar",
    "tests.fakes.radicale",
    "tests.fakes.smtp",
]

# Tuesday 24 November 2026, 10:00 in Israel: a plain business day.
DEFAULT_NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
TEMPLATE_DB = "messiah_test_template"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run against SQLite and Postgres")
    config.addinivalue_line("markers", "postgres_only: run against Postgres only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker
        backends = ["sqlite", "postgres"] if marked("both_backends") else ["sqlite"]
        if marked("postgres_only"):
            backends = ["postgres"]
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _migrate(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_admin(database: str = "postgres") -> str:
    assert POSTGRES_ADMIN_URL
    return (
        make_url(POSTGRES_ADMIN_URL)
        .set(drivername="postgresql", database=database)
        .render_as_string(hide_password=False)
    )


async def _pg_execute(*statements: str) -> None:
    conn = await asyncpg.connect(_pg_admin())
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_template() -> str | None:
    if not POSTGRES_ADMIN_URL:
        return None
    asyncio.run(
        _pg_execute(
            f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)',
            f'CREATE DATABASE "{TEMPLATE_DB}"',
        )
    )
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=TEMPLATE_DB)
    _migrate(url.render_as_string(hide_password=False))
    return TEMPLATE_DB


@pytest.fixture
def database_url(
    backend: str,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_template: str | None,
) -> Iterator[str]:
    """A freshly migrated, empty database for this test alone."""
    if backend == "sqlite":
        path = tmp_path / "messiah.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    if postgres_template is None:
        if REQUIRE_POSTGRES:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("no Postgres server: set TEST_POSTGRES_URL (scripts/with-postgres.sh does)")
    name = f"messiah_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    assert POSTGRES_ADMIN_URL
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    yield url.render_as_string(hide_password=False)
    asyncio.run(_pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module (or parametrize) to change settings for that test."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, object]) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "seed_demo_leads": False,
        "api_key": None,
        "openai_api_key": None,
        "twilio_account_sid": None,
        "twilio_auth_token": None,
        # The dialer runs only where a test asks for it (it would dial the offline network).
        "dialer_enabled": False,
        # Deliveries (calendar sync, mail, SMS) run where a test drives them (worker.run_once).
        "outbox_enabled": False,
        # The post-call job and webhook worker too: tests that need them ask (or tick them).
        "after_call_enabled": False,
        "webhooks_enabled": False,
        "app_env": "test",
        "log_json": True,
    }
    values.update(settings_overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session on the test database, for repository tests; the test decides when to commit."""
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()
