"""The migrations build exactly the schema the models describe, on both backends."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app import migrate
from app.calls.models import Call, CallStatus
from app.db import create_engine
from app.models import Base

pytestmark = pytest.mark.both_backends


async def test_models_match_migrations(database_url: str) -> None:
    engine = create_engine(database_url)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    await engine.dispose()
    assert differences == []


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    def run(connection: Connection) -> None:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def test_0005_rewrites_stored_call_statuses_in_our_words(database_url: str) -> None:
    """Rows written in Twilio's words before 0005 read as CallStatus values after it."""
    engine = create_engine(database_url)
    await _downgrade(engine, "0004")
    old = ["queued", "initiated", "ringing", "in-progress", "completed", "no-answer", "busy"]
    async with engine.begin() as connection:
        for status in old:
            await connection.execute(
                text(
                    "INSERT INTO calls (channel, direction, status, started_at, offered_slots,"
                    " questions_asked, error_count, silence_count, dialogue)"
                    " VALUES ('twilio', 'outbound', :status, CURRENT_TIMESTAMP,"
                    " '[]', 0, 0, 0, '{}')"
                ),
                {"status": status},
            )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT status FROM calls ORDER BY id"))).all()
    assert [row[0] for row in rows] == [
        "queued",
        "ringing",
        "ringing",
        "in_progress",
        "completed",
        "no_answer",
        "busy",
    ]
    assert {row[0] for row in rows} <= set(CallStatus)
    await _downgrade(engine, "0004")
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT status FROM calls ORDER BY id"))).all()
    await engine.dispose()
    assert [row[0] for row in rows][3:6] == ["in-progress", "completed", "no-answer"]


async def test_0006_carries_the_conversation_state_into_one_snapshot_and_back(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await _downgrade(engine, "0005")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO calls (channel, direction, status, started_at, offered_slots,"
                " questions_asked, error_count, silence_count, dialogue) VALUES ('twilio',"
                " 'outbound', 'in_progress', CURRENT_TIMESTAMP, :offered, 2, 1, 2, :dialogue)"
            ),
            {"offered": '["2026-11-25T09:00:00+02:00"]', "dialogue": '{"offer_rounds": 1}'},
        )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        stored = (await connection.execute(select(Call.conversation))).scalar_one()
    assert stored == {
        "offered": ["2026-11-25T09:00:00+02:00"],
        "questions_asked": 2,
        "errors": 1,
        "silences": 2,
        "dialogue": {"offer_rounds": 1},
    }
    await _downgrade(engine, "0005")
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT questions_asked, error_count, silence_count FROM calls")
            )
        ).one()
    await engine.dispose()
    assert tuple(row) == (2, 1, 2)
