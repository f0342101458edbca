"""The English gloss: a word-for-word rendering of what a Hebrew caller said, for the transcript.

Days and times become English first ("ביום רביעי" -> "on Wednesday", "בשתיים וחצי" -> "at 14:30"),
then the longest known phrase wins word by word, with ו/ש/ה/ב/ל/מ read as prefixes. `gloss`
gives up (None) when under 60% of the words are known. Linear: each clause is normalised once and
every step walks it once.
"""

from __future__ import annotations

import re

from app.language.understanding.normalize import cap, normalize
from app.language.understanding.when import (
    AMBIGUOUS_DAYS,
    BARE_DAY,
    EN_DAY_NAMES,
    EXPLICIT_DAY,
    HE_DAY_LETTERS,
    HE_DAYS,
    times,
)

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

_MORE_GLOSS: dict[str, str] = {
    # slang, particles and loanwords as the recogniser writes them
    "כאילו": "like", "בקיצור": "in short", "תשמע": "listen", "תשמעי": "listen",
    "תשמעו": "listen", "די": "enough", "חלאס": "enough", "סורי": "sorry", "ביי": "bye",
    "ביי ביי": "bye-bye", "פידבק": "feedback", "סגור": "deal", "סגרנו": "deal",
    "בכיף": "gladly", "זורם": "I'm in", "זורמת": "I'm in", "יעני": "like", "אחותי": "sis",
    "פרפקט": "perfect", "נייס": "nice", "דיל": "deal", "שור": "sure",
    "עזבו אותי": "leave me alone", "עזבי אותי": "leave me alone", "עזוב אותי": "leave me alone",
    "בשקט": "in peace", "נמאס לי": "I'm fed up", "שטויות": "nonsense",
    # the new subjects
    "ספק": "a vendor", "ספק אחר": "another vendor", "חברה אחרת": "another company",
    "כבר יש לנו": "we already have", "יש לנו כבר": "we already have", "מרוצים": "happy",
    "תשלחי": "send", "תשלחו": "send", "תשלח": "send", "לי": "me", "למייל": "to my email",
    "פרטים": "details", "משהו": "something", "המספר שלי": "my number",
    "הטלפון שלי": "my phone number", "מאיפה": "where from", "מי נתן לכם": "who gave you",
    "איך קוראים לך": "what's your name", "מה השם שלך": "what's your name",
    "המנהל שלי": "my manager", "אחראי": "in charge", "מחליט": "decide", "מחליטה": "decide",
    "טעות במספר": "wrong number", "מה אתם מוכרים": "what are you selling",
    "על מה מדובר": "what is this about", "מושג": "idea", "אין לי מושג": "I have no idea",
    "אולי": "maybe", "עדיף": "better", "עדיף לי": "I'd prefer",
    "יותר מוקדם": "earlier", "יותר מאוחר": "later", "הבא": "next", "ראשון הבא": "next Sunday",
    "בבקרים": "in the mornings", "בצהריים": "at noon", "לשני": "the second one",
}  # fmt: skip
_GLOSS.update(_MORE_GLOSS)
_GLOSS_PREFIXES = (
    ("ו", "and"),
    ("ש", "that"),
    ("ה", "the"),
    ("ב", "in"),
    ("ל", "to"),
    ("מ", "from"),
)
_LONGEST_GLOSS = max(len(phrase.split()) for phrase in _GLOSS)
_CLAUSE_BREAK = re.compile(r"[,.;!?]+")


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
    if day in AMBIGUOUS_DAYS and not match["pre"] and match.re is BARE_DAY:
        return match[0]
    return _token(f"on {EN_DAY_NAMES[HE_DAYS.get(day, HE_DAY_LETTERS.get(day, 0))]}")


def _with_times(clause: str) -> str:
    """Replaces each sure time of day with one English token, in one pass."""
    pieces, last = [], 0
    for hit in times(clause):
        if hit.strong:
            lead = {"at": "at", "after": "after", "before": "before", "around": "around"}
            english = f"{lead[hit.relation]} {hit.hour}:{hit.minute or 0:02d}"
            pieces += [clause[last : hit.start], _token(english)]
            last = hit.end
    pieces.append(clause[last:])
    return " ".join(pieces)


def _gloss_clause(clause: str) -> tuple[list[str], int, int]:
    """Glosses one normalised clause: (English words, unknown ones kept as said; known; total)."""
    for pattern in (EXPLICIT_DAY, BARE_DAY):
        clause = pattern.sub(_day_token, clause)
    words, out, known, i = _with_times(clause).split(), [], 0, 0
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
    text = cap(text)
    clauses, known, total = [], 0, 0
    for raw_clause in _CLAUSE_BREAK.split(text):
        words, clause_known, clause_total = _gloss_clause(normalize(raw_clause))
        if words:
            clauses.append(" ".join(words))
        known, total = known + clause_known, total + clause_total
    sentence = ", ".join(clauses)
    if not total or not sentence or known / total < 0.6:
        return None
    end = "?" if text.rstrip().endswith("?") else "."
    return sentence[0].upper() + sentence[1:] + end
