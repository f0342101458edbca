"""Which calendar backend runs (CALENDAR_BACKEND), and the process's scheduler for the calls.

The conversation's tools find the scheduler of their settings here (the app installs it at
startup), so a call books into the same calendars, cache and outbox wake-up as the API; code
that runs without the app (a bench, a unit test) gets today's local calendar.
"""

from __future__ import annotations

from app.calendars.base import CalendarSync
from app.calendars.local import LocalCalendar
from app.calendars.scheduler import Scheduler
from app.clock import Clock
from app.config import Settings

_installed: dict[int, Scheduler] = {}


def build_calendar(settings: Settings) -> CalendarSync:
    """local (the default) | caldav | google."""
    if settings.calendar_backend == "caldav":
        from app.calendars.caldav import CalDAVCalendar  # loads the caldav library only if used

        return CalDAVCalendar(settings)
    if settings.calendar_backend == "google":
        from app.calendars.google import GoogleCalendar  # loads Google's client only if used

        return GoogleCalendar(settings)
    return LocalCalendar()


def install(scheduler: Scheduler) -> None:
    _installed[id(scheduler.settings)] = scheduler


def uninstall(scheduler: Scheduler) -> None:
    if _installed.get(id(scheduler.settings)) is scheduler:
        del _installed[id(scheduler.settings)]


def scheduler_for(settings: Settings, clock: Clock) -> Scheduler:
    """The app's scheduler for these settings, or a local-calendar one."""
    found = _installed.get(id(settings))
    if found is not None:
        return found
    return Scheduler(settings, clock, LocalCalendar())
