"""The scripted calls in tests/conversations: the format's checks, and that the suite covers
every kind of call the agent must handle (the calls themselves run in test_conversation_suite)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conversations import (
    DEFAULT_LEAD_NAME,
    Script,
    fill,
    load,
    load_all,
    part_of_day,
)

TZ = ZoneInfo("Asia/Jerusalem")
SCRIPTS = load_all()
TODAY_12 = datetime(2026, 11, 24, 12, 0, tzinfo=TZ)  # Tuesday
WED_0930 = datetime(2026, 11, 25, 9, 30, tzinfo=TZ)
LATIN = re.compile(r"[A-Za-z]")


def named(*words: str) -> list[Script]:
    """Scripts whose file name has any of these words ("46_request_friday_nothing_then")."""
    return [s for s in SCRIPTS if any(word in s.path.stem.split("_") for word in words)]


# --- the suite covers every kind of call ---------------------------------------------------


def test_the_suite_is_big_and_every_outcome_is_common() -> None:
    outcomes = Counter(script.expect for script in SCRIPTS)
    assert len(SCRIPTS) >= 85
    assert outcomes["booked"] >= 35
    assert outcomes["not_interested"] >= 15
    assert outcomes["opted_out"] >= 8
    assert outcomes["callback"] >= 15
    assert outcomes["no_answer"] >= 2


def test_file_names_are_numbered_once_each() -> None:
    numbers = [script.path.stem.split("_", 1)[0] for script in SCRIPTS]
    assert all(re.fullmatch(r"\d\d", number) for number in numbers), numbers
    assert len(set(numbers)) == len(numbers)
    assert len({script.name for script in SCRIPTS}) == len(SCRIPTS)


@pytest.mark.parametrize(
    ("words", "at_least"),
    [
        (("ambiguous",), 4),
        (("request",), 8),
        (("neither",), 3),
        (("vendor",), 3),
        (("hostile",), 2),
        (("abuse",), 2),
        (("source",), 3),
        (("email",), 3),
        (("decision",), 2),
        (("callback",), 6),
        (("hearing", "repeat"), 3),
        (("hesitant",), 3),
        (("silence",), 5),
        (("english",), 3),
        (("arabic",), 3),
        (("russian",), 2),
        (("loop",), 6),
        (("price",), 3),
        (("who",), 3),
        (("bot",), 3),
    ],
)
def test_each_kind_of_call_has_its_scripts(words: tuple[str, ...], at_least: int) -> None:
    assert len(named(*words)) >= at_least, words


def test_languages() -> None:
    by_language = Counter(script.language for script in SCRIPTS)
    assert by_language["en"] >= 4
    assert by_language["ar"] >= 2 and by_language["ru"] >= 2
    english = [s for s in SCRIPTS if s.language == "en"]
    assert {"booked", "not_interested"} <= {s.expect for s in english}
    assert all(s.expect == "callback" for s in SCRIPTS if s.language in ("ar", "ru"))
    # An English caller speaks English from some line on; Arabic and Russian callers likewise.
    scripts_of = {"en": r"[A-Za-z]{3}", "ar": r"[\u0600-\u06ff]", "ru": r"[\u0400-\u04ff]"}
    for script in SCRIPTS:
        if script.language is not None:
            assert any(re.search(scripts_of[script.language], x) for x in script.lines), script


def test_loops_repeat_one_line_and_may_end_early() -> None:
    loops = [s for s in SCRIPTS if s.may_end_early]
    assert len(loops) >= 6
    assert {"callback", "not_interested"} <= {s.expect for s in loops}
    for script in loops:
        _, times = Counter(script.lines).most_common(1)[0]
        assert times >= 5, script.path.name
    said = {line for s in loops for line in s.lines}
    assert {"לא יודע", "מה?", "תשלחי לי מייל", "אף אחד לא מתאים"} <= said


def test_requested_days_and_parts_are_checked() -> None:
    assert len([s for s in SCRIPTS if s.booked_weekday is not None]) >= 5
    parts = {s.booked_part for s in SCRIPTS if s.booked_part is not None}
    assert {"morning", "afternoon", "evening"} <= parts
    asked_friday = [s for s in SCRIPTS if any("שישי" in line for line in s.lines)]
    assert asked_friday and all(s.booked_weekday in (None, 0, 1, 2, 3, 6) for s in asked_friday)


def test_ambiguous_picks_say_yes_or_a_shared_hour() -> None:
    ambiguous = named("ambiguous")
    bare = {"כן", "סבבה", "כן מתאים"}
    assert sum(any(line in bare for line in s.lines) for s in ambiguous) >= 3
    assert all(s.expect == "booked" for s in ambiguous)


def test_leads_vary_in_name_gender_and_what_is_on_file() -> None:
    assert {script.lead_gender for script in SCRIPTS} == {"female", "male", None}
    latin = [s for s in SCRIPTS if LATIN.search(s.lead_name)]
    assert len([s for s in latin if s.lead_name_he]) >= 2
    assert len([s for s in latin if not s.lead_name_he and s.language is None]) >= 2
    assert any(s.lead_name == DEFAULT_LEAD_NAME for s in SCRIPTS)
    sources = named("source")
    assert any(s.lead_source for s in sources) and any(not s.lead_source for s in sources)
    emails = named("email")
    assert any(s.lead_email for s in emails) and any(not s.lead_email for s in emails)


def test_abuse_opts_out_and_hostility_only_declines() -> None:
    assert all(s.expect == "opted_out" for s in named("abuse"))
    assert all(s.expect == "not_interested" for s in named("hostile"))


def test_silences_in_the_middle_and_three_in_a_row() -> None:
    middle = [s for s in SCRIPTS if "" in s.lines[:-1] and s.expect == "booked"]
    assert len(middle) >= 3
    assert any(s.lines.count("") >= 2 for s in middle)
    assert all(s.lines[-3:] == ("", "", "") for s in SCRIPTS if s.expect == "no_answer")


# --- the format ------------------------------------------------------------------------------


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "99_test.toml"
    path.write_text(body, encoding="utf-8")
    return path


BOOKED = 'name = "x"\nlines = ["הראשון"]\nexpect = "booked"\nslot = 0\n'


def test_new_keys_are_read_with_defaults(tmp_path: Path) -> None:
    plain = load(write(tmp_path, BOOKED))
    assert (plain.lead_name, plain.lead_name_he, plain.language) == (DEFAULT_LEAD_NAME, None, None)
    assert (plain.may_end_early, plain.booked_weekday, plain.booked_part) == (False, None, None)
    full = load(
        write(
            tmp_path,
            BOOKED + 'lead_name = "David Levi"\nlead_name_he = "דוד לוי"\nlead_source = "כנס"\n'
            'lead_email = "d@levi.co.il"\nlead_company = "Levi Tech"\nlanguage = "en"\n'
            'booked_weekday = 3\nbooked_part = "morning"\nmay_end_early = true\n',
        )
    )
    assert (full.lead_name_he, full.lead_source, full.lead_email) == (
        "דוד לוי",
        "כנס",
        "d@levi.co.il",
    )
    assert (full.lead_company, full.language, full.booked_weekday) == ("Levi Tech", "en", 3)
    assert full.booked_part == "morning" and full.may_end_early


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ('never_book = ["{slot:0}"]\n', "unknown keys"),
        ('language = "fr"\n', "language"),
        ('language = "he"\n', "language"),
        ("booked_weekday = 4\n", "booked_weekday"),
        ("booked_weekday = 7\n", "booked_weekday"),
        ('booked_part = "night"\n', "booked_part"),
        ('lead_name_he = "דנה"\n', "lead_name_he"),
        ('lead_email = "not an email"\n', "lead_email"),
        ('may_end_early = "yes"\n', "may_end_early"),
        ('lead_source = ""\n', "lead_source"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, extra: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        load(write(tmp_path, BOOKED + extra))


@pytest.mark.parametrize(
    "body",
    [
        'name = "x"\nlines = ["לא"]\nexpect = "not_interested"\nbooked_part = "morning"\n',
        'name = "x"\nlines = ["{slot:2}"]\nexpect = "booked"\nslot = 0\n',
        'name = "x"\nlines = ["{day:0}"]\nexpect = "booked"\nslot = 0\n',
        'name = "x"\nlines = ["", "", "", "כן"]\nexpect = "callback"\n',
        'name = "x"\nlines = ["כן", ""]\nexpect = "no_answer"\n',
        'name = "x"\nlines = ["", "", ""]\nexpect = "callback"\n',
    ],
)
def test_inconsistent_scripts_are_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(ValueError):
        load(write(tmp_path, body))


def test_three_silences_may_come_early_in_a_loop(tmp_path: Path) -> None:
    body = 'name = "x"\nlines = ["", "", "", "כן"]\nexpect = "no_answer"\n'
    with pytest.raises(ValueError):
        load(write(tmp_path, body))
    assert load(write(tmp_path, body + "may_end_early = true\n")).may_end_early


def test_placeholders_in_hebrew_english_and_digits() -> None:
    offered = (TODAY_12, WED_0930)
    assert fill("{slot:1} מעולה", offered, TZ) == "ביום רביעי בתשע וחצי מעולה"
    assert fill("ב-{digits:0} מתאים לי", offered, TZ) == "ב-12:00 מתאים לי"
    assert fill("{weekday:1} is better for me", offered, TZ) == "Wednesday is better for me"
    assert fill("Let's do {slot:0}", offered, TZ) == "Let's do Tuesday at 12"
    assert fill("{time:1}", offered, TZ, language="en") == "at 9:30"
    assert fill("{time:1}", offered, TZ) == "בתשע וחצי"
    assert fill("at {time:1}", offered, TZ, language="he") == "at בתשע וחצי"


def test_booked_as_asked() -> None:
    script = load_all()[0]
    assert script.booked_as_asked(TODAY_12, TZ)
    wednesday_morning = replace(script, booked_weekday=2, booked_part="morning")
    assert wednesday_morning.booked_as_asked(WED_0930, TZ)
    assert not wednesday_morning.booked_as_asked(TODAY_12, TZ)
    assert [part_of_day(TODAY_12.replace(hour=h), TZ) for h in (7, 9, 12, 15, 17)] == [
        None,
        "morning",
        "noon",
        "afternoon",
        "evening",
    ]
