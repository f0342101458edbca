"""What a caller meant, in Hebrew or English, without a network: the offline brain's ears.

Rules over data, not a model. The turn is cut to MAX_INPUT_CHARS, normalised (normalize.py) and
tried against phrase tables in a fixed priority order; the first that matches decides:

    silence                 nothing was said
    do_not_call             "תורידו אותי", "אל תתקשרו" (not "אל תתקשרו עכשיו"); over the whole turn,
                            so "מאיפה יש לכם את המספר שלי? תמחקו אותי" stays do_not_call
    abuse                   curses and insults; over the whole turn
      -- a self-correction: when "בעצם", "רגע", "סליחה", "actually", "I mean" ... open a clause
         (or follow "לא"/"כן"), the words after the last one are read first, and decide when
         they say anything ("לא, רגע, בעצם כן" is yes); otherwise the whole turn is read --
    wrong_number            "טעות במספר", "אין פה דנה"
    number_source           "מאיפה יש לכם את המספר שלי?", "מי נתן לכם את המספר?"
    hostile                 "עזבו אותי בשקט", "נמאס לי מכם", "די כבר", "אין לי זמן לשטויות"
    talk_to_human           "אני רוצה לדבר עם נציג", "תעבירי אותי לבן אדם", "talk to a person"
    not_interested          "לא מעוניין", "אין לי זמן לזה", "חבל לי על הזמן", "ביי"; while slots
                            are on offer, "לא רוצה"/"אין מצב" next to a day or time turn it down
    busy_call_later         "אני נוהג", "אין לי זמן עכשיו", "תתקשרו מחר"
    not_decision_maker      "אני לא מחליט בנושא", "תדברי עם המנהל"
    already_have_solution   "יש לנו כבר מערכת", "אנחנו עובדים עם חברה אחרת"
    are_you_a_bot > agent_name > who_is_this > what_is_it > price > send_email
    pick_slot / request_time / neither_slot
                            slot talk (when.py): pick_slot when exactly one offered slot fits
                            (or two fit: candidates, no slot_index); request_time when a day or
                            time was named that none fits (also with nothing on offer, when the
                            turn asks: "אפשר ביום חמישי?"); neither_slot when all talk of slots
                            turned them down; "הראשון או השני" is unclear
    repeat                  "מה?", "לא שמעתי", "סליחה?", "I don't speak Hebrew"
    unsure                  "לא יודע", "לא בטוח", "אין לי מושג", "אולי"
    firm no ("בטח שלא") > interested > yes > negated interest or yes ("לא ממש מעניין": not
    interested) > no > greeting ("הלו", "שומעים אותי?") > a few Arabic and Russian words > unclear

Hebrew phrases match whole words, with the one-letter prefixes ו/ש in front ("ולא מעוניין",
"שכן"). Hesitations ("אממ", "כאילו", "תשמעי", "בקיצור", "יעני") are dropped wherever they are,
and "נו", "אז", "וואלה" at either end. A positive phrase right after a negation ("לא ממש מעניין",
"not really interested", "לא כן") counts as not interested. Phrases that also turn up in answers
about the team ("הלקוחות לא רוצים לחכות", "אין לי זמן לחזור ללידים", "we call back leads") are
held to the start or end of the turn, or to the first person.

`language` comes from the script (normalize.detect_language); English has its own tables, Arabic
and Russian only a handful of words. `english` glosses the caller for the bilingual transcript:
English as said, Hebrew through a small phrase dictionary (gloss.py), falling back to a fixed line
per intent (or, for a free answer nothing covers, "(Hebrew) <text>").

Every table is one regex that runs once over the turn, and each check looks at a bounded window
around its match, so a turn is read in time linear in its (capped) length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from app.language.understanding.gloss import gloss
from app.language.understanding.normalize import (
    Language,
    cap,
    clauses,
    detect_language,
    exact,
    has_hebrew,
    table,
)
from app.language.understanding.when import (
    EN_DAY_NAMES,
    NEITHER,
    PART_HOURS,
    SlotTalk,
    When,
    callback_when,
    read_when,
    slot_talk,
)


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
    unsure = "unsure"
    what_is_it = "what_is_it"
    agent_name = "agent_name"
    number_source = "number_source"
    send_email = "send_email"
    already_have_solution = "already_have_solution"
    not_decision_maker = "not_decision_maker"
    wrong_number = "wrong_number"
    hostile = "hostile"
    abuse = "abuse"
    request_time = "request_time"
    talk_to_human = "talk_to_human"


@dataclass(frozen=True, slots=True)
class Understanding:
    """One caller turn, understood.

    pick_slot: `slot_index` is the one offered slot that fits (`candidates == (slot_index,)`)
    and `when` is that slot's day and time; when two fit, `slot_index` is None, `candidates`
    names both and `when` is what was said. request_time and busy_call_later: `when` is the day
    or time asked for (`when_text` the callback phrase as said). `rejected`: offered slots the
    caller turned down in this turn, whatever the intent. Times are local to `tz`.
    """

    intent: Intent
    slot_index: int | None = None
    candidates: tuple[int, ...] = ()
    rejected: tuple[int, ...] = ()
    when: When = field(default_factory=When)
    when_text: str | None = None
    language: Language = "he"
    english: str = ""

    @property
    def weekday(self) -> int | None:
        return self.when.weekday

    @property
    def hour(self) -> int | None:
        return self.when.hour

    @property
    def minute(self) -> int | None:
        return self.when.minute


# --- Hesitations and self-corrections ------------------------------------------------------------

# Dropped wherever they are: they never change what the turn means.
_HESITATIONS = exact(
    "אה", "אהה", "אמ", "אממ", "אמם", "ממ", "הממ", "המם", "הממם", "כאילו", "בקיצור", "תשמע",
    "תשמעי", "תשמעו", "יעני", "אחי", "אחותי", "גבר", "אחשלי", "um", "umm", "uh", "uhm", "hmm",
    "hm", "er", "erm", "like",
)  # fmt: skip
# Dropped at either end only ("נו, אז מה אתם מוכרים?"; "וואלה?" alone stays).
_FILLERS = exact("נו", "אז", "וואלה", "חלאס", "רגע", "well", "oh", "so", "okay so", "listen")

_MARKERS = exact("בעצם", "רגע", "סליחה", "סורי", "כלומר", "התכוונתי", "actually", "wait", "sorry")
_TWO_WORD_MARKERS = frozenset({("אני", "מתכוון"), ("אני", "מתכוונת"), ("i", "mean")})
# A marker after one of these corrects it: "לא רגע בעצם כן" with no commas.
_CORRECTABLE = _MARKERS | exact("לא", "כן", "אוקיי", "טוב", "no", "yes", "ok", "okay", "oh")


def _core(words: Sequence[str]) -> str:
    """The turn without hesitations ("אממ, כן" is "כן")."""
    kept = [word for word in words if word not in _HESITATIONS]
    while kept and kept[0] in _FILLERS:
        kept.pop(0)
    while kept and kept[-1] in _FILLERS:
        kept.pop()
    return " ".join(kept)


def _correction(parts: Sequence[str]) -> str | None:
    """The words after the last self-correction marker, when one corrects what came before."""
    words: list[str] = []
    opens: list[bool] = []
    for part in parts:
        for i, word in enumerate(part.split()):
            words.append(word)
            opens.append(i == 0)
    after = None
    for i, word in enumerate(words):
        size = 1 if word in _MARKERS else 0
        if i + 1 < len(words) and (word, words[i + 1]) in _TWO_WORD_MARKERS:
            size = 2
        if size and (opens[i] or words[i - 1] in _CORRECTABLE):
            after = i + size
    if after is None or after >= len(words):
        return None
    return _core(words[after:]) or None


# --- Phrase tables, one per intent (Hebrew and English side by side) -----------------------------

_DO_NOT_CALL = table(
    "תורידו אותי", "תוריד אותי", "תורידי אותי", "להוריד אותי", "תוציאו אותי", "להוציא אותי",
    "אותי מהרשימה", "מהרשימה שלכם", "מהרשימות שלכם", "מהמאגר שלכם", "אל תתקשרו",
    "אל תתקשר", "אל תתקשרי", "לא להתקשר אליי", "לא להתקשר אלי", "לא להתקשר יותר",
    "שלא תתקשרו", "תפסיקו להתקשר", "תפסיק להתקשר", "תפסיקי להתקשר", "די להתקשר",
    "תמחקו אותי", "תמחק אותי", "תמחקי אותי", "למחוק אותי", "תמחקו את המספר",
    "תמחקי את המספר", "למחוק את המספר", "תסירו אותי", "להסיר אותי", "תסירו את המספר",
    "תסירי את המספר", "להסיר את המספר", "אל תחזרו אליי", "אל תחזרי אליי", "אל תחזור אליי",
    "אני לא רוצה שתתקשרו", "הסר", "הסירו", "תמחקו", "תמחקי", "תמחק", "תמחקו אותו",
    "תמחקי אותו", "תסירו", "תסירי", "תסירו אותו", "תסירי אותו", "כן תורידו",
    "stop calling", "remove me", "take me off", "dont call me", "dont call again",
    "dont call this number", "do not call me", "do not call again", "never call me",
    "never call again", "delete my number", "unsubscribe", "lose my number",
    "remove my number", "put me on your do not call list",
)  # fmt: skip
_JUST_NOW = frozenset({"עכשיו", "כרגע", "היום", "now", "today", "right"})

_ABUSE = table(
    "לך תזדיין", "לכי תזדייני", "לכו תזדיינו", "תזדיין", "תזדייני", "תזדיינו", "יא זונה",
    "בן זונה", "בת זונה", "יבן זונה", "זונה", "שרמוטה", "יא שרמוטה", "כוס אמק", "כוסאמק",
    "כוס עמק", "כוסעמק", "כוס אמא שלך", "כוס אוחתק", "כוסומו", "יא מטומטם", "יא מטומטמת",
    "מטומטמים", "מטומטמת", "מטומטם", "יא אידיוט", "יא אידיוטית", "אידיוטים", "אידיוטית",
    "יא מפגר", "יא מפגרת", "מפגרים", "יא דביל", "יא דבילית", "דבילים", "יא חתיכת", "חתיכת חרא",
    "יא חרא", "יא בהמה", "יא טמבל", "יא טמבלית", "יא מניאק", "מניאקים", "מניאק", "יא זבל",
    "זין עליך", "זין עלייך", "זין עליכם", "לך לעזאזל", "לכי לעזאזל", "לכו לעזאזל", "תמותו",
    "תמות", "ימח שמך", "שתמותו", "יא כלבה", "יא כלב", "יא נבלה", "ילען", "יא ערס",
    "fuck", "fucking", "fuck off", "fuck you", "go fuck yourself", "motherfucker", "asshole",
    "bitch", "bastard", "dickhead", "screw you", "go to hell", "piece of shit",
    "son of a bitch", "idiot", "moron", "cunt", "piss off", "shithead",
)  # fmt: skip

_WRONG_NUMBER = table(
    "טעות במספר", "טעיתם במספר", "טעית במספר", "טעיתם", "מספר לא נכון", "זה לא המספר",
    "אין פה מישהו בשם", "אין כאן מישהו בשם", "אין פה אף אחד בשם", "אין כאן אף אחד בשם",
    "לא מכיר אף אחד בשם", "לא מכירה אף אחד בשם", "לא גר פה", "לא גרה פה", "לא גרים פה",
    "לא מכיר אותה", "לא מכירה אותה", "לא מכיר אותו", "לא מכירה אותו", "הגעתם למספר הלא נכון",
    "wrong number", "no one here by that name", "nobody here by that name",
    "theres no one here called", "you have the wrong number", "youve got the wrong number",
    "no such person", "wrong person",
)  # fmt: skip
# "אין פה דנה": "there is no <name> here" with a word the gloss does not know (a name).
_NOBODY_HERE = re.compile(r"(?<!\S)אין (?:פה|כאן) (?P<name>\S+)(?: \S+)?$")
_HERE_WORDS = frozenset(
    {"אנשי", "צוות", "מכירות", "לידים", "אף", "כזה", "כזאת", "מישהו", "זמן", "מערכת", "בעיה",
     "נציגים", "מוקד", "אנשים", "עובדים", "מה", "לנו", "לי", "הרבה", "ממש", "עוד"}
)  # fmt: skip

_NUMBER_SOURCE = table(
    "מאיפה יש לכם", "מאיפה יש לך", "מאיפה השגתם", "מאיפה השגת", "מאיפה הבאתם", "מאיפה הבאת",
    "מאיפה קיבלתם", "מאיפה קיבלת", "מאיפה המספר", "מאיפה הטלפון", "מאיפה לכם", "מאיפה לך",
    "איך השגתם", "איך השגת", "איך הגעתם אליי", "איך הגעת אליי", "איך הגעתם אלי", "איך הגעת אלי",
    "איך יש לכם את המספר", "איך יש לך את המספר", "מי נתן לכם", "מי נתן לך", "מי מסר לכם",
    "מי העביר לכם", "איפה מצאתם", "איפה מצאת", "מאיפה אתם מכירים אותי", "מאיפה את מכירה אותי",
    "how did you get my number", "where did you get my number", "who gave you my number",
    "how do you have my number", "where did you get this number", "how did you get this number",
    "where do you have my number from", "where did you find my number", "how did you find me",
)  # fmt: skip

_HOSTILE = table(
    "עזבו אותי", "עזבי אותי", "עזוב אותי", "עזבו אותי בשקט", "תעזבו אותי", "תעזבי אותי",
    "תעזוב אותי", "אתם מטרידים", "את מטרידה", "אתה מטריד", "מטרידים אותי", "זאת הטרדה",
    "זו הטרדה", "הטרדה", "נמאס לי מכם", "נמאס לי", "נמאס", "די כבר", "תפסיקו להציק",
    "תפסיקי להציק", "אל תציקו", "מה אתם רוצים ממני", "מה את רוצה ממני", "מה אתה רוצה ממני",
    "אתם לא נורמליים", "את לא נורמלית", "כל יום אתם מתקשרים", "כל הזמן אתם מתקשרים",
    "אין לי זמן לשטויות", "לשטויות האלה", "לשטויות", "איזה שטויות", "חפרתם", "חופרת",
    "אתם חופרים", "כמה פעמים אתם מתקשרים", "כמה פעמים אפשר", "שוב אתם", "עוד פעם אתם", "לכו מפה",
    "לך מפה", "לכי מפה", "תעופו", "תעופי", "עופי ממני", "עוף ממני",
    "סתום", "סתמי", "תסתום", "תסתמי", "תסתמו", "סתמו", "נודניקים", "נודניקית",
    "leave me alone", "stop bothering me", "stop harassing me", "this is harassment",
    "go away", "enough already", "get lost", "youre annoying", "so annoying", "dont bother me",
    "shut up", "stop pestering me",
)  # fmt: skip
_HOSTILE_EXACT = exact(
    "די", "די די", "די די די", "די נו", "נו די", "חלאס", "חלאס די", "די חלאס", "יאללה די",
    "enough",
)  # fmt: skip

_NOT_INTERESTED = table(
    "לא מעוניין", "לא מעוניינת", "לא מעוניינים", "לא מעניין", "לא מעניין אותי",
    "לא רלוונטי", "לא רלבנטי", "לא רלוונטית", "אני לא צריך", "אני לא צריכה",
    "אנחנו לא צריכים", "אני לא רוצה", "אנחנו לא רוצים", "לא צריך תודה", "לא רוצה תודה",
    "לא בשבילנו", "לא בשבילי", "אין צורך", "אין לנו צורך", "אין לי צורך", "לא תודה",
    "אנחנו מסודרים", "אני מסודר", "אני מסודרת", "עזבי", "עזוב", "עזבו", "עזבי את זה",
    "עזוב את זה", "חבל לכם על הזמן", "חבל לך על הזמן", "חבל לי על הזמן", "חבל על הזמן שלי",
    "חבל על הזמן שלכם", "זה לא בשבילי", "לא בא לי", "לא מחפשים", "אנחנו לא מחפשים",
    "not interested", "no thanks", "no thank you", "not for us", "not for me", "not relevant",
    "we dont need", "dont need it", "no need", "were all set", "ill pass", "well pass",
    "waste of time", "waste of my time", "not worth my time", "not looking for",
    "לא חושב שזה מתאים", "לא חושבת שזה מתאים", "לא נראה לי שזה מתאים", "לא חושב שזה רלוונטי",
    "לא חושבת שזה רלוונטי", "לא נראה לי שזה רלוונטי", "לא חושב שזה בשבילנו",
    "לא נראה לי שזה בשבילנו", "dont think its for us", "dont think this is for us",
)  # fmt: skip
# "No time for this" refuses; "no time now" asks for a callback.
_NO_TIME_FOR_THIS = table(
    "אין לי זמן לזה", "אין לנו זמן לזה", "אין לי זמן לדברים האלה", "אין לי זמן לדברים כאלה",
    "no time for this", "dont have time for this", "have no time for this",
    "dont have time for that", "no time for that",
)  # fmt: skip
# "לא צריך" opens a refusal; mid-sentence it is an answer ("הלקוחות לא רוצים לחכות").
_NOT_INTERESTED_OPENERS = re.compile(
    r"^(?:(?:לא|no|תודה) )*(?:לא צריך|לא צריכה|לא צריכים|לא רוצה|לא רוצים)(?!\S)"
)
# Also a way to turn down a day or time ("לא רוצה ביום ראשון"): not interested only without one.
_SOFT_REFUSALS = table("אין מצב", "לא בא לי", "לא רוצה", "אני לא רוצה")
# A farewell as the whole turn ends the call.
_FAREWELLS = exact(
    "ביי", "ביי ביי", "יאללה ביי", "תודה ביי", "אוקיי ביי", "טוב ביי", "להתראות", "יום טוב",
    "תודה להתראות", "bye", "bye bye", "goodbye", "ok bye", "okay bye", "thanks bye",
)  # fmt: skip
# Without slots on the table, "it doesn't suit me" is about the offer itself.
_NOT_A_FIT = table("לא מתאים לי", "לא מתאים לנו", "זה לא מתאים", "not a fit", "not a good fit")

_BUSY = table(
    "לא זמן טוב", "זמן לא טוב", "לא הזמן", "לא הזמן המתאים", "לא עכשיו", "לא כרגע",
    "לא יכול לדבר", "לא יכולה לדבר", "לא יכול עכשיו", "לא יכולה עכשיו", "אין לי זמן עכשיו",
    "אין לי זמן כרגע", "אין לי זמן לדבר", "תתקשרו", "תתקשרי", "תתקשר", "תצלצלו",
    "תצלצלי", "תצלצל", "תחזרו אליי", "תחזרי אליי", "תחזור אליי", "תחזרו אלי", "תחזרי אלי",
    "תחזור אלי", "נדבר אחר כך", "נדבר מחר", "נדבר בהמשך", "נדבר בזמן אחר", "אפשר אחר כך",
    "אפשר לדבר אחר כך", "אני בפגישה", "אני באמצע", "אני נוהג", "אני נוהגת", "אני בנהיגה",
    "אני על ההגה", "באמצע פגישה", "באמצע משהו", "אחזור אליכם", "אחזור אלייך", "אחזור אליך",
    "אני אחזור אליכם", "אני בעבודה", "אני עם לקוח", "אני עם לקוחה", "אני באוטו",
    "אני בנסיעה", "אני בישיבה", "אני בשיחה אחרת", "אני על קו אחר", "אני בחול", "אני בטיסה",
    "אני במילואים", "אני בבית חולים", "תנסי מאוחר יותר", "תנסו מאוחר יותר",
    "ill get back to you", "ill call you back", "call me later", "call me back",
    "call back later", "call back tomorrow", "can you call back", "could you call back",
    "please call back", "call later", "call again", "call me tomorrow", "call tomorrow",
    "call me next", "call me in", "try again later", "try me later", "not a good time",
    "bad time", "cant talk", "cannot talk", "can not talk", "im driving", "in a meeting",
    "i have no time", "no time now", "no time right now", "dont have time now",
    "dont have time right now", "dont have time to talk", "not now", "not right now",
    "talk later", "talk tomorrow", "maybe later", "talk another time", "call another time",
    "catch me later", "im at work",
)  # fmt: skip
# "אין לי זמן" ends a brush-off; "אין לי זמן לחזור ללידים" is an answer.
_NO_TIME = table("אין לי זמן", "i dont have time", "no time", end=True)
# A callback verb counts as busy only next to a time ("תחזרי מחר"), not in "תחזרי על זה".
_CALLBACK_VERBS = table(
    "תחזרו", "תחזרי", "תחזור", "נדבר", "דברו איתי", "דברי איתי", "דבר איתי", "לדבר",
    "תנסי", "תנסו", "תנסה", "call me", "call us", "talk", "ring me", "try me", "try again",
)  # fmt: skip
# "I'm busy" asks for a callback; "the reps are busy" describes the team.
_BUSY_SELF = table(
    "אני עסוק", "אני עסוקה", "אני קצת עסוק", "אני קצת עסוקה", "אנחנו עסוקים", "עסוק עכשיו",
    "עסוקה עכשיו", "עסוק כרגע", "עסוקה כרגע", "im busy", "i am busy", "were busy",
    "busy right now", "busy now",
)  # fmt: skip
_BUSY_WORD = table("עסוק", "עסוקה", "עסוקים", "busy")

_NOT_DECISION_MAKER = table(
    "לא מחליט", "לא מחליטה", "לא אני מחליט", "לא אני מחליטה", "לא אני שמחליט",
    "לא אני שמחליטה", "לא אני האחראי", "לא האחראי", "לא האחראית", "לא אחראי על",
    "לא אחראית על", "לא בסמכותי", "לא בסמכות שלי", "לא תלוי בי", "לא ההחלטה שלי",
    "תדברי עם המנהל", "תדבר עם המנהל", "תדברו עם המנהל", "תדברי עם הבעלים",
    "תדבר עם הבעלים", "תדברו עם הבעלים", "תדברי עם מישהו אחר", "צריך לדבר עם המנהל",
    "צריכה לדבר עם המנהל", "צריך לדבר עם הבעלים", "את צריכה לדבר עם", "אתה צריך לדבר עם",
    "אני רק עובד פה", "אני רק עובדת פה", "אני רק עובד כאן", "אני רק עובדת כאן",
    "אני רק המזכירה", "אני רק מזכירה", "המנהל מחליט", "הבעלים מחליט", "זה המנהל שלי",
    "זה אצל המנהל", "זה אצל הבעלים", "זה לא אצלי", "זה לא אני", "לא מקבל החלטות",
    "not the right person", "not my decision", "not up to me", "talk to my boss",
    "talk to my manager", "speak to my manager", "speak with my manager", "im not in charge",
    "not the decision maker", "i dont decide", "i dont make the decisions",
    "youll have to talk to", "you need to talk to", "im just an employee", "my boss decides",
)  # fmt: skip

_ALREADY_HAVE = table(
    "יש לנו כבר מערכת", "יש לנו כבר ספק", "יש לנו כבר חברה", "יש לנו כבר פתרון",
    "יש לנו כבר מישהו", "יש לנו כבר משהו", "יש לנו כבר את זה", "יש לנו כבר כזה",
    "יש לנו כבר כזאת", "יש לנו כבר סיארם", "יש לנו כבר crm", "יש לנו כבר תוכנה",
    "יש לנו כבר מוקד", "יש לנו כבר בוט", "כבר יש לנו מערכת", "כבר יש לנו ספק",
    "כבר יש לנו פתרון", "כבר יש לנו מישהו", "כבר יש לנו משהו", "כבר יש לנו את זה",
    "כבר יש לנו כזה", "כבר יש לנו כזאת", "יש לנו ספק", "יש לנו ספק אחר", "יש לנו חברה אחרת",
    "יש לנו מערכת משלנו", "אנחנו כבר עובדים עם", "כבר עובדים עם", "אנחנו עובדים עם חברה",
    "עובדים עם חברה אחרת", "עובדים עם מישהו אחר", "עובדים עם ספק", "עם ספק אחר",
    "עם חברה אחרת", "אנחנו עם חברה אחרת", "אנחנו מרוצים ממה שיש", "מרוצים מהמערכת",
    "מרוצים מהספק", "אנחנו כבר משתמשים", "כבר משתמשים ב", "אנחנו כבר מסודרים עם",
    "we already have", "we already use", "we already work with", "we use another",
    "we work with another", "we have a vendor", "we have a provider", "already have a solution",
    "were happy with our", "we already got", "weve already got",
)  # fmt: skip
_ALREADY_HAVE_END = table("יש לנו כבר", "כבר יש לנו", "כבר יש", end=True)

_BOT_QUESTIONS = table(
    "את רובוט", "אתה רובוט", "את רובוטית", "את בוט", "אתה בוט", "זה בוט", "זה רובוט",
    "זה מחשב", "זאת הקלטה", "זו הקלטה", "זה הקלטה", "את אמיתית", "אתה אמיתי",
    "את בן אדם", "אתה בן אדם", "את בת אדם", "בן אדם אמיתי", "מדבר עם מחשב",
    "מדברת עם מחשב", "מדבר עם רובוט", "מדברת עם רובוט", "מדבר עם בוט", "מדברת עם בוט",
    "מדבר עם בן אדם", "מדברת עם בן אדם", "זה אמיתי", "זו בינה מלאכותית", "את בינה מלאכותית",
    "are you a robot", "are you a bot", "are you real", "are you human", "are you a person",
    "are you ai", "are you an ai", "is this a bot", "is this a robot", "is this a real person",
    "is this ai", "is this automated", "is this a recording", "am i talking to a",
    "am i speaking to a",
)  # fmt: skip
# "יש לנו בוט בווטסאפ" is an answer: a bare bot word only counts in a question.
_BOT_WORDS = table(
    "רובוט", "רובוטית", "בוט", "מחשב", "בינה מלאכותית", "אמיתי", "אמיתית", "בן אדם",
    "בת אדם", "בנאדם", "אנושי", "אנושית", "מכונה", "הקלטה", "צאט גיפיטי",
    "robot", "bot", "ai", "a i", "computer", "machine", "real", "human", "automated",
    "recording", "chatgpt", "chat gpt", "artificial",
)  # fmt: skip

_AGENT_NAME = table(
    "איך קוראים לך", "מה השם שלך", "מה שמך", "מה השם שלך שוב", "איך קראו לך", "איך אמרת שקוראים לך",
    "מה אמרת השם", "שם שלך", "whats your name", "what is your name", "your name again",
    "may i ask your name", "what should i call you", "what was your name",
)  # fmt: skip
_AGENT_NAME_EXACT = exact("מה השם", "השם", "name")

_WHO = table(
    "מי זה", "מי זאת", "מי זו", "מי מדבר", "מי מדברת", "מי את", "מי אתה", "מי אתם",
    "מי מתקשר", "מי מתקשרת", "מאיפה אתם", "מאיפה את", "מאיפה אתה", "מאיפה זה",
    "מאיפה מתקשרים", "מאיזו חברה", "מאיזה חברה", "איזו חברה", "איזה חברה", "מה החברה",
    "עם מי אני מדבר", "עם מי אני מדברת", "מי על הקו", "מי שם",
    "who is this", "whos this", "who are you", "who is calling", "whos calling",
    "who am i speaking", "who am i talking", "what company", "which company",
    "where are you calling from", "where are you from",
)  # fmt: skip
_WHO_EXACT = exact("מי", "who")

_WHAT_IS_IT = table(
    "על מה מדובר", "במה מדובר", "מה זה בעצם", "מה אתם מוכרים", "מה את מוכרת", "מה אתה מוכר",
    "מה אתם עושים", "מה אתם מציעים", "מה את מציעה", "מה אתה מציע", "מה החברה עושה",
    "מה השירות", "מה המוצר", "מה זה אלטה", "מה העניין", "מה הסיפור", "מה אתם רוצים",
    "מה את רוצה", "מה אתה רוצה", "מה זה אומר", "למה אתם מתקשרים", "למה את מתקשרת",
    "על מה זה", "מה זה השירות", "במה אתם עוסקים", "זה שיחת מכירה", "זו שיחת מכירה",
    "זאת שיחת מכירה", "זה פרסומת", "זו פרסומת", "זאת פרסומת", "זה מכירות", "אתם מוכרים משהו",
    "is this a sales call", "are you selling something", "is this an ad",
    "what is this about", "whats this about", "what is it about", "whats it about",
    "what is this regarding", "what do you sell", "what are you selling", "what do you do",
    "what do you offer", "what are you offering", "why are you calling",
)  # fmt: skip
_WHAT_IS_IT_EXACT = exact("מה זה", "what is this", "whats this", "what is it", "whats that")

_PRICE = table(
    "כמה זה עולה", "כמה עולה", "כמה זה יעלה", "כמה יעלה", "כמה כסף", "מה המחיר",
    "מה המחירים", "מחיר", "המחיר", "מחירים", "המחירים", "עלות", "העלות", "עלויות", "תמחור",
    "יקר", "כמה אתם לוקחים", "כמה אתם גובים", "זה עולה כסף", "זה בחינם", "בחינם",
    "how much", "price", "prices", "pricing", "cost", "costs", "expensive", "fee", "fees",
    "is it free",
)  # fmt: skip
_PRICE_EXACT = exact("כמה זה", "כמה")

_SEND_EMAIL = table(
    "תשלחי לי", "תשלחו לי", "תשלח לי", "תשלחי מייל", "תשלחו מייל", "תשלח מייל",
    "תשלחי פרטים", "תשלחו פרטים", "תשלח פרטים", "שלחי לי", "שלחו לי", "שלח לי",
    "לשלוח לי", "אפשר לקבל פרטים", "אפשר לקבל מייל", "אפשר מייל", "אפשר חומר", "תשלחי חומר",
    "תשלחו חומר", "יש לכם אתר", "יש אתר", "מה האתר", "אני אסתכל באתר", "תני לי את האתר",
    "send me", "email me", "send it by email", "send an email", "send details",
    "do you have a website", "whats your website", "can you send",
)  # fmt: skip

# Asking for a person (a warm transfer), not asking whether the agent is one ("את בוט?").
_TALK_TO_HUMAN = table(
    "לדבר עם נציג", "לדבר עם נציגה", "לדבר עם בן אדם", "לדבר עם בנאדם", "לדבר עם אדם",
    "לדבר עם מישהו אמיתי", "לדבר עם אדם אמיתי", "לדבר עם איש מכירות", "לדבר עם אשת מכירות",
    "לדבר עם מישהו מהצוות", "לדבר עם מישהו אנושי", "תעבירי אותי", "תעביר אותי", "תעבירו אותי",
    "תחברי אותי", "תחבר אותי", "תחברו אותי", "להעביר אותי", "לחבר אותי", "נציג אנושי",
    "נציג אמיתי", "אפשר נציג", "רוצה נציג", "רוצה בן אדם", "יש נציג", "יש בן אדם",
    "talk to a person", "talk to a human", "speak to a person", "speak to a human",
    "talk to someone real", "talk to a real person", "speak with a person", "talk to a rep",
    "speak to a rep", "speak to someone", "transfer me", "connect me", "a human please",
    "a real person please",
)  # fmt: skip

_REPEAT = table(
    "לא שמעתי", "לא שומע", "לא שומעת", "לא שומעים", "לא הבנתי", "מה אמרת", "מה אמרתם",
    "תחזרי על זה", "תחזור על זה", "תחזרו על זה", "לחזור על זה", "רגע מה", "סליחה מה",
    "לא מבין עברית", "לא מבינה עברית", "לא מדבר עברית", "לא מדברת עברית", "תדברי לאט",
    "תדבר לאט", "יותר לאט", "לא שמעתי טוב", "הקו נקטע", "נקטעת", "את נקטעת",
    "can you repeat", "could you repeat", "repeat that", "say that again", "say again",
    "come again", "pardon", "didnt catch", "didnt hear", "cant hear", "what did you say",
    "one more time", "didnt understand", "sorry what", "dont speak hebrew",
    "dont understand hebrew", "no hebrew", "speak english", "in english", "english please",
    "do you speak english",
)  # fmt: skip
# "ואז מתקשרים עוד פעם" is an answer, so "עוד פעם" counts only on its own.
_REPEAT_EXACT = exact(
    "מה", "מה מה", "הא", "סליחה", "סורי", "שוב", "עוד פעם", "שוב פעם", "מה עוד פעם",
    "אפשר עוד פעם", "מה אמרת", "what", "sorry", "huh", "excuse me", "again", "pardon me",
)  # fmt: skip

_UNSURE = table(
    "לא יודע", "לא יודעת", "לא יודעים", "לא בטוח", "לא בטוחה", "לא בטוחים", "אין לי מושג",
    "לא ממש יודע", "לא ממש יודעת", "לא ממש בטוח", "לא ממש בטוחה", "לא כל כך יודע",
    "לא כל כך יודעת", "לא כל כך בטוח", "לא כל כך בטוחה", "לא באמת יודע", "לא באמת יודעת",
    "אין לנו מושג", "צריך לחשוב",
    "צריכה לחשוב", "אני אחשוב על זה", "אחשוב על זה",
    "נחשוב על זה", "קשה לי להגיד", "צריך לבדוק", "צריכה לבדוק", "אני אבדוק", "אבדוק ביומן",
    "לא סגור על זה", "לא סגורה על זה", "לא יודע מה להגיד",
    "dont know", "not sure", "no idea", "need to think", "let me think", "ill think about it",
    "i guess", "hard to say",
)  # fmt: skip
_UNSURE_EXACT = exact("אולי", "אולי אולי", "יכול להיות", "תלוי", "maybe", "perhaps", "i dunno")

_INTERESTED = table(
    "נשמע מעניין", "מעניין", "מעוניין", "מעוניינת", "מעוניינים", "אשמח", "בשמחה",
    "נשמע טוב", "נשמע אחלה", "נשמע מצוין", "ספרי לי עוד", "ספר לי עוד", "ספרו לי עוד",
    "תספרי", "תספר", "תספרו", "רוצה לשמוע", "רוצים לשמוע", "אני בעניין", "בכיף",
    "interested", "sounds interesting", "interesting", "sounds good", "sounds great",
    "tell me more", "happy to", "love to", "id like", "id love", "want to hear",
)  # fmt: skip

_YES = table(
    "כן", "בטח", "ברור", "בהחלט", "סבבה", "אוקיי", "יאללה", "אחלה", "בסדר", "טוב", "למה לא",
    "יש לי דקה", "יש לי זמן", "יש לי כמה דקות", "פנוי", "פנויה", "לא עסוק", "לא עסוקה",
    "קדימה", "תגידי", "תגיד", "דבר", "דברי", "כמובן", "נכון", "יס", "מעולה", "מצוין",
    "אין בעיה", "זמן טוב", "סגור", "סגרנו", "זורם", "זורמת", "בול", "בדיוק", "קטן עליי",
    "פרפקט", "נייס", "דיל", "חבל על הזמן", "אפשר", "שור",
    "yes", "yeah", "yep", "yup", "sure", "of course", "absolutely", "go ahead", "ok", "okay",
    "alright", "all right", "fine", "why not", "i have a minute", "correct", "right",
    "definitely", "no problem", "perfect", "deal",
)  # fmt: skip
# "It suits" is a yes; "it doesn't suit" is no refusal of the call (a slot, or the question).
_FITS = table("מתאים", "מתאים לי", "מתאים לנו", "זה מתאים", "מתאימה", "works for me")
_YES_EXACT = exact(
    "יש", "יש לנו", "יש לי", "מדבר", "מדברת", "זה אני", "כן זה אני"
)  # as a whole answer: "there is", i.e. yes
# Right before a positive phrase, these make it a no: "לא ממש מעניין", "not really interested".
_NEGATION_TAIL = re.compile(
    r"(?:^|\s)(?:לא|לא ממש|לא כל כך|לא כזה|לא באמת|לא במיוחד|לא נשמע|לא נשמע לי|לא מאוד"
    r"|not|not really|not very|not that|not so|not too|dont|doesnt|isnt|never|doesnt sound"
    r"|dont sound|(?:לא חושב|לא חושבת|לא נראה לי|dont think)(?: ש?זה| its| that)?)$"
)
_NEGATION_WINDOW = 24  # characters before a match that can hold its negation
# Checked before yes: "בטח שלא" holds a "yes" word but is a firm no.
_FIRM_NO = table(
    "בטח שלא", "ברור שלא", "ממש לא", "בכלל לא", "of course not", "definitely not",
    "absolutely not", "certainly not",
)  # fmt: skip
_NO_FIRST_WORDS = exact("לא", "אין", "no", "nope", "nah")
_NO = table(
    "אין לנו", "אין לי", "ממש לא", "בכלל לא", "לא נראה לי", "לא ממש", "לא באמת", "עוד לא",
    "עדיין לא", "לא במיוחד", "נראה לי שלא", "אני לא חושב", "אני לא חושבת",
    "not really", "we dont", "we do not", "i dont think so", "dont think so", "dont have",
    "not yet", "not at all",
)  # fmt: skip

_GREETING = table(
    "הלו", "שלום", "היי", "הי", "אהלן", "בוקר טוב", "ערב טוב", "צהריים טובים", "מה נשמע",
    "מה קורה", "מה המצב", "שומעים אותי", "את שומעת אותי", "אתה שומע אותי", "את שם",
    "אתה שם", "יש שם מישהו", "hi", "hello", "hey", "good morning", "good afternoon",
    "good evening", "are you there", "can you hear me",
)  # fmt: skip

# A few words of Arabic and Russian; the brain answers those callers by `language` anyway.
_FOREIGN: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (table("مين معي", "مين معاي", "من معي", "مين حضرتك", "مين انت", "кто это", "кто говорит"),
     Intent.who_is_this),
    (table("ما بحكي عبري", "ما بفهم عبري", "لا اتكلم العبريه", "не говорю на иврите",
           "не понимаю", "говорите по русски"), Intent.repeat),
    (table("شو بدك", "شو بدكم", "ماذا تريد", "что вы хотите", "что вам нужно"),
     Intent.what_is_it),
    (table("شو", "ايش", "ماذا", "что", "что что"), Intent.repeat),
    (table("مرحبا", "الو", "اهلا", "алло", "здравствуйте", "привет"), Intent.greeting),
    (table("نعم", "ايوه", "اه", "да", "конечно"), Intent.yes),
    (table("لا", "нет"), Intent.no),
)  # fmt: skip

# Without slots on offer, a day or time is a request only when the turn asks for one.
_ASKS = table(
    "אפשר", "יש משהו", "יש לך", "יש לכם", "מה עם", "מה לגבי", "עדיף", "עדיף לי", "נוח לי",
    "מתאים לי", "יותר נוח", "אולי", "בוא נקבע", "בואי נקבע", "נקבע", "אני יכול", "אני יכולה",
    "can we", "could we", "how about", "what about", "is there", "do you have", "prefer",
    "better for me", "works for me", "lets do", "maybe",
)  # fmt: skip
_HABITS = table("בדרך כלל", "תמיד", "לפעמים", "usually", "always", "sometimes")


# --- English for the transcript ------------------------------------------------------------------

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
    Intent.unsure: "I'm not sure.",
    Intent.what_is_it: "What is this about?",
    Intent.agent_name: "What's your name?",
    Intent.number_source: "Where did you get my number?",
    Intent.send_email: "Send me the details by email.",
    Intent.already_have_solution: "We already have a solution for that.",
    Intent.not_decision_maker: "I'm not the one who decides on this.",
    Intent.wrong_number: "You have the wrong number.",
    Intent.hostile: "Leave me alone.",
    Intent.abuse: "(abusive language)",
    Intent.request_time: "Is there another time?",
    Intent.talk_to_human: "I want to talk to a person.",
}
# Answers whose words matter more than their intent: glossed when possible.
_GLOSSED_INTENTS = frozenset(
    {
        Intent.yes,
        Intent.no,
        Intent.interested,
        Intent.unclear,
        Intent.greeting,
        Intent.pick_slot,
        Intent.unsure,
        Intent.request_time,
    }
)
_LANGUAGE_NAMES = {"ar": "Arabic", "ru": "Russian"}


def _english(text: str, language: Language, intent: Intent, fixed: str | None = None) -> str:
    """The transcript's English side: as said, a gloss, or a fixed line for the intent."""
    said = " ".join(cap(text).split())
    if language in _LANGUAGE_NAMES:
        line = said if intent is Intent.unclear else _FIXED_ENGLISH[intent]
        return f"({_LANGUAGE_NAMES[language]}) {line}"
    if not has_hebrew(said):
        return said
    fixed = fixed or _FIXED_ENGLISH[intent]
    if intent not in _GLOSSED_INTENTS:
        return fixed
    glossed = gloss(said)
    if glossed is not None and not has_hebrew(glossed):
        return glossed
    if intent in (Intent.pick_slot, Intent.request_time):
        return fixed
    if glossed is not None:
        return glossed
    return f"(Hebrew) {said}" if intent is Intent.unclear else fixed


