"""What a caller meant, in Hebrew or English, without a network: the offline brain's ears.

Rules over data, not a model. The text is normalised (niqqud, punctuation and apostrophes
dropped, "ב-10" joined to "ב10"), then tried against phrase tables in a fixed priority order:

    silence > do_not_call > not_interested > busy_call_later > are_you_a_bot > who_is_this
    > price > pick_slot > neither_slot (both only while slots are on offer) > repeat
    > "not sure" (unclear) > firm no ("בטח שלא") > interested > yes > no > greeting > unclear

Hebrew phrases match whole words, with the one-letter prefixes ו/ש in front ("ולא מעוניין",
"שכן"); days, times and ordinals also take ב/ל/ה. A positive phrase right after a negation
("לא ממש מעניין", "not really interested", "לא כן") counts as not interested. Phrases that
also turn up in answers about the team ("הלקוחות לא רוצים לחכות", "אין לי זמן לחזור ללידים",
"we call back leads") are held to the start or end of the turn, or to the first person.

Spoken times are read as business hours: "בשתיים" is 14:00, "בעשר" 10:00, "at two" 14:00.
Against the offered slots, a turn is split into clauses: a clause that turns its day or time
down ("הראשון לא מתאים") is set aside, and a later clause corrects an earlier one.

`english` glosses the caller for the bilingual transcript: English input is kept as said,
Hebrew goes through a small phrase dictionary, falling back to a fixed line per intent (or,
for a free answer nothing covers, "(Hebrew) <text>").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum


class Intent(StrEnum):
    yes = "yes"
    no = "no"
    interested = "interested"
    not_interested = "not_interested"
    who_is_this = "who_is_this"
    are_you_a_bot = "are_you_a_bot"
    busy_call_later = "busy_call_later"
    do_not_call = "do_not_call"
    price = "price"
    pick_slot = "pick_slot"
    neither_slot = "neither_slot"
    greeting = "greeting"
    repeat = "repeat"
    unclear = "unclear"
    silence = "silence"


@dataclass(frozen=True, slots=True)
class Understanding:
    """One caller turn, understood: the intent plus any slot, day, time or callback phrase.

    For pick_slot, `slot_index` points into `offered` and weekday/hour/minute are that slot's;
    None means the caller asked for a day or time (in `weekday`/`hour`/`minute`) that no offered
    slot has. For busy_call_later they hold what `when_text` says, when it says it. `weekday`
    counts as datetime.weekday() does (Monday is 0); an hour said alone has minute 0; times are
    local to `tz`.
    """

    intent: Intent
    slot_index: int | None = None
    weekday: int | None = None
    hour: int | None = None
    minute: int | None = None
    when_text: str | None = None
    english: str = ""


# --- Normalisation -------------------------------------------------------------------------------

_MARKS = re.compile(r"[\u0591-\u05bd\u05bf-\u05c7]")  # niqqud and cantillation, not maqaf
_APOSTROPHES = re.compile(r"['’‘`´׳״\"]")
_DOTTED_TIME = re.compile(r"(?<!\d)(\d{1,2})\.(\d{2})(?!\d)")
_AM_PM = re.compile(r"(\d)(am|pm)\b")
_PREFIX_BEFORE_DIGIT = re.compile(r"(?<!\S)([ובל]{1,2}) (?=\d)")  # "ב-10" has become "ב 10"
_NOT_WORD = re.compile(r"[^\w:]+|_")
_STRAY_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_HEBREW_LETTER = re.compile(r"[\u05d0-\u05ea]")


def normalize(text: str) -> str:
    """Lowercases and strips marks and punctuation, so tables match what the caller said."""
    text = _MARKS.sub("", text.replace("\u05be", " ")).lower()
    text = _APOSTROPHES.sub("", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    text = _AM_PM.sub(r"\1 \2", text)
    text = " ".join(_STRAY_COLON.sub(" ", _NOT_WORD.sub(" ", text)).split())
    return _PREFIX_BEFORE_DIGIT.sub(r"\1", text)


def _table(*phrases: str, start: bool = False, end: bool = False) -> re.Pattern[str]:
    """Compiles phrases into one whole-word pattern, optionally held to the start or the end.

    Longest first, so the most specific phrase wins; ו/ש may lead ("ולא מעוניין", "שכן").
    """
    alternatives = sorted({normalize(phrase) for phrase in phrases}, key=len, reverse=True)
    body = "|".join(re.escape(phrase) for phrase in alternatives)
    before, after = ("^" if start else r"(?<!\S)"), ("$" if end else r"(?!\S)")
    return re.compile(rf"{before}(?:ו|ש|וש)?(?:{body}){after}")


def _exact(*phrases: str) -> frozenset[str]:
    return frozenset(normalize(phrase) for phrase in phrases)


# --- Phrase tables, one per intent (Hebrew and English side by side) -----------------------------

_FILLERS = _exact(
    "אה", "אהה", "אההה", "אמ", "אממ", "אממם", "הממ", "המממ", "נו", "אז", "טוב אז",
    "um", "umm", "uh", "uhm", "hmm", "er", "erm", "well", "oh", "so",
)  # fmt: skip

_DO_NOT_CALL = _table(
    "תורידו אותי", "תוריד אותי", "תורידי אותי", "להוריד אותי", "תוציאו אותי", "להוציא אותי",
    "אותי מהרשימה", "מהרשימה שלכם", "מהרשימות שלכם", "מהמאגר שלכם", "אל תתקשרו",
    "אל תתקשר", "אל תתקשרי", "לא להתקשר אליי", "לא להתקשר אלי", "לא להתקשר יותר",
    "שלא תתקשרו", "תפסיקו להתקשר", "תפסיק להתקשר", "תפסיקי להתקשר", "די להתקשר",
    "תמחקו אותי", "תמחק אותי", "תמחקי אותי", "למחוק אותי", "תמחקו את המספר",
    "תמחקי את המספר", "למחוק את המספר", "תסירו אותי", "להסיר אותי", "אל תחזרו אליי",
    "אל תחזרי אליי", "אל תחזור אליי",
    "stop calling", "remove me", "take me off", "dont call me", "dont call again",
    "dont call this number", "do not call me", "do not call again", "never call me",
    "never call again", "delete my number", "unsubscribe", "lose my number",
)  # fmt: skip

_NOT_INTERESTED = _table(
    "לא מעוניין", "לא מעוניינת", "לא מעוניינים", "לא מעניין", "לא מעניין אותי",
    "לא רלוונטי", "לא רלבנטי", "לא רלוונטית", "אני לא צריך", "אני לא צריכה",
    "אנחנו לא צריכים", "אני לא רוצה", "אנחנו לא רוצים", "לא צריך תודה", "לא רוצה תודה",
    "לא בשבילנו", "לא בשבילי", "לא בא לי", "אין צורך",
    "אין לנו צורך", "אין לי צורך", "לא תודה", "אנחנו מסודרים", "אני מסודר", "אני מסודרת",
    "אין מצב", "עזבי", "עזוב", "עזבו", "חבל לכם על הזמן",
    "not interested", "no thanks", "no thank you", "not for us", "not for me", "not relevant",
    "we dont need", "dont need it", "no need", "were all set", "ill pass", "well pass",
)  # fmt: skip

# "לא צריך" opens a refusal; mid-sentence it is an answer ("הלקוחות לא רוצים לחכות").
_NOT_INTERESTED_OPENERS = _table(
    "לא צריך", "לא צריכה", "לא צריכים", "לא רוצה", "לא רוצים", start=True
)

_JUST_NOW = frozenset({"עכשיו", "כרגע", "היום", "now", "today", "right"})

# Without slots on the table, "it doesn't suit me" is about the offer itself.
_NOT_A_FIT = _table("לא מתאים לי", "לא מתאים לנו", "זה לא מתאים", "not a fit", "not a good fit")

_BUSY = _table(
    "לא זמן טוב", "זמן לא טוב", "לא הזמן", "לא הזמן המתאים", "לא עכשיו", "לא כרגע",
    "לא יכול לדבר", "לא יכולה לדבר",
    "לא יכול עכשיו", "לא יכולה עכשיו", "אין לי זמן עכשיו", "אין לי זמן כרגע",
    "אין לי זמן לדבר", "אין לי זמן לזה", "תתקשרו", "תתקשרי", "תתקשר",
    "תצלצלו", "תצלצלי", "תצלצל", "תחזרו אליי", "תחזרי אליי", "תחזור אליי", "תחזרו אלי",
    "תחזרי אלי", "תחזור אלי", "נדבר אחר כך", "נדבר מחר", "נדבר בהמשך", "נדבר בזמן אחר",
    "אפשר אחר כך", "אפשר לדבר אחר כך", "אני בפגישה", "אני באמצע", "אני נוהג", "אני נוהגת",
    "אני בנהיגה", "אני על ההגה", "באמצע פגישה", "באמצע משהו", "אחזור אליכם", "אחזור אלייך",
    "אחזור אליך", "אני אחזור אליכם", "ill get back to you", "ill call you back",
    "call me later", "call me back", "call back later", "call back tomorrow", "can you call back",
    "could you call back", "please call back", "call later", "call again", "call me tomorrow",
    "call tomorrow", "call me next", "call me in", "try again later", "try me later",
    "not a good time", "bad time", "cant talk", "cannot talk", "can not talk", "im driving",
    "in a meeting", "i have no time", "no time now", "no time right now",
    "dont have time now", "dont have time right now", "dont have time to talk", "not now",
    "not right now", "talk later",
    "talk tomorrow", "maybe later", "talk another time", "call another time", "catch me later",
)  # fmt: skip

# "אין לי זמן" ends a brush-off; "אין לי זמן לחזור ללידים" is an answer.
_NO_TIME = _table("אין לי זמן", "i dont have time", "no time", end=True)

# A callback verb counts as busy only next to a time ("תחזרי מחר"), not in "תחזרי על זה".
_CALLBACK_VERBS = _table(
    "תחזרו", "תחזרי", "תחזור", "נדבר", "דברו איתי", "דברי איתי", "דבר איתי", "call me",
    "call us", "talk", "ring me", "try me", "try again",
)  # fmt: skip

# "I'm busy" asks for a callback; "the reps are busy" describes the team.
_BUSY_SELF = _table(
    "אני עסוק", "אני עסוקה", "אני קצת עסוק", "אני קצת עסוקה", "אנחנו עסוקים", "עסוק עכשיו",
    "עסוקה עכשיו", "עסוק כרגע", "עסוקה כרגע", "im busy", "i am busy", "were busy",
    "busy right now", "busy now",
)  # fmt: skip
_BUSY_WORD = _table("עסוק", "עסוקה", "עסוקים", "busy")

_BOT_QUESTIONS = _table(
    "את רובוט", "אתה רובוט", "את רובוטית", "את בוט", "אתה בוט", "זה בוט", "זה רובוט",
    "זה מחשב", "זאת הקלטה", "זו הקלטה", "זה הקלטה", "את אמיתית", "אתה אמיתי",
    "את בן אדם", "אתה בן אדם", "את בת אדם", "בן אדם אמיתי", "מדבר עם מחשב",
    "מדברת עם מחשב", "מדבר עם רובוט", "מדברת עם רובוט", "מדבר עם בוט", "מדברת עם בוט",
    "מדבר עם בן אדם", "מדברת עם בן אדם", "are you a robot", "are you a bot", "are you real",
    "are you human", "are you a person", "are you ai", "are you an ai", "is this a bot",
    "is this a robot", "is this a real person", "is this ai", "is this automated",
    "is this a recording", "am i talking to a", "am i speaking to a",
)  # fmt: skip
# "יש לנו בוט בווטסאפ" is an answer: a bare bot word only counts in a question.
_BOT_WORDS = _table(
    "רובוט", "רובוטית", "בוט", "מחשב", "בינה מלאכותית", "אמיתי", "אמיתית", "בן אדם",
    "בת אדם", "בנאדם", "אנושי", "אנושית", "מכונה", "הקלטה", "צאט גיפיטי",
    "robot", "bot", "ai", "a i", "computer", "machine", "real", "human", "automated",
    "recording", "chatgpt", "chat gpt", "artificial",
)  # fmt: skip

_WHO = _table(
    "מי זה", "מי זאת", "מי זו", "מי מדבר", "מי מדברת", "מי את", "מי אתה", "מי אתם",
    "מי מתקשר", "מי מתקשרת", "מאיפה אתם", "מאיפה את", "מאיפה אתה", "מאיפה זה",
    "מאיפה מתקשרים", "מאיזו חברה", "מאיזה חברה", "איזו חברה", "איזה חברה", "מה החברה",
    "על מה מדובר", "במה מדובר", "מה אתם רוצים", "מה את רוצה", "מה אתה רוצה", "מה זה אלטה",
    "מאיפה יש לכם", "איך השגתם",
    "who is this", "whos this", "who are you", "who is calling", "whos calling",
    "who am i speaking", "who am i talking", "what company", "which company",
    "where are you calling from", "where are you from", "what is this about",
    "whats this about", "what is this regarding", "how did you get my number",
)  # fmt: skip
_WHO_EXACT = _exact("מה זה", "מה זה בעצם", "מי", "what is this", "whats this", "who")

_PRICE = _table(
    "כמה זה עולה", "כמה עולה", "כמה זה יעלה", "כמה יעלה", "כמה כסף", "מה המחיר",
    "מה המחירים", "מחיר", "המחיר", "מחירים", "המחירים", "עלות", "העלות", "עלויות", "תמחור",
    "יקר", "כמה אתם לוקחים", "כמה אתם גובים",
    "how much", "price", "prices", "pricing", "cost", "costs", "expensive", "fee", "fees",
)  # fmt: skip
_PRICE_EXACT = _exact("כמה זה", "כמה")

_NEITHER = _table(
    "אף אחד", "אף אחת", "שניהם לא", "שתיהן לא", "שתיהם לא", "לא מתאים", "לא מתאימה",
    "לא מתאימים", "לא מתאימות", "לא מסתדר", "לא מסתדרת", "לא יכול", "לא יכולה", "לא נוח",
    "יש משהו אחר", "משהו אחר", "זמן אחר", "שעה אחרת", "יום אחר", "מועד אחר",
    "אפשרות אחרת", "אופציה אחרת", "זמנים אחרים", "שבוע הבא", "בשבוע הבא",
    "none of them", "none of those", "neither", "something else", "another time",
    "other times", "different time", "another day", "next week", "doesnt work", "dont work",
    "cant make", "wont work", "no good", "cant do",
)  # fmt: skip

# Inside one clause, these turn the day or time mentioned there into a "no".
_REJECTION = _table(
    "לא מתאים", "לא מתאימה", "לא מתאימים", "לא מסתדר", "לא מסתדרת", "לא יכול", "לא יכולה",
    "לא יכולים", "לא נוח", "לא טוב", "מוקדם מדי", "מאוחר מדי", "עסוק", "עסוקה", "עסוקים",
    "תפוס", "תפוסה", "לא פנוי", "לא פנויה",
    "doesnt work", "dont work", "wont work", "cant", "cannot", "no good", "not good", "busy",
    "not available", "too early", "too late",
)  # fmt: skip

_REPEAT = _table(
    "לא שמעתי", "לא שומע", "לא שומעת", "לא שומעים", "לא הבנתי", "מה אמרת", "מה אמרתם",
    "תחזרי על זה", "תחזור על זה", "תחזרו על זה", "לחזור על זה", "רגע מה", "סליחה מה",
    "can you repeat", "could you repeat", "repeat that", "say that again", "say again",
    "come again", "pardon", "didnt catch", "didnt hear", "cant hear", "what did you say",
    "one more time", "didnt understand", "sorry what",
)  # fmt: skip
# "ואז מתקשרים עוד פעם" is an answer, so "עוד פעם" counts only on its own.
_REPEAT_EXACT = _exact(
    "מה", "מה מה", "מהה", "הא", "האא", "סליחה", "שוב", "עוד פעם", "שוב פעם", "מה עוד פעם",
    "אפשר עוד פעם", "what", "sorry", "huh", "excuse me", "again",
)  # fmt: skip

_UNSURE = _table(
    "לא יודע", "לא יודעת", "לא יודעים", "לא בטוח", "לא בטוחה", "אין לי מושג",
    "dont know", "not sure", "no idea",
)  # fmt: skip

_INTERESTED = _table(
    "נשמע מעניין", "מעניין", "מעוניין", "מעוניינת", "מעוניינים", "אשמח", "בשמחה",
    "נשמע טוב", "נשמע אחלה", "נשמע מצוין", "ספרי לי עוד", "ספר לי עוד", "ספרו לי עוד",
    "תספרי", "תספר", "תספרו", "רוצה לשמוע", "רוצים לשמוע", "אני בעניין",
    "interested", "sounds interesting", "interesting", "sounds good", "sounds great",
    "tell me more", "happy to", "love to", "id like", "id love", "want to hear",
)  # fmt: skip

_YES = _table(
    "כן", "בטח", "ברור", "בהחלט", "סבבה", "אוקיי", "אוקי", "אוקיי", "יאללה", "אחלה", "בסדר",
    "טוב", "למה לא", "יש לי דקה", "יש לי זמן", "יש לי כמה דקות", "פנוי", "פנויה",
    "לא עסוק", "לא עסוקה", "קדימה", "תגידי", "תגיד", "דבר", "דברי", "כמובן", "נכון", "יס",
    "מעולה", "מצוין", "אין בעיה", "זמן טוב",
    "yes", "yeah", "yep", "yup", "sure", "of course", "absolutely", "go ahead", "ok", "okay",
    "alright", "all right", "fine", "why not", "i have a minute", "correct", "right",
    "definitely", "no problem",
)  # fmt: skip

# Right before a positive phrase, these make it a no: "לא ממש מעניין", "not really interested".
_NEGATION_TAIL = re.compile(
    r"(?:^|\s)(?:לא|לא ממש|לא כל כך|לא כזה|לא באמת|לא במיוחד|לא נשמע|לא נשמע לי|לא מאוד"
    r"|not|not really|not very|not that|not so|not too|dont|doesnt|isnt|never|doesnt sound"
    r"|dont sound)$"
)

_YES_EXACT = _exact("יש", "יש לנו", "יש לי")  # as a whole answer: "there is", i.e. yes
# Checked before yes: "בטח שלא" holds a "yes" word but is a firm no.
_FIRM_NO = _table(
    "בטח שלא", "ברור שלא", "ממש לא", "בכלל לא", "of course not", "definitely not",
    "absolutely not", "certainly not",
)  # fmt: skip
_NO_FIRST_WORDS = _exact("לא", "לאא", "אין", "no", "nope", "nah")
_NO = _table(
    "אין לנו", "אין לי", "ממש לא", "בכלל לא", "לא נראה לי", "לא ממש", "לא באמת", "עוד לא",
    "עדיין לא", "לא במיוחד",
    "not really", "we dont", "we do not", "i dont think so", "dont think so", "dont have",
    "not yet", "not at all",
)  # fmt: skip

_GREETING = _table(
    "הלו", "שלום", "היי", "הי", "אהלן", "בוקר טוב", "ערב טוב", "צהריים טובים", "מה נשמע",
    "מה קורה", "מה המצב", "hi", "hello", "hey", "good morning", "good afternoon",
    "good evening",
)  # fmt: skip


# --- Days, times and ordinals --------------------------------------------------------------------

_HE_DAYS = {"שני": 0, "שלישי": 1, "רביעי": 2, "חמישי": 3, "שישי": 4, "שבת": 5, "ראשון": 6}
_HE_DAY_LETTERS = {"ב": 0, "ג": 1, "ד": 2, "ה": 3, "ו": 4, "א": 6}
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN_DAY_NAMES = tuple(day.capitalize() for day in _EN_DAYS)
_RELATIVE_DAYS = {"היום": 0, "today": 0, "מחר": 1, "tomorrow": 1, "מחרתיים": 2}
_AMBIGUOUS_DAYS = frozenset({"ראשון", "שני"})  # Sunday and Monday, or "first" and "second"

_EXPLICIT_DAY = re.compile(
    r"(?<!\S)ו?(?P<pre>[בל])?יום (?P<day>ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|[אבגדהו])(?!\S)"
)
_BARE_DAY = re.compile(
    r"(?<!\S)ו?(?P<pre>[בל])?(?P<day>ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת)(?!\S)"
)
_ENGLISH_DAY = re.compile(rf"(?<!\S)(?:on |this |next )?(?P<day>{'|'.join(_EN_DAYS)})s?(?!\S)")
_RELATIVE_DAY = re.compile(r"(?<!\S)ו?ל?(?P<day>מחרתיים|מחר|היום|tomorrow|today)(?!\S)")

_HE_ORDINAL = re.compile(
    r"(?<!\S)ו?[בל]?(?:ה?(?:אופציה|אפשרות|זמן|שעה|מועד|פגישה) )?"
    r"ה(?P<word>ראשונה|ראשון|שנייה|שניה|שני|אחרונה|אחרון|מוקדמת|מוקדם|מאוחרת|מאוחר)"
    r"(?: יותר)?(?!\S)"
)
_NUMBERED_OPTION = re.compile(
    r"(?<!\S)(?:ה?אופציה|ה?אפשרות|מספר|option|number) (?P<word>1|2|אחת|אחד|שתיים|שתים|a|b|one|two)"
    r"(?!\S)"
)
_EN_ORDINAL = re.compile(
    r"(?<!\S)(?P<the>the )?(?P<word>first|second|former|latter|last|earlier|later|1st|2nd)"
    r"(?P<one> (?:one|option|slot|time))?(?!\S)"
)
# "whatever is sooner": the earliest (or latest) slot on offer.
_SOONEST = _table(
    "מה שיותר מוקדם", "מה שמוקדם יותר", "הכי מוקדם", "כמה שיותר מהר", "מוקדם יותר",
    "יותר מוקדם", "whichever is sooner", "whichever is earlier", "the sooner the better",
    "the earliest", "as soon as possible", "asap",
)  # fmt: skip
# Either will do: the caller gets the first slot on offer.
_EITHER = _table(
    "לא משנה", "לא משנה לי", "מה שנוח לכם", "מה שנוח לך", "שניהם טובים", "שניהם מתאימים",
    "שתיהן טובות", "כל אחד מהם", "either", "whatever works", "both work", "any of them",
)  # fmt: skip
_LATEST = _table(
    "מה שיותר מאוחר", "מה שמאוחר יותר", "הכי מאוחר", "יותר מאוחר", "whichever is later",
    "the latest",
)  # fmt: skip
_ORDINAL_WORDS = {
    "ראשון": 0, "ראשונה": 0, "שני": 1, "שנייה": 1, "שניה": 1, "1": 0, "אחת": 0, "אחד": 0,
    "2": 1, "שתיים": 1, "שתים": 1, "a": 0, "b": 1, "one": 0, "two": 1, "first": 0, "1st": 0,
    "former": 0, "second": 1, "2nd": 1, "latter": 1,
}  # fmt: skip
_LAST_WORDS = frozenset({"אחרון", "אחרונה", "last"})
_EARLIER_WORDS = frozenset({"מוקדם", "מוקדמת", "earlier"})
_LATER_WORDS = frozenset({"מאוחר", "מאוחרת", "later"})

_HOUR_WORDS = {
    "אחת": 1, "שתיים": 2, "שתים": 2, "שלוש": 3, "ארבע": 4, "חמש": 5, "שש": 6, "שבע": 7,
    "שמונה": 8, "תשע": 9, "עשר": 10, "אחת עשרה": 11, "אחת עשר": 11, "אחד עשרה": 11,
    "שתים עשרה": 12, "שתיים עשרה": 12, "שתים עשר": 12,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_ENGLISH_HOUR_WORDS = frozenset(word for word in _HOUR_WORDS if word.isascii())
# What follows a number: minutes past (or -15: "פחות רבע"), and/or part of the day.
_TAILS: dict[str, tuple[int | None, str | None]] = {
    "וחצי": (30, None), "ורבע": (15, None), "ועשרים": (20, None), "ועשרה": (10, None),
    "פחות רבע": (-15, None), "thirty": (30, None), "fifteen": (15, None),
    "forty five": (45, None), "oclock": (0, None), "o clock": (0, None),
    "בבוקר": (None, "am"), "am": (None, "am"), "in the morning": (None, "am"),
    "בצהריים": (None, "noon"), "בצהרים": (None, "noon"), "אחהצ": (None, "pm"),
    "אחר הצהריים": (None, "pm"), "אחרי הצהריים": (None, "pm"), "בערב": (None, "pm"),
    "pm": (None, "pm"), "in the afternoon": (None, "pm"), "in the evening": (None, "pm"),
}  # fmt: skip
_TIME_LEADS = {
    "בשעה": "at", "שעה": "at", "בסביבות": "around", "סביב": "around", "לקראת": "around",
    "אחרי": "after", "לפני": "before", "עד": "by", "at": "at", "around": "around",
    "about": "around", "by": "by", "after": "after", "before": "before", "until": "by",
}  # fmt: skip
# A number before one of these counts something; it is no time of day.
_UNITS = (
    "דקות|שעות|ימים|שבועות|חודשים|שנים|פעמים|אנשים|אנשי|לידים|נציגים|minutes|hours|days|weeks"
    "|months|years|times|people|leads|reps"
)
_MONTHS = (
    "ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר|נובמבר|דצמבר|january"
    "|february|march|april|may|june|july|august|september|october|november|december"
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_TIME = re.compile(
    rf"(?<!\S)(?:(?P<lead>{_alternation(_TIME_LEADS)}) )?"
    r"(?:(?P<frac>half past|quarter past|quarter to|רבע) )?"
    r"(?P<prefix>וב|ב|ול|ל|ו)?"
    rf"(?:(?P<num>\d{{1,2}})(?::(?P<mm>\d{{2}}))?|(?P<word>{_alternation(_HOUR_WORDS)}))"
    rf"(?P<tail>(?: (?:{_alternation(_TAILS)}))*)"
    rf"(?! [בל]?(?:{_MONTHS})(?!\S))(?! (?:{_UNITS})(?!\S))(?!\S)"
)

# Phrases that say when to call back, besides days and times.
_WHEN = _table(
    "בעוד שעה", "בעוד חצי שעה", "בעוד רבע שעה", "בעוד שעתיים", "בעוד כמה דקות",
    "בעוד כמה שעות", "בעוד יומיים", "בעוד כמה ימים", "בעוד שבוע", "בעוד שבועיים",
    "בעוד חודש", "שבוע הבא", "בשבוע הבא", "בשבוע הבא", "חודש הבא", "בחודש הבא", "אחר כך",
    "מאוחר יותר", "יותר מאוחר", "בהמשך", "בבוקר", "בצהריים", "אחר הצהריים", "אחרי הצהריים", "אחהצ",
    "בערב", "הערב", "אחרי החג", "אחרי החגים", "בסוף השבוע", "מחרתיים", "מחר", "היום",
    "later", "later today", "tomorrow", "tonight", "today", "this morning", "this afternoon",
    "this evening", "in an hour", "in half an hour", "in a few minutes", "in a couple of hours",
    "in two hours", "in a few hours", "next week", "next month", "in the morning",
    "in the afternoon", "in the evening", "day after tomorrow",
)  # fmt: skip
_IN_N_UNITS = re.compile(r"(?<!\S)(?:בעוד|in) \d{1,3} (?:דקות|שעות|ימים|minutes|hours|days)(?!\S)")


@dataclass(frozen=True, slots=True)
class _Time:
    hour: int
    minute: int | None  # None: not said ("בעשר"), so any slot in that hour will do
    strong: bool  # said with ב/ל, "at", a half/quarter or a part of the day: surely a time
    english: bool  # an English number word, which is only a time when strong
    start: int
    end: int
    lead: str


@dataclass(slots=True)
class _Mentions:
    """What a caller's words say about the slots: an ordinal, a weekday and/or a time."""

    ordinal: int | None = None
    weekday: int | None = None
    hour: int | None = None
    minute: int | None = None

    @property
    def empty(self) -> bool:
        return self.ordinal is None and self.weekday is None and self.hour is None

    def merge(self, other: _Mentions) -> None:
        """Keeps the first of each kind: "ביום רביעי, בעשר" says a day, then a time."""
        if self.ordinal is None:
            self.ordinal = other.ordinal
        if self.weekday is None:
            self.weekday = other.weekday
        if self.hour is None:
            self.hour, self.minute = other.hour, other.minute

    def correct(self, later: _Mentions) -> None:
        """A later clause wins: "הראשון? לא, רגע, השני" means the second."""
        if later.ordinal is not None:
            self.ordinal = later.ordinal
        if later.weekday is not None:
            self.weekday = later.weekday
        if later.hour is not None:
            self.hour, self.minute = later.hour, later.minute


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


