"""An email address spelled out loud, so a TTS voice reads it back right: a he-IL voice cannot
read Latin letters, so each letter is its English name written in Hebrew ("די", "איי"), the
common mail words are said as words ("ג'ימייל", "קום"), and @ . _ - are "שטרודל", "נקודה"..."""

from __future__ import annotations

import re

# English letter names as Israelis say them, without vowel points (the voice reads plain
# letters); I is "אאי" so that it does not sound like A ("איי").
HE_LETTERS: dict[str, str] = {
    "a": "איי",
    "b": "בי",
    "c": "סי",
    "d": "די",
    "e": "אי",
    "f": "אף",
    "g": "ג'י",
    "h": "אייץ'",
    "i": "אאי",
    "j": "ג'יי",
    "k": "קיי",
    "l": "אל",
    "m": "אם",
    "n": "אן",
    "o": "או",
    "p": "פי",
    "q": "קיו",
    "r": "אר",
    "s": "אס",
    "t": "טי",
    "u": "יו",
    "v": "וי",
    "w": "דאבל יו",
    "x": "אקס",
    "y": "וואי",
    "z": "זד",
}
HE_DIGITS = ("אפס", "אחת", "שתיים", "שלוש", "ארבע", "חמש", "שש", "שבע", "שמונה", "תשע")
HE_SYMBOLS = {"@": "שטרודל", ".": "נקודה", "_": "קו תחתון", "-": "מקף", "+": "פלוס"}
# Whole parts of an address said as words, not spelled.
HE_WORDS = {
    "gmail": "ג'ימייל",
    "hotmail": "הוטמייל",
    "yahoo": "יאהו",
    "outlook": "אאוטלוק",
    "walla": "וואלה",
    "icloud": "אייקלאוד",
    "netvision": "נטוויז'ן",
    "bezeqint": "בזק אינטרנשיונל",
    "com": "קום",
    "net": "נט",
    "org": "אורג",
    "co": "קו",
    "il": "איי אל",
    "gov": "גוב",
    "ac": "איי סי",
}
EN_SYMBOLS = {"@": "at", ".": "dot", "_": "underscore", "-": "dash", "+": "plus"}
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_WORDS = frozenset(
    {"gmail", "hotmail", "yahoo", "outlook", "walla", "icloud", "com", "net", "org", "co"}
)
_PARTS = re.compile(r"[@._+-]|[^@._+-]+")


def _spelled(part: str, letters: dict[str, str], digits: tuple[str, ...]) -> str:
    """One part letter by letter, comma-separated so the voice pauses between letters."""
    return ", ".join(
        digits[int(char)] if char.isdigit() else letters.get(char, char) for char in part
    )


def email_he(address: str) -> str:
    """ "dani@gmail.com" -> "די, איי, אן, אאי שטרודל ג'ימייל נקודה קום"."""
    words = []
    for part in _PARTS.findall(address.lower()):
        if part in HE_SYMBOLS:
            words.append(HE_SYMBOLS[part])
        elif part in HE_WORDS:
            words.append(HE_WORDS[part])
        else:
            words.append(_spelled(part, HE_LETTERS, HE_DIGITS))
    return " ".join(words)


def email_en(address: str) -> str:
    """ "dani@gmail.com" -> "D, A, N, I at gmail dot com"."""
    words = []
    for part in _PARTS.findall(address.lower()):
        if part in EN_SYMBOLS:
            words.append(EN_SYMBOLS[part])
        elif part in EN_WORDS:
            words.append(part)
        else:
            words.append(_spelled(part, {c: c.upper() for c in part}, EN_DIGITS))
    return " ".join(words)