def _when_english(when: When) -> str:
    day = EN_DAY_NAMES[when.weekday] if when.weekday is not None else ""
    if when.next_week:
        day = f"{day} next week".strip()
    time = ""
    if when.hour is not None:
        lead = {"at": "", "after": "after ", "before": "before ", "around": "around "}
        time = f"{lead[when.relation]}{when.hour}:{when.minute or 0:02d}"
    elif when.part is not None:
        time = f"in the {when.part}" if when.part != "noon" else "at noon"
    return " ".join(part for part in (day, time) if part)


def _slot_english(talk: SlotTalk, picked: int | None, when: When) -> str:
    if picked is not None and talk.by_ordinal:
        return ("The first one", "The second one", "That one")[min(picked, 2)] + ", please."
    said = _when_english(when)
    if picked is not None:
        return f"{said} works for me." if said else "That one works for me."
    if talk.candidates:
        return f"{said}." if said else "Either of those."
    if when.earlier or when.later:
        return "Is there anything earlier?" if when.earlier else "Is there anything later?"
    return f"Could we do {said} instead?" if said else _FIXED_ENGLISH[Intent.request_time]


# --- The rules -----------------------------------------------------------------------------------


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("offered slots and now must be timezone-aware")
    return moment.astimezone(tz) if tz is not None else moment