def _times(text: str) -> list[_Time]:
    """Every time of day in a normalised text, in order."""
    found: list[_Time] = []
    for match in _TIME.finditer(text):
        lead, frac, prefix = match["lead"], match["frac"], match["prefix"] or ""
        word, digits = match["word"], match["num"]
        if (frac == "רבע" and "ל" not in prefix) or (word in _ENGLISH_HOUR_WORDS and prefix):
            continue
        minute: int | None = int(match["mm"]) if match["mm"] else None
        period: str | None = None
        for tail in _split_tails(match["tail"]):
            tail_minute, tail_period = _TAILS[tail]
            minute = tail_minute if tail_minute is not None else minute
            period = tail_period or period
        hour = _business_hour(int(digits) if digits else _HOUR_WORDS[word], period)
        if frac in ("quarter to", "רבע") or minute == -15:
            hour, minute = (hour - 1) % 24, 45
        elif frac in ("half past", "quarter past"):
            minute = 30 if frac == "half past" else 15
        if not (0 <= hour <= 23 and (minute is None or 0 <= minute <= 59)):
            continue
        strong = bool(lead or frac or match["mm"] or match["tail"] or set(prefix) & {"ב", "ל"})
        english = word in _ENGLISH_HOUR_WORDS
        where = _TIME_LEADS.get(lead, "at")
        found.append(_Time(hour, minute, strong, english, *match.span(), where))
    return found


