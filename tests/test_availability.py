"""Slot rules: Israeli business days and hours, Shabbat, holidays and eves, DST, notice, horizon."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from app.config import Settings
from app.meetings.availability import (
    AvailabilityRules,
    Slot,
    day_slots,
    is_allowed_day,
    is_allowed_slot,
    iter_slots,
    next_free_slots,
    offer_two,
    slot_rejection,
)

IL = ZoneInfo("Asia/Jerusalem")
RULES = AvailabilityRules.from_settings(Settings(_env_file=None))


def il(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An Israeli wall time as an aware datetime."""
    return datetime(y, mo, d, h, mi, tzinfo=IL)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def test_rules_from_settings_read_the_defaults() -> None:
    assert RULES.tz.key == "Asia/Jerusalem"
    assert RULES.business_days == frozenset({6, 0, 1, 2, 3})  # sun..thu
    assert (RULES.opens, RULES.closes) == (time(9), time(18))
    assert RULES.duration == timedelta(minutes=30)
    assert RULES.min_notice == timedelta(minutes=120)
    assert RULES.horizon_days == 30


def test_friday_and_shabbat_are_excluded() -> None:
    assert is_allowed_day(date(2026, 11, 26), RULES)  # Thursday
    assert not is_allowed_day(date(2026, 11, 27), RULES)  # Friday
    assert not is_allowed_day(date(2026, 11, 28), RULES)  # Saturday
    assert is_allowed_day(date(2026, 11, 29), RULES)  # Sunday
    now = il(2026, 11, 24, 10)
    assert "Shabbat" in (slot_rejection(il(2026, 11, 28, 10), now, RULES) or "")
    assert "Friday" in (slot_rejection(il(2026, 11, 27, 10), now, RULES) or "")


def test_shabbat_stays_excluded_even_when_configured() -> None:
    settings = Settings(_env_file=None, business_days="sun,mon,tue,wed,thu,fri,sat")
    rules = AvailabilityRules.from_settings(settings)
    assert is_allowed_day(date(2026, 11, 27), rules)  # Friday, now configured
    assert not is_allowed_day(date(2026, 11, 28), rules)  # Saturday, never
    offered = next_free_slots(il(2026, 11, 27, 17), rules, set(), 1)
    assert offered[0].start == il(2026, 11, 29, 9)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 9, 21), "Yom Kippur"),
        (date(2026, 9, 20), "eve"),  # Erev Yom Kippur, a Sunday
        (date(2026, 4, 1), "eve"),  # Erev Pesach, a Wednesday
        (date(2026, 4, 2), "Pesach"),
        (date(2026, 4, 22), "Independence Day"),
        (date(2026, 9, 13), "Rosh Hashanah"),  # second day, a Sunday
    ],
)
def test_holidays_and_their_eves_are_excluded(day: date, why: str) -> None:
    assert not is_allowed_day(day, RULES)
    now = datetime.combine(day - timedelta(days=7), time(8), tzinfo=IL)
    reason = slot_rejection(datetime.combine(day, time(10), tzinfo=IL), now, RULES)
    assert reason is not None
    assert why in reason


def test_slots_skip_from_thursday_over_yom_kippur_and_its_eve() -> None:
    # Thu 17 Sep 2026 after hours: Fri, Sat, Sun (eve) and Mon (Yom Kippur) are all closed.
    first = next_free_slots(il(2026, 9, 17, 17), RULES, set(), 1)[0]
    assert first.start == il(2026, 9, 22, 9)
    assert first.start.astimezone(UTC) == utc(2026, 9, 22, 6)  # summer time, +03:00


def test_spring_clock_change_keeps_slots_at_local_wall_time() -> None:
    # Israel moves to +03:00 on Friday 27 March 2026 at 02:00.
    before = day_slots(date(2026, 3, 26), RULES)
    after = day_slots(date(2026, 3, 29), RULES)
    assert before[0].start.astimezone(UTC) == utc(2026, 3, 26, 7)
    assert before[0].start.utcoffset() == timedelta(hours=2)
    assert after[0].start.astimezone(UTC) == utc(2026, 3, 29, 6)
    assert after[0].start.utcoffset() == timedelta(hours=3)
    assert after[-1].end.astimezone(UTC) == utc(2026, 3, 29, 15)  # 18:00 local
    offered = offer_two(il(2026, 3, 26, 17), RULES, set())
    assert [slot.start.astimezone(UTC) for slot in offered] == [
        utc(2026, 3, 29, 6),
        utc(2026, 3, 30, 6),
    ]


