"""Wires the calendars and the outbox into a running app: the scheduler the calls and the
meetings API book through, and the delivery job (calendar sync, invitation mail, SMS), which
runs in the server's lifespan like the dialer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from fastapi import FastAPI

from app.calendars import backends
from app.calendars.scheduler import Scheduler
from app.calendars.sync import CALENDAR_CREATE, CALENDAR_DELETE, CalendarWriter
from app.clock import Clock
from app.config import Settings
from app.integrations.invitations import Invitations
from app.integrations.mail import make_mailer
from app.integrations.outbox import Handler, OutboxWorker
from app.integrations.sms import make_messenger

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class Scheduling:
    scheduler: Scheduler
    worker: OutboxWorker
    task: asyncio.Task[None] | None = None
    stop: asyncio.Event | None = None


def open_scheduling(app: FastAPI, settings: Settings, clock: Clock, *, run: bool) -> Scheduling:
    """Builds the calendar backend, the senders and the outbox worker (running it when `run`)."""
    sessions = app.state.sessionmaker
    calendar = backends.build_calendar(settings)
    writer = CalendarWriter(sessions, settings, calendar)
    invitations = Invitations(
        sessions,
        settings,
        make_mailer(settings, sessions),
        make_messenger(settings, sessions, app.state.http),
    )
    handlers: dict[str, Handler] = {
        CALENDAR_CREATE: writer.create,
        CALENDAR_DELETE: writer.delete,
        **invitations.handlers(),
    }
    worker = OutboxWorker(
        sessions,
        clock,
        handlers,
        max_attempts=settings.outbox_max_attempts,
        poll_seconds=settings.outbox_poll_seconds,
        on_failed=writer.on_failed(),
    )
    scheduler = Scheduler(settings, clock, calendar, wake=worker.wake)
    backends.install(scheduler)
    scheduling = Scheduling(scheduler, worker)
    if run:
        scheduling.stop = asyncio.Event()
        scheduling.task = asyncio.create_task(worker.run(scheduling.stop), name="outbox")
    log.info(
        "scheduling",
        calendar=calendar.name,
        reps=len(settings.reps),
        mail=invitations.mailer.name,
        sms=invitations.messenger.name,
        delivery="running" if run else "off",
    )
    app.state.scheduling = scheduling
    return scheduling


async def close_scheduling(app: FastAPI) -> None:
    scheduling: Scheduling | None = getattr(app.state, "scheduling", None)
    if scheduling is None:
        return
    if scheduling.stop is not None and scheduling.task is not None:
        scheduling.stop.set()
        await scheduling.task
    backends.uninstall(scheduling.scheduler)
    await scheduling.scheduler.calendar.aclose()