def _ordinal_index(word: str, offered: Sequence[datetime]) -> int | None:
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


def _blank(text: str, start: int, end: int) -> str:
    """Hides a matched span from later patterns, keeping every other offset in place."""
    return text[:start] + " " * (end - start) + text[end:]


def _skip_ordinal(match: re.Match[str], text: str) -> bool:
    """Tells "wait a second", "first of all" and a bare "later" from a choice of slot."""
    word = match["word"]
    if word in ("later", "earlier"):
        return not (match.groupdict().get("the") or match.groupdict().get("one"))
    if word == "second":
        return re.search(r"(?:^|\s)(?:a|one)\s*$", text[: match.start()]) is not None
    return word == "first" and text[match.end() :].startswith(" of all")


def _mentions(
    text: str, offered: Sequence[datetime], now: datetime | None, *, sure_times_only: bool = False
) -> _Mentions:
    """Ordinals, weekdays and times in a normalised text, read against the offered slots."""
    found = _Mentions()
    for pattern, word in ((_SOONEST, "earlier"), (_LATEST, "later"), (_EITHER, "first")):
        for match in pattern.finditer(text):
            text = _blank(text, *match.span())
            found.merge(_Mentions(ordinal=_ordinal_index(word, offered)))
    for pattern in (_NUMBERED_OPTION, _HE_ORDINAL, _EN_ORDINAL):
        for match in pattern.finditer(text):
            if _skip_ordinal(match, text):
                continue
            text = _blank(text, *match.span())
            found.merge(_Mentions(ordinal=_ordinal_index(match["word"], offered)))
    offered_days = {slot.weekday() for slot in offered}
    for pattern in (_EXPLICIT_DAY, _BARE_DAY):
        for match in pattern.finditer(text):
            text = _blank(text, *match.span())
            day = match["day"]
            weekday = _HE_DAYS.get(day, _HE_DAY_LETTERS.get(day, 0))
            # Bare "ראשון"/"שני" is also "first"/"second": a weekday with ב or on an offered day.
            bare = pattern is _BARE_DAY and day in _AMBIGUOUS_DAYS and not match["pre"]
            if bare and weekday not in offered_days:
                found.merge(_Mentions(ordinal=_ordinal_index(day, offered)))
            else:
                found.merge(_Mentions(weekday=weekday))
    for match in _ENGLISH_DAY.finditer(text):
        text = _blank(text, *match.span())
        found.merge(_Mentions(weekday=_EN_DAYS.index(match["day"])))
    for match in _RELATIVE_DAY.finditer(text):
        text = _blank(text, *match.span())
        if now is not None:
            days_ahead = _RELATIVE_DAYS[match["day"]]
            found.merge(_Mentions(weekday=(now + timedelta(days=days_ahead)).weekday()))
    offered_hours = {slot.hour for slot in offered}
    short = len(text.split()) <= 3 and not sure_times_only
    for hit in _times(text):
        if text[: hit.start].rstrip().endswith("אף"):
            continue  # "אף אחת" is "none", not one o'clock
        # A bare number is a time in a short answer, or when a slot is at that hour.
        if hit.strong or short or (hit.hour in offered_hours and not hit.english):
            found.merge(_Mentions(hour=hit.hour, minute=hit.minute))
            break
    return found


