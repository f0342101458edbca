"""The simulated callers: who they are, what they say in Hebrew, and what the fake model answers.

Every caller line and every agent line names its caller (a full name or a company, unique per
call), so each provider request the fakes serve can be traced back to its call from the request
body alone: the fakes keep no state across requests and never count calls. A recording's
RecordingSid encodes the call and the line, and its WAV bytes spell the RecordingSid.

The script is a pure function of (calls, turns), so the driver, the fake OpenAI and the fake
Twilio build the same tables in their own processes.
"""

from __future__ import annotations

import io
import re
import secrets
import wave
from dataclasses import dataclass
from functools import cache

# 25 x 25 = 625 distinct (first, last) names and (last, kind) companies.
FIRST = [
    ("דני", "Dani"),
    ("יוסי", "Yossi"),
    ("אבי", "Avi"),
    ("משה", "Moshe"),
    ("רון", "Ron"),
    ("עומר", "Omer"),
    ("איתי", "Itai"),
    ("גיל", "Gil"),
    ("אורי", "Uri"),
    ("נועם", "Noam"),
    ("עידו", "Ido"),
    ("אלון", "Alon"),
    ("תומר", "Tomer"),
    ("ניר", "Nir"),
    ("שי", "Shai"),
    ("אייל", "Eyal"),
    ("רועי", "Roei"),
    ("יובל", "Yuval"),
    ("אסף", "Asaf"),
    ("דוד", "David"),
    ("בועז", "Boaz"),
    ("חיים", "Haim"),
    ("עמית", "Amit"),
    ("ליאור", "Lior"),
    ("אריאל", "Ariel"),
]
LAST = [
    ("כהן", "Cohen"),
    ("לוי", "Levi"),
    ("מזרחי", "Mizrahi"),
    ("פרץ", "Peretz"),
    ("ביטון", "Biton"),
    ("דהן", "Dahan"),
    ("אברהם", "Avraham"),
    ("פרידמן", "Friedman"),
    ("אזולאי", "Azoulay"),
    ("מלכה", "Malka"),
    ("חדד", "Hadad"),
    ("גבאי", "Gabai"),
    ("שפירא", "Shapira"),
    ("קפלן", "Kaplan"),
    ("אוחיון", "Ohayon"),
    ("ברק", "Barak"),
    ("רוזן", "Rosen"),
    ("גולן", "Golan"),
    ("שטרן", "Stern"),
    ("נחום", "Nahum"),
    ("סויסה", "Suissa"),
    ("עמר", "Amar"),
    ("יוסף", "Yosef"),
    ("טל", "Tal"),
    ("ויס", "Weiss"),
]
KIND = [
    ("מערכות", "Systems"),
    ("תוכנה", "Software"),
    ("ביטוח", "Insurance"),
    ("נדל״ן", "Realty"),
    ("שיווק", "Marketing"),
    ("לוגיסטיקה", "Logistics"),
    ("אנרגיה", "Energy"),
    ("תקשורת", "Telecom"),
    ("פיננסים", "Finance"),
    ("ייעוץ", "Consulting"),
    ("בנייה", "Construction"),
    ("מזון", "Foods"),
    ("רכב", "Motors"),
    ("אופנה", "Fashion"),
    ("רפואה", "Medical"),
    ("חינוך", "Education"),
    ("תיירות", "Travel"),
    ("סייבר", "Cyber"),
    ("אבטחה", "Security"),
    ("הפקות", "Productions"),
    ("דפוס", "Print"),
    ("ריהוט", "Furniture"),
    ("סולאר", "Solar"),
    ("קמעונאות", "Retail"),
    ("משפטים", "Legal"),
]
MAX_CALLS = len(FIRST) * len(LAST)

