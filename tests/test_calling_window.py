"""The campaign calling window: Israeli hours, short Fridays, never Shabbat, holidays or eves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from app.campaigns.window import CallingWindow, WindowError

TZ = ZoneInfo("Asia/Jerusalem")
WINDOW = CallingWindow.parse(None, TZ)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        (local(2026, 11, 24, 8, 59), False),  # Tuesday before 09:00
        (local(2026, 11, 24, 9, 0), True),
        (local(2026, 11, 24, 19, 59), True),
        (local(2026, 11, 24, 20, 0), False),
        (local(2026, 11, 27, 12, 59), True),  # Friday until 13:00
        (local(2026, 11, 27, 13, 0), False),
        (local(2026, 11, 28, 11, 0), False),  # Shabbat
        (local(2026, 9, 21, 11, 0), False),  # Yom Kippur
        (local(2026, 9, 20, 11, 0), False),  # its eve (a Sunday)
        (local(2026, 9, 22, 11, 0), True),  # the day after
        (local(2026, 4, 1, 11, 0), False),  # Pesach eve
        (local(2026, 3, 26, 19, 30), True),  # Thursday before the spring change
        (local(2026, 3, 29, 9, 0), True),  # first Sunday of summer time
        (local(2026, 10, 25, 9, 0), True),  # autumn change day (Sunday), 09:00 local
        (local(2026, 10, 25, 8, 59), False),
    ],
)
def test_window_edges(at: datetime, is_open: bool) -> None:
    assert WINDOW.is_open(at) is is_open
    assert WINDOW.is_open(at.astimezone(UTC)) is is_open


def test_clock_changes_keep_local_hours() -> None:
    # 09:00 in Israel is 07:00 UTC in winter and 06:00 UTC in summer.
    assert WINDOW.is_open(datetime(2026, 3, 26, 7, 0, tzinfo=UTC))  # Thu, still winter
    assert not WINDOW.is_open(datetime(2026, 3, 29, 5, 59, tzinfo=UTC))  # Sun 08:59 summer
    assert WINDOW.is_open(datetime(2026, 3, 29, 6, 0, tzinfo=UTC))  # Sun 09:00 summer
    assert not WINDOW.is_open(datetime(2026, 10, 25, 6, 30, tzinfo=UTC))  # Sun 08:30 winter again


def test_next_open_skips_shabbat_and_holidays() -> None:
    friday_afternoon = local(2026, 11, 27, 14, 0)
    assert WINDOW.next_open(friday_afternoon) == local(2026, 11, 29, 9, 0)
    yom_kippur_eve = local(2026, 9, 20, 10, 0)
    assert WINDOW.next_open(yom_kippur_eve) == local(2026, 9, 22, 9, 0)
    open_now = local(2026, 11, 24, 10, 0)
    assert WINDOW.next_open(open_now) == open_now


def test_never_open_on_a_closed_day_for_a_whole_year() -> None:
    """Checked against the holidays package directly, not the module's own helpers."""
    israel = holidays.country_holidays("IL", years=[2026, 2027], categories="public")
    at = local(2026, 1, 1, 0, 0)
    opened = 0
    while at.year == 2026:
        if WINDOW.is_open(at):
            opened += 1
            day = at.date()
            assert day.weekday() != 5, at
            assert day not in israel and day + timedelta(days=1) not in israel, at
            limit = 13 if day.weekday() == 4 else 20
            assert 9 <= at.hour < limit, at
        at += timedelta(minutes=47)
    assert opened > 1000


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"sat": ["10:00", "12:00"]}, "Shabbat"),
        ({"sun": ["20:00", "09:00"]}, "close after"),
        ({"sun": ["nine", "ten"]}, "two times"),
        ({"funday": ["09:00", "10:00"]}, "unknown weekday"),
    ],
)
def test_bad_windows_are_refused(spec: dict[str, list[str]], message: str) -> None:
    with pytest.raises(WindowError, match=message):
        CallingWindow.parse(spec, TZ)


def test_custom_window() -> None:
    window = CallingWindow.parse({"mon": ["10:00", "12:00"]}, TZ)
    assert window.is_open(local(2026, 11, 23, 11, 0))
    assert not window.is_open(local(2026, 11, 24, 11, 0))  # Tuesday not listed