def _match_slot(offered: Sequence[datetime], wanted: _Mentions) -> int | None:
    """The one offered slot on the day and at the time asked for, if exactly one fits."""

    def fits(slot: datetime) -> bool:
        if wanted.weekday is not None and slot.weekday() != wanted.weekday:
            return False
        if wanted.hour is not None and slot.hour != wanted.hour:
            return False
        return wanted.minute is None or slot.minute == wanted.minute

    candidates = [i for i, slot in enumerate(offered) if fits(slot)]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True, slots=True)
class _Choice:
    """The caller's answer to a slot offer."""

    index: int | None
    said: _Mentions  # the chosen slot's day and time, or what was asked for instead
    by_ordinal: bool


_CLAUSE_BREAK = re.compile(r"[,.;!?\n]+|(?<!\S)(?:אבל|but)(?!\S)")


def _slot_choice(
    text: str, offered: Sequence[datetime], now: datetime | None
) -> _Choice | Intent | None:
    """A choice, neither_slot (every slot mentioned was turned down) or None (no slot talk)."""
    chosen, rejected = _Mentions(), False
    for raw_clause in _CLAUSE_BREAK.split(text):
        clause = normalize(raw_clause)
        said = _mentions(clause, offered, now)
        if said.empty:
            continue
        negated = clause.split()[0] in ("לא", "not", "no") and not _EITHER.search(clause)
        if negated or _REJECTION.search(clause):
            rejected = True  # "הראשון לא מתאים", "לא ברביעי"
        else:
            chosen.correct(said)
    if chosen.empty:
        return Intent.neither_slot if rejected else None
    index = None
    if chosen.weekday is not None or chosen.hour is not None:
        index = _match_slot(offered, chosen)
    by_ordinal = index is None and chosen.ordinal is not None
    if by_ordinal:
        index = chosen.ordinal
    if index is None:
        return _Choice(None, chosen, by_ordinal=False)
    slot = offered[index]
    return _Choice(index, _Mentions(index, slot.weekday(), slot.hour, slot.minute), by_ordinal)