def _positive(pattern: re.Pattern[str], text: str) -> tuple[bool, bool]:
    """(said plainly, said right after a negation) for a table of positive phrases."""
    plain = negated = False
    for match in pattern.finditer(text):
        start = match.start()
        window = text[max(0, start - _NEGATION_WINDOW) : start].rstrip()
        if start > _NEGATION_WINDOW:
            window = window.partition(" ")[2]  # never a word cut in half
        if _NEGATION_TAIL.search(window):
            negated = True
        else:
            plain = True
    return plain, negated


def _for_good(text: str, match: re.Match[str]) -> bool:
    """False for "אל תתקשרו עכשיו, תתקשרו מחר": that asks for a callback, not an opt-out."""
    return not _JUST_NOW.intersection(text[match.end() : match.end() + 24].split()[:2])


def _nobody_here(core: str) -> bool:
    """ "אין פה דנה": a name (a word the gloss does not know) after "there is no ... here"."""
    match = _NOBODY_HERE.search(core)
    if match is None:
        return False
    name = match["name"]
    return name not in _HERE_WORDS and gloss(name) is None


@dataclass(slots=True)
class _Turn:
    """One caller turn, read once: the raw text and what the rules share about it."""

    text: str
    language: Language
    parts: list[str]  # normalised clauses
    slots: list[datetime]
    now: datetime | None
    _talk: SlotTalk | None = None

    @property
    def talk(self) -> SlotTalk:
        """The turn against the slots on offer (whole turn; it has its own corrections)."""
        if self._talk is None:
            self._talk = slot_talk(self.parts, self.slots, self.now)
        return self._talk

    def plain(self, intent: Intent) -> Understanding:
        rejected = self.talk.rejected if self.slots else ()
        english = _english(self.text, self.language, intent)
        return Understanding(intent, rejected=rejected, language=self.language, english=english)