def test_autumn_clock_change_keeps_slots_at_local_wall_time() -> None:
    # Israel returns to +02:00 on Sunday 25 October 2026 at 02:00: that Sunday is a business day.
    before = day_slots(date(2026, 10, 22), RULES)
    on_the_day = day_slots(date(2026, 10, 25), RULES)
    assert before[0].start.astimezone(UTC) == utc(2026, 10, 22, 6)
    assert on_the_day[0].start.astimezone(UTC) == utc(2026, 10, 25, 7)
    assert on_the_day[0].start.utcoffset() == timedelta(hours=2)
    assert on_the_day[-1].start.astimezone(UTC) == utc(2026, 10, 25, 15, 30)
    assert len(before) == len(on_the_day) == 18
    first = next_free_slots(il(2026, 10, 22, 17), RULES, set(), 1)[0]
    assert first.start.isoformat() == "2026-10-25T09:00:00+02:00"


def test_every_slot_lasts_the_meeting_duration_in_real_time() -> None:
    for day in (date(2026, 3, 26), date(2026, 3, 29), date(2026, 10, 22), date(2026, 10, 25)):
        for slot in day_slots(day, RULES):
            assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == timedelta(minutes=30)


def test_min_notice() -> None:
    now = il(2026, 11, 24, 10)
    assert next_free_slots(now, RULES, set(), 1)[0].start == il(2026, 11, 24, 12)
    assert next_free_slots(now + timedelta(minutes=1), RULES, set(), 1)[0].start == il(
        2026, 11, 24, 12, 30
    )
    assert not is_allowed_slot(il(2026, 11, 24, 11, 30), now, RULES)
    assert "notice" in (slot_rejection(il(2026, 11, 24, 11, 30), now, RULES) or "")
    assert is_allowed_slot(il(2026, 11, 24, 12), now, RULES)


def test_never_in_the_past_even_without_notice() -> None:
    rules = dataclasses.replace(RULES, min_notice=timedelta(0))
    now = il(2026, 11, 24, 10)
    assert next_free_slots(now, rules, set(), 1)[0].start == il(2026, 11, 24, 10, 30)
    assert "past" in (slot_rejection(il(2026, 11, 23, 10), now, rules) or "")
    assert "past" in (slot_rejection(il(2026, 11, 24, 10), now, rules) or "")
    assert all(slot.start > now for slot in iter_slots(now, rules))


def test_no_slot_ends_after_closing_time() -> None:
    assert day_slots(date(2026, 11, 25), RULES)[-1] == Slot(
        il(2026, 11, 25, 17, 30), il(2026, 11, 25, 18)
    )
    now = il(2026, 11, 24, 10)
    assert "outside business hours" in (slot_rejection(il(2026, 11, 25, 18), now, RULES) or "")
    assert "outside business hours" in (slot_rejection(il(2026, 11, 25, 8, 30), now, RULES) or "")
    forty = dataclasses.replace(RULES, duration=timedelta(minutes=40))
    slots = day_slots(date(2026, 11, 25), forty)
    assert slots[-1].start == il(2026, 11, 25, 17)  # 17:40 would end at 18:20
    assert not is_allowed_slot(il(2026, 11, 25, 17, 40), now, forty)


def test_off_grid_times_are_rejected() -> None:
    now = il(2026, 11, 24, 10)
    assert "grid" in (slot_rejection(il(2026, 11, 25, 10, 15), now, RULES) or "")
    off_by_seconds = il(2026, 11, 25, 10) + timedelta(seconds=1)
    assert not is_allowed_slot(off_by_seconds, now, RULES)
    # The same instant written in UTC is the same slot.
    assert is_allowed_slot(utc(2026, 11, 25, 8), now, RULES)


def test_horizon() -> None:
    now = il(2026, 11, 24, 10)
    last = list(iter_slots(now, RULES))[-1]
    assert last.start.date() <= date(2026, 12, 24)
    assert is_allowed_slot(il(2026, 12, 24, 10), now, RULES)  # Thursday, 30 days on
    assert "ahead" in (slot_rejection(il(2026, 12, 27, 10), now, RULES) or "")