def _when(text: str, now: datetime | None) -> tuple[str | None, _Mentions]:
    """The callback time phrase ("מחר בעשר", "בעוד שעה", "tomorrow at 10") and what it says."""
    spans = [match.span() for match in _WHEN.finditer(text)]
    spans += [match.span() for match in _IN_N_UNITS.finditer(text)]
    for pattern in (_EXPLICIT_DAY, _BARE_DAY, _ENGLISH_DAY):
        for match in pattern.finditer(text):
            if match["day"] not in _AMBIGUOUS_DAYS or match.groupdict().get("pre"):
                spans.append(match.span())
    spans += [(hit.start, hit.end) for hit in _times(text) if hit.strong]
    if not spans:
        return None, _Mentions()
    phrase = text[min(start for start, _ in spans) : max(end for _, end in spans)].strip()
    return phrase, _mentions(phrase, (), now, sure_times_only=True)


# --- English gloss -------------------------------------------------------------------------------

_GLOSS: dict[str, str] = {
    # answers and reactions
    "כן": "yes", "כן כן": "yes, yes", "לא": "not", "לא לא": "no, no", "לא לא לא": "no, no, no",
    "בטח שלא": "of course not", "ברור שלא": "of course not", "בטח": "sure",
    "ברור": "of course", "בהחלט": "absolutely", "אוקיי": "okay", "אוקי": "okay",
    "יאללה": "let's go", "אחלה": "great", "בסדר": "fine", "טוב": "okay", "למה לא": "why not",
    "מעולה": "great", "מצוין": "excellent", "אין בעיה": "no problem", "נכון": "right",
    "כמובן": "of course", "וואלה": "honestly", "תודה": "thanks", "תודה רבה": "thanks a lot",
    "סליחה": "sorry", "רגע": "one moment", "שנייה": "one second", "אולי": "maybe",
    "תלוי": "it depends", "יש לי דקה": "I have a minute", "יש לי זמן": "I have time",
    "יש לי כמה דקות": "I have a few minutes", "יש לך דקה": "you have a minute",
    "נשמע": "sounds", "נשמע מעניין": "sounds interesting", "נשמע טוב": "sounds good",
    "מעניין": "interesting", "מעוניין": "interested", "מעוניינת": "interested",
    "מעוניינים": "interested", "אשמח": "I'd be happy to", "בשמחה": "gladly",
    "לא מעוניין": "not interested", "לא מעוניינת": "not interested",
    "לא מעוניינים": "not interested", "לא רלוונטי": "not relevant", "לא צריך": "no need",
    "לא תודה": "no thanks", "אין צורך": "no need", "לא יודע": "I don't know",
    "לא יודעת": "I don't know", "לא בטוח": "not sure", "לא בטוחה": "not sure",
    "ממש לא": "not at all", "בכלל לא": "not at all", "לא ממש": "not really",
    "עסוק": "busy", "עסוקה": "busy", "אני עסוק": "I'm busy", "אני עסוקה": "I'm busy",
    "לא זמן טוב": "not a good time", "זה לא זמן טוב": "this isn't a good time",
    "לא עכשיו": "not now", "אני באמצע": "I'm in the middle of something",
    "אני בפגישה": "I'm in a meeting", "אני נוהג": "I'm driving", "אני נוהגת": "I'm driving",
    "תתקשרו": "call", "תתקשרי": "call", "תתקשר": "call", "תחזרו אליי": "call me back",
    "תחזרי אליי": "call me back", "תחזור אליי": "call me back", "אליי": "to me",
    "מה": "what", "מה אמרת": "what did you say", "לא שמעתי": "I didn't hear",
    "לא הבנתי": "I didn't understand", "עוד פעם": "again", "מי זה": "who is this",
    "מי מדבר": "who's speaking", "מי מדברת": "who's speaking", "מאיפה אתם": "where are you from",
    "את רובוט": "are you a robot", "אתה רובוט": "are you a robot", "זה בוט": "is this a bot",
    "כמה זה עולה": "how much does it cost", "מה המחיר": "what's the price",
    "הלו": "hello", "שלום": "hello", "היי": "hi", "אהלן": "hi",
    "תורידו אותי מהרשימה": "take me off your list", "אל תתקשרו": "don't call",
    "אף אחד לא מתאים": "neither works", "שניהם לא מתאימים": "neither works",
    "יש משהו אחר": "is there something else", "מתאים": "works", "מתאים לי": "works for me",
    "לא מתאים לי": "doesn't work for me", "עדיף": "better", "זה": "it",
    "לא משנה": "it doesn't matter", "לא משנה לי": "it doesn't matter to me",
    "מה שנוח לכם": "whatever suits you", "מה שנוח לך": "whatever suits you",
    "שניהם מתאימים": "both work", "שניהם טובים": "both are good",
    # slots
    "הראשון": "the first one", "הראשונה": "the first one", "השני": "the second one",
    "השנייה": "the second one", "השניה": "the second one", "האופציה": "the option",
    "האפשרות": "the option", "מחר": "tomorrow", "היום": "today",
    "מחרתיים": "the day after tomorrow",
    "בעוד שעה": "in an hour", "בעוד שעתיים": "in two hours", "בעוד חצי שעה": "in half an hour",
    "שבוע הבא": "next week", "בשבוע הבא": "next week", "אחר כך": "later",
    "מאוחר יותר": "later", "בבוקר": "in the morning", "בערב": "in the evening",
    "אחר הצהריים": "in the afternoon", "אחרי הצהריים": "in the afternoon",
    # people and words of the trade
    "אני": "I", "אנחנו": "we", "יש": "there is", "אין": "there's no", "יש לנו": "we have",
    "אין לנו": "we don't have", "יש לי": "I have", "אין לי": "I don't have", "לנו": "we",
    "אצלנו": "we have", "אנשי מכירות": "salespeople", "איש מכירות": "a salesperson",
    "אשת מכירות": "a saleswoman", "נציגים": "reps", "נציג": "a rep", "נציגה": "a rep",
    "צוות": "a team", "צוות של": "a team of", "מכירות": "sales", "לידים": "leads",
    "ליד": "lead", "פניות": "inquiries", "לקוחות": "customers", "טלפון": "phone",
    "בטלפון": "by phone", "טלפונית": "by phone", "במייל": "by email", "מייל": "email",
    "אקסל": "Excel", "באקסל": "in Excel", "סיארם": "CRM", "crm": "CRM",
    "בסיארם": "in the CRM", "מערכת": "a system", "וואטסאפ": "WhatsApp",
    "בוואטסאפ": "on WhatsApp", "ווטסאפ": "WhatsApp", "בווטסאפ": "on WhatsApp",
    "אתר": "website", "מהאתר": "from the website", "פייסבוק": "Facebook",
    "מפייסבוק": "from Facebook", "גוגל": "Google", "קמפיינים": "campaigns",
    "פרסום": "advertising", "ידני": "manual", "ידנית": "manually", "לבד": "alone",
    "בעצמי": "myself", "בעצמנו": "ourselves", "הכל": "everything", "כל": "every",
    "כל אחד": "everyone", "מישהו": "someone", "אף אחד": "nobody", "מזכירה": "a secretary",
    "המזכירה": "the secretary", "מנהל": "a manager", "מנהלת": "a manager",
    "המנהל": "the manager", "הבעלים": "the owner", "שותף": "a partner",
    "חוזר": "gets back", "חוזרים": "get back", "חוזרת": "gets back", "עונה": "answers",
    "עונים": "answer", "מתקשר": "calls", "מתקשרים": "call", "מתקשרת": "calls",
    "מטפל": "handles", "מטפלים": "handle", "מטפלת": "handles", "אליהם": "to them",
    "להם": "them", "אותם": "them", "מהר": "quickly", "לאט": "slowly",
    "לפעמים": "sometimes", "תמיד": "always", "בדרך כלל": "usually", "בעיקר": "mostly",
    "רק": "only", "גם": "also", "עוד": "more", "הרבה": "a lot", "מעט": "a few",
    "קצת": "a bit", "ככה": "so-so", "בערך": "about", "משהו כמו": "something like",
    "בחודש": "a month", "בשבוע": "a week", "ביום": "a day", "חודש": "month",
    "שבוע": "week", "יום": "day", "שעה": "hour", "שעות": "hours", "דקות": "minutes",
    "ימים": "days", "אחרי": "after", "לפני": "before", "תוך": "within", "עד": "up to",
    "בתוך": "within", "לפחות": "at least", "יותר": "more", "פחות": "less",
    "מאוד": "very", "ממש": "really", "באמת": "really", "נופלים": "fall through",
    "בין הכיסאות": "through the cracks", "בעיה": "a problem", "זה בעיה": "that's a problem",
    "עובד": "works", "עובדים": "work", "עובדת": "works", "עם": "with", "של": "of",
    "על": "on", "אבל": "but", "כי": "because", "אז": "so", "או": "or", "גם וגם": "both",
    "כבר": "already", "עדיין": "still", "עכשיו": "now", "כרגע": "right now",
    "חברה": "company", "החברה": "the company", "קטנה": "small", "קטן": "small",
    "גדולה": "big", "גדול": "big", "לא יותר מדי": "not too many", "מדי": "too",
    "אחד": "one", "אחת": "one", "שניים": "two", "שתיים": "two", "שני": "two", "שתי": "two",
    "שלושה": "three", "שלוש": "three", "ארבעה": "four", "ארבע": "four", "חמישה": "five",
    "חמש": "five", "שישה": "six", "שבעה": "seven", "שמונה": "eight", "עשרה": "ten",
    "עשר": "ten", "עשרים": "twenty", "שלושים": "thirty", "ארבעים": "forty",
    "חמישים": "fifty", "מאה": "a hundred", "מאות": "hundreds", "מאתיים": "two hundred",
    "אלף": "a thousand", "כמה": "a few", "כמה עשרות": "a few dozen",
    "עשרות": "dozens",
    # hesitations say nothing
    "אה": "", "אהה": "", "אמ": "", "אממ": "", "הממ": "", "נו": "",
    # glue, so common answers read as English
    "פנוי": "free", "פנויה": "free", "אני פנוי": "I'm free", "אני פנויה": "I'm free",
    "זה זמן טוב": "it's a good time", "זמן טוב": "a good time", "זמן": "time",
    "זה טוב": "that's good", "זה מצוין": "that's excellent", "זה מעולה": "that's great",
    "יאללה סבבה": "sure, let's do it", "מגניב": "cool", "אפשר": "possible", "אחי": "bro",
    "האמת": "honestly", "בקצרה": "briefly", "שאלה": "question", "אחלה שאלה": "good question",
    "הם": "they", "היא": "she", "הוא": "he", "אתם": "you", "את": "you", "אתה": "you",
    "שלי": "my", "שלנו": "our", "משלנו": "of our own", "המספר": "the number",
    "אני עושה": "I do", "עושה": "does", "עושים": "do", "אני עונה": "I answer",
    "אני חוזר": "I get back", "אני חוזרת": "I get back", "אנחנו חוזרים": "we get back",
    "לחזור": "to get back", "לוקח": "takes", "לוקחת": "takes", "לוקחים": "take",
    "נכנסים": "come in", "נכנס": "comes in", "מגיעים": "come", "מגיע": "comes",
    "מנסים": "try", "מנסה": "tries", "מצליחים": "manage", "מצליח": "manages",
    "שומע": "hear", "שומעת": "hear", "יודע": "know", "יודעת": "know", "רוצה": "want",
    "מה שבא לו": "whatever he likes", "מה שבא לה": "whatever she likes",
    "כשאני יכול": "when I can", "כשאני יכולה": "when I can", "כשיש זמן": "when there's time",
    "יכול": "can", "יכולה": "can", "צריך": "need", "צריכים": "need",
    "מוקד": "a call center", "רשימות": "lists", "רשימה": "a list", "ייעודיים": "dedicated",
    "נציגות": "reps", "למחרת": "the next day", "באותו יום": "the same day",
    "יומיים": "two days", "עסק": "a business", "צוות קטן": "a small team",
    "צוות גדול": "a big team", "אשת מכירות אחת": "one saleswoman",
    "איש מכירות אחד": "one salesperson", "נציג אחד": "one rep", "נציגה אחת": "one rep",
    "האופציה הראשונה": "the first option", "האופציה השנייה": "the second option",
    "האפשרות הראשונה": "the first option", "האפשרות השנייה": "the second option",
    "לא תמיד": "not always", "בבקשה": "please", "מהאקסל": "from Excel", "אקסלים": "spreadsheets",
    "סבבה": "okay", "לא עסוק": "not busy", "לא עסוקה": "not busy", "בעצם": "actually",
}  # fmt: skip
_GLOSS_PREFIXES = (
    ("ו", "and"),
    ("ש", "that"),
    ("ה", "the"),
    ("ב", "in"),
    ("ל", "to"),
    ("מ", "from"),
)
_LONGEST_GLOSS = max(len(phrase.split()) for phrase in _GLOSS)


