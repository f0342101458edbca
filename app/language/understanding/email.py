"""An email address as a caller says it: "dani at gmail dot com", "דני שטרודל ג'ימייל נקודה
קום", "dani.cohen@walla.co.il". Spoken words for @ . _ - and the common mail domains become
symbols; a name said in Hebrew letters is written in Latin ones the way Israelis spell it, and
the result is read back to the caller to confirm (app/language/spelled.py), since a
transliteration can be off.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

MAX_CHARS = 200

# Said words -> what they stand for; longest phrases first (matched on whole words).
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("קו תחתון", "_"),
    ("underscore", "_"),
    ("שטרודל", "@"),
    ("כרוכית", "@"),
    ("at sign", "@"),
    ("at", "@"),
    ("נקודה", "."),
    ("dot", "."),
    ("point", "."),
    ("מקף", "-"),
    ("dash", "-"),
    ("hyphen", "-"),
)
WORDS: dict[str, str] = {
    "ג'ימייל": "gmail",
    "גימייל": "gmail",
    "גמייל": "gmail",
    "הוטמייל": "hotmail",
    "יאהו": "yahoo",
    "אאוטלוק": "outlook",
    "אוטלוק": "outlook",
    "וואלה": "walla",
    "ואלה": "walla",
    "אייקלאוד": "icloud",
    "נטוויז'ן": "netvision",
    "ביזק": "bezeq",
    "קום": "com",
    "נט": "net",
    "אורג": "org",
    "קו": "co",
    "איי אל": "il",
    "אי אל": "il",
    "איל": "il",
}
# One Hebrew letter -> Latin, as Israelis write their names in email (דני -> dani).
LETTERS: dict[str, str] = {
    "א": "a",
    "ב": "b",
    "ג": "g",
    "ד": "d",
    "ה": "h",
    "ו": "o",
    "ז": "z",
    "ח": "ch",
    "ט": "t",
    "י": "i",
    "כ": "k",
    "ך": "ch",
    "ל": "l",
    "מ": "m",
    "ם": "m",
    "נ": "n",
    "ן": "n",
    "ס": "s",
    "ע": "a",
    "פ": "p",
    "ף": "f",
    "צ": "tz",
    "ץ": "tz",
    "ק": "k",
    "ר": "r",
    "ש": "sh",
    "ת": "t",
}
DIGRAPHS = {"ג'": "j", "ז'": "zh", "צ'": "ch", "וו": "v", "יי": "y"}
HEBREW = re.compile(r"[\u05d0-\u05ea]")


AT_WORDS = ("שטרודל", "כרוכית", "at sign", "at")
JOINERS = {".", "_", "-"}
CONSONANT_THEN_CONSONANT = re.compile(r"^([bdgklmnprstvz]|sh|ch|tz)(?=[bdgklmnprstvz])")


def _transliterate(word: str) -> str:
    """A Hebrew word in Latin letters: a leading ו or י is a consonant (v, y), a final ה an a,
    and a name that opens on two consonants gets the "a" Hebrew leaves unwritten (דני: dani)."""
    for pair, latin in DIGRAPHS.items():
        word = word.replace(pair, latin)
    out: list[str] = []
    for index, char in enumerate(word):
        if char == "ו" and index == 0:
            out.append("v")
        elif char == "י" and index == 0:
            out.append("y")
        elif char == "ה" and index == len(word) - 1 and index > 0:
            out.append("a")
        else:
            out.append(LETTERS.get(char, char))
    latin = "".join(out)
    return CONSONANT_THEN_CONSONANT.sub(lambda m: m.group(1) + "a", latin, count=1)


def _replace_words(text: str) -> str:
    for spoken, symbol in SYMBOLS:
        text = re.sub(rf"(?<![\w']){re.escape(spoken)}(?![\w'])", f" {symbol} ", text)
    for spoken, latin in sorted(WORDS.items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<![\w']){re.escape(spoken)}(?![\w'])", latin, text)
    return text


def _around_at(tokens: list[str]) -> list[str]:
    """The tokens that make the address: words joined by . _ - on both sides of the one @."""
    at = tokens.index("@")
    start = at - 1
    while start >= 2 and tokens[start - 1] in JOINERS and tokens[start - 2] not in JOINERS:
        start -= 2
    end = at + 1
    while end + 2 < len(tokens) and tokens[end + 1] in JOINERS and tokens[end + 2] not in JOINERS:
        end += 2
    return tokens[max(start, 0) : end + 1]


def spoken_email(text: str) -> str | None:
    """The address the caller said, normalised (lowercase, no spaces), or None when the words
    do not make a valid address."""
    said = text.strip().lower()[:MAX_CHARS]
    if "@" not in said and not any(
        re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", said) for word in AT_WORDS
    ):
        return None
    said = _replace_words(said)
    tokens = re.findall(r"[@._-]|[^\s@._-]+", said)
    if tokens.count("@") != 1 or tokens[0] == "@" or tokens[-1] == "@":
        return None
    words = [_transliterate(t) if HEBREW.search(t) else t for t in _around_at(tokens)]
    candidate = re.sub(r"[^a-z0-9@._+-]", "", "".join(words))
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(checked.normalized).lower()
