"""The Hebrew catalog: times and days in words, gender agreement, short lines fit for the phone,
and the notices the law expects (advertising, AI, recording, how to refuse, source of the data)."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from app.language.foreign import APOLOGY, APOLOGY_EN
from app.language.he import (
    BRAND,
    GLOSSARY,
    Gender,
    HebrewCatalog,
    LeadGender,
    as_lead_gender,
    clock_words,
    date_phrase,
    digits_words,
    first_name,
    slot_phrase,
    spoken_times,
    time_phrase,
    word_count,
)

TZ = ZoneInfo("Asia/Jerusalem")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# Tuesday 24 November 2026, 10:00 in Israel: the suite's frozen clock.
NOW = local(2026, 11, 24, 10)
TOMORROW_1430 = local(2026, 11, 25, 14, 30)  # Wednesday
IN_3_DAYS_10 = local(2026, 11, 27, 10)  # Friday
IN_9_DAYS_0930 = local(2026, 12, 3, 9, 30)  # Thursday
TOMORROW_1530 = local(2026, 11, 25, 15, 30)
SUNDAY_9, MONDAY_9 = local(2026, 11, 29, 9), local(2026, 11, 30, 9)

DIGIT_COLON_TIME = re.compile(r"\d\s*:\s*\d")
NIQQUD = re.compile(r"[\u0591-\u05c7]")
LATIN = re.compile(r"[A-Za-z]")
# Second-person suffixes whose gender only the vowels show, and "רוצה" (rotze / rotza).
VOWEL_GENDER = {"לך", "שלך", "אותך", "איתך", "בשבילך", "רוצה"}


def all_lines(catalog: HebrewCatalog, now: datetime | None = NOW) -> dict[str, str]:
    """Every line the catalog can say, keyed "method" or "method:case", with plausible arguments."""
    questions = catalog.qualifying_questions()
    near, same_day, far = (
        (TOMORROW_1430, IN_3_DAYS_10),
        (TOMORROW_1430, TOMORROW_1530),
        (IN_3_DAYS_10, IN_9_DAYS_0930),
    )
    lines = {
        "greeting": catalog.greeting("דנה כהן", "קפה ג'ו"),
        "greeting:no_company": catalog.greeting("דנה", None),
        "greeting:latin_name": catalog.greeting("David Cohen", "Acme"),
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
        "number_source:none": catalog.number_source(None),
        "number_source:latin": catalog.number_source("LinkedIn"),
        "send_email:known": catalog.send_email(True),
        "send_email:unknown": catalog.send_email(False),
        "already_have_solution": catalog.already_have_solution(),
        "decision_maker_question": catalog.decision_maker_question(),
        "slot_offer": catalog.slot_offer(*near, TZ, now),
        "slot_offer:same_day": catalog.slot_offer(*same_day, TZ, now),
        "slot_offer:same_time": catalog.slot_offer(SUNDAY_9, MONDAY_9, TZ, now),
        "slot_offer:far": catalog.slot_offer(*far, TZ, now),
        "other_slots_offer": catalog.other_slots_offer(*near, TZ, now),
        "short_offer": catalog.short_offer(*near, TZ, now),
        "short_offer:same_day": catalog.short_offer(*same_day, TZ, now),
        "requested_offer": catalog.requested_offer(*near, TZ, now),
        "requested_offer:same_day": catalog.requested_offer(*same_day, TZ, now),
        "requested_single": catalog.requested_single(IN_3_DAYS_10, TZ, now),
        "nothing_then": catalog.nothing_then(
            catalog.when_words(3, "morning", None, None), *near, TZ, now
        ),
        "nothing_then:blank": catalog.nothing_then("", *near, TZ, now),
        "clarify_day": catalog.clarify_day(SUNDAY_9, MONDAY_9, TZ, now),
        "clarify_time": catalog.clarify_time(*same_day, TZ),
        "propose": catalog.propose(TOMORROW_1430, TZ, now),
        "propose:far": catalog.propose(IN_9_DAYS_0930, TZ, now),
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
        "callback_ack:when": catalog.callback_ack("מחר בבוקר"),
        "callback_ack:digits": catalog.callback_ack("מחר ב-10:30"),
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
        "voicemail": catalog.voicemail("דנה"),
        "voicemail:latin_name": catalog.voicemail("David"),
    }
    return lines


# `when_words` is a phrase inside a line, not a line: it is checked on its own.
NOT_A_LINE = {"when_words", "name"}

AGENTS: tuple[Gender, ...] = ("female", "male")
LEADS: tuple[LeadGender, ...] = ("female", "male", None)
CATALOGS = [
    HebrewCatalog(agent, lead, advertising=advertising, callback_number=number)
    for agent, lead in product(AGENTS, LEADS)
    for advertising, number in ((True, "+97235551234"), (False, None))
]
EVERY_CATALOG = [HebrewCatalog(agent, lead) for agent, lead in product(AGENTS, LEADS)]


def words(text: str) -> set[str]:
    return set(re.findall(r"[\u05d0-\u05ea'״]+", text))


# Second-person forms that give the lead's gender away. The accusative particle is spelled like the
# pronoun "את", so the catalog avoids it altogether and "את" always means "you (f)".
FEMININE_YOU = {
    "את",
    "פנויה",
    "שומעת",
    "תגידי",
    "מעוניינת",
    "מעדיפה",
    "אלייך",
    "תצטרכי",
    "יכולה",
    "תרצי",
}
MASCULINE_YOU = {
    "אתה",
    "פנוי",
    "שומע",
    "תגיד",
    "מעוניין",
    "מעדיף",
    "אליך",
    "תצטרך",
    "יכול",
    "תרצה",
}


def test_every_method_is_covered_by_all_lines() -> None:
    methods = {
        name
        for name, member in vars(HebrewCatalog).items()
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }
    covered = {key.split(":")[0] for key in all_lines(HebrewCatalog())}
    assert methods - NOT_A_LINE == covered


# --- times in words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (8, 0, "בשמונה בבוקר"),
        (9, 0, "בתשע בבוקר"),
        (10, 0, "בעשר בבוקר"),
        (11, 0, "באחת עשרה בבוקר"),
        (11, 30, "באחת עשרה וחצי בבוקר"),
        (12, 0, "בשתים עשרה בצהריים"),
        (12, 30, "בשתים עשרה וחצי בצהריים"),
        (13, 0, "באחת בצהריים"),
        (14, 30, "בשתיים וחצי בצהריים"),
        (15, 15, "בשלוש ורבע אחר הצהריים"),
        (16, 45, "ברבע לחמש אחר הצהריים"),
        (16, 30, "בארבע וחצי אחר הצהריים"),
        (17, 0, "בחמש בערב"),
        (18, 0, "בשש בערב"),
        (20, 0, "בשמונה בערב"),
        (21, 0, "בתשע בערב"),
        (10, 20, "בעשר ועשרים בבוקר"),
        (10, 40, "בעשרים לאחת עשרה בבוקר"),
        (9, 7, "בתשע ושבע דקות בבוקר"),
        (0, 30, "בשתים עשרה וחצי בלילה"),
        (23, 45, "ברבע לשתים עשרה בלילה"),
    ],
)
def test_time_is_said_as_israelis_say_it(hour: int, minute: int, said: str) -> None:
    assert time_phrase(local(2026, 11, 25, hour, minute), TZ) == said


def test_the_part_of_day_can_be_left_out_where_it_is_obvious() -> None:
    assert time_phrase(TOMORROW_1430, TZ, part=False) == "בשתיים וחצי"
    assert clock_words(9, 0) == "תשע"
    assert clock_words(21, 0, part=True) == "תשע בערב"


def test_time_phrase_converts_from_utc_to_israel_time() -> None:
    # 08:00 UTC on 1 December is 10:00 in Israel (winter, UTC+2) ...
    assert time_phrase(utc(2026, 12, 1, 8), TZ) == "בעשר בבוקר"
    # ... and 07:00 UTC on 27 March is 10:00 (summer time began at 02:00 that morning).
    assert time_phrase(utc(2026, 3, 27, 7), TZ) == "בעשר בבוקר"
    assert time_phrase(utc(2026, 3, 26, 23, 30), TZ) == "באחת וחצי בלילה"
    # Back to winter time on Sunday 25 October: 08:00 UTC is 10:00 again the day after.
    assert time_phrase(utc(2026, 10, 24, 8), TZ) == "באחת עשרה בבוקר"
    assert time_phrase(utc(2026, 10, 26, 8), TZ) == "בעשר בבוקר"


# --- days in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (0, "היום"),
        (1, "מחר"),
        (2, "מחרתיים"),
        (3, "ביום שישי"),
        (5, "ביום ראשון"),
        (6, "ביום שני"),
        (7, "ביום שלישי, אחד בדצמבר"),
        (20, "ביום שני, ארבעה עשר בדצמבר"),
        (21, "ביום שלישי, חמישה עשר בדצמבר"),
        (-1, "ביום שני, עשרים ושלושה בנובמבר"),
    ],
)
def test_days_are_relative_within_the_week_and_dated_a_week_ahead(days: int, said: str) -> None:
    assert date_phrase(NOW + timedelta(days=days), TZ, NOW) == said


def test_full_date_only_seven_or_more_days_ahead() -> None:
    for days in range(30):
        slot = NOW + timedelta(days=days, hours=4)
        phrase = slot_phrase(slot, TZ, NOW)
        dated = any(month in phrase for month in ("בנובמבר", "בדצמבר"))
        assert dated == (days >= 7), (days, phrase)


def test_without_now_the_full_date_is_said() -> None:
    assert slot_phrase(utc(2026, 12, 1, 8), TZ) == "ביום שלישי, אחד בדצמבר, בעשר בבוקר"
    assert date_phrase(utc(2026, 12, 31, 22, 30), TZ) == "ביום שישי, אחד בינואר"


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
    sunday = utc(2026, 11, 29, 10)
    weekdays = [date_phrase(sunday + timedelta(days=n), TZ).split(",")[0] for n in range(7)]
    assert weekdays == [
        "ביום ראשון",
        "ביום שני",
        "ביום שלישי",
        "ביום רביעי",
        "ביום חמישי",
        "ביום שישי",
        "ביום שבת",
    ]


def test_every_day_of_the_month_is_said_in_words() -> None:
    said = [date_phrase(local(2026, 12, day, 10), TZ).split(", ")[1] for day in range(1, 32)]
    assert said[0] == "אחד בדצמבר"
    assert said[1] == "שניים בדצמבר"
    assert said[11] == "שנים עשר בדצמבר"
    assert said[21] == "עשרים ושניים בדצמבר"
    assert said[30] == "שלושים ואחד בדצמבר"
    assert not any(re.search(r"\d", phrase) for phrase in said)


def test_today_and_tomorrow_are_judged_by_the_israeli_calendar() -> None:
    slot = utc(2026, 12, 1, 8)  # 10:00 on Tuesday 1 December in Israel
    # 23:59 on 30 November in Israel: the slot is tomorrow.
    assert slot_phrase(slot, TZ, utc(2026, 11, 30, 21, 59)) == "מחר בעשר בבוקר"
    # 00:30 on 1 December in Israel (still 30 November in UTC): the same slot is today.
    assert slot_phrase(slot, TZ, utc(2026, 11, 30, 22, 30)) == "היום בעשר בבוקר"


def test_slot_phrase_forms() -> None:
    assert slot_phrase(TOMORROW_1430, TZ, NOW) == "מחר בשתיים וחצי בצהריים"
    assert slot_phrase(IN_3_DAYS_10, TZ, NOW) == "ביום שישי בעשר בבוקר"
    assert slot_phrase(IN_9_DAYS_0930, TZ, NOW) == "ביום חמישי, שלושה בדצמבר, בתשע וחצי בבוקר"
    assert slot_phrase(TOMORROW_1430, TZ, NOW, to=True, weekday=True) == (
        "למחר, יום רביעי, בשתיים וחצי בצהריים"
    )
    assert slot_phrase(IN_3_DAYS_10, TZ, NOW, to=True) == "ליום שישי בעשר בבוקר"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(datetime(2026, 12, 1, 10, 0), TZ)
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_phrase(utc(2026, 12, 1, 8), TZ, datetime(2026, 12, 1, 9, 0))


# Every half hour from 8:00 to 20:00, today, tomorrow, in 2, 6, 7 and 20 days.
GRID = [
    NOW.replace(hour=8, minute=0) + timedelta(days=days, minutes=30 * step)
    for days in (0, 1, 2, 6, 7, 20)
    for step in range(25)
]


def slot_lines(catalog: HebrewCatalog, first: datetime, second: datetime) -> list[str]:
    return [
        catalog.slot_offer(first, second, TZ, NOW),
        catalog.other_slots_offer(first, second, TZ, NOW),
        catalog.short_offer(first, second, TZ, NOW),
        catalog.requested_offer(first, second, TZ, NOW),
        catalog.requested_single(first, TZ, NOW),
        catalog.nothing_then("בבוקר", first, second, TZ, NOW),
        catalog.clarify_day(first, second, TZ, NOW),
        catalog.clarify_time(first, second, TZ),
        catalog.propose(first, TZ, NOW),
        catalog.slot_taken(first, TZ, NOW),
        catalog.booking_confirmation(first, TZ, True, NOW),
        catalog.booking_confirmation(first, TZ, False, NOW),
        slot_phrase(first, TZ, NOW),
        slot_phrase(first, TZ),
    ]


@pytest.mark.parametrize("catalog", EVERY_CATALOG[:3])
def test_no_digits_in_any_slot_line_over_the_grid(catalog: HebrewCatalog) -> None:
    for first in GRID:
        for second in (first + timedelta(hours=2), first + timedelta(days=1), GRID[-1]):
            for line in slot_lines(catalog, first, second):
                assert not DIGIT_COLON_TIME.search(line), line
                assert not re.search(r"\d", line), line
                assert not LATIN.search(line), line


def test_slot_lines_stay_short_over_the_grid() -> None:
    catalog = HebrewCatalog("female", "female")
    near = [slot for slot in GRID if slot.date() < (NOW + timedelta(days=7)).date()]
    for first in near:
        for second in (first + timedelta(hours=2), first + timedelta(days=1)):
            for line in slot_lines(catalog, first, second):
                assert word_count(line) <= 22, line
    for first in GRID:
        for line in slot_lines(catalog, first, GRID[-1]):
            assert word_count(line) <= 28, line


# --- slot lines ------------------------------------------------------------------------------


def test_slot_offer_names_both_slots_and_asks() -> None:
    line = HebrewCatalog("female", "female").slot_offer(TOMORROW_1430, IN_3_DAYS_10, TZ, NOW)
    assert line == (
        "אשמח לקבוע פגישה קצרה עם נציג. מה עדיף, מחר בשתיים וחצי בצהריים, או ביום שישי בעשר בבוקר?"
    )


def test_slots_on_one_day_say_the_day_once_and_slots_at_one_time_the_time_once() -> None:
    catalog = HebrewCatalog()
    same_day = catalog.other_slots_offer(TOMORROW_1430, TOMORROW_1530, TZ, NOW)
    assert same_day == ("אין בעיה, אז אולי מחר בשתיים וחצי בצהריים, או בשלוש וחצי אחר הצהריים?")
    same_time = catalog.short_offer(SUNDAY_9, MONDAY_9, TZ, NOW)
    assert same_time == "ביום ראשון או ביום שני, בתשע?"


def test_short_offer_is_as_short_as_it_gets() -> None:
    line = HebrewCatalog().short_offer(TOMORROW_1430, IN_3_DAYS_10, TZ, NOW)
    assert line == "מחר בשתיים וחצי, או ביום שישי בעשר?"


def test_requested_lines() -> None:
    catalog = HebrewCatalog("female", "female")
    friday_2pm = IN_3_DAYS_10 + timedelta(hours=4)
    assert catalog.requested_offer(IN_3_DAYS_10, friday_2pm, TZ, NOW) == (
        "בשמחה. ביום שישי יש לי בעשר בבוקר, או בשתיים בצהריים. מה את מעדיפה?"
    )
    assert catalog.requested_single(IN_9_DAYS_0930, TZ, NOW) == (
        "בשמחה. יש לי ביום חמישי, שלושה בדצמבר, בתשע וחצי בבוקר. מתאים?"
    )
    asked = catalog.when_words(3, "morning", None, None)
    assert catalog.nothing_then(asked, TOMORROW_1430, IN_3_DAYS_10, TZ, NOW) == (
        "ביום חמישי בבוקר אין לי מקום, לצערי. "
        "הכי קרוב: מחר בשתיים וחצי בצהריים, או ביום שישי בעשר בבוקר?"
    )


@pytest.mark.parametrize(
    ("weekday", "part", "hour", "minute", "said"),
    [
        (3, None, None, None, "ביום חמישי"),
        (3, "morning", None, None, "ביום חמישי בבוקר"),
        (None, "evening", None, None, "בערב"),
        (None, "afternoon", None, None, "אחר הצהריים"),
        (None, None, 16, 30, "בארבע וחצי"),
        (None, None, 9, None, "בתשע"),
        (6, None, 10, 0, "ביום ראשון בעשר"),
        (None, "noon", 12, 30, "בשתים עשרה וחצי בצהריים"),
        (None, None, None, None, ""),
    ],
)
def test_when_words(
    weekday: int | None, part: str | None, hour: int | None, minute: int | None, said: str
) -> None:
    assert HebrewCatalog().when_words(weekday, part, hour, minute) == said


def test_clarifying_questions_name_the_difference() -> None:
    catalog = HebrewCatalog()
    assert catalog.clarify_day(SUNDAY_9, MONDAY_9, TZ, NOW) == "רק לוודא, ביום ראשון או ביום שני?"
    assert catalog.clarify_day(TOMORROW_1430, IN_3_DAYS_10, TZ, NOW) == (
        "רק לוודא, מחר או ביום שישי?"
    )
    assert catalog.clarify_time(TOMORROW_1430, TOMORROW_1530, TZ) == (
        "רק לוודא, בשתיים וחצי או בשלוש וחצי?"
    )
    # Asked of two slots on one day, clarify_day names the times instead.
    assert catalog.clarify_day(TOMORROW_1430, TOMORROW_1530, TZ, NOW) == (
        catalog.clarify_time(TOMORROW_1430, TOMORROW_1530, TZ)
    )
    # Same time on different days: the weekday tells them apart.
    assert catalog.clarify_time(SUNDAY_9, MONDAY_9, TZ) == "רק לוודא, ביום ראשון או ביום שני?"


def test_propose_is_one_concrete_slot() -> None:
    catalog = HebrewCatalog()
    assert catalog.propose(TOMORROW_1430, TZ, NOW) == "אז נקבע למחר בשתיים וחצי בצהריים?"
    assert catalog.propose(SUNDAY_9, TZ, NOW) == "אז נקבע ליום ראשון בתשע בבוקר?"


def test_booking_confirmation_mentions_the_invite_only_when_there_is_an_email() -> None:
    catalog = HebrewCatalog("female", "female")
    with_email = catalog.booking_confirmation(TOMORROW_1430, TZ, True, NOW)
    without_email = catalog.booking_confirmation(TOMORROW_1430, TZ, False, NOW)
    assert with_email == (
        "מעולה, קבענו למחר, יום רביעי, בשתיים וחצי בצהריים. אני שולחת עכשיו זימון למייל."
    )
    assert "מייל" not in without_email
    assert "אלייך" in without_email
    far = catalog.booking_confirmation(IN_9_DAYS_0930, TZ, True, NOW)
    assert far.startswith("מעולה, קבענו ליום חמישי, שלושה בדצמבר, בתשע וחצי בבוקר.")


def test_slot_taken_offers_the_alternative() -> None:
    line = HebrewCatalog().slot_taken(IN_3_DAYS_10, TZ, NOW)
    assert "נתפסה" in line
    assert "ביום שישי בעשר בבוקר" in line


# --- the greeting ----------------------------------------------------------------------------

NAMES = ["דנה כהן", "דנה", None, "David Cohen", "  "]
COMPANIES = ["קפה ג'ו", "טבע", None, "Acme Ltd", "חברת הביטוח הישראלית הגדולה"]


@pytest.mark.parametrize(("agent", "lead"), list(product(AGENTS, LEADS)))
@pytest.mark.parametrize("advertising", [True, False])
def test_greeting_is_at_most_25_words(agent: Gender, lead: LeadGender, advertising: bool) -> None:
    catalog = HebrewCatalog(agent, lead, advertising=advertising)
    for name, company in product(NAMES, COMPANIES):
        line = catalog.greeting(name, company)
        assert word_count(line) <= 25, (word_count(line), line)
        assert line.endswith("?"), line
        assert not LATIN.search(line), line


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_advertising_greeting_opens_with_the_notice_and_says_how_to_refuse(
    catalog: HebrewCatalog,
) -> None:
    line = catalog.greeting("דנה כהן", "קפה ג'ו")
    assert line.startswith(f"פרסומת מטעם {BRAND}. היי דנה,")
    assert "כהן" not in line
    assert "בינה מלאכותית" in line
    assert "השיחה מוקלטת" in line
    assert "ונוריד מהרשימה" in line
    assert catalog.name in line


def test_the_advertiser_is_named_as_set() -> None:
    line = HebrewCatalog(advertiser="שיווק ישיר").greeting("דנה")
    assert line.startswith("פרסומת מטעם שיווק ישיר.")
    assert HebrewCatalog(advertiser="Acme").greeting("דנה").startswith(f"פרסומת מטעם {BRAND}.")


def test_greeting_without_advertising_names_the_team_and_what_we_do() -> None:
    catalog = HebrewCatalog("female", "female", advertising=False)
    line = catalog.greeting("דנה כהן", "טבע")
    assert "פרסומת" not in line
    assert line.startswith(f"היי דנה, זאת נועה מהצוות של {BRAND},")
    assert "כמו טבע" in line
    assert "השיחה מוקלטת" in line
    # A company name that would push the greeting past 25 words is left out.
    assert "כמו קפה ג'ו" in catalog.greeting("דנה", "קפה ג'ו")
    assert "כמו" not in catalog.greeting("דנה", "חברת הביטוח הישראלית")
    assert "Acme" not in catalog.greeting("דנה", "Acme")


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_a_latin_name_is_never_put_into_a_hebrew_line(catalog: HebrewCatalog) -> None:
    greeting = catalog.greeting("David Cohen", None)
    assert "היי, " in greeting
    assert not LATIN.search(greeting)
    voicemail = catalog.voicemail("Dana")
    assert "היי, " in voicemail
    assert not LATIN.search(voicemail)
    assert "היי דנה," in catalog.greeting("דנה", None)


def test_agent_name_follows_the_voice_unless_given() -> None:
    assert "זאת נועה" in HebrewCatalog("female").greeting("דנה")
    assert "זה נועם" in HebrewCatalog("male").greeting("דנה")
    assert "זאת מיכל" in HebrewCatalog("female", agent_name="מיכל").greeting("דנה")
    # A Latin-letter name cannot be read by the Hebrew voice: the voice's own name is said.
    assert HebrewCatalog("female", agent_name="Michal").name == "נועה"
    assert HebrewCatalog("male").agent_name_answer().startswith("קוראים לי נועם.")


# --- the other notices -----------------------------------------------------------------------


def test_number_source_says_the_source_and_offers_removal() -> None:
    catalog = HebrewCatalog("female", "female")
    assert catalog.number_source("השארת פרטים באתר") == (
        "לפי מה שרשום אצלנו, המקור הוא השארת פרטים באתר. תרצי שנוריד מהרשימה?"
    )
    generic = catalog.number_source(None)
    assert "ממאגר" in generic and generic.endswith("תרצי שנוריד מהרשימה?")
    assert catalog.number_source("LinkedIn") == generic
    assert catalog.number_source("  ") == generic
    assert HebrewCatalog().number_source(None).endswith("תרצו שנוריד מהרשימה?")


def test_voicemail_names_the_advertiser_the_callback_number_and_how_to_be_removed() -> None:
    catalog = HebrewCatalog("female", "female", callback_number="+97235551234")
    line = catalog.voicemail("דנה כהן")
    assert line.startswith(f"פרסומת מטעם {BRAND}. היי דנה,")
    assert "בינה מלאכותית" in line
    assert "להסרה" in line
    assert "אפס שלוש, חמש חמש חמש, אחת שתיים שלוש ארבע" in line
    assert word_count(line) <= 35


@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("number", ["+97235551234", "+972501234567", None])
def test_voicemail_is_at_most_35_words(catalog: HebrewCatalog, number: str | None) -> None:
    for name in NAMES:
        line = HebrewCatalog(
            catalog.agent_gender,
            catalog.lead_gender,
            advertising=catalog.advertising,
            callback_number=number,
        ).voicemail(name)
        assert word_count(line) <= 35, (word_count(line), line)
        assert ("פרסומת" in line) == catalog.advertising
        assert "מהרשימה" in line


@pytest.mark.parametrize(
    ("number", "said"),
    [
        ("+97235551234", "אפס שלוש, חמש חמש חמש, אחת שתיים שלוש ארבע"),
        ("+972501234567", "אפס חמש אפס, אחת שתיים שלוש, ארבע חמש שש שבע"),
        ("03-555-1234", "אפס שלוש, חמש חמש חמש, אחת שתיים שלוש ארבע"),
        ("1800123456", "אחת שמונה אפס אפס, אחת שתיים שלוש, ארבע חמש שש"),
        ("+14155550123", "פלוס אחת ארבע אחת, חמש חמש חמש, חמש אפס אחת, שתיים שלוש"),
    ],
)
def test_phone_numbers_are_said_digit_by_digit(number: str, said: str) -> None:
    assert digits_words(number) == said


@pytest.mark.parametrize("catalog", EVERY_CATALOG)
def test_ai_is_always_disclosed(catalog: HebrewCatalog) -> None:
    assert catalog.are_you_a_bot().startswith("כן, אני")
    for line in (catalog.are_you_a_bot(), catalog.who_are_you(), catalog.agent_name_answer()):
        assert "בינה מלאכותית" in line, line


# --- gender agreement ------------------------------------------------------------------------


@pytest.mark.parametrize("agent", AGENTS)
def test_female_lead_is_addressed_in_the_feminine(agent: Gender) -> None:
    lines = all_lines(HebrewCatalog(agent, "female"))
    for key, line in lines.items():
        assert not words(line) & MASCULINE_YOU, key
    said = set().union(*(words(line) for line in lines.values()))
    assert {"את", "פנויה", "מעוניינת", "אלייך", "מעדיפה", "תגידי", "תרצי", "שומעת"} <= said


@pytest.mark.parametrize("agent", AGENTS)
def test_male_lead_is_addressed_in_the_masculine(agent: Gender) -> None:
    lines = all_lines(HebrewCatalog(agent, "male"))
    for key, line in lines.items():
        assert not words(line) & FEMININE_YOU, key
    said = set().union(*(words(line) for line in lines.values()))
    assert {"אתה", "פנוי", "מעוניין", "אליך", "מעדיף", "תגיד", "תרצה", "שומע"} <= said


@pytest.mark.parametrize("agent", AGENTS)
def test_unknown_lead_hears_no_gendered_second_person(agent: Gender) -> None:
    lines = all_lines(HebrewCatalog(agent, None))
    for key, line in lines.items():
        assert not words(line) & (FEMININE_YOU | MASCULINE_YOU), key
    said = set().union(*(words(line) for line in lines.values()))
    assert {"תגידו", "תרצו", "שומעים", "עדיף"} <= said


@pytest.mark.parametrize("lead", LEADS)
def test_agent_speaks_in_its_own_gender(lead: LeadGender) -> None:
    female = " ".join(all_lines(HebrewCatalog("female", lead)).values())
    male = " ".join(all_lines(HebrewCatalog("male", lead)).values())
    assert {"זאת", "מתקשרת", "עוזרת", "דיגיטלית", "שולחת", "מבינה", "דואגת"} <= words(female)
    assert not {"מתקשר", "עוזר", "שולח", "מבין", "דואג", "מבוסס"} & words(female)
    assert {"זה", "מתקשר", "עוזר", "דיגיטלי", "שולח", "מבין", "דואג"} <= words(male)
    assert not {"מתקשרת", "עוזרת", "שולחת", "מבינה", "דואגת", "מבוססת"} & words(male)


# --- every line is fit for the phone ---------------------------------------------------------

LONGER = {"greeting": 25, "voicemail": 35, "slot_offer": 21, "confirm_email": 35}


@pytest.mark.parametrize("catalog", CATALOGS)
def test_every_line_is_short_hebrew_without_latin_niqqud_or_digits(
    catalog: HebrewCatalog,
) -> None:
    for key, line in all_lines(catalog).items():
        assert line.strip() == line and line, key
        assert not LATIN.search(line), key
        assert not NIQQUD.search(line), key
        assert not re.search(r"\d", line), (key, line)
        assert "  " not in line and ",," not in line and " ," not in line, (key, line)
        assert line[-1] in ".?!", key
        method = key.split(":")[0]
        assert word_count(line) <= LONGER.get(method, 20), (key, word_count(line), line)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_copy_rules(catalog: HebrewCatalog) -> None:
    for key, line in all_lines(catalog).items():
        said = words(line)
        assert not said & VOWEL_GENDER, (key, said & VOWEL_GENDER)
        for word in said:
            assert not (word.endswith(BRAND) and word != BRAND), (key, word)  # "מאלטה" is Malta
        if catalog.lead_gender != "female":
            assert "את" not in said, key  # never the accusative particle


def test_reprompts_vary_and_settle_on_the_last() -> None:
    catalog = HebrewCatalog("female", None)
    variants = [catalog.reprompt(n) for n in (1, 2, 3)]
    assert len(set(variants)) == 3
    assert catalog.reprompt(0) == variants[0]
    assert catalog.reprompt(7) == variants[2]


def test_short_questions_are_shorter_than_the_questions() -> None:
    catalog = HebrewCatalog("female", "female")
    for index, question in enumerate(catalog.qualifying_questions()):
        assert word_count(catalog.short_question(index)) < word_count(question)
    assert catalog.short_question(9) == catalog.short_question(2)
    assert catalog.short_question(-1) == catalog.short_question(0)


def test_callback_uses_the_given_time_words_and_never_a_digit_time() -> None:
    assert HebrewCatalog("female", "female").callback_ack("מחר בבוקר") == (
        "בסדר גמור, נחזור אלייך מחר בבוקר. תודה!"
    )
    assert HebrewCatalog("female", None).callback_ack() == (
        "בסדר גמור, נתקשר שוב בזמן שנוח יותר. תודה!"
    )
    assert HebrewCatalog("male", "male").callback_ack("מחר ב-10:30") == (
        "בסדר גמור, נחזור אליך מחר בעשר וחצי. תודה!"
    )
    assert spoken_times("ביום ראשון ב16:45 או 9:00") == "ביום ראשון ברבע לחמש או תשע"


def test_limit_close_calls_back_only_when_asked() -> None:
    catalog = HebrewCatalog("female", "female")
    assert "נחזור אלייך" in catalog.limit_close(True)
    assert "נחזור" not in catalog.limit_close(False)
    assert "לא נתקשר יותר" in catalog.abuse_close()


def test_hear_me_is_a_question_the_last_line_can_follow() -> None:
    assert HebrewCatalog("female", None).hear_me() == "הלו, שומעים אותי עכשיו?"
    assert HebrewCatalog("female", "male").hear_me() == "הלו, אתה שומע אותי עכשיו?"


# --- foreign-language apologies ---------------------------------------------------------------


def test_apologies_for_arabic_and_russian_speakers() -> None:
    assert set(APOLOGY) == set(APOLOGY_EN) == {"ar", "ru"}
    assert re.fullmatch(r"[\u0600-\u06ff\s.,،]+", APOLOGY["ar"])
    assert re.fullmatch(r"[\u0400-\u04ff\s.,]+", APOLOGY["ru"])
    for language, line in APOLOGY_EN.items():
        assert "Hebrew" in line and line.endswith("."), language
        assert not re.search(r"[^\x00-\x7f]", line), language
    for line in APOLOGY.values():
        assert len(line.split()) <= 16


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


def test_the_constructor_keeps_its_old_shape() -> None:
    catalog = HebrewCatalog(agent_gender="male", lead_gender="female")
    assert (catalog.advertiser, catalog.advertising, catalog.callback_number) == (BRAND, True, None)
    params = inspect.signature(HebrewCatalog.slot_offer).parameters
    assert list(params) == ["self", "first", "second", "tz", "now"]
