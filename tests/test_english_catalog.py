"""The English catalog: the same lines as the Hebrew one, method for method, in plain English."""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import UTC, datetime
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from app.language.en import EnglishCatalog, date_phrase, slot_phrase, time_phrase
from app.language.he import Gender, HebrewCatalog, LeadGender
from app.meetings.availability import format_label

TZ = ZoneInfo("Asia/Jerusalem")
# Tuesday 1 December 2026, 10:00 and 14:00 in Israel (winter, UTC+2); Wednesday 2nd, 14:30.
DEC_1_10AM = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DEC_1_2PM = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DEC_2_1430 = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)
MONDAY_NOON = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
HEBREW = re.compile(r"[\u0590-\u05ff]")

GENDERS: list[tuple[Gender, LeadGender]] = list(
    product(("female", "male"), ("female", "male", None))
)


def public_members(cls: type) -> dict[str, object]:
    return {name: member for name, member in vars(cls).items() if not name.startswith("_")}


def all_lines(catalog: EnglishCatalog, now: datetime | None = None) -> dict[str, str]:
    questions = catalog.qualifying_questions()
    return {
        "greeting": catalog.greeting("Dana Cohen", "Joe's Coffee"),
        "greeting_no_company": catalog.greeting("Dana", None),
        "reprompt_1": catalog.reprompt(1),
        "reprompt_2": catalog.reprompt(2),
        "reprompt_3": catalog.reprompt(3),
        "question_1": questions[0],
        "question_2": questions[1],
        "question_3": questions[2],
        "pitch": catalog.pitch(),
        "slot_offer": catalog.slot_offer(DEC_1_10AM, DEC_2_1430, TZ, now),
        "other_slots_offer": catalog.other_slots_offer(DEC_1_2PM, DEC_2_1430, TZ, now),
        "slot_taken": catalog.slot_taken(DEC_2_1430, TZ, now),
        "booking_with_email": catalog.booking_confirmation(DEC_1_10AM, TZ, True, now),
        "booking_without_email": catalog.booking_confirmation(DEC_1_10AM, TZ, False, now),
        "callback": catalog.callback_ack(),
        "callback_when": catalog.callback_ack("tomorrow morning"),
        "opt_out": catalog.opt_out_ack(),
        "not_interested": catalog.not_interested_ack(),
        "goodbye": catalog.goodbye(),
        "goodbye_after_booking": catalog.goodbye_after_booking(),
        "who_are_you": catalog.who_are_you(),
        "are_you_a_bot": catalog.are_you_a_bot(),
        "price": catalog.price(),
        "fallback": catalog.fallback(),
        "technical_goodbye": catalog.technical_goodbye(),
        "voicemail": catalog.voicemail("Dana Cohen"),
    }


def test_every_hebrew_method_has_an_english_twin_with_the_same_parameters() -> None:
    hebrew, english = public_members(HebrewCatalog), public_members(EnglishCatalog)
    assert hebrew.keys() <= english.keys(), hebrew.keys() - english.keys()
    for name, member in hebrew.items():
        twin = english[name]
        if isinstance(member, property):
            assert isinstance(twin, property), name
        elif callable(member):
            assert callable(twin), name
            assert inspect.signature(twin) == inspect.signature(member), name


def test_constructor_takes_the_hebrew_catalogs_arguments() -> None:
    def shape(cls: type) -> list[tuple[str, object]]:
        return [(field.name, field.default) for field in dataclasses.fields(cls)]

    assert shape(EnglishCatalog) == shape(HebrewCatalog)


@pytest.mark.parametrize(("agent", "lead"), GENDERS)
def test_every_line_is_plain_english(agent: Gender, lead: LeadGender) -> None:
    for key, line in all_lines(EnglishCatalog(agent, lead)).items():
        assert line.strip() == line and line, key
        assert not HEBREW.search(line), key
        assert line[-1] in ".!?", key
        assert "  " not in line, key


@pytest.mark.parametrize("agent", ["female", "male"])
def test_gender_does_not_show_in_english(agent: Gender) -> None:
    assert all_lines(EnglishCatalog(agent, "female")) == all_lines(EnglishCatalog(agent, "male"))


def test_an_unknown_lead_is_asked_as_the_hebrew_asks_them() -> None:
    known, unknown = EnglishCatalog(lead_gender="female"), EnglishCatalog()
    assert known.greeting("Dana").endswith("Are you free for a minute?")
    assert unknown.greeting("Dana").endswith("Is this a good time to talk?")
    assert "get back to you" in known.callback_ack()
    assert "call again" in unknown.callback_ack()


def test_greeting_discloses_ai_and_recording_and_names_the_lead_and_company() -> None:
    line = EnglishCatalog().greeting("Dana Cohen", "Joe's Coffee")
    assert line.startswith("Hi Dana, this is Noa from the Alta team.")
    assert "AI" in line and "recorded" in line
    assert "companies like Joe's Coffee" in line
    assert EnglishCatalog().greeting(None).startswith("Hi, this is Noa")


def test_agent_name_follows_gender_unless_given() -> None:
    assert EnglishCatalog("male").name == "Noam"
    assert EnglishCatalog(agent_name="Maya").who_are_you().startswith("I'm Maya,")


def test_bot_answer_is_honest() -> None:
    line = EnglishCatalog().are_you_a_bot()
    assert line.startswith("Yes, I'm an AI")
    assert "on behalf of Alta's sales team" in line


def test_slot_wording_matches_the_slot_label() -> None:
    assert slot_phrase(DEC_1_10AM, TZ) == "Tuesday, December 1 at 10:00"
    assert slot_phrase(DEC_1_10AM, TZ) == format_label(DEC_1_10AM.astimezone(TZ))
    assert time_phrase(DEC_2_1430, TZ) == "at 14:30"


def test_slot_offer_names_both_slots_in_israel_time() -> None:
    line = EnglishCatalog().slot_offer(DEC_1_10AM, DEC_2_1430, TZ)
    assert "Tuesday, December 1 at 10:00, or Wednesday, December 2 at 14:30" in line


def test_same_day_slots_say_the_day_once() -> None:
    line = EnglishCatalog().other_slots_offer(DEC_1_10AM, DEC_1_2PM, TZ)
    assert line == "No problem, so maybe Tuesday, December 1 at 10:00 or at 14:00?"


def test_today_and_tomorrow_lead_the_date() -> None:
    assert date_phrase(DEC_1_10AM, TZ, MONDAY_NOON) == "tomorrow, Tuesday, December 1"
    assert date_phrase(DEC_1_2PM, TZ, DEC_1_10AM) == "today, Tuesday, December 1"
    assert date_phrase(DEC_2_1430, TZ, MONDAY_NOON) == "Wednesday, December 2"
    booked = EnglishCatalog().booking_confirmation(DEC_1_10AM, TZ, True, MONDAY_NOON)
    assert booked.startswith("Great, we're booked for tomorrow, Tuesday, December 1 at 10:00.")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(datetime(2026, 12, 1, 10, 0), TZ)


def test_callback_ack_uses_the_time_given() -> None:
    assert EnglishCatalog().callback_ack("tomorrow at 10:00") == (
        "No problem at all, we'll call again tomorrow at 10:00. Thanks!"
    )
    assert "at a better time" in EnglishCatalog().callback_ack("  ")