def _callback(turn: _Turn, core: str) -> Understanding | None:
    """busy_call_later with the time asked for, or None when the caller is not putting us off."""
    when_text, when = callback_when(core, turn.now)
    # "ביום רביעי אני עסוק" answers a slot offer; a bare "אני עסוק" asks for a callback.
    busy = _BUSY_SELF.search(core) or (len(core.split()) <= 3 and _positive(_BUSY_WORD, core)[0])
    busy = busy and (not turn.slots or not turn.talk.spoke)
    call_me = _CALLBACK_VERBS.search(core) and when_text
    if not (_BUSY.search(core) or _NO_TIME.search(core) or call_me or busy):
        return None
    back = gloss(when_text) if when_text else None
    if back is None or has_hebrew(back):
        back = when_text if when_text and when_text.isascii() else "later"
    fixed = f"Not a good time right now, call me back {back[:1].lower()}{back[1:].rstrip('.')}."
    return Understanding(
        Intent.busy_call_later,
        rejected=turn.talk.rejected if turn.slots else (),
        when=when,
        when_text=when_text,
        language=turn.language,
        english=_english(turn.text, turn.language, Intent.busy_call_later, fixed),
    )


def _slot_answer(turn: _Turn) -> Understanding | None:
    """pick_slot, request_time or neither_slot for a turn that talks about the slots on offer."""
    talk = turn.talk
    if not talk.spoke:
        return None
    if talk.undecided:
        return turn.plain(Intent.unclear)
    picked = talk.candidates[0] if len(talk.candidates) == 1 else None
    if talk.candidates:
        when = talk.when
        if picked is not None:
            slot = turn.slots[picked]
            part = next(name for name, (low, high) in PART_HOURS.items() if low <= slot.hour < high)
            when = When(slot.weekday(), slot.date(), part, slot.hour, slot.minute)
        english = _slot_english(talk, picked, when)
        return Understanding(
            Intent.pick_slot,
            slot_index=picked,
            candidates=talk.candidates,
            rejected=talk.rejected,
            when=when,
            language=turn.language,
            english=_english(turn.text, turn.language, Intent.pick_slot, english),
        )
    if not talk.when.empty:
        english = _slot_english(talk, None, talk.when)
        return Understanding(
            Intent.request_time,
            rejected=talk.rejected,
            when=talk.when,
            language=turn.language,
            english=_english(turn.text, turn.language, Intent.request_time, english),
        )
    if talk.rejected:
        return turn.plain(Intent.neither_slot)
    return None


