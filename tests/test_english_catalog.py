"""The English catalog: the same lines as the Hebrew one, method for method, in plain English."""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from app.language import he
from app.language.en import (
    BRAND,
    EnglishCatalog,
    date_phrase,
    digits_words,
    slot_phrase,
    spoken_times,
    time_phrase,
)
from app.language.he import Gender, HebrewCatalog, LeadGender

TZ = ZoneInfo("Asia/Jerusalem")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# Tuesday 24 November 2026, 10:00 in Israel: the suite's frozen clock.
NOW = local(2026, 11, 24, 10)
TOMORROW_1430 = local(2026, 11, 25, 14, 30)  # Wednesday
IN_3_DAYS_10 = local(2026, 11, 27, 10)  # Friday
IN_9_DAYS_0930 = local(2026, 12, 3, 9, 30)  # Thursday
TOMORROW_1530 = local(2026, 11, 25, 15, 30)
SUNDAY_9, MONDAY_9 = local(2026, 11, 29, 9), local(2026, 11, 30, 9)
HEBREW = re.compile(r"[\u0590-\u05ff]")
DIGIT_COLON_TIME = re.compile(r"\d\s*:\s*\d")
MONTH_DAY = re.compile(r"(?:November|December) \d{1,2}\b")

GENDERS: list[tuple[Gender, LeadGender]] = list(
    product(("female", "male"), ("female", "male", None))
)


def public_members(cls: type) -> dict[str, object]:
    return {name: member for name, member in vars(cls).items() if not name.startswith("_")}


def all_lines(catalog: EnglishCatalog, now: datetime | None = NOW) -> dict[str, str]:
    """Every line, keyed "method" or "method:case", with the arguments the Hebrew test uses."""
    questions = catalog.qualifying_questions()
    near, same_day = (TOMORROW_1430, IN_3_DAYS_10), (TOMORROW_1430, TOMORROW_1530)
    return {
        "greeting": catalog.greeting("Dana Cohen", "Joe's Coffee"),
        "greeting:no_company": catalog.greeting("Dana", None),
        "reprompt:1": catalog.reprompt(1),
        "reprompt:2": catalog.reprompt(2),
        "reprompt:3": catalog.reprompt(3),
        "hear_me": catalog.hear_me(),
        "language_switch_en": catalog.language_switch_en(),
        "qualifying_questions:0": questions[0],
        "qualifying_questions:1": questions[1],
        "qualifying_questions:2": questions[2],
        "short_question:0": catalog.short_question(0),
        "short_question:1": catalog.short_question(1),
        "short_question:2": catalog.short_question(2),
        "pitch": catalog.pitch(),
        "agent_name_answer": catalog.agent_name_answer(),
        "who_are_you": catalog.who_are_you(),
        "are_you_a_bot": catalog.are_you_a_bot(),
        "price": catalog.price(),
        "number_source": catalog.number_source("השארת פרטים באתר"),
        "number_source:english": catalog.number_source("a form on our website"),
        "number_source:none": catalog.number_source(None),
        "send_email:known": catalog.send_email(True),
        "send_email:unknown": catalog.send_email(False),
        "already_have_solution": catalog.already_have_solution(),
        "decision_maker_question": catalog.decision_maker_question(),
        "slot_offer": catalog.slot_offer(*near, TZ, now),
        "slot_offer:same_day": catalog.slot_offer(*same_day, TZ, now),
        "slot_offer:far": catalog.slot_offer(IN_3_DAYS_10, IN_9_DAYS_0930, TZ, now),
        "other_slots_offer": catalog.other_slots_offer(*near, TZ, now),
        "short_offer": catalog.short_offer(*near, TZ, now),
        "requested_offer": catalog.requested_offer(*near, TZ, now),
        "requested_single": catalog.requested_single(IN_3_DAYS_10, TZ, now),
        "nothing_then": catalog.nothing_then(
            catalog.when_words(3, "morning", None, None), *near, TZ, now
        ),
        "clarify_day": catalog.clarify_day(SUNDAY_9, MONDAY_9, TZ, now),
        "clarify_time": catalog.clarify_time(*same_day, TZ),
        "propose": catalog.propose(TOMORROW_1430, TZ, now),
        "slot_taken": catalog.slot_taken(IN_3_DAYS_10, TZ, now),
        "booking_confirmation:email": catalog.booking_confirmation(TOMORROW_1430, TZ, True, now),
        "booking_confirmation:no_email": catalog.booking_confirmation(IN_3_DAYS_10, TZ, False, now),
        "booked_ask_email": catalog.booked_ask_email(IN_3_DAYS_10, TZ, now),
        "ask_email_again": catalog.ask_email_again(False),
        "ask_email_again:after_no": catalog.ask_email_again(True),
        "confirm_email": catalog.confirm_email("dani.cohen_12@walla.co.il"),
        "email_saved": catalog.email_saved(),
        "email_skipped": catalog.email_skipped(),
        "callback_ack": catalog.callback_ack(),
        "callback_ack:when": catalog.callback_ack("tomorrow morning"),
        "opt_out_ack": catalog.opt_out_ack(),
        "transfer_intro": catalog.transfer_intro(),
        "transfer_unavailable": catalog.transfer_unavailable(),
        "rep_unavailable": catalog.rep_unavailable(),
        "not_interested_ack": catalog.not_interested_ack(),
        "wrong_number_ack": catalog.wrong_number_ack(),
        "hostile_close": catalog.hostile_close(),
        "abuse_close": catalog.abuse_close(),
        "limit_close:callback": catalog.limit_close(True),
        "limit_close:no_callback": catalog.limit_close(False),
        "goodbye": catalog.goodbye(),
        "goodbye_after_booking": catalog.goodbye_after_booking(),
        "fallback": catalog.fallback(),
        "technical_goodbye": catalog.technical_goodbye(),
        "voicemail": catalog.voicemail("Dana Cohen"),
    }


