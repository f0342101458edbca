"""Hand-written Hebrew lines and Hebrew date/time wording (never machine-translated at runtime).

Copy rules, so the lines survive text-to-speech (a Hebrew voice guesses the vowels):

- Hebrew script only, no niqqud; English terms are spoken in Hebrew ("בינה מלאכותית", not "AI").
- The brand is "אלטה" and never takes a one-letter prefix: "מאלטה" reads as Malta. Say
  "מהצוות של אלטה", "מטעם אלטה".
- Avoid suffixes whose gender only the vowels show ("לך", "שלך", "אותך", "איתך"): the voice would
  pick one. Gender shows in verbs and adjectives instead ("את פנויה" / "אתה פנוי"), in
  "אלייך" / "אליך", and an unknown lead hears impersonal or plural forms ("אפשר", "שומעים אותי?").
- No accusative "את": it is spelled like the pronoun "את", and the tests check for the pronoun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal

Gender = Literal["female", "male"]
LeadGender = Gender | None

BRAND = "אלטה"
DEFAULT_AGENT_NAMES: dict[Gender, str] = {"female": "נועה", "male": "נועם"}

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


def _local(dt: datetime, tz: tzinfo) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("Hebrew date wording needs a timezone-aware datetime")
    return dt.astimezone(tz)


def time_phrase(dt: datetime, tz: tzinfo) -> str:
    """Says the local time of day: "בשעה 14:30"."""
    local = _local(dt, tz)
    return f"בשעה {local.hour}:{local.minute:02d}"


def date_phrase(dt: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """Says the local date: "יום שלישי, 1 בדצמבר", led by "היום"/"מחר" when `now` makes it so."""
    local = _local(dt, tz)
    words = f"{WEEKDAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]}"
    if now is not None:
        days_ahead = (local.date() - _local(now, tz).date()).days
        if days_ahead == 0:
            return f"היום, {words}"
        if days_ahead == 1:
            return f"מחר, {words}"
    return words


def slot_phrase(dt: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """Says a meeting time in full: "מחר, יום רביעי, 2 בדצמבר, בשעה 14:30"."""
    return f"{date_phrase(dt, tz, now)}, {time_phrase(dt, tz)}"


def _two_slots(first: datetime, second: datetime, tz: tzinfo, now: datetime | None) -> str:
    if _local(first, tz).date() == _local(second, tz).date():
        return f"{slot_phrase(first, tz, now)} או {time_phrase(second, tz)}"
    return f"{slot_phrase(first, tz, now)}, או {slot_phrase(second, tz, now)}"


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


@dataclass(frozen=True, slots=True)
class HebrewCatalog:
    """Every fixed line of a call, agreeing with the agent's voice and the lead's gender."""

    agent_gender: Gender = "female"
    lead_gender: LeadGender = None
    agent_name: str | None = None

    @property
    def name(self) -> str:
        return self.agent_name or DEFAULT_AGENT_NAMES[self.agent_gender]

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

    def greeting(self, lead_name: str | None, company: str | None = None) -> str:
        hello = f"היי {first_name(lead_name)}".rstrip()
        companies = f"לחברות כמו {company.strip()}" if company and company.strip() else "לחברות"
        return (
            f"{hello}, {self._me('זאת', 'זה')} {self.name} מהצוות של {BRAND}. "
            f"אני {self._assistant()}, והשיחה מוקלטת. "
            f"אנחנו עוזרים {companies} להגדיל מכירות, בעזרת סוכנים דיגיטליים כמוני. "
            + self._you("את פנויה לדקה?", "אתה פנוי לדקה?", "זה זמן טוב לדבר?")
        )

    def reprompt(self, attempt: int = 1) -> str:
        """Varies by attempt (1, 2, 3+) so repeated silence doesn't sound canned."""
        if attempt <= 1:
            again = self._you("את יכולה", "אתה יכול", "אפשר")
            return f"סליחה, לא שמעתי טוב. {again} לחזור על זה?"
        if attempt == 2:
            return "הלו? " + self._you("את שומעת אותי?", "אתה שומע אותי?", "שומעים אותי?")
        return "אני עדיין כאן. אם זה לא זמן טוב, אפשר פשוט להגיד ונתקשר שוב בזמן אחר."

    def qualifying_questions(self) -> tuple[str, str, str]:
        """Asks, in order: who calls leads today, how fast leads are handled, monthly volume."""
        opener = self._you("תגידי", "תגיד", "רציתי לשאול")
        return (
            f"{opener}, יש אצלכם אנשי מכירות שכל התפקיד שלהם זה להתקשר ללידים ולקבוע פגישות?",
            "ואיך אתם מטפלים היום בלידים שנכנסים? מישהו חוזר אליהם מהר?",
            "ובערך כמה לידים נכנסים אליכם בחודש? גם הערכה גסה זה מעולה.",
        )

    def pitch(self) -> str:
        return (
            "בקצרה, אנחנו בונים סוכני בינה מלאכותית שמתקשרים ללידים, בודקים מי רלוונטי "
            "וקובעים פגישות לאנשי המכירות. ככה אף פנייה לא נופלת בין הכיסאות. "
            + self._you("מעוניינת", "מעוניין", "רוצים")
            + " לשמוע איך זה יכול לעבוד אצלכם?"
        )

    def slot_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return (
            "אשמח לקבוע פגישה קצרה עם מישהו מהצוות שלנו. "
            f"יש לי שני זמנים פנויים: {_two_slots(first, second, tz, now)}. "
            + self._you("מה את מעדיפה?", "מה אתה מעדיף?", "מה עדיף?")
        )

    def other_slots_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"אין בעיה, אז אולי {_two_slots(first, second, tz, now)}?"

    def slot_taken(self, alternative: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return (
            "אופס, השעה הזאת נתפסה ממש עכשיו. "
            f"במקום זה יש לי {slot_phrase(alternative, tz, now)}. מתאים?"
        )

    def booking_confirmation(
        self, slot: datetime, tz: tzinfo, email_known: bool, now: datetime | None = None
    ) -> str:
        booked = f"מעולה, קבענו ל{slot_phrase(slot, tz, now)}."
        if email_known:
            return f"{booked} אני {self._me('שולחת', 'שולח')} עכשיו זימון למייל."
        follow_up = self._you(
            "מישהו מהצוות שלנו יחזור אלייך לפני הפגישה לתאם פרטים.",
            "מישהו מהצוות שלנו יחזור אליך לפני הפגישה לתאם פרטים.",
            "לפני הפגישה נתקשר שוב לתאם פרטים.",
        )
        return f"{booked} {follow_up}"

    def callback_ack(self, when_text: str | None = None) -> str:
        """Agrees to call back; `when_text` is already Hebrew ("מחר בבוקר", "ביום חמישי")."""
        when = when_text.strip() if when_text and when_text.strip() else "בזמן שנוח יותר"
        return "בסדר גמור, " + self._you(
            f"נחזור אלייך {when}. תודה!",
            f"נחזור אליך {when}. תודה!",
            f"נתקשר שוב {when}. תודה!",
        )

    def opt_out_ack(self) -> str:
        return (
            f"אין בעיה, אני {self._me('דואגת', 'דואג')} שהמספר יוסר מהרשימה שלנו "
            "ולא נתקשר יותר. סליחה על ההפרעה, יום טוב."
        )

    def not_interested_ack(self) -> str:
        return f"אין בעיה, אני לגמרי {self._me('מבינה', 'מבין')}. תודה על הזמן."

    def goodbye(self) -> str:
        return self._you(
            "אם תצטרכי משהו בעתיד, אנחנו כאן. יום נעים!",
            "אם תצטרך משהו בעתיד, אנחנו כאן. יום נעים!",
            "אם יהיה צורך בעתיד, אנחנו כאן. יום נעים!",
        )

    def goodbye_after_booking(self) -> str:
        return "תודה רבה, שמחתי לדבר. יום נעים!"

    def who_are_you(self) -> str:
        return (
            f"אני {self.name}, {self._assistant()}. "
            f"אני {self._me('מתקשרת', 'מתקשר')} מטעם צוות המכירות של {BRAND}, "
            "ואנחנו עוזרים לחברות להגדיל מכירות בעזרת סוכנים דיגיטליים כמוני."
        )

    def are_you_a_bot(self) -> str:
        return (
            f"כן, אני {self._assistant()}, ואני {self._me('מתקשרת', 'מתקשר')} מטעם צוות "
            f"המכירות של {BRAND}. ובעצם, זה בדיוק מה שאנחנו מציעים לחברות."
        )

    def price(self) -> str:
        return (
            "המחיר תלוי בהיקף, בעיקר בכמות הלידים והשיחות. "
            "בפגישה עם הנציג שלנו נעבור על זה לפי הצרכים שלכם."
        )

    def fallback(self) -> str:
        return "סליחה, יש לי תקלה קטנה. אפשר לחזור על זה?"

    def technical_goodbye(self) -> str:
        back = self._you("נחזור אלייך", "נחזור אליך", "נתקשר שוב")
        return f"סליחה, יש לנו תקלה טכנית. {back} בהקדם. תודה על הסבלנות, ויום נעים!"

    def voicemail(self, lead_name: str | None = None) -> str:
        hello = f"היי {first_name(lead_name)}".rstrip()
        return (
            f"{hello}, {self._me('זאת', 'זה')} {self.name} מהצוות של {BRAND}, "
            f"{self._assistant()}. התקשרתי בקשר לסוכנים דיגיטליים שעוזרים לחברות "
            "להגדיל מכירות. ננסה שוב בהמשך. יום נעים!"
        )
