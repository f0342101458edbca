"""Who answers the offline phone: a few kinds of Israeli leads, each with their own Hebrew lines.

A lead's persona is named in its notes (`persona: asks_price`, any case, `=` works too), or else
picked from a hash of its id and phone, so the same lead answers the same way on every run.
Lines are what people actually say on such a call: short, spoken, in the lead's own gender
(`{masculine|feminine}` picks the form).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from app.language.he import WEEKDAYS

Pickup = Literal["human", "machine", "no_answer", "busy"]


@dataclass(frozen=True, slots=True)
class Persona:
    """How a lead picks up and what they say: `answers` before any offer, `at_offer` after."""

    name: str
    what: str
    pickup: Pickup = "human"
    answers: tuple[str, ...] = ()
    at_offer: tuple[str, ...] = ()


PERSONAS: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona(
            "interested",
            "interested, answers the questions and books the first slot",
            answers=(
                "כן, בטח, יש לי דקה",
                "יש לנו צוות של שלושה אנשי מכירות",
                "בעיקר בטלפון ובאקסל",
            ),
            at_offer=("הראשון נשמע טוב",),
        ),
        Persona(
            "busy_now",
            "busy right now, asks to be called tomorrow",
            answers=("אני {עסוק|עסוקה}, תתקשרו מחר",),
        ),
        Persona(
            "not_interested",
            "not interested from the first answer",
            answers=("לא {מעוניין|מעוניינת}, תודה",),
        ),
        Persona(
            "remove_me",
            "asks to be taken off the list",
            answers=("תורידו אותי מהרשימה",),
        ),
        Persona("voicemail", "an answering machine picks up", pickup="machine"),
        Persona("no_answer", "the phone rings out", pickup="no_answer"),
        Persona(
            "hesitant",
            "hesitates at the offer, then takes the first slot",
            answers=("כן", "יש לנו אחד", "הוא עושה מה שהוא יכול"),
            at_offer=("אממ לא {יודע|יודעת}", "טוב יאללה הראשון"),
        ),
        Persona(
            "asks_price",
            "asks how much it costs, then books the first slot",
            answers=(
                "כן, בסדר",
                "כמה זה עולה?",
                "יש לנו שלושה נציגים",
                "האמת שלא תמיד חוזרים מהר",
            ),
            at_offer=("אחלה, הראשון מתאים לי",),
        ),
        Persona(
            "by_weekday",
            "picks a slot by its weekday",
            answers=(
                "אהלן, כן",
                "כן, יש לנו אשת מכירות אחת",
                "בעיקר פניות מהאתר ומפייסבוק, והיא חוזרת מהר",
            ),
            at_offer=("{weekday:0} מתאים לי",),
        ),
    )
}
# Picked by hash when the notes name none: people who talk come up more often than machines.
WHEEL = (
    "interested",
    "asks_price",
    "busy_now",
    "by_weekday",
    "not_interested",
    "hesitant",
    "interested",
    "remove_me",
    "voicemail",
    "no_answer",
)
_HINT = re.compile(r"\bpersona\s*[:=]\s*([a-z_]+)", re.IGNORECASE)
_GENDERED = re.compile(r"\{([^{}|]*)\|([^{}|]*)\}")
_WEEKDAY = re.compile(r"\{weekday:(\d)\}")
FALLBACK_LINE = "כן, בסדר"


def persona_for(lead_id: int, phone: str, notes: str | None) -> Persona:
    """The persona the notes name, else the one the lead's id and phone hash to."""
    hint = _HINT.search(notes or "")
    if hint and hint.group(1).lower() in PERSONAS:
        return PERSONAS[hint.group(1).lower()]
    digest = hashlib.sha256(f"{lead_id}:{phone}".encode()).digest()
    return PERSONAS[WHEEL[int.from_bytes(digest[:4], "big") % len(WHEEL)]]


@dataclass(slots=True)
class Speaker:
    """One persona on one call: says its next line, given what is on offer."""

    persona: Persona
    female: bool
    tz: ZoneInfo
    _answered: int = 0
    _at_offer: int = 0

    def next_line(self, offered: list[datetime]) -> str:
        if offered and self.persona.at_offer:
            line = self.persona.at_offer[min(self._at_offer, len(self.persona.at_offer) - 1)]
            self._at_offer += 1
        elif self._answered < len(self.persona.answers):
            line = self.persona.answers[self._answered]
            self._answered += 1
        else:
            line = FALLBACK_LINE
        return self._spoken(line, offered)

    def _spoken(self, line: str, offered: list[datetime]) -> str:
        line = _GENDERED.sub(lambda m: m.group(2) if self.female else m.group(1), line)

        def weekday(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(offered):
                return "הראשון"
            return WEEKDAYS[offered[index].astimezone(self.tz).weekday()]

        return _WEEKDAY.sub(weekday, line)
