"""`GoogleCalendar`: the Google Calendar API v3 (freeBusy.query, events.insert with the lead as
attendee, events.delete) through Google's own client library and google-auth.

Credentials (GOOGLE_CALENDAR_CREDENTIALS, a file path or the JSON itself) are a service account
key ("type": "service_account"; share each rep's calendar with it, or set
GOOGLE_CALENDAR_DELEGATE to act as each rep through domain-wide delegation, which attendees need)
or an OAuth client's refresh token ("type": "authorized_user"). The client library is
synchronous (httplib2), so each request runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import google_auth_httplib2
import httplib2
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient import discovery, discovery_cache
from googleapiclient.errors import HttpError

from app.calendars.base import Busy, CalendarEvent, CalendarRefused, CalendarUnavailable
from app.config import SalesRep, Settings

T = TypeVar("T")
SCOPES = ["https://www.googleapis.com/auth/calendar"]
REQUEST_TIMEOUT_S = 10
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
RETRYABLE = {408, 429, 500, 502, 503, 504}


def load_credentials_info(value: str) -> dict[str, Any]:
    """GOOGLE_CALENDAR_CREDENTIALS as a dict: inline JSON, or the path of a JSON file."""
    text = value.strip()
    if not text.startswith("{"):
        text = Path(text).expanduser().read_text(encoding="utf-8")
    info = json.loads(text)
    if not isinstance(info, dict):
        raise ValueError("GOOGLE_CALENDAR_CREDENTIALS is not a JSON object")
    return info


def make_credentials(info: dict[str, Any], token_url: str | None = None) -> Credentials:
    """A service account key or an authorized_user refresh token, as google-auth reads them;
    `token_url` (GOOGLE_OAUTH_TOKEN_URL, test servers only) replaces Google's token endpoint."""
    kind = info.get("type")
    if kind == "service_account":
        if token_url:
            info = {**info, "token_uri": token_url}
        found: Credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=SCOPES
        )
        return found
    if kind == "authorized_user":
        missing = {"client_id", "client_secret", "refresh_token"} - set(info)
        if missing:
            raise ValueError(f"GOOGLE_CALENDAR_CREDENTIALS: missing {', '.join(sorted(missing))}")
        user = user_credentials.Credentials(  # type: ignore[no-untyped-call]
            token=None,
            refresh_token=info["refresh_token"],
            token_uri=token_url or GOOGLE_TOKEN_URL,
            client_id=info["client_id"],
            client_secret=info["client_secret"],
            scopes=SCOPES,
        )
        return user
    raise ValueError(
        'GOOGLE_CALENDAR_CREDENTIALS: "type" must be "service_account" or "authorized_user"'
    )


