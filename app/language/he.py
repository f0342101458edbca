"""Hand-written Hebrew lines and Hebrew date/time wording (never machine-translated at runtime).

Copy rules, so the lines survive text-to-speech (a Hebrew voice guesses the vowels):

- Hebrew script only, no niqqud; English terms are spoken in Hebrew ("בינה מלאכותית", not "AI").
  A name or source with Latin letters is left out of a Hebrew line, never read by a Hebrew voice.
- The brand is "אלטה" and never takes a one-letter prefix: "מאלטה" reads as Malta. Say
  "מהצוות של אלטה", "מטעם אלטה".
- Avoid suffixes whose gender only the vowels show ("לך", "שלך", "אותך", "איתך"), and "רוצה": the
  voice would pick one. Gender shows in verbs and adjectives instead ("את פנויה" / "אתה פנוי"), in
  "אלייך" / "אליך", "תרצי" / "תרצה", and an unknown lead hears impersonal or plural forms
  ("אפשר", "שומעים אותי?", "תגידו").
- No accusative "את": it is spelled like the pronoun "את", and the tests check for the pronoun.
- Times and dates are said in words, never "10:00": "מחר בשתיים וחצי בצהריים", "ביום חמישי בעשר
  בבוקר", and the full date only a week or more ahead ("ביום שלישי, חמישה עשר בדצמבר").
- Short lines: about twenty words at most, the greeting with its notices at most twenty-five.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import pairwise
from typing import Literal

from app.language import spelled

Gender = Literal["female", "male"]
LeadGender = Gender | None

BRAND = "אלטה"
DEFAULT_AGENT_NAMES: dict[Gender, str] = {"female": "נועה", "male": "נועם"}
GREETING_MAX_WORDS = 25

# Fixed renderings for the translator: English term -> what the caller should hear.
GLOSSARY: dict[str, str] = {
    "Alta": BRAND,
    "SDR": "SDR",  # kept as is; spoken "אס די אר". Spoken catalog lines describe the role instead.
    "SDRs": "SDR",
    "AI": "בינה מלאכותית",
    "AI agent": "סוכן בינה מלאכותית",
    "AI agents": "סוכני בינה מלאכותית",
    "meeting": "פגישה",
    "calendar invite": "זימון",
    "lead": "לקוח פוטנציאלי",  # singular "ליד" is read as "leyad" (near)
    "leads": "לידים",
    "sales team": "צוות המכירות",
    "sales rep": "נציג מכירות",
    "email": "מייל",
    "demo": "הדגמה",
}

# Monday first, as datetime.weekday() counts.
WEEKDAYS = ("יום שני", "יום שלישי", "יום רביעי", "יום חמישי", "יום שישי", "יום שבת", "יום ראשון")
MONTHS = (
    "בינואר",
    "בפברואר",
    "במרץ",
    "באפריל",
    "במאי",
    "ביוני",
    "ביולי",
    "באוגוסט",
    "בספטמבר",
    "באוקטובר",
    "בנובמבר",
    "בדצמבר",
)

# Feminine cardinals: hours ("בשלוש"), minutes and phone digits are counted this way.
_UNITS_F = ("אפס", "אחת", "שתיים", "שלוש", "ארבע", "חמש", "שש", "שבע", "שמונה", "תשע")
_TEENS_F = (
    "עשר",
    "אחת עשרה",
    "שתים עשרה",
    "שלוש עשרה",
    "ארבע עשרה",
    "חמש עשרה",
    "שש עשרה",
    "שבע עשרה",
    "שמונה עשרה",
    "תשע עשרה",
)
# Masculine cardinals: the day of the month ("חמישה עשר בדצמבר"), as Israelis say a date.
_UNITS_M = ("", "אחד", "שניים", "שלושה", "ארבעה", "חמישה", "שישה", "שבעה", "שמונה", "תשעה")
_TEENS_M = (
    "עשרה",
    "אחד עשר",
    "שנים עשר",
    "שלושה עשר",
    "ארבעה עשר",
    "חמישה עשר",
    "שישה עשר",
    "שבעה עשר",
    "שמונה עשר",
    "תשעה עשר",
)
_TENS = ("", "", "עשרים", "שלושים", "ארבעים", "חמישים")

# Minutes past the hour ("בעשר ועשרים") and before the next one ("ברבע לחמש").
_PAST = {15: "ורבע", 30: "וחצי", 5: "וחמישה", 10: "ועשרה", 20: "ועשרים", 25: "ועשרים וחמש"}
_TO = {45: "רבע", 40: "עשרים", 50: "עשרה", 55: "חמישה", 35: "עשרים וחמש"}

PARTS_OF_DAY = {
    "morning": "בבוקר",
    "noon": "בצהריים",
    "afternoon": "אחר הצהריים",
    "evening": "בערב",
}

_LATIN = re.compile(r"[A-Za-z]")
_CLOCK = re.compile(r"(ב-?)?(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
FULL_DATE_DAYS = 7  # a slot this many days ahead, or more, is said with its date


def _local(dt: datetime, tz: tzinfo) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("Hebrew date wording needs a timezone-aware datetime")
    return dt.astimezone(tz)


def number_f(n: int) -> str:
    """A feminine cardinal, 0 to 59: "שלוש", "עשרים ושתיים"."""
    if n < 10:
        return _UNITS_F[n]
    if n < 20:
        return _TEENS_F[n - 10]
    tens, units = divmod(n, 10)
    return _TENS[tens] + (f" ו{_UNITS_F[units]}" if units else "")


def number_m(n: int) -> str:
    """A masculine cardinal, 1 to 59: "חמישה עשר", "עשרים ושניים"."""
    if n < 10:
        return _UNITS_M[n]
    if n < 20:
        return _TEENS_M[n - 10]
    tens, units = divmod(n, 10)
    return _TENS[tens] + (f" ו{_UNITS_M[units]}" if units else "")


def _hour_word(hour: int) -> str:
    """The hour on a twelve-hour clock: 14 -> "שתיים", 0 and 12 -> "שתים עשרה"."""
    return number_f(hour % 12 or 12)


def _part_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "בבוקר"
    if 12 <= hour < 15:
        return "בצהריים"
    if 15 <= hour < 17:
        return "אחר הצהריים"
    if 17 <= hour < 22:
        return "בערב"
    return "בלילה"


def clock_words(hour: int, minute: int = 0, *, part: bool = False) -> str:
    """A time of day as Israelis say it: "שתיים וחצי", "רבע לחמש", "עשר בבוקר" (with `part`)."""
    if minute in _TO:
        words = f"{_TO[minute]} ל{_hour_word(hour + 1)}"
    elif minute == 0:
        words = _hour_word(hour)
    elif minute in _PAST:
        words = f"{_hour_word(hour)} {_PAST[minute]}"
    elif minute == 1:
        words = f"{_hour_word(hour)} ודקה"
    elif minute == 2:
        words = f"{_hour_word(hour)} ושתי דקות"
    else:
        words = f"{_hour_word(hour)} ו{number_f(minute)} דקות"
    return f"{words} {_part_of_day(hour)}" if part else words


def time_phrase(dt: datetime, tz: tzinfo, *, part: bool = True) -> str:
    """Says the local time of day: "בשתיים וחצי בצהריים" ("בשתיים וחצי" without `part`)."""
    local = _local(dt, tz)
    return "ב" + clock_words(local.hour, local.minute, part=part)


def day_of_month(dt: datetime, tz: tzinfo) -> str:
    """The local date in words: "חמישה עשר בדצמבר"."""
    local = _local(dt, tz)
    return f"{number_m(local.day)} {MONTHS[local.month - 1]}"


def days_ahead(dt: datetime, tz: tzinfo, now: datetime | None) -> int | None:
    """How many calendar days (local) from `now` to `dt`; None without `now`."""
    if now is None:
        return None
    return (_local(dt, tz).date() - _local(now, tz).date()).days


def date_phrase(
    dt: datetime,
    tz: tzinfo,
    now: datetime | None = None,
    *,
    to: bool = False,
    weekday: bool = False,
) -> str:
    """Says the local day: "היום", "מחר", "מחרתיים", "ביום חמישי" (within six days), or
    "ביום שלישי, חמישה עשר בדצמבר" (a week or more ahead, in the past, or without `now`).

    `to` says it after a verb of booking ("קבענו למחר", "ליום חמישי"); `weekday` adds the weekday
    to a relative day ("מחר, יום רביעי") where a caller should hear both.
    """
    local = _local(dt, tz)
    day = WEEKDAYS[local.weekday()]
    ahead = days_ahead(dt, tz, now)
    relative = {0: "היום", 1: "מחר", 2: "מחרתיים"}.get(ahead) if ahead is not None else None
    if relative:
        said = f"ל{relative}" if to else relative
        return f"{said}, {day}" if weekday else said
    prep = "ל" if to else "ב"
    if ahead is not None and 0 < ahead < FULL_DATE_DAYS:
        return prep + day
    return f"{prep}{day}, {day_of_month(dt, tz)}"


def _then(day: str) -> str:
    """A day phrase before a time: a dated day is closed with a comma, as it is read aloud."""
    return f"{day}," if "," in day else day


def slot_phrase(
    dt: datetime,
    tz: tzinfo,
    now: datetime | None = None,
    *,
    to: bool = False,
    weekday: bool = False,
    part: bool = True,
) -> str:
    """Says a meeting time: "מחר בשתיים וחצי בצהריים", "ביום חמישי בעשר בבוקר",
    "ביום שלישי, חמישה עשר בדצמבר, בעשר בבוקר"."""
    day = date_phrase(dt, tz, now, to=to, weekday=weekday)
    return f"{_then(day)} {time_phrase(dt, tz, part=part)}"


def _same_day(first: datetime, second: datetime, tz: tzinfo) -> bool:
    return _local(first, tz).date() == _local(second, tz).date()


def _same_time(first: datetime, second: datetime, tz: tzinfo) -> bool:
    return _local(first, tz).time() == _local(second, tz).time()


def _two_slots(
    first: datetime, second: datetime, tz: tzinfo, now: datetime | None, *, part: bool = True
) -> str:
    """Two slots, each thing said once: "מחר בעשר בבוקר, או בשתיים בצהריים",
    "מחר או ביום חמישי, בתשע בבוקר", "מחר בעשר בבוקר, או ביום חמישי בארבע אחר הצהריים"."""
    if _same_day(first, second, tz):
        return f"{slot_phrase(first, tz, now, part=part)}, או {time_phrase(second, tz, part=part)}"
    if _same_time(first, second, tz):
        days = f"{date_phrase(first, tz, now)} או {date_phrase(second, tz, now)}"
        return f"{days}, {time_phrase(first, tz, part=part)}"
    return f"{slot_phrase(first, tz, now, part=part)}, או {slot_phrase(second, tz, now, part=part)}"


def spoken_times(text: str) -> str:
    """Rewrites digit times in free text ("מחר ב-10:00") as words ("מחר בעשר")."""

    def words(match: re.Match[str]) -> str:
        hour, minute = int(match[2]), int(match[3])
        if hour > 23 or minute > 59:
            return match[0]
        return ("ב" if match[1] else "") + clock_words(hour, minute)

    return _CLOCK.sub(words, text)


def phone_groups(number: str) -> list[str]:
    """A phone number's digits in the groups Israelis read them in: "+97235551234" ->
    ["03", "555", "1234"], "+972501234567" -> ["050", "123", "4567"]."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+972"):
        digits = "0" + digits[3:]
    if digits.startswith(("05", "07")) and len(digits) == 10:
        cuts = [3, 6]
    elif digits.startswith("0") and len(digits) == 9:
        cuts = [2, 5]
    elif digits.startswith("1") and len(digits) == 10:
        cuts = [4, 7]
    else:
        cuts = list(range(3, len(digits), 3))
    bounds = [0, *cuts, len(digits)]
    return [digits[a:b] for a, b in pairwise(bounds) if digits[a:b]]