def _gloss_words(words: str, depth: int = 0) -> str | None:
    if words in _GLOSS:
        return _GLOSS[words]
    if words.isascii():
        return words
    if depth < 2 and " " not in words:
        for prefix, english in _GLOSS_PREFIXES:
            if words.startswith(prefix) and len(words) > len(prefix) + 1:
                rest = _gloss_words(words[len(prefix) :], depth + 1)
                if rest is not None:
                    return f"{english} {rest}"
    return None


def _token(english: str) -> str:
    """Turns an English phrase into one word the glossing loop passes through untouched."""
    return "§" + english.replace(" ", "_")


def _day_token(match: re.Match[str]) -> str:
    day = match["day"]
    if day in _AMBIGUOUS_DAYS and not match["pre"] and match.re is _BARE_DAY:
        return match[0]
    return _token(f"on {_EN_DAY_NAMES[_HE_DAYS.get(day, _HE_DAY_LETTERS.get(day, 0))]}")


def _gloss_clause(clause: str) -> tuple[list[str], int, int]:
    """Glosses one normalised clause: (English words, unknown ones kept as said; known; total)."""
    for pattern in (_EXPLICIT_DAY, _BARE_DAY):
        clause = pattern.sub(_day_token, clause)
    for hit in reversed([hit for hit in _times(clause) if hit.strong]):
        english = f"{hit.lead} {hit.hour}:{hit.minute or 0:02d}"
        clause = f"{clause[: hit.start]} {_token(english)} {clause[hit.end :]}"
    words, out, known, i = clause.split(), [], 0, 0
    while i < len(words):
        if words[i].startswith("§"):
            out.append(words[i][1:].replace("_", " "))
            known, i = known + 1, i + 1
            continue
        if words[i] == "לא" and len(words) == 1:
            out.append("no")  # on its own; "not" inside a clause
            known, i = known + 1, i + 1
            continue
        for size in range(min(_LONGEST_GLOSS, len(words) - i), 0, -1):
            english_or_none = _gloss_words(" ".join(words[i : i + size]))
            if english_or_none is not None:
                out.append(english_or_none)
                known, i = known + size, i + size
                break
        else:
            out.append(words[i])
            i += 1
    return [word for word in out if word], known, len(words)


