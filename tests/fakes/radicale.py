"""A real CalDAV server for the tests: Radicale (from PyPI) on a free loopback port, in its own
process, with its storage in a temporary folder. `stop()` and `start()` again on the same port
and storage play a calendar server that goes down and comes back.

`make_calendar(user)` creates a calendar through the real `caldav` client and returns its URL;
`events(url)` reads back what is stored there; `add_busy(url, start, end)` puts a busy event in
a rep's calendar as their own calendar app would.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from caldav.davclient import DAVClient
from icalendar import Calendar, Event

USERNAME = "messiah"
PASSWORD = "radicale-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Radicale:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="radicale-")
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        htpasswd = f"{self._dir.name}/users"
        with open(htpasswd, "w") as users:
            users.write(f"{USERNAME}:{PASSWORD}\n")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--storage-filesystem-folder",
                f"{self._dir.name}/collections",
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-filename",
                htpasswd,
                "--auth-delay",
                "0",
                "--auth-htpasswd-encryption",
                "plain",
                "--rights-type",
                "owner_only",
                "--logging-level",
                "error",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Radicale did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def client(self) -> DAVClient:
        return DAVClient(url=self.url, username=USERNAME, password=PASSWORD)

    def make_calendar(self, name: str | None = None) -> str:
        """A new calendar of the test user; returns its URL."""
        cal_id = name or uuid.uuid4().hex[:12]
        with self.client() as client:
            calendar = client.principal().make_calendar(name=cal_id, cal_id=cal_id)
            return str(calendar.url)

    def events(self, url: str) -> list[Any]:
        """The VEVENTs stored in a calendar (icalendar components)."""
        with self.client() as client:
            found = client.calendar(url=url).events()
            return [item.icalendar_component for item in found]

    def add_busy(self, url: str, start: datetime, end: datetime, summary: str = "Dentist") -> str:
        """A busy event in the rep's calendar; returns its UID."""
        uid = f"busy-{uuid.uuid4().hex}@rep-phone"
        event = Event.new(
            uid=uid,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            summary=summary,
            stamp=datetime.now(UTC),
        )
        calendar = Calendar.new(prodid="-//Rep phone//EN", subcomponents=[event])
        with self.client() as client:
            client.calendar(url=url).save_event(calendar.to_ical().decode())
        return uid


@pytest.fixture(scope="session")
def radicale_server() -> Iterator[Radicale]:
    server = Radicale()
    server.start()
    try:
        yield server
    finally:
        server.close()