def key_word(key: str) -> str:
    """A phone key as said: "תשע", "כוכבית", "סולמית"."""
    return {"*": "כוכבית", "#": "סולמית"}.get(key) or _UNITS_F[int(key)]


def digits_words(number: str) -> str:
    """A phone number digit by digit, in words: "אפס שלוש, חמש חמש חמש, אחת שתיים שלוש ארבע"."""
    said = ", ".join(" ".join(_UNITS_F[int(d)] for d in group) for group in phone_groups(number))
    return f"פלוס {said}" if is_foreign(number) else said


def is_foreign(number: str) -> bool:
    """An E.164 number outside Israel, dialled with its "+"."""
    return number.strip().startswith("+") and not number.strip().startswith("+972")


def has_latin(text: str | None) -> bool:
    """True when `text` has a Latin letter, which a Hebrew voice cannot read."""
    return bool(text and _LATIN.search(text))


def as_lead_gender(value: str | None) -> LeadGender:
    """Reads a stored gender ("female", "male", anything else) as a lead gender."""
    if value == "female":
        return "female"
    if value == "male":
        return "male"
    return None


def first_name(full_name: str | None) -> str:
    """Returns the first word of a name: the way a caller is greeted."""
    return full_name.split()[0] if full_name and full_name.strip() else ""