# --- the mirror ------------------------------------------------------------------------------


def test_every_hebrew_method_has_an_english_twin_with_the_same_parameters() -> None:
    hebrew, english = public_members(HebrewCatalog), public_members(EnglishCatalog)
    assert hebrew.keys() == english.keys(), hebrew.keys() ^ english.keys()
    for name, member in hebrew.items():
        twin = english[name]
        if isinstance(member, property):
            assert isinstance(twin, property), name
        elif callable(member):
            assert callable(twin), name
            assert inspect.signature(twin) == inspect.signature(member), name


def test_the_helpers_mirror_too() -> None:
    from app.language import en

    for name in ("time_phrase", "date_phrase", "slot_phrase", "spoken_times", "digits_words"):
        assert inspect.signature(getattr(en, name)) == inspect.signature(getattr(he, name)), name


def test_constructor_takes_the_hebrew_catalogs_arguments() -> None:
    def shape(cls: type) -> list[tuple[str, object]]:
        return [
            (field.name, field.default if field.name != "advertiser" else "brand")
            for field in dataclasses.fields(cls)
        ]

    assert shape(EnglishCatalog) == shape(HebrewCatalog)
    # Each says its own brand by default.
    assert EnglishCatalog().advertiser == BRAND == "Alta"
    assert HebrewCatalog().advertiser == he.BRAND


def test_every_line_of_both_catalogs_is_exercised() -> None:
    methods = {
        name
        for name, member in public_members(EnglishCatalog).items()
        if callable(member) or isinstance(member, property)
    }
    covered = {key.split(":")[0] for key in all_lines(EnglishCatalog())}
    assert methods - {"when_words", "name"} == covered


# --- plain, short English ---------------------------------------------------------------------


@pytest.mark.parametrize(("agent", "lead"), GENDERS)
@pytest.mark.parametrize("advertising", [True, False])
def test_every_line_is_plain_english(agent: Gender, lead: LeadGender, advertising: bool) -> None:
    catalog = EnglishCatalog(agent, lead, advertising=advertising, callback_number="+97235551234")
    for key, line in all_lines(catalog).items():
        assert line.strip() == line and line, key
        assert not HEBREW.search(line), key
        # The only digits are a date's day of the month ("December 15"), never a clock time.
        assert not re.search(r"\d", MONTH_DAY.sub("", line)), (key, line)
        assert line[-1] in ".!?", key
        assert "  " not in line and ".." not in line and ",," not in line, (key, line)


@pytest.mark.parametrize("agent", ["female", "male"])
def test_gender_does_not_show_in_english(agent: Gender) -> None:
    assert all_lines(EnglishCatalog(agent, "female")) == all_lines(EnglishCatalog(agent, "male"))


