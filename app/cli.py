"""The `messiah` command: serve, database migrations, lead seeding and import."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics, migrate
from app.calls.models import Channel
from app.campaigns import service as campaigns
from app.campaigns.schemas import CampaignCreate, CampaignRead
from app.campaigns.window import DEFAULT_WINDOW, WindowError
from app.clock import SystemClock
from app.config import ConfigError, describe, get_settings
from app.db import create_engine, create_sessionmaker
from app.flows import call as call_flow
from app.leads import importer
from app.leads.columns import ImportFileError
from app.leads.schemas import ImportMode, ImportOutcome, ImportReport
from app.leads.seed import seed_demo_leads
from app.main import create_app

cli = typer.Typer(
    help="Agent Messiah: outbound AI sales calls in Israeli Hebrew.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
leads_cli = typer.Typer(help="Leads.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(leads_cli, name="leads")
campaign_cli = typer.Typer(
    help="Campaigns (the dialer runs inside `messiah serve`).", no_args_is_help=True
)
cli.add_typer(campaign_cli, name="campaign")
console = Console()
T = TypeVar("T")


async def _with_session(work: Callable[[AsyncSession], Awaitable[T]], *, upgrade: bool = True) -> T:
    """One migrated database, one transaction, for a command (polls skip the migration)."""
    engine = create_engine(get_settings().database_url)
    try:
        if upgrade:
            await migrate.upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


async def _with_sessions(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """One migrated database; the work opens its own short transactions (a long import)."""
    engine = create_engine(get_settings().database_url)
    try:
        await migrate.upgrade(engine)
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


KEEP_ALIVE_S = 75


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (about one per CPU). Above 1 the database is migrated and "
            "seeded once before they start, and /metrics sums all of them.",
        ),
    ] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Runs the web service (migrates and seeds demo leads on startup)."""
    settings = get_settings()
    settings.check_production()  # a bad configuration stops here, in one line
    made: Path | None = None
    if workers > 1:
        if reload:
            raise typer.BadParameter("--reload runs one process; drop --workers.")
        if ":memory:" in settings.database_url:
            raise typer.BadParameter("an in-memory SQLite database cannot be shared by workers.")
        given = os.environ.get(metrics.MULTIPROC_DIR_ENV)
        shared = Path(given) if given else Path(tempfile.mkdtemp(prefix="messiah-metrics-"))
        made = None if given else shared
        os.environ[metrics.MULTIPROC_DIR_ENV] = str(_emptied(shared))
        asyncio.run(_prepare_once())
        os.environ["RUN_MIGRATIONS_ON_STARTUP"] = "false"
        os.environ["SEED_DEMO_LEADS"] = "false"
    # Idle keep-alive outlives a call's pause between turns (and a proxy's idle timeout), so a
    # webhook never lands on a connection the server is closing at that moment.
    try:
        uvicorn.run(
            "app.main:app",
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_config=None,
            timeout_keep_alive=KEEP_ALIVE_S,
        )
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


async def _prepare_once() -> None:
    """What each worker would do at startup, done once so workers never race on migrations."""
    settings = get_settings()
    engine = create_engine(settings.database_url)
    try:
        if settings.run_migrations_on_startup:
            await migrate.upgrade(engine)
        if settings.seed_demo_leads:
            async with create_sessionmaker(engine).begin() as session:
                await seed_demo_leads(session)
    finally:
        await engine.dispose()


def _emptied(path: Path) -> Path:
    """The workers' shared metrics directory, emptied: samples of an earlier run are not news."""
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        if not stale.stem.endswith(f"_{os.getpid()}"):  # this process's own files are live
            stale.unlink()
    return path


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

    added = asyncio.run(_with_session(seed_demo_leads))
    console.print(f"{added} demo leads added" if added else "leads already present; nothing seeded")


@leads_cli.command("import")
def leads_import(
    path: Path,
    mode: Annotated[
        ImportMode,
        typer.Option(
            help="merge: fill blank fields only, report differing values as conflicts; "
            "update: overwrite fields with the file's non-empty values."
        ),
    ] = ImportMode.merge,
) -> None:
    """Imports a CSV of leads (name, name_he, phone, company, email, gender, notes, source)."""

    data = path.read_bytes()

    async def run(sessions: async_sessionmaker[AsyncSession]) -> ImportReport:
        return await importer.import_csv(sessions, data, mode)

    try:
        report = asyncio.run(_with_sessions(run))
    except (ImportFileError, importer.ImportConflict) as exc:
        console.print(f"[red]cannot import {path}: {exc}[/red]")
        raise typer.Exit(1) from exc
    _print_import(report)


def _print_import(report: ImportReport) -> None:
    """The summary line, then every existing lead a row matched, conflicts and refused rows."""
    console.print(
        f"{report.mode} mode: created {report.created}, merged {report.merged}, "
        f"unchanged {report.unchanged}, conflicts {len(report.conflicts)}, "
        f"rejected {report.rejected}, do-not-call skipped {report.do_not_call_skipped}",
        soft_wrap=True,
    )
    matched = [lead for lead in report.leads if lead.outcome is not ImportOutcome.created]
    if matched:
        table = Table("line", "lead", "name", "outcome", "changes", title="existing leads")
        for lead in matched:
            changes = "; ".join(f"{c.field}: {c.old or '—'} → {c.new}" for c in lead.changes)
            table.add_row(str(lead.line), str(lead.lead_id), lead.name, lead.outcome, changes)
        console.print(table)
    if report.conflicts:
        table = Table("line", "lead", "field", "kept", "in file", title="conflicts (kept)")
        for c in report.conflicts:
            table.add_row(str(c.line), str(c.lead_id), c.field, c.existing, c.imported)
        console.print(table)
    if report.errors:
        table = Table("line", "reason", title="rejected")
        for error in report.errors:
            table.add_row(str(error.line), error.reason)
        console.print(table)
    if report.unknown_columns:
        console.print(f"ignored unknown column(s): {', '.join(report.unknown_columns)}")