def _request(turn: _Turn, core: str) -> Understanding | None:
    """request_time with nothing on offer: "אפשר ביום חמישי?", "בקרים עדיף לי"."""
    asks = _ASKS.search(core) or "?" in turn.text or len(core.split()) <= 3
    if not asks or (_HABITS.search(core) and not _ASKS.search(core)):
        return None
    when = read_when(turn.parts, turn.now)
    if when.empty:
        return None
    english = _slot_english(SlotTalk(), None, when)
    return Understanding(
        Intent.request_time,
        when=when,
        language=turn.language,
        english=_english(turn.text, turn.language, Intent.request_time, english),
    )


def _decide(turn: _Turn, core: str, *, tail: bool = False) -> Understanding:
    """The priority order (module docstring) from wrong_number down, over `core`."""
    slots = turn.slots
    if _WRONG_NUMBER.search(core) or _nobody_here(core):
        return turn.plain(Intent.wrong_number)
    if _NUMBER_SOURCE.search(core):
        return turn.plain(Intent.number_source)
    if _HOSTILE.search(core) or core in _HOSTILE_EXACT:
        return turn.plain(Intent.hostile)
    if _TALK_TO_HUMAN.search(core):
        return turn.plain(Intent.talk_to_human)
    talking_slots = bool(slots) and turn.talk.spoke
    openers = not tail and not talking_slots and _NOT_INTERESTED_OPENERS.search(core)
    if (
        _NOT_INTERESTED.search(core)
        or openers
        or (not talking_slots and _SOFT_REFUSALS.search(core))
        or any(_for_good(core, match) for match in _NO_TIME_FOR_THIS.finditer(core))
        or core in _FAREWELLS
        or (not slots and _NOT_A_FIT.search(core))
    ):
        return turn.plain(Intent.not_interested)
    callback = _callback(turn, core)
    if callback is not None:
        return callback
    if _NOT_DECISION_MAKER.search(core):
        return turn.plain(Intent.not_decision_maker)
    if _ALREADY_HAVE.search(core) or _ALREADY_HAVE_END.search(core):
        return turn.plain(Intent.already_have_solution)
    asked = "?" in turn.text
    if _BOT_QUESTIONS.search(core) or (asked and _BOT_WORDS.search(core)):
        return turn.plain(Intent.are_you_a_bot)
    if _AGENT_NAME.search(core) or core in _AGENT_NAME_EXACT:
        return turn.plain(Intent.agent_name)
    if _WHO.search(core) or core in _WHO_EXACT:
        return turn.plain(Intent.who_is_this)
    if _WHAT_IS_IT.search(core) or core in _WHAT_IS_IT_EXACT:
        return turn.plain(Intent.what_is_it)
    if _PRICE.search(core) or core in _PRICE_EXACT:
        return turn.plain(Intent.price)
    if _SEND_EMAIL.search(core):
        return turn.plain(Intent.send_email)
    if slots:
        answer = _slot_answer(turn)
        if answer is not None:
            return answer
        if NEITHER.search(core):
            return turn.plain(Intent.neither_slot)
    else:
        request = _request(turn, core)
        if request is not None:
            return request
    return _reaction(turn, core)