def event_id(uid: str) -> str:
    """Google's event ids are base32hex ([a-v0-9]): ours derive from the meeting's uid, so a
    retried insert finds its own event (409) instead of writing a second one."""
    return base64.b32hexencode(uid.encode()).decode().lower().rstrip("=")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class GoogleCalendar:
    """The `CalendarSync` capability on Google Calendar."""

    name = "google"

    def __init__(self, settings: Settings) -> None:
        if settings.google_calendar_credentials is None:
            raise ValueError("GoogleCalendar needs GOOGLE_CALENDAR_CREDENTIALS")
        info = load_credentials_info(settings.google_calendar_credentials.get_secret_value())
        self._credentials = make_credentials(info, settings.google_oauth_token_url)
        self._delegate = settings.google_calendar_delegate and info.get("type") == (
            "service_account"
        )
        self._by_subject: dict[str, Credentials] = {}
        self._lock = threading.Lock()
        self._document = discovery_cache.get_static_doc("calendar", "v3")
        self._endpoint = (
            settings.google_calendar_api_url.rstrip("/") + "/calendar/v3/"
            if settings.google_calendar_api_url
            else None
        )
        self.tz = settings.business_timezone

    def _credentials_for(self, rep: SalesRep) -> Credentials:
        if not self._delegate:
            return self._credentials
        with self._lock:
            found = self._by_subject.get(rep.email)
            if found is None:
                found = self._credentials.with_subject(rep.email)  # type: ignore[attr-defined]
                self._by_subject[rep.email] = found
            return found

    async def _run(self, rep: SalesRep, work: Callable[[Any], T]) -> T:
        credentials = self._credentials_for(rep)

        def call() -> T:
            http = google_auth_httplib2.AuthorizedHttp(
                credentials, http=httplib2.Http(timeout=REQUEST_TIMEOUT_S)
            )
            options = {"api_endpoint": self._endpoint} if self._endpoint else None
            service = discovery.build_from_document(
                self._document, http=http, client_options=options
            )
            try:
                return work(service)
            finally:
                service.close()

        try:
            return await asyncio.to_thread(call)
        except HttpError as exc:
            status = int(exc.resp.status)
            message = f"Google Calendar {status}: {exc.reason}"
            if status in RETRYABLE:
                raise CalendarUnavailable(message) from exc
            raise CalendarRefused(message) from exc
        except auth_exceptions.TransportError as exc:
            raise CalendarUnavailable(f"Google token endpoint unreachable: {exc}") from exc
        except auth_exceptions.RefreshError as exc:
            raise CalendarRefused(f"Google credentials refused: {exc}") from exc
        except (OSError, httplib2.HttpLib2Error) as exc:
            raise CalendarUnavailable(f"Google Calendar unreachable: {exc!r}") from exc

    async def busy(self, rep: SalesRep, start: datetime, end: datetime) -> list[Busy]:
        body = {
            "timeMin": start.astimezone(UTC).isoformat(),
            "timeMax": end.astimezone(UTC).isoformat(),
            "timeZone": "UTC",
            "items": [{"id": rep.calendar}],
        }
        answer: dict[str, Any] = await self._run(
            rep, lambda service: service.freebusy().query(body=body).execute()
        )
        found = answer.get("calendars", {}).get(rep.calendar, {})
        errors = found.get("errors") or []
        if errors:
            reasons = ", ".join(str(error.get("reason")) for error in errors)
            if any(error.get("reason") == "notFound" for error in errors):
                raise CalendarRefused(f"Google freeBusy for {rep.name}: {reasons}")
            raise CalendarUnavailable(f"Google freeBusy for {rep.name}: {reasons}")
        return [Busy(_time(item["start"]), _time(item["end"])) for item in found.get("busy", [])]

    async def create_event(self, rep: SalesRep, event: CalendarEvent) -> str:
        wanted = event_id(event.uid)
        body: dict[str, Any] = {
            "id": wanted,
            "summary": event.summary,
            "description": event.description,
            "start": {"dateTime": event.start.isoformat(), "timeZone": self.tz},
            "end": {"dateTime": event.end.isoformat(), "timeZone": self.tz},
        }
        if event.attendee is not None:
            body["attendees"] = [
                {"email": event.attendee.email, "displayName": event.attendee.name}
            ]

        def insert(service: Any) -> str:
            # sendUpdates=none: the invitation goes out from us, with the Hebrew text and .ics.
            try:
                created = (
                    service.events()
                    .insert(calendarId=rep.calendar, body=body, sendUpdates="none")
                    .execute()
                )
            except HttpError as exc:
                if int(exc.resp.status) == 409:  # written by an earlier attempt
                    return wanted
                raise
            return str(created["id"])

        return await self._run(rep, insert)

    async def delete_event(self, rep: SalesRep, external_id: str) -> None:
        def delete(service: Any) -> None:
            try:
                service.events().delete(
                    calendarId=rep.calendar, eventId=external_id, sendUpdates="none"
                ).execute()
            except HttpError as exc:
                if int(exc.resp.status) not in (404, 410):  # already gone
                    raise

        await self._run(rep, delete)

    async def aclose(self) -> None:
        return None
