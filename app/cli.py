"""The `messiah` command: serve, database migrations, lead seeding and import."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from app import migrate
from app.config import get_settings
from app.db import create_engine, create_sessionmaker
from app.leads import importer
from app.leads.schemas import ImportReport
from app.leads.seed import seed_demo_leads

cli = typer.Typer(
    help="Agent Messiah: outbound AI sales calls in Israeli Hebrew.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
leads_cli = typer.Typer(help="Leads.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(leads_cli, name="leads")
console = Console()


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Runs the web service (migrates and seeds demo leads on startup)."""
    uvicorn.run("app.main:app", host=host, port=port, reload=reload, log_config=None)


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Applies migrations up to REVISION (default: head)."""

    async def run() -> str | None:
        engine = create_engine(get_settings().database_url)
        try:
            await migrate.upgrade(engine, revision)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    console.print(f"database at revision [bold]{asyncio.run(run())}[/bold]")


@leads_cli.command("seed")
def leads_seed() -> None:
    """Adds demo leads to an empty database."""

    async def run() -> int:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await seed_demo_leads(session)
        finally:
            await engine.dispose()

    added = asyncio.run(run())
    console.print(f"{added} demo leads added" if added else "leads already present; nothing seeded")


@leads_cli.command("import")
def leads_import(path: Path) -> None:
    """Imports a CSV of leads (name, phone, company, email, gender, notes)."""

    data = path.read_bytes()

    async def run() -> ImportReport:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await importer.import_csv(session, data)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except importer.ImportFileError as exc:
        console.print(f"[red]cannot import {path}: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"created {report.created}, merged {report.merged}, rejected {report.rejected}")
    if report.errors:
        table = Table("line", "reason")
        for error in report.errors:
            table.add_row(str(error.line), error.reason)
        console.print(table)


def main() -> None:
    cli()