def test_an_unknown_lead_is_asked_as_the_hebrew_asks_them() -> None:
    known, unknown = EnglishCatalog(lead_gender="female"), EnglishCatalog()
    assert known.greeting("Dana").endswith("Are you free for a minute?")
    assert unknown.greeting("Dana").endswith("Is this a good time?")
    assert "get back to you" in known.callback_ack()
    assert "call again" in unknown.callback_ack()


# --- times and days in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (10, 0, "at ten a.m."),
        (14, 30, "at two thirty p.m."),
        (12, 0, "at noon"),
        (12, 30, "at twelve thirty p.m."),
        (9, 5, "at nine oh five a.m."),
        (16, 45, "at four forty-five p.m."),
        (18, 0, "at six p.m."),
        (0, 0, "at midnight"),
    ],
)
def test_times_are_said_in_words(hour: int, minute: int, said: str) -> None:
    assert time_phrase(local(2026, 11, 25, hour, minute), TZ) == said


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (0, "today"),
        (1, "tomorrow"),
        (2, "on Thursday"),
        (6, "on Monday"),
        (7, "on Tuesday, December 1"),
        (21, "on Tuesday, December 15"),
    ],
)
def test_days_are_relative_within_the_week(days: int, said: str) -> None:
    assert date_phrase(NOW + timedelta(days=days), TZ, NOW) == said