def test_label_is_english_in_local_time() -> None:
    slot = next_free_slots(il(2026, 11, 30, 10), RULES, set(), 1, spread_days=True)[0]
    assert slot.label == "Monday, November 30 at 12:00"
    assert Slot(il(2026, 12, 1, 10), il(2026, 12, 1, 10, 30)).label == (
        "Tuesday, December 1 at 10:00"
    )


def test_taken_slots_are_skipped_whatever_their_zone() -> None:
    now = il(2026, 11, 24, 10)
    taken = {utc(2026, 11, 24, 10)}  # 12:00 in Israel
    assert next_free_slots(now, RULES, taken, 1)[0].start == il(2026, 11, 24, 12, 30)


def test_offer_two_picks_different_days() -> None:
    now = il(2026, 11, 24, 10)
    first, second = offer_two(now, RULES, set())
    assert first.start == il(2026, 11, 24, 12)
    assert second.start == il(2026, 11, 25, 9)
    wednesday_full = {slot.start for slot in day_slots(date(2026, 11, 25), RULES)}
    first, second = offer_two(now, RULES, wednesday_full)
    assert (first.start, second.start) == (il(2026, 11, 24, 12), il(2026, 11, 26, 9))


def test_offer_two_falls_back_to_the_same_day() -> None:
    only_today = dataclasses.replace(RULES, horizon_days=0)
    first, second = offer_two(il(2026, 11, 24, 10), only_today, set())
    assert (first.start, second.start) == (il(2026, 11, 24, 12), il(2026, 11, 24, 12, 30))
    assert offer_two(il(2026, 11, 24, 17), only_today, set()) == []


def test_spread_days_for_more_than_two() -> None:
    slots = next_free_slots(il(2026, 11, 24, 10), RULES, set(), 3, spread_days=True)
    assert [slot.start.date() for slot in slots] == [
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
    ]


# --- a year-long walk, checked by rules written independently of the implementation ---

ISRAEL_HOLIDAYS = set(holidays.country_holidays("IL", years=range(2025, 2029), categories="public"))
WORK_WEEKDAYS = {6, 0, 1, 2, 3}  # Sunday..Thursday


def _valid(start: datetime, end: datetime, now: datetime) -> bool:
    local, local_end = start.astimezone(IL), end.astimezone(IL)
    minutes = local.hour * 60 + local.minute
    return (
        local.weekday() in WORK_WEEKDAYS
        and local.date() not in ISRAEL_HOLIDAYS
        and local.date() + timedelta(days=1) not in ISRAEL_HOLIDAYS
        and local.second == 0
        and local.microsecond == 0
        and minutes >= 9 * 60
        and (minutes - 9 * 60) % 30 == 0
        and local_end.date() == local.date()
        and (local_end.hour, local_end.minute) <= (18, 0)
        and end - start == timedelta(minutes=30)
        and start >= now + timedelta(minutes=120)
        and local.date() <= now.astimezone(IL).date() + timedelta(days=30)
    )


def _first_valid(now: datetime) -> datetime:
    day = now.astimezone(IL).date()
    while True:
        for minutes in range(9 * 60, 18 * 60, 30):
            start = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=IL)
            if _valid(start, start + timedelta(minutes=30), now):
                return start
        day += timedelta(days=1)


def test_walk_two_years_every_seven_hours() -> None:
    now = utc(2026, 1, 1, 0, 17)
    walked = 0
    while now < utc(2028, 1, 1):
        offered = offer_two(now, RULES, set())
        assert len(offered) == 2, now
        for slot in offered:
            assert _valid(slot.start, slot.end, now), (now, slot)
            assert is_allowed_slot(slot.start, now, RULES), (now, slot)
        assert offered[0].start == _first_valid(now), now
        assert offered[0].start.date() < offered[1].start.date(), (now, offered)
        second_day = datetime.combine(offered[1].start.date(), time(0), tzinfo=IL)
        assert offered[1].start == _first_valid(second_day), (now, offered)
        in_between = offered[0].start.date() + timedelta(days=1)
        while in_between < offered[1].start.date():
            day_is_open = (
                in_between.weekday() in WORK_WEEKDAYS
                and not {
                    in_between,
                    in_between + timedelta(days=1),
                }
                & ISRAEL_HOLIDAYS
            )
            assert not day_is_open, (now, in_between)
            in_between += timedelta(days=1)
        now += timedelta(hours=7)
        walked += 1
    assert walked > 2400
