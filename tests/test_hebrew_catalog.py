"""The Hebrew catalog: Israel-time date wording, gender agreement, lines fit for the phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from app.language.he import (
    BRAND,
    GLOSSARY,
    Gender,
    HebrewCatalog,
    LeadGender,
    as_lead_gender,
    date_phrase,
    first_name,
    slot_phrase,
    time_phrase,
)

TZ = ZoneInfo("Asia/Jerusalem")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Tuesday 1 December 2026, 10:00 in Israel (winter, UTC+2).
DEC_1_10AM = utc(2026, 12, 1, 8, 0)
DEC_1_2PM = utc(2026, 12, 1, 12, 0)
DEC_2_1430 = utc(2026, 12, 2, 12, 30)


def all_lines(catalog: HebrewCatalog, *, now: datetime | None = None) -> dict[str, str]:
    """Every line the catalog can say, with plausible arguments."""
    questions = catalog.qualifying_questions()
    return {
        "greeting": catalog.greeting("דנה כהן", "קפה ג'ו"),
        "greeting_no_company": catalog.greeting("דנה", None),
        "reprompt_1": catalog.reprompt(1),
        "reprompt_2": catalog.reprompt(2),
        "reprompt_3": catalog.reprompt(3),
        "question_1": questions[0],
        "question_2": questions[1],
        "question_3": questions[2],
        "pitch": catalog.pitch(),
        "slot_offer": catalog.slot_offer(DEC_1_10AM, DEC_2_1430, TZ, now),
        "slot_offer_same_day": catalog.slot_offer(DEC_1_10AM, DEC_1_2PM, TZ, now),
        "other_slots_offer": catalog.other_slots_offer(DEC_1_2PM, DEC_2_1430, TZ, now),
        "slot_taken": catalog.slot_taken(DEC_2_1430, TZ, now),
        "booking_with_email": catalog.booking_confirmation(DEC_1_10AM, TZ, True, now),
        "booking_without_email": catalog.booking_confirmation(DEC_1_10AM, TZ, False, now),
        "callback": catalog.callback_ack(),
        "callback_when": catalog.callback_ack("מחר בבוקר"),
        "opt_out": catalog.opt_out_ack(),
        "not_interested": catalog.not_interested_ack(),
        "goodbye": catalog.goodbye(),
        "goodbye_after_booking": catalog.goodbye_after_booking(),
        "who_are_you": catalog.who_are_you(),
        "are_you_a_bot": catalog.are_you_a_bot(),
        "price": catalog.price(),
        "fallback": catalog.fallback(),
        "technical_goodbye": catalog.technical_goodbye(),
        "voicemail": catalog.voicemail("דנה"),
    }


AGENTS: tuple[Gender, ...] = ("female", "male")
LEADS: tuple[LeadGender, ...] = ("female", "male", None)
EVERY_CATALOG = [HebrewCatalog(agent, lead) for agent, lead in product(AGENTS, LEADS)]


def words(text: str) -> set[str]:
    return set(re.findall(r"[\u05d0-\u05ea']+", text))


# Second-person forms that give the lead's gender away. The accusative particle is spelled like the
# pronoun "את", so the catalog avoids it altogether and "את" always means "you (f)".
FEMININE_YOU = {"את", "פנויה", "שומעת", "תגידי", "מעוניינת", "מעדיפה", "אלייך", "תצטרכי"}
MASCULINE_YOU = {"אתה", "פנוי", "שומע", "תגיד", "מעוניין", "מעדיף", "אליך", "תצטרך"}


# --- date and time wording -------------------------------------------------------------------


def test_the_example_slot_converts_from_utc_to_israel_time() -> None:
    assert slot_phrase(DEC_1_10AM, TZ) == "יום שלישי, 1 בדצמבר, בשעה 10:00"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Israel moves to summer time at 02:00 on Friday 27 March 2026.
        (utc(2026, 3, 26, 23, 30), "יום שישי, 27 במרץ, בשעה 1:30"),
        (utc(2026, 3, 27, 7, 0), "יום שישי, 27 במרץ, בשעה 10:00"),
        (utc(2026, 3, 29, 8, 0), "יום ראשון, 29 במרץ, בשעה 11:00"),
        # ... and back to winter time at 02:00 on Sunday 25 October 2026.
        (utc(2026, 10, 24, 8, 0), "יום שבת, 24 באוקטובר, בשעה 11:00"),
        (utc(2026, 10, 26, 8, 0), "יום שני, 26 באוקטובר, בשעה 10:00"),
        # Late evening UTC is already the next day (and year) in Israel.
        (utc(2026, 12, 31, 22, 30), "יום שישי, 1 בינואר, בשעה 0:30"),
        (utc(2026, 6, 4, 13, 5), "יום חמישי, 4 ביוני, בשעה 16:05"),
    ],
)
def test_weekday_month_and_time_in_israel(instant: datetime, expected: str) -> None:
    assert slot_phrase(instant, TZ) == expected


def test_every_month_and_weekday_has_its_spoken_form() -> None:
    months = {date_phrase(utc(2026, month, 15, 10), TZ).split(" ")[-1] for month in range(1, 13)}
    assert months == {
        "בינואר",
        "בפברואר",
        "במרץ",
        "באפריל",
        "במאי",
        "ביוני",
        "ביולי",
        "באוגוסט",
        "בספטמבר",
        "באוקטובר",
        "בנובמבר",
        "בדצמבר",
    }
    # 29 November 2026 is a Sunday.
    sunday = utc(2026, 11, 29, 10)
    weekdays = [date_phrase(sunday + timedelta(days=n), TZ).split(",")[0] for n in range(7)]
    assert weekdays == [
        "יום ראשון",
        "יום שני",
        "יום שלישי",
        "יום רביעי",
        "יום חמישי",
        "יום שישי",
        "יום שבת",
    ]


def test_time_phrase_is_local() -> None:
    assert time_phrase(DEC_2_1430, TZ) == "בשעה 14:30"


def test_today_and_tomorrow_are_judged_by_the_israeli_calendar() -> None:
    # 23:59 on 30 November in Israel: the 10:00 slot on 1 December is tomorrow.
    late_evening = utc(2026, 11, 30, 21, 59)
    assert slot_phrase(DEC_1_10AM, TZ, late_evening) == "מחר, יום שלישי, 1 בדצמבר, בשעה 10:00"
    # 00:30 on 1 December in Israel (still 30 November in UTC): the same slot is today.
    after_midnight = utc(2026, 11, 30, 22, 30)
    assert slot_phrase(DEC_1_10AM, TZ, after_midnight) == "היום, יום שלישי, 1 בדצמבר, בשעה 10:00"
    # The day after tomorrow, and a slot in the past, get no relative word.
    assert slot_phrase(DEC_1_10AM, TZ, late_evening - timedelta(days=1)).startswith("יום שלישי")
    assert slot_phrase(DEC_1_10AM, TZ, utc(2026, 12, 5, 8)).startswith("יום שלישי")


def test_brief_example_for_tomorrow() -> None:
    now = utc(2026, 12, 1, 9, 0)
    assert slot_phrase(DEC_2_1430, TZ, now) == "מחר, יום רביעי, 2 בדצמבר, בשעה 14:30"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(datetime(2026, 12, 1, 10, 0), TZ)
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(DEC_1_10AM, TZ, datetime(2026, 12, 1, 9, 0))


# --- slot lines ------------------------------------------------------------------------------


def test_slot_offer_names_both_slots_and_asks() -> None:
    line = HebrewCatalog("female", "female").slot_offer(DEC_1_10AM, DEC_2_1430, TZ)
    assert "יום שלישי, 1 בדצמבר, בשעה 10:00" in line
    assert "יום רביעי, 2 בדצמבר, בשעה 14:30" in line
    assert line.endswith("?")


def test_slot_offer_on_one_day_says_the_day_once() -> None:
    now = utc(2026, 11, 30, 9, 0)
    line = HebrewCatalog().slot_offer(DEC_1_10AM, DEC_1_2PM, TZ, now)
    assert "מחר, יום שלישי, 1 בדצמבר, בשעה 10:00 או בשעה 14:00" in line
    assert line.count("יום שלישי") == 1


def test_booking_confirmation_mentions_the_invite_only_when_there_is_an_email() -> None:
    catalog = HebrewCatalog("female", "female")
    with_email = catalog.booking_confirmation(DEC_1_10AM, TZ, email_known=True)
    without_email = catalog.booking_confirmation(DEC_1_10AM, TZ, email_known=False)
    assert with_email.startswith("מעולה, קבענו ליום שלישי, 1 בדצמבר, בשעה 10:00.")
    assert "זימון למייל" in with_email
    assert "מייל" not in without_email
    tomorrow = catalog.booking_confirmation(DEC_1_10AM, TZ, True, utc(2026, 11, 30, 9))
    assert tomorrow.startswith("מעולה, קבענו למחר, יום שלישי")


def test_slot_taken_offers_the_alternative() -> None:
    line = HebrewCatalog().slot_taken(DEC_2_1430, TZ)
    assert "נתפסה" in line
    assert "יום רביעי, 2 בדצמבר, בשעה 14:30" in line


# --- gender agreement ------------------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_female_lead_is_addressed_in_the_feminine(agent: Gender) -> None:
    lines = all_lines(HebrewCatalog(agent, "female"))
    for key, line in lines.items():
        assert not words(line) & MASCULINE_YOU, key
    said = set().union(*(words(line) for line in lines.values()))
    assert {"את", "פנויה", "מעוניינת", "אלייך", "מעדיפה"} <= said


@pytest.mark.parametrize("agent", AGENTS)
def test_male_lead_is_addressed_in_the_masculine(agent: Gender) -> None:
    lines = all_lines(HebrewCatalog(agent, "male"))
    for key, line in lines.items():
        assert not words(line) & FEMININE_YOU, key
    said = set().union(*(words(line) for line in lines.values()))
    assert {"אתה", "פנוי", "מעוניין", "אליך", "מעדיף"} <= said


@pytest.mark.parametrize("agent", AGENTS)
def test_unknown_lead_hears_no_gendered_second_person(agent: Gender) -> None:
    for key, line in all_lines(HebrewCatalog(agent, None)).items():
        assert not words(line) & (FEMININE_YOU | MASCULINE_YOU), key


@pytest.mark.parametrize("lead", LEADS)
def test_agent_speaks_in_its_own_gender(lead: LeadGender) -> None:
    female = " ".join(all_lines(HebrewCatalog("female", lead)).values())
    male = " ".join(all_lines(HebrewCatalog("male", lead)).values())
    assert {"מתקשרת", "עוזרת", "דיגיטלית", "שולחת", "מבינה"} <= words(female)
    assert not {"מתקשר", "עוזר", "שולח", "מבין"} & words(female)
    assert {"מתקשר", "עוזר", "דיגיטלי", "שולח", "מבין"} <= words(male)
    assert not {"מתקשרת", "עוזרת", "שולחת", "מבינה"} & words(male)


def test_agent_name_follows_the_voice_unless_given() -> None:
    assert "זאת נועה" in HebrewCatalog("female").greeting("דנה")
    assert "זה נועם" in HebrewCatalog("male").greeting("דנה")
    assert "זאת מיכל" in HebrewCatalog("female", agent_name="מיכל").greeting("דנה")


# --- the greeting ----------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_greeting_has_name_disclosure_and_recording_notice(catalog: HebrewCatalog) -> None:
    line = catalog.greeting("דנה כהן", "קפה ג'ו")
    assert line.startswith("היי דנה,")
    assert "כהן" not in line
    assert "בינה מלאכותית" in line
    assert "השיחה מוקלטת" in line
    assert f"מהצוות של {BRAND}" in line
    assert "קפה ג'ו" in line
    assert line.endswith("?")


def test_greeting_without_a_name_or_company_still_reads() -> None:
    line = HebrewCatalog().greeting(None, None)
    assert line.startswith("היי, זאת נועה")
    assert "כמו" in line  # "סוכנים דיגיטליים כמוני", not a dangling company


# --- every line is fit for the phone ---------------------------------------------------------


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_every_line_is_short_hebrew_without_latin_or_niqqud(catalog: HebrewCatalog) -> None:
    for key, line in all_lines(catalog, now=utc(2026, 11, 30, 9)).items():
        assert line.strip() == line and line, key
        assert len(line) < 220, (key, len(line))
        assert not re.search(r"[A-Za-z]", line), key
        assert not re.search(r"[\u0591-\u05c7]", line), key  # niqqud and cantillation
        assert "  " not in line, key
        assert line[-1] in ".?!", key


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_brand_never_takes_a_one_letter_prefix(catalog: HebrewCatalog) -> None:
    for key, line in all_lines(catalog).items():
        for word in words(line):
            assert not (word.endswith(BRAND) and word != BRAND), (key, word)  # "מאלטה" is Malta


def test_reprompts_vary_and_settle_on_the_last() -> None:
    catalog = HebrewCatalog("female", None)
    variants = [catalog.reprompt(n) for n in (1, 2, 3)]
    assert len(set(variants)) == 3
    assert catalog.reprompt(0) == variants[0]
    assert catalog.reprompt(7) == variants[2]


def test_callback_uses_the_given_time_words() -> None:
    assert HebrewCatalog("female", "female").callback_ack("מחר בבוקר") == (
        "בסדר גמור, נחזור אלייך מחר בבוקר. תודה!"
    )
    assert HebrewCatalog("female", None).callback_ack() == (
        "בסדר גמור, נתקשר שוב בזמן שנוח יותר. תודה!"
    )


# --- glossary and helpers --------------------------------------------------------------------


def test_glossary_fixes_brand_and_terms() -> None:
    assert GLOSSARY["Alta"] == BRAND == "אלטה"
    assert GLOSSARY["SDR"] == "SDR"
    assert GLOSSARY["AI agent"] == "סוכן בינה מלאכותית"
    assert GLOSSARY["meeting"] == "פגישה"
    for term, hebrew in GLOSSARY.items():
        assert hebrew, term
        assert term == "SDR" or term == "SDRs" or not re.search(r"[A-Za-z]", hebrew), term


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("female", "female"), ("male", "male"), (None, None), ("", None), ("other", None)],
)
def test_stored_gender_is_read_safely(stored: str | None, expected: LeadGender) -> None:
    assert as_lead_gender(stored) == expected


def test_first_name() -> None:
    assert first_name("  דנה   כהן ") == "דנה"
    assert first_name("") == ""
    assert first_name(None) == ""
