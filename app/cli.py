"""The `messiah` command: serve, database migrations, lead seeding and import."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from app import call_flow, migrate
from app.calls import repository as calls_repo
from app.calls.models import Channel
from app.config import get_settings
from app.db import create_engine, create_sessionmaker
from app.leads import importer
from app.leads.schemas import ImportReport
from app.leads.seed import seed_demo_leads
from app.main import create_app

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


@cli.command()
def simulate(
    lead: Annotated[int, typer.Option("--lead", help="Lead id to call.")],
) -> None:
    """Talks to the agent in the terminal, as the lead: type Hebrew, empty line for silence."""

    async def run() -> None:
        app = create_app(get_settings())
        async with app.router.lifespan_context(app):
            engine, maker = app.state.conversation, app.state.sessionmaker
            try:
                async with maker.begin() as session:
                    call = await call_flow.open_call(
                        session, engine, lead, channel=Channel.simulator
                    )
                    turn = await call_flow.greet(session, engine, call.id)
            except call_flow.CallFlowError as exc:
                console.print(f"[red]{exc}[/red]")
                raise typer.Exit(1) from exc
            console.print(f"[dim]call {call.id} · {engine.mode} · Ctrl-D to hang up[/dim]")
            while True:
                console.print(f"[bold cyan]agent:[/bold cyan] {turn.agent_he}")
                console.print(f"[dim]       {turn.agent_en}[/dim]")
                if turn.ended:
                    break
                try:
                    text = await asyncio.to_thread(input, "you: ")
                except EOFError:
                    break
                async with maker.begin() as session:
                    turn = await call_flow.take_turn(session, engine, call.id, text)
                if turn.action:
                    console.print(f"[yellow]  → {turn.action} {turn.action_payload or ''}[/yellow]")
            async with maker() as session:
                stored = await calls_repo.get(session, call.id)
                outcome = stored.outcome if stored else None
            console.print(f"[dim]call {call.id} ended: outcome {outcome}[/dim]")

    asyncio.run(run())


def main() -> None:
    cli()
