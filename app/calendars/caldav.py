"""`CalDAVCalendar`: any CalDAV server (Radicale, Nextcloud, iCloud, Google's CalDAV endpoint)
through the `caldav` library. Its client is synchronous, so every request runs in a worker
thread; the credentials go only to CALDAV_URL's own origin."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from caldav.calendarobjectresource import Event
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from app.calendars.base import Busy, CalendarEvent, CalendarRefused, CalendarUnavailable
from app.config import SalesRep, Settings

T = TypeVar("T")
REQUEST_TIMEOUT_S = 10


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    """iCalendar DATE (all day), floating or zoned DATE-TIME as an aware instant."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=tz)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def busy_from_component(component: Any, tz: ZoneInfo) -> Busy | None:
    """A VEVENT's busy interval, or None when it does not block time (transparent, cancelled)."""
    if str(component.get("transp", "")).upper() == "TRANSPARENT":
        return None
    if str(component.get("status", "")).upper() == "CANCELLED":
        return None
    start_prop = component.get("dtstart")
    if start_prop is None:
        return None
    start = _instant(start_prop.dt, tz)
    end_prop = component.get("dtend")
    if end_prop is not None:
        end = _instant(end_prop.dt, tz)
    elif component.get("duration") is not None:
        end = start + component.get("duration").dt
    elif not isinstance(start_prop.dt, datetime):
        end = start + timedelta(days=1)
    else:
        end = start
    uid = component.get("uid")
    return Busy(start.astimezone(UTC), end.astimezone(UTC), str(uid) if uid else None)


class CalDAVCalendar:
    """The `CalendarSync` capability on CalDAV (RFC 4791): search for busy, PUT and DELETE."""

    name = "caldav"

    def __init__(self, settings: Settings) -> None:
        if not settings.caldav_url:
            raise ValueError("CalDAVCalendar needs CALDAV_URL")
        self.base_url = settings.caldav_url.rstrip("/") + "/"
        self.origin = urlsplit(self.base_url)[:2]
        self.username = settings.caldav_username
        self.password = (
            settings.caldav_password.get_secret_value() if settings.caldav_password else None
        )
        self.tz = settings.tz

    def _client(self) -> DAVClient:
        return DAVClient(
            url=self.base_url,
            username=self.username,
            password=self.password,
            timeout=REQUEST_TIMEOUT_S,
        )

    def calendar_url(self, rep: SalesRep) -> str:
        """The rep's calendar URL, which must be on CALDAV_URL's server (credentials go there)."""
        url = urljoin(self.base_url, rep.calendar)
        if urlsplit(url)[:2] != self.origin:
            raise CalendarRefused(
                f"{rep.name}'s calendar {url} is not on CALDAV_URL's server; not sending "
                "the CalDAV credentials there"
            )
        return url

    async def _run(self, work: Callable[[DAVClient], T]) -> T:
        def call() -> T:
            with self._client() as client:
                return work(client)

        try:
            return await asyncio.to_thread(call)
        except (dav_error.AuthorizationError, dav_error.NotFoundError) as exc:
            raise CalendarRefused(f"CalDAV refused: {exc}") from exc
        except CalendarRefused:
            raise
        except Exception as exc:  # connection errors come from several libraries
            raise CalendarUnavailable(f"CalDAV server unavailable: {exc!r}") from exc

    async def busy(self, rep: SalesRep, start: datetime, end: datetime) -> list[Busy]:
        url = self.calendar_url(rep)

        def search(client: DAVClient) -> list[Busy]:
            calendar = client.calendar(url=url)  # type: ignore[no-untyped-call]
            found = calendar.search(start=start, end=end, event=True, expand=True)
            intervals = []
            for item in found:
                busy = busy_from_component(item.icalendar_component, self.tz)
                if busy is not None and busy.overlaps(start, end):
                    intervals.append(busy)
            return intervals

        return await self._run(search)

    async def create_event(self, rep: SalesRep, event: CalendarEvent) -> str:
        url = self.calendar_url(rep)

        def put(client: DAVClient) -> str:
            calendar = client.calendar(url=url)  # type: ignore[no-untyped-call]
            created = calendar.save_event(event.ics.decode())
            return str(created.url)

        return await self._run(put)

    async def delete_event(self, rep: SalesRep, external_id: str) -> None:
        url = urljoin(self.calendar_url(rep), external_id)
        if urlsplit(url)[:2] != self.origin:
            raise CalendarRefused(f"event {url} is not on CALDAV_URL's server")

        def delete(client: DAVClient) -> None:
            Event(client=client, url=url).delete()  # a 404 counts as deleted

        await self._run(delete)

    async def aclose(self) -> None:
        return None