# The caller's side: (kind, Hebrew template, English template). {name}/{company} per call.
GREETING_REPLY = (
    "greeting_reply",
    "כן, {name} מדבר, יש לי דקה",
    "Yes, this is {name}, I have a minute.",
)
QUALIFYING = [
    (
        "qualifying",
        "יש לנו שלושה אנשי מכירות ב{company}",
        "We have three salespeople at {company}.",
    ),
    (
        "qualifying",
        "ב{company} הלידים מגיעים במייל ואנחנו מתקשרים ידנית",
        "At {company} leads come in by email and we call them by hand.",
    ),
    (
        "qualifying",
        "בערך מאתיים לידים בחודש מגיעים ל{company}",
        "About two hundred leads a month come to {company}.",
    ),
]
INTEREST = (
    "interest",
    "נשמע מעניין ל{company}, אפשר {week}ביום {day_he} בשעה {hour}?",
    "Sounds interesting for {company}, can we meet {week_en}{day_en} at {hour}:00?",
)
# The day and hour each caller asks for, so concurrent calls are offered different slots (and
# two callers asking for the same one pick different slots): 5 days x 9 hours x 2 weeks.
DAYS = [("ראשון", "Sunday"), ("שני", "Monday"), ("שלישי", "Tuesday"), ("רביעי", "Wednesday")]
DAYS += [("חמישי", "Thursday")]
HOURS = list(range(9, 18))
ASKS = len(DAYS) * len(HOURS) * 2
CHOICES = [
    (
        "choice",
        "הראשון מתאים לי, תרשמי על שם {name}",
        "The first one works for me, put it under {name}.",
    ),
    (
        "choice",
        "השני מתאים לי, תרשמי על שם {name}",
        "The second one works for me, put it under {name}.",
    ),
]
# The fake agent's questions after a greeting reply or a qualifying answer: (English, Hebrew).
QUESTIONS = [
    ("Great, {first}. Does {company} have an SDR team?", "מעולה {first}. יש ב{company} צוות SDR?"),
    (
        "Got it. How does {company} handle new leads today?",
        "הבנתי. איך {company} מטפלים היום בלידים?",
    ),
    (
        "Thanks. Roughly how many leads a month at {company}?",
        "תודה. בערך כמה לידים בחודש ב{company}?",
    ),
    ("And who decides on tools at {company}?", "ומי מחליט על כלים ב{company}?"),
]


@dataclass(frozen=True, slots=True)
class Line:
    """One thing the caller says, with its English and the step it is in the sales call."""

    call: int
    index: int  # 1-based: the caller's first line answers the greeting
    kind: str
    he: str
    en: str


@dataclass(frozen=True, slots=True)
class Caller:
    index: int
    name_he: str
    name_en: str
    first_he: str
    first_en: str
    company_he: str
    company_en: str
    phone: str
    lines: tuple[Line, ...]

    def lead(self) -> dict[str, str]:
        """The POST /leads body."""
        return {
            "name": self.name_en,
            "name_he": self.name_he,
            "phone": self.phone,
            "company": self.company_en,
            "gender": "male",
            "source": "load benchmark",
        }