def _reaction(turn: _Turn, core: str) -> Understanding:
    """The short answers: repeat, unsure, no, interest, yes, greeting."""
    if _REPEAT.search(core) or core in _REPEAT_EXACT:
        return turn.plain(Intent.repeat)
    if _UNSURE.search(core) or core in _UNSURE_EXACT:
        return turn.plain(Intent.unsure)
    if _FIRM_NO.search(core):
        return turn.plain(Intent.no)
    interested, interest_negated = _positive(_INTERESTED, core)
    if interested:
        return turn.plain(Intent.interested)
    yes, yes_negated = _positive(_YES, core)
    if yes or core in _YES_EXACT or _positive(_FITS, core)[0]:
        return turn.plain(Intent.yes)
    if interest_negated or yes_negated:
        return turn.plain(Intent.not_interested)  # "לא ממש מעניין", "לא כן"
    if core.split()[0] in _NO_FIRST_WORDS or _NO.search(core):
        return turn.plain(Intent.no)
    if _GREETING.search(core):
        return turn.plain(Intent.greeting)
    if turn.language in _LANGUAGE_NAMES:
        for pattern, intent in _FOREIGN:
            if pattern.search(core):
                return turn.plain(intent)
    return turn.plain(Intent.unclear)


def understand(
    text: str,
    offered: Sequence[datetime] = (),
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> Understanding:
    """Reads one caller turn. `offered`: the slots on the table; `now` resolves "מחר"/"today".

    Only the first MAX_INPUT_CHARS characters are read.
    """
    text = cap(text)
    language = detect_language(text)
    parts = clauses(text)
    if not parts:
        return Understanding(Intent.silence, language=language, english="(silence)")
    slots = [_local(slot, tz) for slot in offered]
    local_now = _local(now, tz) if now is not None else None
    turn = _Turn(text, language, parts, slots, local_now)
    words = " ".join(parts).split()
    core = _core(words) or " ".join(words)

    if any(_for_good(core, match) for match in _DO_NOT_CALL.finditer(core)):
        return turn.plain(Intent.do_not_call)
    if _ABUSE.search(core):
        return turn.plain(Intent.abuse)
    corrected = _correction(parts)
    if corrected is not None:
        said = _decide(turn, corrected, tail=True)
        if said.intent is not Intent.unclear:
            return said
    return _decide(turn, core)