def test_slot_phrase_forms() -> None:
    assert slot_phrase(TOMORROW_1430, TZ, NOW) == "tomorrow at two thirty p.m."
    assert slot_phrase(IN_3_DAYS_10, TZ, NOW) == "on Friday at ten a.m."
    assert slot_phrase(IN_9_DAYS_0930, TZ, NOW) == "on Thursday, December 3, at nine thirty a.m."
    assert slot_phrase(TOMORROW_1430, TZ, NOW, to=True, weekday=True) == (
        "tomorrow, Wednesday, at two thirty p.m."
    )
    # UTC in, Israel time out.
    assert slot_phrase(datetime(2026, 12, 1, 8, tzinfo=UTC), TZ) == (
        "on Tuesday, December 1, at ten a.m."
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(datetime(2026, 12, 1, 10, 0), TZ)


GRID = [
    NOW.replace(hour=8, minute=0) + timedelta(days=days, minutes=30 * step)
    for days in (0, 1, 2, 6, 7, 20)
    for step in range(25)
]


def test_no_digit_time_in_any_slot_line_over_the_grid() -> None:
    catalog = EnglishCatalog()
    for first in GRID:
        for second in (first + timedelta(hours=2), first + timedelta(days=1), GRID[-1]):
            for line in (
                catalog.slot_offer(first, second, TZ, NOW),
                catalog.other_slots_offer(first, second, TZ, NOW),
                catalog.short_offer(first, second, TZ, NOW),
                catalog.requested_offer(first, second, TZ, NOW),
                catalog.requested_single(first, TZ, NOW),
                catalog.nothing_then("in the morning", first, second, TZ, NOW),
                catalog.clarify_day(first, second, TZ, NOW),
                catalog.clarify_time(first, second, TZ),
                catalog.propose(first, TZ, NOW),
                catalog.slot_taken(first, TZ, NOW),
                catalog.booking_confirmation(first, TZ, True, NOW),
            ):
                assert not DIGIT_COLON_TIME.search(line), line
                assert ".." not in line, line
        dated = "December" in slot_phrase(first, TZ, NOW) or "November" in slot_phrase(
            first, TZ, NOW
        )
        assert dated == ((first.date() - NOW.date()).days >= 7), first


# --- lines ------------------------------------------------------------------------------------


def test_greeting_discloses_advertising_ai_recording_and_how_to_refuse() -> None:
    line = EnglishCatalog().greeting("Dana Cohen", "Joe's Coffee")
    assert line.startswith("This is an advertisement from Alta. Hi Dana, this is Noa,")
    assert "AI" in line and "recorded" in line and "off our list" in line
    assert "Cohen" not in line
    assert EnglishCatalog().greeting(None).startswith("This is an advertisement from Alta. Hi, ")
    assert (
        EnglishCatalog(advertiser="Acme")
        .greeting(None)
        .startswith("This is an advertisement from Acme.")
    )


def test_greeting_without_advertising_names_the_team_and_the_company() -> None:
    line = EnglishCatalog(advertising=False).greeting("Dana Cohen", "Joe's Coffee")
    assert line.startswith("Hi Dana, this is Noa from the Alta team,")
    assert "companies like Joe's Coffee" in line
    assert "advertisement" not in line
    # The English uses the name as given, even in Hebrew letters.
    assert EnglishCatalog().greeting("דנה").count("דנה") == 1


def test_agent_name_follows_gender_unless_given() -> None:
    assert EnglishCatalog("male").name == "Noam"
    assert EnglishCatalog(agent_name="Maya").who_are_you().startswith("I'm Maya,")
    assert EnglishCatalog(agent_name="Maya").agent_name_answer().startswith("My name is Maya.")


def test_bot_answer_is_honest() -> None:
    line = EnglishCatalog().are_you_a_bot()
    assert line.startswith("Yes, I'm an AI")
    assert "on behalf of Alta" in line


def test_slot_offer_names_both_slots_in_israel_time() -> None:
    line = EnglishCatalog().slot_offer(TOMORROW_1430, IN_3_DAYS_10, TZ, NOW)
    assert line.endswith("Which works better: tomorrow at two thirty p.m., or Friday at ten a.m.?")


def test_same_day_slots_say_the_day_once() -> None:
    line = EnglishCatalog().other_slots_offer(TOMORROW_1430, TOMORROW_1530, TZ, NOW)
    assert line == "No problem, so maybe tomorrow at two thirty p.m., or at three thirty p.m.?"
    assert EnglishCatalog().short_offer(SUNDAY_9, MONDAY_9, TZ, NOW) == (
        "Sunday or Monday, at nine?"
    )


def test_clarify_and_propose() -> None:
    catalog = EnglishCatalog()
    assert (
        catalog.clarify_day(SUNDAY_9, MONDAY_9, TZ, NOW) == "Just to check: on Sunday or on Monday?"
    )
    assert catalog.clarify_time(TOMORROW_1430, TOMORROW_1530, TZ) == (
        "Just to check: at two thirty or at three thirty?"
    )
    assert (
        catalog.propose(TOMORROW_1430, TZ, NOW) == "So shall we book tomorrow at two thirty p.m.?"
    )


@pytest.mark.parametrize(
    ("weekday", "part", "hour", "minute", "said"),
    [
        (3, None, None, None, "on Thursday"),
        (3, "morning", None, None, "on Thursday morning"),
        (None, "evening", None, None, "in the evening"),
        (None, None, 16, 30, "at four thirty"),
        (6, None, 10, 0, "on Sunday at ten"),
        (None, None, None, None, ""),
    ],
)
def test_when_words(
    weekday: int | None, part: str | None, hour: int | None, minute: int | None, said: str
) -> None:
    assert EnglishCatalog().when_words(weekday, part, hour, minute) == said


def test_booking_confirmation_names_the_weekday_of_a_relative_day() -> None:
    booked = EnglishCatalog().booking_confirmation(TOMORROW_1430, TZ, True, NOW)
    assert booked.startswith("Great, we're booked for tomorrow, Wednesday, at two thirty p.m. ")


def test_number_source() -> None:
    catalog = EnglishCatalog()
    assert catalog.number_source("a form on our website").startswith(
        "According to our records, the source is a form on our website."
    )
    assert "on record" in catalog.number_source("השארת פרטים באתר")
    assert "business contacts" in catalog.number_source(None)
    assert catalog.number_source(None).endswith("take you off our list?")


def test_voicemail_and_phone_digits() -> None:
    line = EnglishCatalog(callback_number="+97235551234").voicemail("Dana Cohen")
    assert line.startswith("This is an advertisement from Alta. Hi Dana,")
    assert "dial zero three, five five five, one two three four." in line
    assert digits_words("+972501234567") == "zero five zero, one two three, four five six seven"


def test_callback_ack_uses_the_time_given_in_words() -> None:
    assert EnglishCatalog().callback_ack("tomorrow at 10:00") == (
        "No problem at all, we'll call again tomorrow at ten. Thanks!"
    )
    assert "at a better time" in EnglishCatalog().callback_ack("  ")
    assert spoken_times("at 16:45") == "at four forty-five"
