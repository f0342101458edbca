"""The `messiah` command: migrations, seeding, import and a terminal conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.campaigns.models import Campaign
from app.cli import cli
from app.config import get_settings
from app.db import create_engine, create_sessionmaker


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_upgrade_seed_import(database: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "revision" in upgraded.output
    assert "5 demo leads added" in runner.invoke(cli, ["leads", "seed"]).output
    assert "nothing seeded" in runner.invoke(cli, ["leads", "seed"]).output

    csv = tmp_path / "leads.csv"
    csv.write_text("name,phone\nDana,050-765-4321\nBad,123\n")
    imported = runner.invoke(cli, ["leads", "import", str(csv)])
    assert imported.exit_code == 0
    assert (
        "merge mode: created 1, merged 0, unchanged 0, conflicts 0, rejected 1" in imported.output
    )


def test_import_merges_or_updates_and_names_the_leads(database: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["leads", "seed"]).exit_code == 0  # lead 1: David Cohen, 050-1234567
    csv = tmp_path / "leads.csv"
    csv.write_text("שם,טלפון,חברה,מייל\nDavid Katz,050-123-4567,Katz Ltd,david@example.com\n")

    merged = runner.invoke(cli, ["leads", "import", str(csv)])
    assert merged.exit_code == 0, merged.output
    assert "merge mode: created 0, merged 1, unchanged 0, conflicts 2" in merged.output
    assert "David Cohen" in merged.output and "david@example.com" in merged.output
    assert "Katz Ltd" in merged.output  # the conflict: kept Cohen Logistics, file says Katz Ltd

    updated = runner.invoke(cli, ["leads", "import", str(csv), "--mode", "update"])
    assert updated.exit_code == 0, updated.output
    assert "update mode: created 0, merged 1, unchanged 0, conflicts 0" in updated.output
    changes = updated.output.split("existing leads")[1]  # the table wraps long cells
    assert "Cohen Logistics" in changes and "→" in changes and "Katz Ltd" in changes

    refused = runner.invoke(cli, ["leads", "import", str(csv), "--mode", "overwrite"])
    assert refused.exit_code != 0


def test_simulate_books_a_meeting_in_the_terminal(database: Path) -> None:
    runner = CliRunner()
    lines = "כן\nיש לנו שני אנשי מכירות\nבעיקר באקסל\nהשני\n"
    result = runner.invoke(cli, ["simulate", "--lead", "2"], input=lines)
    assert result.exit_code == 0, result.output
    assert "book_meeting" in result.output
    assert "outcome booked" in result.output


def test_simulate_unknown_lead_fails_clearly(database: Path) -> None:
    result = CliRunner().invoke(cli, ["simulate", "--lead", "99"])
    assert result.exit_code == 1
    assert "Lead 99 not found" in result.output


def test_campaign_start_status_pause_resume(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["leads", "seed"]).exit_code == 0
    started = runner.invoke(cli, ["campaign", "start", "--name", "Q4", "--leads", "1,2,3"])
    assert started.exit_code == 0, started.output
    assert "campaign 1 started" in started.output
    assert "0/3" in started.output
    status = runner.invoke(cli, ["campaign", "status", "1"])
    assert "pending 3" in status.output
    assert "paused" in runner.invoke(cli, ["campaign", "pause", "1"]).output
    assert "active" in runner.invoke(cli, ["campaign", "resume", "1"]).output
    assert "cancelled" in runner.invoke(cli, ["campaign", "cancel", "1"]).output
    refused = runner.invoke(cli, ["campaign", "resume", "1"])
    assert refused.exit_code == 1
    assert "cannot resume" in refused.output
    unknown = runner.invoke(cli, ["campaign", "start", "--name", "x", "--leads", "99"])
    assert unknown.exit_code == 1 and "unknown lead ids" in unknown.output


def test_campaign_hours_apply_to_every_calling_day(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["leads", "seed"]).exit_code == 0
    args = ["campaign", "start", "--name", "Demo", "--hours", "00:00-23:59"]
    assert runner.invoke(cli, args).exit_code == 0

    async def window() -> dict[str, list[str]]:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        async with create_sessionmaker(engine)() as session:
            stored = (await session.scalars(select(Campaign))).one()
        await engine.dispose()
        return dict(stored.window)

    hours = asyncio.run(window())
    assert set(hours) == {"sun", "mon", "tue", "wed", "thu", "fri"}  # never Saturday
    assert set(map(tuple, hours.values())) == {("00:00", "23:59")}
    refused = runner.invoke(cli, ["campaign", "start", "--name", "x", "--hours", "25:00-26:00"])
    assert refused.exit_code == 1
