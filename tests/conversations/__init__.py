"""Scripted calls for the conversation suite (format: README.md here)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from app.language.en import WEEKDAYS as EN_WEEKDAYS
from app.language.he import WEEKDAYS, LeadGender, as_lead_gender

HERE = Path(__file__).parent
Outcome = Literal["booked", "not_interested", "opted_out", "callback", "no_answer"]
# no_answer: the call ended on three silences in a row (end_call, reason "no_response").
OUTCOMES: tuple[Outcome, ...] = ("booked", "not_interested", "opted_out", "callback", "no_answer")
# The caller's language when it is not Hebrew (left out: Hebrew).
Language = Literal["en", "ar", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "ar", "ru")
Part = Literal["morning", "noon", "afternoon", "evening"]
# Parts of the day as the understanding reads them: [from, to) in local hours.
PARTS: dict[Part, tuple[int, int]] = {
    "morning": (8, 12),
    "noon": (12, 14),
    "afternoon": (14, 17),
    "evening": (17, 24),
}
DEFAULT_LEAD_NAME = "דנה כהן"
DEFAULT_LEAD_COMPANY = "כהן בע״מ"
# Friday and Saturday: never a business day in the suite's calendar (Sun-Thu).
CLOSED_WEEKDAYS = (4, 5)
MAX_SILENCES = 3
KEYS = frozenset(
    {
        "name",
        "lead_gender",
        "lines",
        "expect",
        "slot",
        "lead_name",
        "lead_name_he",
        "lead_source",
        "lead_email",
        "email_given",
        "after_booking",
        "lead_company",
        "language",
        "may_end_early",
        "booked_weekday",
        "booked_part",
    }
)

# Feminine hour words, as Israelis say the time: "בשתיים", "באחת עשרה".
SPOKEN_HOURS = (
    "שתים עשרה",
    "אחת",
    "שתיים",
    "שלוש",
    "ארבע",
    "חמש",
    "שש",
    "שבע",
    "שמונה",
    "תשע",
    "עשר",
    "אחת עשרה",
)
PLACEHOLDER = re.compile(r"\{(weekday|time|slot|digits):(\d)\}")
BRACED = re.compile(r"\{[^{}]*\}")
HEBREW = re.compile(r"[\u0590-\u05ff]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Script:
    """One scripted call: who is called, what they say turn by turn, and how the call must end."""

    path: Path
    name: str
    lead_gender: LeadGender
    lines: tuple[str, ...]
    expect: Outcome
    slot: int | None
    lead_name: str = DEFAULT_LEAD_NAME
    lead_name_he: str | None = None
    lead_source: str | None = None
    lead_email: str | None = None
    email_given: str | None = None  # the address the lead gives and confirms after booking
    after_booking: int = 0  # the last lines answer the email question, after the booking
    lead_company: str | None = DEFAULT_LEAD_COMPANY
    language: Language | None = None
    may_end_early: bool = False
    booked_weekday: int | None = None
    booked_part: Part | None = None

    def booked_as_asked(self, start: datetime, tz: tzinfo) -> bool:
        """True when a booked start is on `booked_weekday` and in `booked_part` (when given)."""
        local = start.astimezone(tz)
        if self.booked_weekday is not None and local.weekday() != self.booked_weekday:
            return False
        return self.booked_part is None or part_of_day(start, tz) == self.booked_part


def _text(data: dict[str, Any], key: str, path: Path, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"{path.name}: {key} must be a non-empty string")
    return value


def _check_lines(path: Path, lines: Any, expect: str, may_end_early: bool) -> tuple[str, ...]:
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise ValueError(f"{path.name}: lines must be a non-empty list of strings")
    for line in lines:
        for braced in BRACED.findall(line):
            match = PLACEHOLDER.fullmatch(braced)
            if match is None or int(match[2]) > 1:
                raise ValueError(f"{path.name}: {braced} is not a placeholder (see README.md)")
    run, ended_at = 0, None
    for position, line in enumerate(lines):
        run = run + 1 if not line.strip() else 0
        if run == MAX_SILENCES and ended_at is None:
            ended_at = position
    if ended_at is not None and ended_at != len(lines) - 1 and not may_end_early:
        raise ValueError(f"{path.name}: three silences in a row end the call before the end")
    if (expect == "no_answer") != (ended_at is not None):
        raise ValueError(f"{path.name}: no_answer calls, and only they, have three silences")
    return tuple(lines)


def load(path: Path) -> Script:
    """Reads and checks one script file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    expect = data["expect"]
    if expect not in OUTCOMES:
        raise ValueError(f"{path.name}: expect must be one of {OUTCOMES}, not {expect!r}")
    slot = data.get("slot")
    if (expect == "booked") != (slot in (0, 1)):
        raise ValueError(f"{path.name}: slot (0 or 1) is required for booked calls, and only then")
    gender = data.get("lead_gender")
    if gender is not None and gender not in ("female", "male"):
        raise ValueError(f"{path.name}: lead_gender must be female or male, or left out")
    may_end_early = data.get("may_end_early", False)
    if not isinstance(may_end_early, bool):
        raise ValueError(f"{path.name}: may_end_early must be true or false")
    lines = _check_lines(path, data["lines"], expect, may_end_early)

    lead_name = _text(data, "lead_name", path, DEFAULT_LEAD_NAME) or DEFAULT_LEAD_NAME
    lead_name_he = _text(data, "lead_name_he", path)
    if lead_name_he is not None and not (
        LATIN.search(lead_name) and HEBREW.search(lead_name_he) and not LATIN.search(lead_name_he)
    ):
        raise ValueError(
            f"{path.name}: lead_name_he is the Hebrew name of a Latin-script lead_name"
        )
    email = _text(data, "lead_email", path)
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValueError(f"{path.name}: lead_email {email!r} is not an email address")
    given = _text(data, "email_given", path)
    if given is not None and (expect != "booked" or email is not None):
        raise ValueError(f"{path.name}: email_given is for booked calls with no lead_email")
    after = data.get("after_booking", 0)
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < len(lines):
        raise ValueError(f"{path.name}: after_booking counts lines after the booking line")
    if after and (expect != "booked" or email is not None):
        raise ValueError(f"{path.name}: after_booking is for booked calls with no lead_email")
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"{path.name}: language must be one of {LANGUAGES}, not {language!r}")

    weekday = data.get("booked_weekday")
    part = data.get("booked_part")
    if (weekday is not None or part is not None) and expect != "booked":
        raise ValueError(f"{path.name}: booked_weekday and booked_part are for booked calls only")
    if weekday is not None and (
        isinstance(weekday, bool) or weekday not in range(7) or weekday in CLOSED_WEEKDAYS
    ):
        raise ValueError(f"{path.name}: booked_weekday must be a business weekday (Monday=0)")
    if part is not None and part not in PARTS:
        raise ValueError(f"{path.name}: booked_part must be one of {sorted(PARTS)}")

    return Script(
        path,
        str(data["name"]),
        as_lead_gender(gender),
        lines,
        expect,
        slot,
        lead_name=lead_name,
        lead_name_he=lead_name_he,
        lead_source=_text(data, "lead_source", path),
        lead_email=email,
        email_given=given,
        after_booking=after,
        lead_company=_text(data, "lead_company", path, DEFAULT_LEAD_COMPANY),
        language=language,
        may_end_early=may_end_early,
        booked_weekday=weekday,
        booked_part=part,
    )