@cli.command()
def simulate(
    lead: Annotated[int, typer.Option("--lead", help="Lead id to call.")],
) -> None:
    """Talks to the agent in the terminal, as the lead: type Hebrew, empty line for silence."""

    async def run() -> None:
        # A terminal call needs no dialer: campaigns are `messiah serve`'s.
        app = create_app(get_settings().model_copy(update={"dialer_enabled": False}))
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
                turn = await call_flow.take_turn(maker, engine, call.id, text)
                if turn.action:
                    console.print(f"[yellow]  → {turn.action} {turn.action_payload or ''}[/yellow]")
            async with maker.begin() as session:
                stored = await call_flow.hang_up(session, call.id, app.state.clock)
                outcome = stored.outcome
            console.print(f"[dim]call {call.id} ended: outcome {outcome}[/dim]")

    asyncio.run(run())


def _campaign_call(
    work: Callable[[AsyncSession], Awaitable[CampaignRead]], *, upgrade: bool = True
) -> CampaignRead:
    try:
        return asyncio.run(_with_session(work, upgrade=upgrade))
    except (campaigns.CampaignError, WindowError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


def _show(campaign: CampaignRead, watch: bool) -> None:
    """A live progress bar over finished attempts; with --watch, until the campaign is over."""
    finished_states = ("done", "skipped", "cancelled")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
    ) as bar:
        task = bar.add_task(campaign.name, total=campaign.progress.total, detail="")
        while True:
            states = campaign.progress.states
            detail = f"{campaign.state} · " + ", ".join(f"{k} {v}" for k, v in states.items())
            done = sum(states.get(s, 0) for s in finished_states)
            bar.update(task, completed=done, detail=detail)
            if not watch or campaign.state in ("completed", "cancelled"):
                break
            time.sleep(1)
            campaign = _campaign_call(_reader(campaign.id), upgrade=False)
    if campaign.progress.outcomes:
        console.print(
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in campaign.progress.outcomes.items())
        )
    for reason, count in campaign.progress.skipped.items():
        console.print(f"skipped ({reason}): {count}")


def _reader(campaign_id: int) -> Callable[[AsyncSession], Awaitable[CampaignRead]]:
    async def read(session: AsyncSession) -> CampaignRead:
        return await campaigns.read(session, await campaigns.get(session, campaign_id))

    return read


@campaign_cli.command("start")
def campaign_start(
    name: Annotated[str, typer.Option(help="Campaign name.")],
    leads: Annotated[
        str | None, typer.Option(help="Lead ids, comma-separated; default all.")
    ] = None,
    cps: Annotated[float, typer.Option(help="Calls per second.")] = 1.0,
    concurrency: Annotated[int, typer.Option(help="Max live calls.")] = 1,
    max_attempts: int = 3,
    hours: Annotated[
        str | None,
        typer.Option(
            help="Calling hours on every calling day, e.g. 10:00-19:30 (default: Sun-Thu "
            "09:00-20:00, Fri 09:00-13:00). Shabbat, holidays and their eves stay closed."
        ),
    ] = None,
    watch: Annotated[bool, typer.Option(help="Follow progress until done.")] = False,
) -> None:
    """Creates a campaign; `messiah serve` dials it (Twilio, or the offline phone network)."""
    lead_ids = [int(part) for part in leads.split(",")] if leads else None
    window = None
    if hours is not None:
        opens, _, closes = hours.partition("-")
        window = {day: [opens.strip(), closes.strip()] for day in DEFAULT_WINDOW}
    payload = CampaignCreate(
        name=name,
        lead_ids=lead_ids,
        calls_per_second=cps,
        max_concurrent_calls=concurrency,
        max_attempts=max_attempts,
        window=window,
    )

    async def create(session: AsyncSession) -> CampaignRead:
        settings = get_settings()
        campaign = await campaigns.create(session, payload, SystemClock(), settings.tz)
        return await campaigns.read(session, campaign)

    campaign = _campaign_call(create)
    console.print(f"campaign {campaign.id} started")
    _show(campaign, watch)


@campaign_cli.command("status")
def campaign_status(campaign_id: int, watch: bool = False) -> None:
    """Shows a campaign's progress (--watch: live, until it is over)."""
    _show(_campaign_call(_reader(campaign_id)), watch)


def _steer(campaign_id: int, verb: str) -> None:
    async def steer(session: AsyncSession) -> CampaignRead:
        campaign = await campaigns.transition(session, campaign_id, verb, SystemClock())
        return await campaigns.read(session, campaign)

    console.print(f"campaign {campaign_id}: {_campaign_call(steer).state}")


@campaign_cli.command("pause")
def campaign_pause(campaign_id: int) -> None:
    """Stops dialing new calls; live calls go on."""
    _steer(campaign_id, "pause")


@campaign_cli.command("resume")
def campaign_resume(campaign_id: int) -> None:
    """Dials again."""
    _steer(campaign_id, "resume")


@campaign_cli.command("cancel")
def campaign_cancel(campaign_id: int) -> None:
    """Stops for good; attempts not yet dialed are cancelled."""
    _steer(campaign_id, "cancel")


def main() -> None:
    """`messiah`: a missing or bad setting is one line on stderr and exit status 2."""
    try:
        cli()
    except (ValidationError, ConfigError) as exc:
        print(f"messiah: {describe(exc)}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