# What a listener says to show they are listening, not to take the turn ("כן", "אהה", "מממ").
BACKCHANNELS = frozenset(
    {
        "כן",
        "אהה",
        "אה",
        "אהא",
        "מממ",
        "ממ",
        "מ",
        "אמממ",
        "אוקיי",
        "אוקי",
        "נכון",
        "יופי",
        "בסדר",
        "הממ",
        "וואלה",
        "אהם",
    }
)


def is_backchannel(text: str) -> bool:
    """One to three listener's sounds and nothing else ("כן כן", "אהה", "מממ")."""
    words = re.findall(r"\w+", text)
    return 0 < len(words) <= 3 and all(word in BACKCHANNELS for word in words)


def word_count(line: str) -> int:
    """Words as the ear counts them (punctuation is not a word)."""
    return len([word for word in line.split() if re.search(r"\w", word)])


def own_questions(built_in: tuple[str, str, str], own: tuple[str, ...]) -> tuple[str, str, str]:
    """The operator's qualifying questions where given, the catalog's elsewhere."""
    a, b, c = (
        own[i].strip() if i < len(own) and own[i].strip() else line
        for i, line in enumerate(built_in)
    )
    return a, b, c


def with_question(line: str, question: str) -> str:
    """The operator's line as written, then `question` unless the line already asks one."""
    line = line.strip()
    return line if line.endswith("?") else f"{line} {question}"