def gloss(text: str) -> str | None:
    """A word-for-word English rendering of Hebrew; None when under 60% of it is known."""
    clauses, known, total = [], 0, 0
    for raw_clause in re.split(r"[,.;!?]+", text):
        words, clause_known, clause_total = _gloss_clause(normalize(raw_clause))
        if words:
            clauses.append(" ".join(words))
        known, total = known + clause_known, total + clause_total
    if not total or known / total < 0.6:
        return None
    sentence = ", ".join(clauses)
    end = "?" if text.rstrip().endswith("?") else "."
    return sentence[0].upper() + sentence[1:] + end


_FIXED_ENGLISH: dict[Intent, str] = {
    Intent.yes: "Yes.",
    Intent.no: "No.",
    Intent.interested: "Sounds interesting.",
    Intent.not_interested: "Not interested, thanks.",
    Intent.who_is_this: "Who is this?",
    Intent.are_you_a_bot: "Am I talking to a bot?",
    Intent.busy_call_later: "Not a good time right now, call me back later.",
    Intent.do_not_call: "Remove me from your list and don't call me again.",
    Intent.price: "How much does it cost?",
    Intent.pick_slot: "That time works for me.",
    Intent.neither_slot: "Neither of those times works for me.",
    Intent.greeting: "Hello?",
    Intent.repeat: "Sorry, can you say that again?",
    Intent.unclear: "(unclear)",
    Intent.silence: "(silence)",
}
# Answers whose words matter more than their intent: glossed when possible.
_GLOSSED_INTENTS = frozenset(
    {Intent.yes, Intent.no, Intent.interested, Intent.unclear, Intent.greeting, Intent.pick_slot}
)


