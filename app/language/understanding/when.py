"""Days, times, parts of the day and ordinals: what a caller says about *when*.

`When` is what one turn says about a day or a time. `slot_talk` reads a turn against the slots on
offer: which of them fit what was said (`candidates`), which the caller turned down (`rejected`),
and what was asked for instead. `callback_when` finds the phrase that says when to call back.

How a turn is read:

- Mentions are found in each clause (punctuation, "אבל", "but" and "אלא" split clauses): ordinals
  ("השני", "האופציה הראשונה", "the latter"), "whichever is sooner" and "either", weekdays ("ביום
  ג", "רביעי", "ראשון הבא"), relative days (היום, מחר, מחרתיים), next week, earlier/later, parts
  of the day and times ("בארבע וחצי", "רבע לחמש", "16:30", "ב-10", "אחרי ארבע"). Each pattern runs
  once over the clause and a span one pattern took is not read again by another, so the scan is
  linear.
- Adjacent mentions form one group ("ביום רביעי בעשר"). A group is turned down when "לא" comes
  right before it ("לא ברביעי") or a rejection phrase ("לא מתאים", "לא יכולה", "עסוק", "מוקדם
  מדי") belongs to it: the groups before the phrase in its clause, else the one after it ("לא
  יכולה ביום ראשון"). A rejection with no group in its clause turns down the groups of the clause
  before, or, when there are none, every slot on offer ("לא טוב לי. יש משהו בחמישי?").
- The groups that were not turned down correct one another: a later one wins, kind by kind
  ("הראשון? לא, רגע, השני"; "ביום רביעי בעשר, לא סליחה, בשתיים").
- "ראשון"/"שני" are Sunday/Monday or first/second: with "יום", "הבא", or ב in front they are
  days; with ה ("השני") always the ordinal; otherwise ("שני", "לשני") the day when a slot on
  offer is on that day, else the ordinal.

Spoken hours are business hours: "בשתיים" is 14:00, "בעשר" 10:00, "בשבע" 19:00; a part of the day
settles it ("שבע בבוקר"). Parts: morning before 12, noon 12-14, afternoon 14-17, evening from 17.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from app.language.understanding.normalize import alternation, table

Part = Literal["morning", "noon", "afternoon", "evening"]
Relation = Literal["at", "after", "before", "around"]

# Parts of the day as local hours [start, end).
PART_HOURS: dict[Part, tuple[int, int]] = {
    "morning": (0, 12),
    "noon": (12, 14),
    "afternoon": (14, 17),
    "evening": (17, 24),
}


@dataclass(frozen=True, slots=True)
class When:
    """What the caller said about a day or a time (all optional; local to tz)."""

    weekday: int | None = None  # Monday=0 (datetime.weekday())
    date: dt.date | None = None  # a resolved day: היום/מחר/מחרתיים/"ראשון הבא" when `now` given
    part: Part | None = None  # בבוקר, בצהריים, אחר הצהריים, בערב
    hour: int | None = None  # 0-23
    minute: int | None = None  # None when an hour was said alone
    relation: Relation = "at"
    next_week: bool = False  # "שבוע הבא", "next week"
    earlier: bool = False  # "משהו יותר מוקדם" (than what was offered)
    later: bool = False  # "יותר מאוחר", "later in the day"

    @property
    def empty(self) -> bool:
        return (
            self.weekday is None
            and self.date is None
            and self.part is None
            and self.hour is None
            and not (self.next_week or self.earlier or self.later)
        )


# --- Words ---------------------------------------------------------------------------------------

HE_DAYS = {"שני": 0, "שלישי": 1, "רביעי": 2, "חמישי": 3, "שישי": 4, "שבת": 5, "ראשון": 6}
HE_DAY_LETTERS = {"ב": 0, "ג": 1, "ד": 2, "ה": 3, "ו": 4, "א": 6}
EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EN_DAY_NAMES = tuple(day.capitalize() for day in EN_DAYS)
AMBIGUOUS_DAYS = frozenset({"ראשון", "שני"})  # Sunday and Monday, or "first" and "second"

# A number (or "שני") before one of these counts something; it is no time of day and no day.
_UNITS = (
    "דקות|שעות|ימים|שבועות|חודשים|שנים|פעמים|אנשים|אנשי|לידים|נציגים|נציגות|עובדים|עובדות"
    "|לקוחות|מוקדנים|מוקדניות|סניפים|אחוז|שקל|שקלים|minutes|hours|days|weeks|months|years|times"
    "|people|leads|reps|percent"
)
_MONTHS = (
    "ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר|נובמבר|דצמבר|january"
    "|february|march|april|may|june|july|august|september|october|november|december"
)
_NOT_A_DAY_AFTER = (
    rf"(?! (?:{_UNITS}|לציון|ה(?:זמנים|מועדים|אופציות|אפשרויות|שעות|ימים|דברים))(?!\S))"
)

EXPLICIT_DAY = re.compile(
    r"(?<!\S)(?:ו|ש)?(?P<pre>[בל])?(?:יום|ימי) "
    r"(?P<day>ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|[אבגדהו])(?P<next> הבא| הקרוב)?(?!\S)"
)
BARE_DAY = re.compile(
    r"(?<!\S)(?<!דבר )(?<!פעם )(?:ו|ש)?(?P<pre>[בל])?"
    r"(?P<day>ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת)(?P<next> הבא| הקרוב)?"
    rf"{_NOT_A_DAY_AFTER}(?!\S)"
)
_ENGLISH_DAY = re.compile(
    rf"(?<!\S)(?:on |this )?(?P<next>next )?(?P<day>{'|'.join(EN_DAYS)})s?(?!\S)"
)
_RELATIVE_DAYS: dict[str, tuple[int, Part | None]] = {
    "היום": (0, None), "today": (0, None), "מחר": (1, None), "tomorrow": (1, None),
    "מחרתיים": (2, None), "the day after tomorrow": (2, None), "day after tomorrow": (2, None),
    "הבוקר": (0, "morning"), "הערב": (0, "evening"), "הלילה": (0, "evening"),
    "tonight": (0, "evening"), "this morning": (0, "morning"), "this afternoon": (0, "afternoon"),
    "this evening": (0, "evening"), "later today": (0, None),
}  # fmt: skip
_RELATIVE_DAY = re.compile(
    rf"(?<!\S)(?<!כל )(?<!אותו )(?:ו|ש)?[לב]?(?P<day>{alternation(_RELATIVE_DAYS)})(?!\S)"
)
_NEXT_WEEK = table(
    "שבוע הבא", "בשבוע הבא", "לשבוע הבא", "השבוע הבא", "בשבוע שאחרי", "בעוד שבוע",
    "next week", "in a week", "the week after",
)  # fmt: skip
# Earlier or later than what was offered: a request, not a choice between the two on offer.
_SHIFTS = table(
    "יותר מוקדם", "מוקדם יותר", "קצת יותר מוקדם", "קצת מוקדם יותר", "משהו מוקדם",
    "earlier", "a bit earlier", "something earlier", "any earlier",
)  # fmt: skip
_SHIFT_LATER = table(
    "יותר מאוחר", "מאוחר יותר", "קצת יותר מאוחר", "קצת מאוחר יותר", "משהו מאוחר",
    "יותר לכיוון הערב", "later", "a bit later", "something later", "any later", "later in the day",
)  # fmt: skip
# "Too early" turns the slot down and asks for later; "too late" for earlier.
_TOO_EARLY = table("מוקדם מדי", "מוקדם לי", "too early")
_TOO_LATE = table("מאוחר מדי", "מאוחר לי", "too late")

_PART_WORDS: dict[str, Part] = {
    "בבוקר": "morning", "בבקרים": "morning", "בקרים": "morning", "בשעות הבוקר": "morning",
    "לפני הצהריים": "morning", "מוקדם בבוקר": "morning", "בצהריים": "noon",
    "בשעות הצהריים": "noon", "הצהריים": "noon", "אחר הצהריים": "afternoon",
    "בשעות אחר הצהריים": "afternoon", "בערב": "evening", "בערבים": "evening",
    "ערבים": "evening", "בשעות הערב": "evening", "לפנות ערב": "evening", "בלילה": "evening",
    "morning": "morning", "mornings": "morning", "in the morning": "morning",
    "noon": "noon", "at noon": "noon", "lunchtime": "noon", "afternoon": "afternoon",
    "afternoons": "afternoon", "in the afternoon": "afternoon", "evening": "evening",
    "evenings": "evening", "in the evening": "evening", "at night": "evening",
}  # fmt: skip
_PART = re.compile(rf"(?<!\S)(?<!good )(?:ו|ש)?(?P<part>{alternation(_PART_WORDS)})(?!\S)")

_HE_ORDINAL = re.compile(
    r"(?<!\S)(?<!פעם )ו?[בל]?(?:ה?(?:אופציה|אפשרות|זמן|שעה|מועד|פגישה|תור) )?"
    r"ה(?P<word>ראשונה|ראשון|שנייה|שני|אחרונה|אחרון|מוקדמת|מוקדם|מאוחרת|מאוחר)"
    r"(?: יותר)?(?!\S)"
)
_NUMBERED_OPTION = re.compile(
    r"(?<!\S)(?:ה?אופציה|ה?אפשרות|מספר|option|number) "
    r"(?P<word>1|2|אחת|אחד|שתיים|שתים|ראשונה|שנייה|a|b|one|two)(?!\S)"
)
_EN_ORDINAL = re.compile(
    r"(?<!\S)(?P<the>the )?(?P<word>first|second|former|latter|last|earlier|later|1st|2nd)"
    r"(?P<one> (?:one|option|slot|time))?(?!\S)"
)
# "Whatever is sooner": the earliest (or latest) slot on offer.
_SOONEST = table(
    "מה שיותר מוקדם", "מה שמוקדם יותר", "הכי מוקדם", "כמה שיותר מהר", "כמה שיותר מוקדם",
    "מה שהכי קרוב", "הכי קרוב", "מה שקודם", "whichever is sooner", "whichever is earlier",
    "the sooner the better", "the earliest", "the soonest", "as soon as possible", "asap",
)  # fmt: skip
_LATEST = table(
    "מה שיותר מאוחר", "מה שמאוחר יותר", "הכי מאוחר", "whichever is later", "the latest",
)  # fmt: skip
# Either will do: the caller gets the first slot on offer.
_EITHER = table(
    "לא משנה", "לא משנה לי", "מה שנוח לכם", "מה שנוח לך", "איך שנוח לך", "איך שנוח לכם",
    "שניהם טובים", "שניהם מתאימים", "שניהם בסדר", "שתיהן טובות", "שתיהן מתאימות",
    "כל אחד מהם", "מה שתבחרי", "מה שתבחר", "מה שאת רוצה", "מה שאתה רוצה", "גם וגם",
    "either", "either one", "whatever works", "both work", "both are fine", "any of them",
    "whichever",
)  # fmt: skip
_ORDINAL_WORDS = {
    "ראשון": 0, "ראשונה": 0, "שני": 1, "שנייה": 1, "1": 0, "אחת": 0, "אחד": 0, "2": 1,
    "שתיים": 1, "שתים": 1, "a": 0, "b": 1, "one": 0, "two": 1, "first": 0, "1st": 0,
    "former": 0, "second": 1, "2nd": 1, "latter": 1,
}  # fmt: skip
_LAST_WORDS = frozenset({"אחרון", "אחרונה", "last"})
_EARLIER_WORDS = frozenset({"מוקדם", "מוקדמת", "earlier"})
_LATER_WORDS = frozenset({"מאוחר", "מאוחרת", "later"})

# --- Times ---------------------------------------------------------------------------------------

_HOUR_WORDS = {
    "אחת": 1, "שתיים": 2, "שתים": 2, "שלוש": 3, "ארבע": 4, "חמש": 5, "שש": 6, "שבע": 7,
    "שמונה": 8, "תשע": 9, "עשר": 10, "אחת עשרה": 11, "אחת עשר": 11, "אחד עשרה": 11,
    "שתים עשרה": 12, "שתיים עשרה": 12, "שתים עשר": 12, "שלוש עשרה": 13, "ארבע עשרה": 14,
    "חמש עשרה": 15, "שש עשרה": 16, "שבע עשרה": 17, "שמונה עשרה": 18, "תשע עשרה": 19,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_ENGLISH_HOUR_WORDS = frozenset(word for word in _HOUR_WORDS if word.isascii())
# Minutes before the hour, said first: "רבע לחמש", "עשרים לשלוש", "quarter to five".
_FRACTIONS = {
    "רבע": -15, "עשרים": -20, "עשרה": -10, "עשר": -10, "חמש": -5, "חמישה": -5,
    "half past": 30, "quarter past": 15, "quarter to": -15, "twenty to": -20, "ten to": -10,
    "five to": -5, "twenty past": 20, "ten past": 10, "five past": 5,
}  # fmt: skip
# What follows a number: minutes past (negative: before), a 12-hour period, a part of the day.
_TAILS: dict[str, tuple[int | None, str | None, Part | None]] = {
    "וחצי": (30, None, None), "ורבע": (15, None, None), "ועשרים": (20, None, None),
    "ועשרה": (10, None, None), "ועשר": (10, None, None), "וחמש": (5, None, None),
    "וחמישה": (5, None, None), "ועשרים וחמש": (25, None, None), "ועשרים וחמישה": (25, None, None),
    "ושלושים": (30, None, None), "ושלושים וחמש": (35, None, None), "וארבעים": (40, None, None),
    "וארבעים וחמש": (45, None, None), "וחמישים": (50, None, None), "עשרים": (20, None, None),
    "שלושים": (30, None, None), "ארבעים": (40, None, None), "חמישים": (50, None, None),
    "עשרים וחמש": (25, None, None), "שלושים וחמש": (35, None, None),
    "ארבעים וחמש": (45, None, None), "פחות רבע": (-15, None, None), "פחות עשרה": (-10, None, None),
    "פחות עשר": (-10, None, None), "פחות עשרים": (-20, None, None), "פחות חמש": (-5, None, None),
    "פחות חמישה": (-5, None, None), "thirty": (30, None, None), "fifteen": (15, None, None),
    "forty five": (45, None, None), "forty": (40, None, None), "twenty": (20, None, None),
    "fifty": (50, None, None), "oclock": (0, None, None),
    "בבוקר": (None, "am", "morning"), "am": (None, "am", None),
    "in the morning": (None, "am", "morning"), "בצהריים": (None, "noon", "noon"),
    "אחר הצהריים": (None, "pm", "afternoon"), "בערב": (None, "pm", "evening"),
    "בלילה": (None, "pm", "evening"), "pm": (None, "pm", None),
    "in the afternoon": (None, "pm", "afternoon"), "in the evening": (None, "pm", "evening"),
}  # fmt: skip
_TIME_LEADS: dict[str, Relation] = {
    "בשעה": "at", "שעה": "at", "בסביבות": "around", "סביבות": "around", "סביב": "around",
    "לקראת": "around", "בערך": "around", "אחרי": "after", "לפני": "before", "עד": "before",
    "לא לפני": "after", "לא אחרי": "before", "החל מ": "after", "at": "at", "around": "around",
    "about": "around", "by": "before", "after": "after", "before": "before", "until": "before",
    "not before": "after", "not after": "before", "no later than": "before",
    "no earlier than": "after", "anytime after": "after", "any time after": "after",
}  # fmt: skip

TIME = re.compile(
    rf"(?<!\S)(?:(?P<lead>{alternation(_TIME_LEADS)}) )?"
    rf"(?:(?P<frac>{alternation(_FRACTIONS)}) )?"
    r"(?P<prefix>וב|ב|ול|ל|ומ|מ|ו)?"
    rf"(?:(?P<num>\d{{1,2}})(?::(?P<mm>\d{{2}}))?|(?P<word>{alternation(_HOUR_WORDS)}))"
    rf"(?P<tail>(?: (?:{alternation(_TAILS)})){{0,3}})"
    rf"(?! [בל]?(?:{_MONTHS})(?!\S))(?! (?:{_UNITS})(?!\S))(?!\S)"
)


@dataclass(frozen=True, slots=True)
class Time:
    """One time of day in a normalised text."""

    hour: int
    minute: int | None  # None: not said ("בעשר"), so any slot in that hour will do
    strong: bool  # said with ב/ל, "at", a half/quarter or a part of the day: surely a time
    english: bool  # an English number word, which is only a time when strong
    start: int
    end: int
    relation: Relation
    part: Part | None


def _business_hour(hour: int, period: str | None) -> int:
    """Reads a spoken 12-hour time: 1-7 without a part of the day is the afternoon."""
    if hour > 12:
        return hour
    if period == "am":
        return 0 if hour == 12 else hour
    if period == "pm":
        return hour if hour == 12 else hour + 12
    if period == "noon":
        return hour if hour >= 11 else hour + 12
    return hour + 12 if hour < 8 else hour


def _split_tails(tail: str) -> list[str]:
    """Splits " וחצי בצהריים" into its known tails (some tails are several words)."""
    words, tails, i = tail.split(), [], 0
    while i < len(words):
        for size in (3, 2, 1):
            candidate = " ".join(words[i : i + size])
            if candidate in _TAILS:
                tails.append(candidate)
                i += size
                break
        else:
            i += 1
    return tails


def _time(match: re.Match[str]) -> Time | None:
    lead, frac, prefix = match["lead"], match["frac"], match["prefix"] or ""
    word, digits = match["word"], match["num"]
    if word in _ENGLISH_HOUR_WORDS and prefix:
        return None
    if frac is not None and not frac.isascii() and "ל" not in prefix:
        return None  # "רבע" and "עשרים" before an hour need ל: "רבע לחמש"
    minute: int | None = int(match["mm"]) if match["mm"] else None
    period: str | None = None
    part: Part | None = None
    for tail in _split_tails(match["tail"]):
        tail_minute, tail_period, tail_part = _TAILS[tail]
        minute = tail_minute if tail_minute is not None else minute
        period, part = tail_period or period, tail_part or part
    hour = _business_hour(int(digits) if digits else _HOUR_WORDS[word], period)
    if frac is not None:
        minute = _FRACTIONS[frac]
    if minute is not None and minute < 0:
        hour, minute = (hour - 1) % 24, 60 + minute
    if not (0 <= hour <= 23 and (minute is None or 0 <= minute <= 59)):
        return None
    strong = bool(lead or frac or match["mm"] or match["tail"] or set(prefix) & {"ב", "ל", "מ"})
    relation: Relation = _TIME_LEADS[lead] if lead else "after" if "מ" in prefix else "at"
    english = word in _ENGLISH_HOUR_WORDS
    return Time(hour, minute, strong, english, *match.span(), relation, part)


def times(text: str) -> list[Time]:
    """Every time of day in a normalised text, in order."""
    return [hit for match in TIME.finditer(text) if (hit := _time(match)) is not None]


# --- Mentions ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Said:
    """What some words say: an ordinal, a day, a part of the day and/or a time."""

    ordinal: int | None = None  # an index into the offered slots
    ordinal_said: bool = False  # an ordinal was said (even one that names no offered slot)
    either: bool = False
    weekday: int | None = None
    date: dt.date | None = None
    part: Part | None = None
    hour: int | None = None
    minute: int | None = None
    relation: Relation = "at"
    next_week: bool = False
    earlier: bool = False
    later: bool = False
    kinds: set[str] = field(default_factory=set)

    def add(self, other: _Said) -> bool:
        """Joins the mention right next to this one; False when it says a kind again."""
        if self.kinds & other.kinds:
            return False
        self._take(other, other.kinds)
        return True

    def correct(self, later: _Said) -> None:
        """A later group wins, kind by kind: "הראשון? לא, רגע, השני" means the second.

        An ordinal said after a day or time replaces them, and a day or time said after an
        ordinal replaces it: the caller changed how they name the slot.
        """
        if "ordinal" in later.kinds and not later.kinds & _WHEN_KINDS:
            self._clear(_WHEN_KINDS)
        elif later.kinds & _WHEN_KINDS and "ordinal" not in later.kinds:
            self._clear({"ordinal"})
        self._take(later, later.kinds)

    def _take(self, other: _Said, kinds: Collection[str]) -> None:
        if "ordinal" in kinds:
            self.ordinal, self.ordinal_said, self.either = (
                other.ordinal,
                other.ordinal_said,
                other.either,
            )
        if "day" in kinds:
            self.weekday, self.date = other.weekday, other.date
        if "week" in kinds:
            self.next_week = other.next_week
        if "part" in kinds:
            self.part = other.part
        if "time" in kinds:
            self.hour, self.minute, self.relation = other.hour, other.minute, other.relation
            self.part = other.part or self.part
        if "shift" in kinds:
            self.earlier, self.later = other.earlier, other.later
        self.kinds |= set(kinds)

    def _clear(self, kinds: Collection[str]) -> None:
        self._take(_Said(), kinds)
        self.kinds -= set(kinds)

    @property
    def has_when(self) -> bool:
        return bool(self.kinds & _WHEN_KINDS)

    def when(self) -> When:
        return When(
            self.weekday,
            self.date,
            self.part,
            self.hour,
            self.minute,
            self.relation,
            self.next_week,
            self.earlier,
            self.later,
        )


_WHEN_KINDS = frozenset({"day", "week", "part", "time", "shift"})


@dataclass(frozen=True, slots=True)
class _Context:
    offered: Sequence[dt.datetime]
    now: dt.datetime | None
    sure_times_only: bool = False

    @property
    def offered_days(self) -> set[int]:
        return {slot.weekday() for slot in self.offered}


def word_before(text: str, start: int) -> str:
    """The word right before `start` (which begins a word), or ""; reads that word only."""
    if start < 2 or text[start - 1] != " ":
        return ""
    return text[text.rfind(" ", 0, start - 1) + 1 : start - 1]


def _ordinal_index(word: str, offered: Sequence[dt.datetime]) -> int | None:
    if not offered:
        return None
    if word in _LAST_WORDS:
        return len(offered) - 1
    if word in _EARLIER_WORDS:
        return min(range(len(offered)), key=lambda i: offered[i])
    if word in _LATER_WORDS:
        return max(range(len(offered)), key=lambda i: offered[i])
    index = _ORDINAL_WORDS.get(word)
    return index if index is not None and index < len(offered) else None


def _ordinal(word: str, ctx: _Context) -> _Said:
    return _Said(ordinal=_ordinal_index(word, ctx.offered), ordinal_said=True, kinds={"ordinal"})


def _skip_ordinal(match: re.Match[str], text: str) -> bool:
    """Tells "wait a second", "first of all" and a bare "later" from a choice of slot."""
    word = match["word"]
    if word in ("later", "earlier"):
        return not (match["the"] or match["one"])
    if word == "second":
        return word_before(text, match.start()) in ("a", "one")
    return word == "first" and text[match.end() : match.end() + 7] == " of all"


def _next_date(weekday: int, ctx: _Context, *, next_week: bool = False) -> dt.date | None:
    """The coming day with that weekday (never today); in next week's Sunday-Saturday, if asked."""
    if ctx.now is None:
        return None
    today = ctx.now.date()
    if next_week:
        sunday = week_start(today) + dt.timedelta(days=7)
        return sunday + dt.timedelta(days=(weekday - 6) % 7)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def week_start(day: dt.date) -> dt.date:
    """The Sunday that starts an Israeli week."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def _day(weekday: int, coming: bool, ctx: _Context) -> _Said:
    date = _next_date(weekday, ctx) if coming else None
    return _Said(weekday=weekday, date=date, kinds={"day"})


def _mentions(clause: str, ctx: _Context) -> list[tuple[int, int, _Said]]:
    """Every mention in one normalised clause, in order: (start, end, what it says).

    The patterns run once each, most specific first; a span one of them took is skipped by the
    rest (so "מה שיותר מוקדם" is no request for earlier, and "ביום ראשון" no ordinal).
    """
    taken = bytearray(len(clause))
    found: list[tuple[int, int, _Said]] = []

    def take(match: re.Match[str], said: _Said | None) -> None:
        start, end = match.span()
        if said is None or any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append((start, end, said))

    for pattern, word in ((_SOONEST, "earlier"), (_LATEST, "later")):
        for match in pattern.finditer(clause):
            take(match, _ordinal(word, ctx))
    for match in _EITHER.finditer(clause):
        either = _Said(ordinal=_ordinal_index("first", ctx.offered), either=True, kinds={"ordinal"})
        take(match, replace(either, ordinal_said=True))
    for pattern in (_NUMBERED_OPTION, _HE_ORDINAL, _EN_ORDINAL):
        for match in pattern.finditer(clause):
            if not _skip_ordinal(match, clause):
                take(match, _ordinal(match["word"], ctx))
    for match in _NEXT_WEEK.finditer(clause):
        take(match, _Said(next_week=True, kinds={"week"}))
    for pattern in (EXPLICIT_DAY, BARE_DAY):
        for match in pattern.finditer(clause):
            day, coming = match["day"], match["next"] is not None
            weekday = HE_DAYS.get(day, HE_DAY_LETTERS.get(day, 0))
            # Bare "ראשון"/"שני" (or with ל) is also "first"/"second": a day when one is on offer.
            bare = pattern is BARE_DAY and day in AMBIGUOUS_DAYS and match["pre"] != "ב"
            if bare and not coming and weekday not in ctx.offered_days:
                take(match, _ordinal(day, ctx))
            else:
                take(match, _day(weekday, coming, ctx))
    for match in _ENGLISH_DAY.finditer(clause):
        take(match, _day(EN_DAYS.index(match["day"]), match["next"] is not None, ctx))
    for match in _RELATIVE_DAY.finditer(clause):
        days_ahead, part = _RELATIVE_DAYS[match["day"]]
        if ctx.now is None:
            said = _Said(part=part, kinds={"part"}) if part else None
        else:
            date = ctx.now.date() + dt.timedelta(days=days_ahead)
            kinds = {"day", "part"} if part else {"day"}
            said = _Said(weekday=date.weekday(), date=date, part=part, kinds=kinds)
        take(match, said)
    for match in _SHIFTS.finditer(clause):
        take(match, _Said(earlier=True, kinds={"shift"}))
    for match in _SHIFT_LATER.finditer(clause):
        take(match, _Said(later=True, kinds={"shift"}))
    # A bare number is a time in a short answer, or when a slot is at that hour.
    words_left = sum(1 for word in re.finditer(r"\S+", clause) if not taken[word.start()])
    short = words_left <= 3 and not ctx.sure_times_only
    offered_hours = {slot.hour for slot in ctx.offered}
    for match in TIME.finditer(clause):
        hit = _time(match)
        if hit is None or word_before(clause, hit.start) == "אף":
            continue  # "אף אחת" is "none", not one o'clock
        if hit.strong or short or (hit.hour in offered_hours and not hit.english):
            kinds = {"time", "part"} if hit.part else {"time"}
            said = _Said(
                hour=hit.hour, minute=hit.minute, relation=hit.relation, part=hit.part, kinds=kinds
            )
            take(match, said)
    for match in _PART.finditer(clause):
        take(match, _Said(part=_PART_WORDS[match["part"]], kinds={"part"}))
    found.sort(key=lambda item: item[0])
    return found


# --- Against the offered slots -------------------------------------------------------------------

_CLAUSE_WORDS = re.compile(r"(?<!\S)(?:אבל|but|אלא)(?!\S)")
_REJECTION = table(
    "לא מתאים", "לא מתאימה", "לא מתאימים", "לא מתאימות", "לא מסתדר", "לא מסתדרת", "לא יכול",
    "לא יכולה", "לא יכולים", "לא נוח", "לא טוב", "לא בא לי", "לא רוצה", "אין מצב", "לא אפשרי",
    "לא הולך", "מוקדם מדי", "מאוחר מדי", "מוקדם לי", "מאוחר לי", "עסוק", "עסוקה", "עסוקים",
    "תפוס", "תפוסה", "לא פנוי", "לא פנויה", "לא בטוח", "לא בטוחה", "קשה לי", "בעייתי",
    "פחות טוב", "פחות מתאים", "פחות נוח", "לא הכי",
    "doesnt work", "dont work", "wont work", "cant", "cannot", "no good", "not good", "busy",
    "not available", "too early", "too late", "not great", "bad for me",
)  # fmt: skip
# Every slot on offer turned down in one phrase.
NEITHER = table(
    "אף אחד", "אף אחת", "שניהם לא", "שתיהן לא", "שתיהם לא", "יש משהו אחר", "משהו אחר",
    "זמן אחר", "שעה אחרת", "יום אחר", "מועד אחר", "אפשרות אחרת", "אופציה אחרת", "זמנים אחרים",
    "none of them", "none of those", "neither", "something else", "another time", "other times",
    "different time", "another day",
)  # fmt: skip
_NEGATIONS = frozenset({"לא", "ולא", "בלי", "not", "no", "without"})
_TRAILING_NO = (["לא"], ["ממש", "לא"], ["בטח", "לא"], ["no"], ["not"])
_GLUE = frozenset({"את", "של", "גם", "on", "at", "in", "the"})
_LINKS = frozenset({"ו", "או", "and", "or", "גם", "ולא", "או ש"})


@dataclass(slots=True)
class _Group:
    start: int
    end: int
    said: _Said
    negated: bool = False
    rejected: bool = False
    linked: str = ""  # the words between the group before and this one


@dataclass(frozen=True, slots=True)
class SlotTalk:
    """A turn read against the slots on offer."""

    candidates: tuple[int, ...] = ()  # offered slots that fit what was chosen
    rejected: tuple[int, ...] = ()  # offered slots turned down
    when: When = When()  # what was said about a day or time (not turned down)
    by_ordinal: bool = False  # the choice was made by position ("השני")
    either: bool = False  # "לא משנה לי": the first one on offer
    undecided: bool = False  # "הראשון או השני": both named as a question
    spoke: bool = False  # the turn said anything about days, times or slots


def _groups(clause: str, ctx: _Context) -> list[_Group]:
    groups: list[_Group] = []
    for start, end, said in _mentions(clause, ctx):
        if groups:
            last = groups[-1]
            gap = clause[last.end : start].split()
            if all(word in _GLUE for word in gap) and last.said.add(said):
                last.end = end
                continue
        negated = word_before(clause, start) in _NEGATIONS
        linked = " ".join(clause[groups[-1].end : start].split()) if groups else ""
        groups.append(_Group(start, end, said, negated=negated, linked=linked))
    if groups and clause[groups[-1].end :].split() in _TRAILING_NO:
        groups[-1].negated = True  # "מחר לא", "Sunday no"
    return groups


def _bind_rejections(clause: str, groups: list[_Group]) -> bool:
    """Marks the groups a rejection phrase belongs to; True for a rejection with no group.

    One pass over the phrases and the groups together (both are in text order).
    """
    loose = False
    passed = unbound = 0  # groups that end before the phrase; the first not yet bound
    for match in _REJECTION.finditer(clause):
        while passed < len(groups) and groups[passed].end <= match.start():
            passed += 1
        if unbound < passed:
            for group in groups[unbound:passed]:
                group.rejected = True  # "ביום ראשון בתשע לא מתאים לי"
            unbound = passed
            continue
        after = passed
        while after < len(groups) and groups[after].start < match.end():
            after += 1
        if after == len(groups):
            loose = True
            continue
        groups[after].rejected = True  # "לא יכולה ביום ראשון (ובשני)"
        after += 1
        while after < len(groups) and (
            groups[after].linked in _LINKS or _led_by_and(groups[after], clause)
        ):
            groups[after].rejected = True
            after += 1
        unbound = passed = after
    return loose


def _led_by_and(group: _Group, clause: str) -> bool:
    return clause[group.start] == "ו"


def _fits(slot: dt.datetime, said: _Said, now: dt.datetime | None) -> bool:
    if said.earlier or said.later:
        return False  # earlier or later than what is on offer: none of it
    if said.date is not None and slot.date() != said.date:
        return False
    if said.weekday is not None and slot.weekday() != said.weekday:
        return False
    next_week = week_start(now.date()) + dt.timedelta(7) if now is not None else None
    if said.next_week and week_start(slot.date()) != next_week:
        return False
    if said.hour is not None:
        wanted = slot.replace(hour=said.hour, minute=said.minute or 0)
        if said.relation == "after":
            return slot >= wanted
        if said.relation == "before":
            return slot < wanted
        if said.relation == "around":
            return abs(slot - wanted) <= dt.timedelta(minutes=60)
        return slot.hour == said.hour and (said.minute is None or slot.minute == said.minute)
    if said.part is not None:
        start, end = PART_HOURS[said.part]
        return start <= slot.hour < end
    return True


def _fitting(offered: Sequence[dt.datetime], said: _Said, now: dt.datetime | None) -> list[int]:
    return [i for i, slot in enumerate(offered) if _fits(slot, said, now)]


def _turned_down(said: _Said, ctx: _Context) -> set[int]:
    """The offered slots a turned-down group names."""
    if said.has_when:
        return set(_fitting(ctx.offered, said, ctx.now))
    if said.ordinal is not None and not said.either:
        return {said.ordinal}
    return set()


def _resolved(said: _Said, ctx: _Context) -> When:
    """What was said, with a weekday in next week resolved to its date."""
    when = said.when()
    if when.weekday is not None and when.next_week and when.date is None:
        when = replace(when, date=_next_date(when.weekday, ctx, next_week=True))
    return when


def _read(clauses: Sequence[str], ctx: _Context) -> tuple[_Said, set[int], bool, bool]:
    """(what was chosen, the slots turned down, "X or Y", anything said at all)."""
    every = too_early = too_late = spoke = undecided = False
    per_clause: list[list[_Group]] = []
    last_with_groups: list[_Group] = []
    for whole in clauses:
        if NEITHER.search(whole):
            every = spoke = True
        too_early = too_early or _TOO_EARLY.search(whole) is not None
        too_late = too_late or _TOO_LATE.search(whole) is not None
        for clause in _CLAUSE_WORDS.split(whole):
            groups = _groups(clause, ctx)
            loose = _bind_rejections(clause, groups)
            if loose and not groups:
                # "ביום רביעי? לא, זה לא טוב לי": the rejection is of the clause before.
                if not last_with_groups:
                    every = spoke = True
                for group in last_with_groups:
                    group.rejected = True
            per_clause.append(groups)
            last_with_groups = groups or last_with_groups
    chosen, rejected = _Said(), set[int]()
    previous: _Group | None = None
    for groups in per_clause:
        previous = None
        for group in groups:
            spoke = True
            if group.negated or group.rejected:
                rejected |= _turned_down(group.said, ctx)
                continue
            if previous is not None and group.linked in _OR:
                undecided = True  # "ביום ראשון או שני": keep the first, ask
            else:
                chosen.correct(group.said)
            previous = group
    if every:
        rejected |= set(range(len(ctx.offered)))
    if too_early or too_late:
        spoke = True
        chosen.correct(_Said(earlier=too_late, later=too_early, kinds={"shift"}))
    return chosen, rejected, undecided, spoke


_OR = frozenset({"או", "or", "או ש", "או אולי", "or maybe"})


def slot_talk(
    clauses: Sequence[str], offered: Sequence[dt.datetime], now: dt.datetime | None
) -> SlotTalk:
    """Reads a turn (normalised clauses) against the slots on offer (local datetimes)."""
    ctx = _Context(offered, now)
    chosen, rejected, undecided, spoke = _read(clauses, ctx)
    open_ = [i for i in range(len(offered)) if i not in rejected]
    ordinal = chosen.ordinal if chosen.ordinal in open_ else None
    by_ordinal = False
    if chosen.has_when:
        fit = [i for i in _fitting(offered, chosen, now) if i in open_]
        if chosen.either and fit:
            candidates = fit[:1]
        elif ordinal is not None and not chosen.either and fit:
            # "השני בתשע": the ordinal settles two that fit; one that contradicts it is a doubt.
            by_ordinal = ordinal in fit
            candidates = [ordinal] if by_ordinal else sorted({*fit, ordinal})
        else:
            candidates = fit
    elif chosen.either:
        candidates = open_[:1]
    else:
        candidates = [ordinal] if ordinal is not None else []
        by_ordinal = bool(candidates)
    if undecided and candidates:
        return SlotTalk(rejected=tuple(sorted(rejected)), undecided=True, spoke=True)
    return SlotTalk(
        candidates=tuple(candidates),
        rejected=tuple(sorted(rejected)),
        when=_resolved(chosen, ctx),
        by_ordinal=by_ordinal,
        either=chosen.either and not chosen.has_when,
        spoke=spoke,
    )


def read_when(
    clauses: Sequence[str], now: dt.datetime | None, *, sure_times_only: bool = False
) -> When:
    """What a turn says about a day or time, with no slots on offer."""
    ctx = _Context((), now, sure_times_only)
    chosen, _, _, _ = _read(clauses, ctx)
    return _resolved(chosen, ctx)


# --- Callback phrases ----------------------------------------------------------------------------

# Phrases that say when to call back, besides days and times.
_CALLBACK_PHRASES = table(
    "בעוד שעה", "בעוד חצי שעה", "בעוד רבע שעה", "בעוד שעתיים", "בעוד כמה דקות",
    "בעוד כמה שעות", "בעוד יומיים", "בעוד כמה ימים", "בעוד שבוע", "בעוד שבועיים",
    "בעוד חודש", "שבוע הבא", "בשבוע הבא", "חודש הבא", "בחודש הבא", "אחר כך",
    "מאוחר יותר", "יותר מאוחר", "בהמשך", "בבוקר", "בצהריים", "אחר הצהריים", "בערב", "הערב",
    "הבוקר", "אחרי החג", "אחרי החגים", "בסוף השבוע", "מחרתיים", "מחר", "היום",
    "later", "later today", "tomorrow", "tonight", "today", "this morning", "this afternoon",
    "this evening", "in an hour", "in half an hour", "in a few minutes", "in a couple of hours",
    "in two hours", "in a few hours", "next week", "next month", "in the morning",
    "in the afternoon", "in the evening", "day after tomorrow",
)  # fmt: skip
_IN_N_UNITS = re.compile(r"(?<!\S)(?:בעוד|in) \d{1,3} (?:דקות|שעות|ימים|minutes|hours|days)(?!\S)")


def callback_when(text: str, now: dt.datetime | None) -> tuple[str | None, When]:
    """The callback time phrase ("מחר בעשר", "בעוד שעה", "tomorrow at 10") and what it says."""
    spans = [match.span() for match in _CALLBACK_PHRASES.finditer(text)]
    spans += [match.span() for match in _IN_N_UNITS.finditer(text)]
    for pattern in (EXPLICIT_DAY, BARE_DAY, _ENGLISH_DAY):
        for match in pattern.finditer(text):
            day_said = match["day"] not in AMBIGUOUS_DAYS or match.groupdict().get("pre")
            if day_said or match["next"]:
                spans.append(match.span())
    spans += [(hit.start, hit.end) for hit in times(text) if hit.strong]
    if not spans:
        return None, When()
    phrase = text[min(start for start, _ in spans) : max(end for _, end in spans)].strip()
    return phrase, read_when([phrase], now, sure_times_only=True)
