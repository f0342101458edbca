"""Normalisation: the one spelling every table in this package matches against.

A turn is cut to MAX_INPUT_CHARS before anything else. Then niqqud, Arabic harakat and
apostrophes are dropped, punctuation becomes a space (a clause break for `clauses`), letters
stretched for emphasis are shortened ("כןןן" is "כן"), a prefix letter the speech recogniser wrote
apart is joined to its word ("ב-10", "ב 10" and "ה ראשון" become "ב10" and "הראשון"), and common
spellings of one word become one ("אוקי" and "או קיי" are "אוקיי", "אחה״צ" is "אחר הצהריים",
"סי אר אם" is "סיארם"). Every step is one regex pass, so the whole is linear in the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

MAX_INPUT_CHARS = 600  # understand() reads at most this many characters; the rest is ignored

Language = Literal["he", "en", "ar", "ru"]


def cap(text: str) -> str:
    """The part of a caller turn that is read at all."""
    return text[:MAX_INPUT_CHARS]


# --- Characters ----------------------------------------------------------------------------------

_MARKS = re.compile(r"[\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ё": "е"})
_APOSTROPHES = re.compile(r"['’‘`´׳״\"]")
_DOTTED_TIME = re.compile(r"(?<!\d)(\d{1,2})\.(\d{2})(?!\d)")
_AM_PM = re.compile(r"(\d) ?([ap])\.? ?m\b\.?")
_NOT_WORD = re.compile(r"[^\w:]+|_")
_STRAY_COLON = re.compile(r"(?<!\d):|:(?!\d)")
# Three or more of one letter, for emphasis: ב, ל and מ keep two ("סבבה", "יאללה", "אממ").
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")
_KEEP_TWO = frozenset("בלמm")
# A prefix letter the recogniser wrote as a word of its own; not the day letter in "יום ה".
_LONE_PREFIX = re.compile(r"(?<!\S)(?<!יום )(ו[בלהמש]|כש|[ובלהשמכ]) (?=\w)")
# Clause breaks: punctuation, but not the dot inside "14.30" (by then "14:30") or "a.m.".
_CLAUSE_BREAK = re.compile(r"[,;!?\n…؟،]+|\.+")

_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u0671-\u06d3\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD = re.compile(r"[a-z]+")

# Spellings the recogniser (or a person) writes for one word, and glued or split words.
_SPELLINGS: dict[str, str] = {
    "אוקי": "אוקיי", "אוקאי": "אוקיי", "אוקיה": "אוקיי", "או קיי": "אוקיי", "או קי": "אוקיי",
    "אוקה": "אוקיי", "אוקיי אוקיי": "אוקיי", "יאלה": "יאללה", "יללה": "יאללה", "יאללא": "יאללה",
    "יאלא": "יאללה", "סבאבה": "סבבה", "סבבא": "סבבה", "ואלה": "וואלה", "וולה": "וואלה",
    "וואלא": "וואלה", "ואללה": "וואלה", "וואללה": "וואלה", "ואלא": "וואלה", "אחלא": "אחלה",
    "סוררי": "סורי", "סאורי": "סורי", "באי": "ביי", "בייביי": "ביי ביי", "ביביי": "ביי ביי",
    "סי אר אם": "סיארם", "סי אר אמ": "סיארם", "סיאראם": "סיארם", "סי ארם": "סיארם",
    "אימייל": "מייל", "אי מייל": "מייל", "אימיל": "מייל",
    "וואטסאפ": "ווטסאפ", "וואצאפ": "ווטסאפ", "ווצאפ": "ווטסאפ", "וטסאפ": "ווטסאפ",
    "אחהצ": "אחר הצהריים", "אחה צ": "אחר הצהריים",
    "אחר הצהרים": "אחר הצהריים", "אחרי הצהריים": "אחר הצהריים", "אחרי הצהרים": "אחר הצהריים",
    "אחרהצהריים": "אחר הצהריים", "אחריהצהריים": "אחר הצהריים", "צהרים": "צהריים",
    "הצהרים": "הצהריים", "מחרתים": "מחרתיים", "שניה": "שנייה", "פידבאק": "פידבק",
    "לאמעוניין": "לא מעוניין", "לאמעוניינת": "לא מעוניינת", "לאמעוניינים": "לא מעוניינים",
    "לאתודה": "לא תודה", "לאצריך": "לא צריך", "לארוצה": "לא רוצה", "מיזה": "מי זה",
    "מיזאת": "מי זאת", "מימדבר": "מי מדבר", "מימדברת": "מי מדברת", "מהזה": "מה זה",
    "כןכן": "כן כן", "לאלא": "לא לא", "תודהרבה": "תודה רבה", "שבועהבא": "שבוע הבא",
    "בשבועהבא": "בשבוע הבא", "אניעסוק": "אני עסוק", "אניעסוקה": "אני עסוקה",
    "a m": "am", "p m": "pm", "o clock": "oclock", "e mail": "email",
}  # fmt: skip
# The right spellings too, so a prefix is only split off when the whole word is unknown:
# "וואלה" stays, "ויאלה" is "ו" + "יאללה".
_SPELLINGS.update({word: word for word in _SPELLINGS.values() if " " not in word})
_SPELLING = re.compile(
    r"(?<!\S)(?P<pre>וב|ול|וה|ו|ב|ל|ה|מ|ש)??(?P<word>"
    + "|".join(re.escape(word) for word in sorted(_SPELLINGS, key=len, reverse=True))
    + r")(?!\S)"
)


def _respell(match: re.Match[str]) -> str:
    return (match["pre"] or "") + _SPELLINGS[match["word"]]


def _shorten(match: re.Match[str]) -> str:
    letter = match[1]
    return letter * 2 if letter in _KEEP_TWO else letter


def _prepare(text: str) -> str:
    """The steps that need the punctuation still there: marks, apostrophes, "14.30", "2 p.m."."""
    text = _MARKS.sub("", text.replace("\u05be", " ")).lower().translate(_ARABIC_LETTERS)
    text = _APOSTROPHES.sub("", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    return _AM_PM.sub(r"\1 \2m", text)


def _clean(text: str) -> str:
    """Punctuation out, then the word-level steps."""
    text = " ".join(_STRAY_COLON.sub(" ", _NOT_WORD.sub(" ", text)).split())
    text = _LETTER_RUN.sub(_shorten, text)
    text = _LONE_PREFIX.sub(r"\1", text)
    return _SPELLING.sub(_respell, text)


def normalize(text: str) -> str:
    """Lowercases and strips marks and punctuation, so tables match what the caller said."""
    return _clean(_prepare(cap(text)))


def clauses(text: str) -> list[str]:
    """The turn normalised clause by clause (split at its punctuation); empty ones dropped."""
    found = []
    for part in _CLAUSE_BREAK.split(_prepare(cap(text))):
        clause = _clean(part)
        if clause:
            found.append(clause)
    return found


# Single Latin words an Israeli says inside Hebrew; alone they do not make a turn English.
_LOANWORDS = frozenset(
    {"ok", "okay", "yes", "no", "hi", "bye", "hey", "wow", "yo", "crm", "sorry", "yep", "nope"}
)


def detect_language(text: str) -> Language:
    """The caller's language from the script: Arabic, Cyrillic, Hebrew, else English or Hebrew.

    Latin-only text counts as English from two words on (unless every word is one Israelis say in
    Hebrew too: "ok", "yes", "no", "hi", ...), or as one clear English word ("hello", "what").
    """
    text = cap(text)
    if _ARABIC_LETTER.search(text):
        return "ar"
    if _CYRILLIC_LETTER.search(text):
        return "ru"
    if _HEBREW_LETTER.search(text):
        return "he"
    words = _LATIN_WORD.findall(_APOSTROPHES.sub("", text.lower()))
    if any(len(word) > 1 and word not in _LOANWORDS for word in words):
        return "en"
    return "he"


def has_hebrew(text: str) -> bool:
    return _HEBREW_LETTER.search(text) is not None


# --- Phrase tables -------------------------------------------------------------------------------


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so the most specific wins."""
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def table(*phrases: str, start: bool = False, end: bool = False) -> re.Pattern[str]:
    """Compiles phrases into one whole-word pattern, optionally held to the start or the end.

    Longest first, so the most specific phrase wins; ו/ש may lead ("ולא מעוניין", "שכן").
    """
    body = alternation(normalize(phrase) for phrase in phrases)
    before, after = ("^" if start else r"(?<!\S)"), ("$" if end else r"(?!\S)")
    return re.compile(rf"{before}(?:ו|ש|וש)?(?:{body}){after}")


def exact(*phrases: str) -> frozenset[str]:
    """Phrases that count only as a whole turn."""
    return frozenset(normalize(phrase) for phrase in phrases)
