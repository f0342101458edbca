"""Scripted Hebrew calls for the offline brain's conversation suite (format: README.md here)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

from app.language.he import WEEKDAYS, LeadGender, as_lead_gender

HERE = Path(__file__).parent
Outcome = Literal["booked", "not_interested", "opted_out", "callback"]
OUTCOMES: tuple[Outcome, ...] = ("booked", "not_interested", "opted_out", "callback")

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
PLACEHOLDER = re.compile(r"\{(weekday|time|slot):(\d)\}")


@dataclass(frozen=True, slots=True)
class Script:
    """One scripted call: what the caller says, turn by turn, and how the call must end."""

    path: Path
    name: str
    lead_gender: LeadGender
    lines: tuple[str, ...]
    expect: Outcome
    slot: int | None


def load(path: Path) -> Script:
    """Reads and checks one script file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"name", "lead_gender", "lines", "expect", "slot"}
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
    lines = data["lines"]
    if not lines or not all(isinstance(line, str) for line in lines):
        raise ValueError(f"{path.name}: lines must be a non-empty list of strings")
    return Script(path, str(data["name"]), as_lead_gender(gender), tuple(lines), expect, slot)


def load_all() -> list[Script]:
    """Every script in this folder, in file-name order."""
    return [load(path) for path in sorted(HERE.glob("*.toml"))]


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


def fill(line: str, offered: Sequence[datetime], tz: tzinfo) -> str:
    """Replaces {weekday:N}, {time:N} and {slot:N} with how a caller names offered slot N."""

    def say(match: re.Match[str]) -> str:
        kind, index = match[1], int(match[2])
        if index >= len(offered):
            raise ValueError(f"{line!r} names slot {index}, but {len(offered)} were offered")
        moment = offered[index]
        if kind == "weekday":
            return spoken_weekday(moment, tz)
        if kind == "time":
            return spoken_time(moment, tz)
        return f"{spoken_weekday(moment, tz)} {spoken_time(moment, tz)}"

    return PLACEHOLDER.sub(say, line)
