"""An email address spelled out loud, so a TTS voice reads it back right: a he-IL voice cannot
read Latin letters, so each letter is its English name written in Hebrew ("די", "אֵיי"), the
common mail words are said as words ("ג'ימייל", "קום"), and @ . _ - are "שטרודל", "נקודה"..."""

from __future__ import annotations

import re

# English letter names as Israelis say them; vowel points only where two would look alike
# (A / I, E / I) or the voice would guess wrong.
HE_LETTERS: dict[str, str] = {
    "a": "אֵיי",
    "b": "בִּי",
    "c": "סִי",
    "d": "דִּי",
    "e": "אִי",
    "f": "אֶף",
    "g": "ג'ִי",
    "h": "אֵייץ'",
    "i": "אַיי",
    "j": "ג'ֵיי",
    "k": "קֵיי",
    "l": "אֶל",
    "m": "אֶם",
    "n": "אֶן",
    "o": "אוֹ",
    "p": "פִּי",
    "q": "קְיוּ",
    "r": "אָר",
    "s": "אֶס",
    "t": "טִי",
    "u": "יוּ",
    "v": "וִי",
    "w": "דַאבֶּל יוּ",
    "x": "אֶקְס",
    "y": "וַאי",
    "z": "זֶד",
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
    "ac": "אֵיי סִי",
}
EN_SYMBOLS = {"@": "at", ".": "dot", "_": "underscore", "-": "dash", "+": "plus"}
EN_WORDS = frozenset(
    {"gmail", "hotmail", "yahoo", "outlook", "walla", "icloud", "com", "net", "org"}
)
_PARTS = re.compile(r"[@._+-]|[^@._+-]+")


def _spelled(part: str, letters: dict[str, str], digits: tuple[str, ...] | None) -> str:
    """One part letter by letter, comma-separated so the voice pauses between letters."""
    out = []
    for char in part:
        if char.isdigit():
            out.append(digits[int(char)] if digits else char)
        else:
            out.append(letters.get(char, char))
    return ", ".join(out)


def email_he(address: str) -> str:
    """ "dani@gmail.com" -> "דִּי, אֵיי, אֶן, אַיי שטרודל ג'ימייל נקודה קום"."""
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
            words.append(", ".join(char.upper() for char in part))
    return " ".join(words)