def _english(text: str, intent: Intent, fixed: str | None = None) -> str:
    """The transcript's English side: as said, a gloss, or a fixed line for the intent."""
    said = " ".join(text.split())
    if not _HEBREW_LETTER.search(said):
        return said
    fixed = fixed or _FIXED_ENGLISH[intent]
    if intent not in _GLOSSED_INTENTS:
        return fixed
    glossed = gloss(said)
    if glossed is not None and not _HEBREW_LETTER.search(glossed):
        return glossed
    if intent is Intent.pick_slot:
        return fixed
    if glossed is not None:
        return glossed
    return f"(Hebrew) {said}" if intent is Intent.unclear else fixed


def _slot_english(choice: _Choice) -> str:
    if choice.index is not None and choice.by_ordinal:
        return ("The first one", "The second one", "That one")[min(choice.index, 2)] + ", please."
    said = choice.said
    when = " at ".join(
        part
        for part in (
            _EN_DAY_NAMES[said.weekday] if said.weekday is not None else "",
            f"{said.hour}:{said.minute or 0:02d}" if said.hour is not None else "",
        )
        if part
    )
    return f"{when} works for me." if choice.index is not None else f"Could we do {when} instead?"


# --- The rules -----------------------------------------------------------------------------------


def _core(norm: str) -> str:
    """Drops hesitation words at either end ("אממ, כן" is "כן")."""
    words = norm.split()
    while words and words[0] in _FILLERS:
        words.pop(0)
    while words and words[-1] in _FILLERS:
        words.pop()
    return " ".join(words) or norm


def _positive(pattern: re.Pattern[str], text: str) -> tuple[bool, bool]:
    """(said plainly, said right after a negation) for a table of positive phrases."""
    plain = negated = False
    for match in pattern.finditer(text):
        if _NEGATION_TAIL.search(text[: match.start()].rstrip()):
            negated = True
        else:
            plain = True
    return plain, negated


def _for_good(text: str, match: re.Match[str]) -> bool:
    """False for "אל תתקשרו עכשיו, תתקשרו מחר": that asks for a callback, not an opt-out."""
    return not _JUST_NOW.intersection(text[match.end() :].split()[:2])


def _minute(said: _Mentions) -> int | None:
    """An hour said without minutes means on the hour."""
    return 0 if said.hour is not None and said.minute is None else said.minute


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("offered slots and now must be timezone-aware")
    return moment.astimezone(tz) if tz is not None else moment


def _callback(
    text: str, core: str, slots: Sequence[datetime], now: datetime | None
) -> Understanding | None:
    """busy_call_later with the time asked for, or None when the caller is not putting us off."""
    when_text, when = _when(core, now)
    # "ביום רביעי אני עסוק" answers a slot offer; a bare "אני עסוק" asks for a callback.
    busy = _BUSY_SELF.search(core) or (len(core.split()) <= 3 and _positive(_BUSY_WORD, core)[0])
    busy = busy and (not slots or _mentions(core, slots, now).empty)
    call_me = _CALLBACK_VERBS.search(core) and when_text
    if not (_BUSY.search(core) or _NO_TIME.search(core) or call_me or busy):
        return None
    back = gloss(when_text) if when_text else None
    if back is None or _HEBREW_LETTER.search(back):
        back = when_text if when_text and when_text.isascii() else "later"
    fixed = f"Not a good time right now, call me back {back[:1].lower()}{back[1:].rstrip('.')}."
    return Understanding(
        Intent.busy_call_later,
        weekday=when.weekday,
        hour=when.hour,
        minute=_minute(when),
        when_text=when_text,
        english=_english(text, Intent.busy_call_later, fixed),
    )


def understand(
    text: str,
    offered: Sequence[datetime] = (),
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> Understanding:
    """Reads one caller turn. `offered`: the slots on the table; `now` resolves "מחר"/"today"."""
    norm = normalize(text)
    if not norm:
        return Understanding(Intent.silence, english=_FIXED_ENGLISH[Intent.silence])
    core = _core(norm)
    slots = [_local(slot, tz) for slot in offered]
    local_now = _local(now, tz) if now is not None else None

    def plain(intent: Intent) -> Understanding:
        return Understanding(intent, english=_english(text, intent))

    if any(_for_good(core, match) for match in _DO_NOT_CALL.finditer(core)):
        return plain(Intent.do_not_call)
    if (
        _NOT_INTERESTED.search(core)
        or _NOT_INTERESTED_OPENERS.search(core)
        or (not slots and _NOT_A_FIT.search(core))
    ):
        return plain(Intent.not_interested)

    callback = _callback(text, core, slots, local_now)
    if callback is not None:
        return callback

    if _BOT_QUESTIONS.search(core) or ("?" in text and _BOT_WORDS.search(core)):
        return plain(Intent.are_you_a_bot)
    if _WHO.search(core) or core in _WHO_EXACT:
        return plain(Intent.who_is_this)
    if _PRICE.search(core) or core in _PRICE_EXACT:
        return plain(Intent.price)

    if slots:
        choice = _slot_choice(text, slots, local_now)
        if isinstance(choice, _Choice):
            said = choice.said
            return Understanding(
                Intent.pick_slot,
                slot_index=choice.index,
                weekday=said.weekday,
                hour=said.hour,
                minute=_minute(said),
                english=_english(text, Intent.pick_slot, _slot_english(choice)),
            )
        if choice is Intent.neither_slot or _NEITHER.search(core):
            return plain(Intent.neither_slot)

    if _REPEAT.search(core) or core in _REPEAT_EXACT:
        return plain(Intent.repeat)
    if _UNSURE.search(core):
        return plain(Intent.unclear)
    if _FIRM_NO.search(core):
        return plain(Intent.no)
    interested, interest_negated = _positive(_INTERESTED, core)
    if interested:
        return plain(Intent.interested)
    yes, yes_negated = _positive(_YES, core)
    if yes or core in _YES_EXACT:
        return plain(Intent.yes)
    if interest_negated or yes_negated:
        return plain(Intent.not_interested)  # "לא ממש מעניין", "לא כן"
    if core.split()[0] in _NO_FIRST_WORDS or _NO.search(core):
        return plain(Intent.no)
    if _GREETING.search(core):
        return plain(Intent.greeting)
    return plain(Intent.unclear)