@dataclass(frozen=True, slots=True)
class HebrewCatalog:
    """Every fixed line of a call, agreeing with the agent's voice and the lead's gender."""

    agent_gender: Gender = "female"
    lead_gender: LeadGender = None
    agent_name: str | None = None
    advertiser: str = BRAND  # the advertiser's name for the advertising notice
    advertising: bool = True  # CALL_IS_ADVERTISING: the greeting opens with "פרסומת"
    callback_number: str | None = None  # BUSINESS_CALLBACK_NUMBER (E.164), said in the voicemail
    opt_out_key: str | None = None  # the phone key that takes the caller off the list (relay)
    # The operator's own words (AGENT_PITCH_HE, ...; the console's Agent page), said as written.
    pitch_line: str | None = None
    price_line: str | None = None
    questions: tuple[str, ...] = ()  # a blank one keeps the catalog's question

    @property
    def name(self) -> str:
        """The agent's name; a Latin-letter name gives way to the voice's Hebrew name."""
        if self.agent_name and self.agent_name.strip() and not has_latin(self.agent_name):
            return self.agent_name.strip()
        return DEFAULT_AGENT_NAMES[self.agent_gender]

    def _me(self, female: str, male: str) -> str:
        return female if self.agent_gender == "female" else male

    def _you(self, female: str, male: str, neutral: str) -> str:
        if self.lead_gender == "female":
            return female
        if self.lead_gender == "male":
            return male
        return neutral

    def _assistant(self) -> str:
        return self._me("עוזרת דיגיטלית מבוססת", "עוזר דיגיטלי מבוסס") + " בינה מלאכותית"

    def _advertiser(self) -> str:
        name = self.advertiser.strip()
        return BRAND if not name or has_latin(name) else name

    def _hello(self, lead_name: str | None) -> str:
        """ "היי דנה" - or "היי" when there is no name a Hebrew voice can read."""
        name = "" if has_latin(lead_name) else first_name(lead_name)
        return f"היי {name}".rstrip()

    def _prefer(self) -> str:
        return self._you("מה את מעדיפה?", "מה אתה מעדיף?", "מה עדיף?")

    def _back(self) -> str:
        return self._you("נחזור אלייך", "נחזור אליך", "נתקשר שוב")

    def _remove(self) -> str:
        return self._you("תרצי שנוריד מהרשימה?", "תרצה שנוריד מהרשימה?", "תרצו שנוריד מהרשימה?")

    # --- opening ---------------------------------------------------------------------------

    def greeting(self, lead_name: str | None, company: str | None = None) -> str:
        """Opens the call: with `advertising`, "פרסומת מטעם ..." first and how to refuse; the
        agent's name, that it is an AI, that the call is recorded, and whether now is good.
        At most 25 words: what we do is said only where it fits."""
        hello = self._hello(lead_name)
        ask = self._you("את פנויה לדקה?", "אתה פנוי לדקה?", "זה זמן טוב?")
        if self.advertising:
            refuse = self._you("תגידי", "תגיד", "תגידו")
            notice = f"השיחה מוקלטת, ואם לא מתאים, {refuse} ונוריד מהרשימה."
            if self.opt_out_key is not None:
                press = self._you("תקישי", "תקיש", "תקישו")
                key = key_word(self.opt_out_key)
                notice = f"השיחה מוקלטת. להסרה מהרשימה, {press} {key} או {refuse}."
            opening = (
                f"פרסומת מטעם {self._advertiser()}. {hello}, {self._me('זאת', 'זה')} "
                f"{self.name}, {self._assistant()}. {notice}"
            )
        else:
            opening = (
                f"{hello}, {self._me('זאת', 'זה')} {self.name} מהצוות של {BRAND}, "
                f"{self._assistant()}, והשיחה מוקלטת."
            )
        said = company.strip() if company and company.strip() else ""
        purposes = ["אנחנו עוזרים לחברות למכור יותר.", ""]
        if said and not has_latin(said):
            purposes.insert(0, f"אנחנו עוזרים לחברות כמו {said} למכור יותר.")
        for purpose in purposes:
            line = " ".join(part for part in (opening, purpose, ask) if part)
            if word_count(line) <= GREETING_MAX_WORDS:
                return line
        return f"{opening} {ask}"

    def reprompt(self, attempt: int = 1) -> str:
        """Varies by attempt (1, 2, 3+) so repeated silence doesn't sound canned."""
        if attempt <= 1:
            again = self._you("את יכולה", "אתה יכול", "אפשר")
            return f"סליחה, לא שמעתי טוב. {again} לחזור על זה?"
        if attempt == 2:
            return "הלו? " + self._you("את שומעת אותי?", "אתה שומע אותי?", "שומעים אותי?")
        return "אני עדיין כאן. אם זה לא זמן טוב, אפשר להגיד ונתקשר בזמן אחר."

    def hear_me(self) -> str:
        """For "הלו? לא שומעים": checks the line; the agent's last line follows it."""
        return "הלו, " + self._you(
            "את שומעת אותי עכשיו?", "אתה שומע אותי עכשיו?", "שומעים אותי עכשיו?"
        )

    def language_switch_en(self) -> str:
        return "בטח, אפשר לדבר באנגלית."

    # --- qualifying and answers ------------------------------------------------------------

    def qualifying_questions(self) -> tuple[str, str, str]:
        """Asks, in order: who calls leads today, how fast leads are handled, monthly volume."""
        opener = self._you("תגידי", "תגיד", "רציתי לשאול")
        return own_questions(
            (
                f"{opener}, יש אצלכם מישהו שכל התפקיד שלו זה להתקשר ללידים ולקבוע פגישות?",
                "ואיך אתם מטפלים היום בלידים שנכנסים? מישהו חוזר אליהם מהר?",
                "ובערך כמה לידים נכנסים אליכם בחודש? גם הערכה גסה זה מעולה.",
            ),
            self.questions,
        )

    def short_question(self, index: int) -> str:
        """A qualifying question again, shorter and simpler (index 0-2; past the end: the last)."""
        questions = own_questions(
            (
                "יש אצלכם אנשי מכירות שמתקשרים ללידים?",
                "מישהו חוזר מהר ללידים חדשים?",
                "בערך כמה לידים בחודש?",
            ),
            self.questions,
        )
        return questions[min(max(index, 0), len(questions) - 1)]

    def pitch(self) -> str:
        if self.pitch_line:
            more = self._you("מעוניינת", "מעוניין", "רוצים") + " לשמוע עוד?"
            return with_question(self.pitch_line, more)
        return (
            "בקצרה, אנחנו בונים סוכני בינה מלאכותית שמתקשרים ללידים, מסננים וקובעים פגישות "
            "לאנשי המכירות. " + self._you("מעוניינת", "מעוניין", "רוצים") + " לשמוע עוד?"
        )

    def agent_name_answer(self) -> str:
        return (
            f"קוראים לי {self.name}. אני {self._me('עוזרת דיגיטלית', 'עוזר דיגיטלי')} "
            f"של {BRAND}, {self._me('מבוססת', 'מבוסס')} בינה מלאכותית."
        )

    def who_are_you(self) -> str:
        return (
            f"אני {self.name}, {self._assistant()}, ואני {self._me('מתקשרת', 'מתקשר')} מטעם "
            f"{BRAND}. אנחנו עוזרים לחברות לקבוע יותר פגישות מכירה."
        )

    def are_you_a_bot(self) -> str:
        return f"כן, אני {self._assistant()}, מטעם {BRAND}. וזה בדיוק מה שאנחנו מציעים לחברות."

    def price(self) -> str:
        if self.price_line:
            return self.price_line.strip()
        return (
            "המחיר תלוי בהיקף, בעיקר בכמות הלידים והשיחות. "
            "בפגישה עם הנציג שלנו נעבור על זה לפי הצרכים שלכם."
        )

    def number_source(self, source: str | None) -> str:
        """Where the number came from (`source` in Hebrew, e.g. "השארת פרטים באתר") and an
        offer to remove it; without a readable source, an honest generic."""
        said = source.strip().rstrip(".") if source and source.strip() else ""
        if said and not has_latin(said):
            origin = f"לפי מה שרשום אצלנו, המקור הוא {said}."
        else:
            origin = "המספר הגיע אלינו ממאגר של אנשי קשר עסקיים."
        return f"{origin} {self._remove()}"

    def send_email(self, email_known: bool) -> str:
        if email_known:
            sent = f"בשמחה, אני {self._me('שולחת', 'שולח')} פרטים למייל."
        else:
            sent = "בשמחה, נציג שלנו ישלח פרטים."
        return f"{sent} ובינתיים, אולי נקבע פגישה קצרה, בלי התחייבות?"

    def already_have_solution(self) -> str:
        return (
            "הבנתי, וזה מצוין. אנחנו משתלבים לצד מערכות קיימות, לא במקומן. "
            "שווה פגישה קצרה כדי להשוות?"
        )

    def decision_maker_question(self) -> str:
        return "אין בעיה. מי אחראי על זה אצלכם, ומתי כדאי לתפוס אותו?"

    # --- slots -----------------------------------------------------------------------------

    def slot_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"אשמח לקבוע פגישה קצרה עם נציג. מה עדיף, {_two_slots(first, second, tz, now)}?"

    def other_slots_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"אין בעיה, אז אולי {_two_slots(first, second, tz, now)}?"

    def short_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        """The offer again, as short as it gets: "מחר בתשע, או ביום חמישי בעשר?"."""
        return f"{_two_slots(first, second, tz, now, part=False)}?"

    def requested_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        """Two slots that fit what the caller asked for: "ביום חמישי יש לי בעשר, או באחת"."""
        if _same_day(first, second, tz):
            day = _then(date_phrase(first, tz, now))
            times = f"{time_phrase(first, tz)}, או {time_phrase(second, tz)}"
            return f"בשמחה. {day} יש לי {times}. {self._prefer()}"
        return f"בשמחה. יש לי {_two_slots(first, second, tz, now)}. {self._prefer()}"

    def requested_single(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return f"בשמחה. יש לי {slot_phrase(slot, tz, now)}. מתאים?"

    def nothing_then(
        self,
        asked: str,
        first: datetime,
        second: datetime,
        tz: tzinfo,
        now: datetime | None = None,
    ) -> str:
        """Honest "nothing then" for `asked` (words from `when_words`) and the two nearest."""
        when = asked.strip() or "בזמן הזה"
        return f"{when} אין לי מקום, לצערי. הכי קרוב: {_two_slots(first, second, tz, now)}?"

    def when_words(
        self,
        weekday: int | None,
        part: str | None,
        hour: int | None,
        minute: int | None,
    ) -> str:
        """What the caller asked for, in words: "ביום חמישי בבוקר", "בארבע וחצי"."""
        said: list[str] = []
        if weekday is not None and 0 <= weekday < 7:
            said.append("ב" + WEEKDAYS[weekday])
        if hour is not None and 0 <= hour < 24:
            said.append("ב" + clock_words(hour, minute or 0))
        if part in PARTS_OF_DAY:
            said.append(PARTS_OF_DAY[part])
        return " ".join(said)

    def clarify_day(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        """Names the day that tells two slots apart: "רק לוודא, מחר או ביום חמישי?"."""
        one, other = date_phrase(first, tz, now), date_phrase(second, tz, now)
        if one == other:
            return self.clarify_time(first, second, tz)
        return f"רק לוודא, {one} או {other}?"

    def clarify_time(self, first: datetime, second: datetime, tz: tzinfo) -> str:
        """Names the time that tells two slots apart: "רק לוודא, בתשע או באחת עשרה?"."""
        one, other = time_phrase(first, tz, part=False), time_phrase(second, tz, part=False)
        if one == other:
            one, other = time_phrase(first, tz), time_phrase(second, tz)
        if one == other:
            one = "ב" + WEEKDAYS[_local(first, tz).weekday()]
            other = "ב" + WEEKDAYS[_local(second, tz).weekday()]
        return f"רק לוודא, {one} או {other}?"

    def propose(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        """A concrete proposal of one slot: "אז נקבע למחר בשתיים וחצי בצהריים?"."""
        return f"אז נקבע {slot_phrase(slot, tz, now, to=True)}?"

    def slot_taken(self, alternative: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return (
            "אופס, השעה הזאת נתפסה הרגע. "
            f"במקום זה יש לי {slot_phrase(alternative, tz, now)}. מתאים?"
        )

    def booking_confirmation(
        self, slot: datetime, tz: tzinfo, email_known: bool, now: datetime | None = None
    ) -> str:
        booked = self._booked(slot, tz, now)
        if email_known:
            return f"{booked} אני {self._me('שולחת', 'שולח')} עכשיו זימון למייל."
        return f"{booked} {self._follow_up()}"

    def _follow_up(self) -> str:
        return self._you(
            "נציג שלנו יחזור אלייך לפני הפגישה לתאם פרטים.",
            "נציג שלנו יחזור אליך לפני הפגישה לתאם פרטים.",
            "לפני הפגישה נתקשר לתאם פרטים.",
        )

    # --- the email, after a booking ----------------------------------------------------------

    def _booked(self, slot: datetime, tz: tzinfo, now: datetime | None) -> str:
        return f"מעולה, קבענו {slot_phrase(slot, tz, now, to=True, weekday=True)}."

    def booked_ask_email(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        booked = self._booked(slot, tz, now)
        ask = self._you(
            "לאיזה מייל לשלוח אלייך זימון?",
            "לאיזה מייל לשלוח אליך זימון?",
            "לאיזה מייל לשלוח זימון?",
        )
        return f"{booked} {ask}"

    def ask_email_again(self, after_no: bool) -> str:
        if after_no:
            return "סליחה. " + self._you(
                "תגידי לי שוב, לאט?", "תגיד לי שוב, לאט?", "אפשר שוב, לאט?"
            )
        slowly = self._you("תגידי לאט", "תגיד לאט", "אפשר לאט")
        return f"לא הצלחתי לקלוט. {slowly}, למשל: דני שטרודל ג'ימייל נקודה קום."

    def confirm_email(self, address: str) -> str:
        """The address spelled in Hebrew letter names: the voice cannot read Latin letters."""
        return f"רק לוודא: {spelled.email_he(address)}. נכון?"

    def email_saved(self) -> str:
        return f"תודה, רשמתי. אני {self._me('שולחת', 'שולח')} עכשיו זימון למייל."

    def email_skipped(self) -> str:
        return f"אין בעיה, הפגישה קבועה. {self._follow_up()}"

    # --- endings ---------------------------------------------------------------------------

    def callback_ack(self, when_text: str | None = None) -> str:
        """Agrees to call back; `when_text` is already Hebrew ("מחר בבוקר", "ביום חמישי")."""
        when = when_text.strip() if when_text and when_text.strip() else "בזמן שנוח יותר"
        return f"בסדר גמור, {self._back()} {spoken_times(when)}. תודה!"

    def transfer_intro(self) -> str:
        """Before the call is connected to a sales rep (TRANSFER_NUMBER)."""
        return f"בשמחה, אני {self._me('מעבירה', 'מעביר')} עכשיו לנציג מהצוות. רק רגע על הקו."

    def transfer_unavailable(self) -> str:
        """Asked for a person while no rep can take the call: a meeting is offered next."""
        return "כרגע אף נציג לא זמין, אבל אפשר לקבוע שיחה עם הצוות."

    def rep_unavailable(self) -> str:
        """The rep did not answer the transfer: back with the lead, a meeting is offered next."""
        return "סליחה על ההמתנה, הנציג לא הצליח לענות עכשיו."

    def opt_out_ack(self) -> str:
        return (
            f"אין בעיה, אני {self._me('דואגת', 'דואג')} שהמספר יוסר ולא נתקשר יותר. "
            "סליחה על ההפרעה, יום טוב."
        )

    def not_interested_ack(self) -> str:
        return f"אין בעיה, אני לגמרי {self._me('מבינה', 'מבין')}. תודה על הזמן."

    def wrong_number_ack(self) -> str:
        return "סליחה, כנראה טעות במספר. יום נעים!"

    def hostile_close(self) -> str:
        return "בסדר גמור, סליחה על ההפרעה. יום טוב."

    def abuse_close(self) -> str:
        return "הבנתי. המספר יוסר ולא נתקשר יותר. יום טוב."

    def limit_close(self, callback: bool) -> str:
        """Closes a call that goes nowhere; `callback` when the lead was engaged."""
        if callback:
            return f"נראה שזה לא הזמן הכי טוב. {self._back()} בפעם אחרת. יום נעים!"
        return "אז לא נעכב יותר. תודה על הזמן, ויום נעים!"

    def goodbye(self) -> str:
        return self._you(
            "אם תצטרכי משהו בעתיד, אנחנו כאן. יום נעים!",
            "אם תצטרך משהו בעתיד, אנחנו כאן. יום נעים!",
            "אם יהיה צורך בעתיד, אנחנו כאן. יום נעים!",
        )

    def goodbye_after_booking(self) -> str:
        return "תודה רבה, שמחתי לדבר. יום נעים!"

    def fallback(self) -> str:
        return "סליחה, יש לי תקלה קטנה. אפשר לחזור על זה?"

    def technical_goodbye(self) -> str:
        return f"סליחה, יש לנו תקלה טכנית. {self._back()} בהקדם. יום נעים!"

    def voicemail(self, lead_name: str | None = None) -> str:
        """A message left on voicemail: the advertiser, why we called, how to call back or be
        removed (the callback number digit by digit, in words). At most 35 words."""
        hello = self._hello(lead_name)
        if self.advertising:
            opening = (
                f"פרסומת מטעם {self._advertiser()}. {hello}, {self._me('זאת', 'זה')} "
                f"{self.name}, {self._assistant()}."
            )
        else:
            opening = (
                f"{hello}, {self._me('זאת', 'זה')} {self.name} מהצוות של {BRAND}, "
                f"{self._assistant()}."
            )
        why = "התקשרתי לגבי סוכני מכירות דיגיטליים."
        if self.callback_number and re.search(r"\d", self.callback_number):
            reach = f"לחזרה, או להסרה מהרשימה, חייגו {digits_words(self.callback_number)}."
        else:
            reach = "ננסה שוב בהמשך. אם לא מתאים, אפשר להגיד לנו ונוריד מהרשימה."
        return f"{opening} {why} {reach} תודה!"


# --- the post-call summary (flows/after_call.py): the Hebrew twin of en.call_summary ---------
# Read by the sales team, not spoken: plain Hebrew, with tool names as they are written.

LEAD_HANDLING_HE = {
    "spreadsheet": "באקסל או בגיליון",
    "manual": "ידנית",
    "crm": "במערכת CRM",
    "call_center": "דרך מוקד טלפוני",
    "slow": "לאט: לידים מחכים לתשובה",
}
OBJECTIONS_HE = {
    "price": "המחיר",
    "timing": "זה לא זמן טוב",
    "has_solution": "כבר יש להם פתרון",
    "not_interested": "לא מעוניינים",
    "trust": "שאלו אם זה בוט",
    "privacy": "שאלו מאיפה המספר",
    "decision_maker": "לא מקבלי ההחלטות",
}
OUTCOMES_HE = {
    "booked": "נקבעה פגישה",
    "transferred": "השיחה הועברה לנציג מכירות",
    "callback": "הליד ביקש שנחזור אליו",
    "not_interested": "הליד לא מעוניין",
    "opted_out": "הליד ביקש שלא נתקשר אליו שוב",
    "voicemail": "השיחה הגיעה לתא קולי",
    "no_answer": "לא ענו",
    "busy": "הקו היה תפוס",
    "failed": "לא הצלחנו לחייג",
    "error": "השיחה הסתיימה בתקלה טכנית",
    "completed": "הליד ניתק לפני שסיכמנו משהו",
}
FOLLOW_UP_HE = {
    "meeting": "פגישה שנקבעה",
    "callback": "לחזור אליו",
    "email": "לשלוח פרטים במייל",
    "person": "לדבר עם נציג",
}


def call_summary_he(
    outcome: str,
    *,
    team_size: int | None,
    has_team: bool | None,
    handling: list[str],
    tools: list[str],
    objections: list[str],
    follow_up: str | None,
) -> str:
    """The Hebrew twin of the offline summary (`follow_up` is a FOLLOW_UP_HE key)."""
    parts = [OUTCOMES_HE.get(outcome, OUTCOMES_HE["completed"]) + "."]
    if team_size is not None:
        parts.append(f"יש להם צוות SDR של {team_size} אנשים.")
    elif has_team is True:
        parts.append("יש להם צוות SDR.")
    elif has_team is False:
        parts.append("אין להם צוות SDR.")
    if handling:
        parts.append("היום מטפלים בלידים " + " ו".join(LEAD_HANDLING_HE[h] for h in handling) + ".")
    if tools:
        parts.append("כלים היום: " + ", ".join(tools) + ".")
    if objections:
        parts.append("התנגדויות: " + ", ".join(OBJECTIONS_HE[o] for o in objections) + ".")
    if follow_up in FOLLOW_UP_HE:
        parts.append(f"המשך: {FOLLOW_UP_HE[follow_up]}.")
    return " ".join(parts)


def whisper_he(lead_name: str | None, company: str | None, summary_he: str) -> str:
    """What the rep hears before a transferred call connects: who it is and what was said."""
    who = ", ".join(part for part in (lead_name, company) if part) or "ליד"
    return f"העברת שיחה: {who}. {summary_he}".strip()