def load_all() -> list[Script]:
    """Every script in this folder, in file-name order."""
    return [load(path) for path in sorted(HERE.glob("*.toml"))]


def part_of_day(moment: datetime, tz: tzinfo) -> Part | None:
    """The part of the day a local time falls in ("morning" 8-12, ...), None before 8."""
    hour = moment.astimezone(tz).hour
    return next((part for part, (start, end) in PARTS.items() if start <= hour < end), None)


def spoken_weekday(moment: datetime, tz: tzinfo) -> str:
    """ "ביום רביעי": the local weekday as a caller says it."""
    return "ב" + WEEKDAYS[moment.astimezone(tz).weekday()]


def spoken_time(moment: datetime, tz: tzinfo) -> str:
    """ "בעשר", "בשתיים וחצי", "בשלוש פחות רבע"; digits outside 08:00-19:59 or off the quarter."""
    local = moment.astimezone(tz)
    hour, minute = local.hour, local.minute
    if not 8 <= hour <= 19 or minute not in (0, 15, 30, 45):
        return f"ב-{hour}:{minute:02d}"
    if minute == 45:
        return f"ב{SPOKEN_HOURS[(hour + 1) % 12]} פחות רבע"
    tail = {0: "", 15: " ורבע", 30: " וחצי"}[minute]
    return f"ב{SPOKEN_HOURS[hour % 12]}{tail}"


def digits_time(moment: datetime, tz: tzinfo) -> str:
    """ "12:00", "9:30": the local time as a speech recogniser writes it in digits."""
    local = moment.astimezone(tz)
    return f"{local.hour}:{local.minute:02d}"


def english_time(moment: datetime, tz: tzinfo) -> str:
    """ "at 9", "at 2:30": the local time as an English speaker says it (12-hour clock)."""
    local = moment.astimezone(tz)
    hour = local.hour % 12 or 12
    return f"at {hour}" if local.minute == 0 else f"at {hour}:{local.minute:02d}"


def fill(
    line: str,
    offered: Sequence[datetime],
    tz: tzinfo,
    language: Literal["he", "en"] | None = None,
) -> str:
    """Replaces {weekday:N}, {time:N}, {slot:N} and {digits:N} with how a caller names slot N.

    The wording is in `language`; left out, English when the line is written in Latin letters
    only, otherwise Hebrew.
    """
    words = PLACEHOLDER.sub("", line)
    english = language == "en" or (
        language is None and LATIN.search(words) is not None and HEBREW.search(words) is None
    )

    def say(match: re.Match[str]) -> str:
        kind, index = match[1], int(match[2])
        if index >= len(offered):
            raise ValueError(f"{line!r} names slot {index}, but {len(offered)} were offered")
        moment = offered[index]
        if kind == "digits":
            return digits_time(moment, tz)
        if english:
            day = EN_WEEKDAYS[moment.astimezone(tz).weekday()]
            return {"weekday": day, "time": english_time(moment, tz)}.get(
                kind, f"{day} {english_time(moment, tz)}"
            )
        if kind == "weekday":
            return spoken_weekday(moment, tz)
        if kind == "time":
            return spoken_time(moment, tz)
        return f"{spoken_weekday(moment, tz)} {spoken_time(moment, tz)}"

    return PLACEHOLDER.sub(say, line)