def _steps(index: int, turns: int) -> list[tuple[str, str, str]]:
    """The caller's lines for a call of `turns` caller turns, ending in a booking when >= 2.
    Callers alternate between the first and the second slot offered, as people do."""
    if turns <= 1:
        return [INTEREST][:turns]
    middle = [QUALIFYING[i % len(QUALIFYING)] for i in range(max(0, turns - 3))]
    head = [GREETING_REPLY] if turns >= 3 else []
    return [*head, *middle, INTEREST, CHOICES[(index // ASKS) % 2]]


def caller(index: int, turns: int) -> Caller:
    if not 0 <= index < MAX_CALLS:
        raise ValueError(f"at most {MAX_CALLS} simulated callers")
    first_he, first_en = FIRST[index // len(LAST)]
    last_he, last_en = LAST[index % len(LAST)]
    kind_he, kind_en = KIND[index // len(LAST)]
    ask = index % ASKS
    (day_he, day_en), hour = DAYS[ask % len(DAYS)], HOURS[ask // len(DAYS) % len(HOURS)]
    next_week = ask >= ASKS // 2
    he = {"name": f"{first_he} {last_he}", "company": f"{last_he} {kind_he}", "hour": str(hour)}
    en = {"name": f"{first_en} {last_en}", "company": f"{last_en} {kind_en}", "hour": str(hour)}
    he.update(week="בשבוע הבא " if next_week else "", day_he=day_he)
    en.update(week_en="next week on " if next_week else "", day_en=day_en)
    lines = []
    for n, (kind, template_he, template_en) in enumerate(_steps(index, turns), start=1):
        text_he, text_en = template_he.format(**he), template_en.format(**en)
        lines.append(Line(index, n, kind, text_he, text_en))
    return Caller(
        index=index,
        name_he=he["name"],
        name_en=en["name"],
        first_he=first_he,
        first_en=first_en,
        company_he=he["company"],
        company_en=en["company"],
        phone=f"+97250{3000000 + index}",
        lines=tuple(lines),
    )


def question(c: Caller, line: Line) -> tuple[str, str]:
    """The fake agent's (English, Hebrew) question after the caller's `line`."""
    en, he = QUESTIONS[(line.index - 1) % len(QUESTIONS)]
    values_en = {"first": c.first_en, "company": c.company_en}
    values_he = {"first": c.first_he, "company": c.company_he}
    return en.format(**values_en), he.format(**values_he)


@dataclass(frozen=True, slots=True)
class Tables:
    """What the stateless fakes look up: every caller line and agent line of the run."""

    lines_he: dict[str, Line]  # Hebrew caller line (transcript, SpeechResult) -> the line
    lines_en: dict[str, Line]  # its English (what the agent is sent) -> the line
    questions_en: dict[str, tuple[Line, str]]  # agent English -> (line it answers, Hebrew)
    names: dict[str, int]  # lead name or company (English and Hebrew) -> call
    names_pattern: re.Pattern[str]


@cache
def tables(calls: int, turns: int) -> Tables:
    lines_he, lines_en, questions_en, names = {}, {}, {}, {}
    for i in range(calls):
        c = caller(i, turns)
        for key in (c.name_en, c.name_he, c.company_en, c.company_he):
            names[key] = i
        for line in c.lines:
            lines_he[line.he] = line
            lines_en[line.en] = line
            q_en, q_he = question(c, line)
            questions_en[q_en] = (line, q_he)
    alternatives = sorted(names, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(name) for name in alternatives) or "(?!)")
    return Tables(lines_he, lines_en, questions_en, names, pattern)


def call_named_in(text: str, t: Tables) -> int | None:
    """The call whose lead name or company appears in `text` (the longest match wins)."""
    best: tuple[int, int] | None = None
    for match in t.names_pattern.finditer(text):
        length = match.end() - match.start()
        if best is None or length > best[0]:
            best = (length, t.names[match.group()])
    return best[1] if best else None


# --- recordings ---------------------------------------------------------------------------------

_SID = re.compile(r"RE([0-9a-f]{8})([0-9a-f]{4})[0-9a-f]{20}")


def recording_sid(call: int, line: int) -> str:
    """A Twilio-shaped RecordingSid (RE + 32 hex) naming the call and the line."""
    return f"RE{call:08x}{line:04x}{secrets.token_hex(10)}"


def parse_sid(sid: str) -> tuple[int, int] | None:
    match = _SID.fullmatch(sid)
    return (int(match.group(1), 16), int(match.group(2), 16)) if match else None


def sid_in_wav(audio: bytes) -> str | None:
    """The RecordingSid the fake Twilio's WAV spells (tests/fakes/twilio.py), or None."""
    try:
        with wave.open(io.BytesIO(audio), "rb") as clip:
            frames = clip.readframes(clip.getnframes())
    except (wave.Error, EOFError):
        return None
    return frames.lstrip(b"\x00").decode("ascii", "replace") or None
