"""Offline understanding of callers: Hebrew and English, negation and slang, slot picks, scripts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.language.understanding import Intent, Understanding, gloss, normalize, understand
from tests.conversations import PARTS, Script, fill, load_all, spoken_time, spoken_weekday

TZ = ZoneInfo("Asia/Jerusalem")
# The pair on offer: Tuesday 1 December 2026 at 10:00 and Wednesday 2 December at 14:30, Israel.
TUE_10 = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
WED_1430 = datetime(2026, 12, 2, 14, 30, tzinfo=TZ)
OFFERED = (TUE_10, WED_1430)
MONDAY = datetime(2026, 11, 30, 12, 0, tzinfo=TZ)

INTENTS: list[tuple[str, Intent]] = [
    # silence, greetings, repeats
    ("", Intent.silence),
    ("  ...  ", Intent.silence),
    ("הלו?", Intent.greeting),
    ("שלום", Intent.greeting),
    ("hello", Intent.greeting),
    ("Hi!", Intent.greeting),
    ("מה?", Intent.repeat),
    ("סליחה, לא שמעתי", Intent.repeat),
    ("לא הבנתי, תחזרי על זה", Intent.repeat),
    ("Sorry, can you repeat that?", Intent.repeat),
    # yes and interest, with slang
    ("כן", Intent.yes),
    ("כֵּן", Intent.yes),
    ("בטח", Intent.yes),
    ("יאללה סבבה", Intent.yes),
    ("אחלה", Intent.yes),
    ("אוקיי", Intent.yes),
    ("למה לא", Intent.yes),
    ("אני חושב שכן", Intent.yes),
    ("כן, בטח, יש לי דקה", Intent.yes),
    ("Sure, go ahead", Intent.yes),
    ("נשמע מעניין", Intent.interested),
    ("בשמחה", Intent.interested),
    ("כן, נשמע מעניין", Intent.interested),
    ("לא, אבל נשמע מעניין", Intent.interested),
    ("sounds interesting", Intent.interested),
    # no, and no versus not interested
    ("לא", Intent.no),
    ("לא, אין לנו", Intent.no),
    ("אין לנו אנשי מכירות", Intent.no),
    ("ממש לא", Intent.no),
    ("בטח שלא", Intent.no),
    ("no", Intent.no),
    ("not really", Intent.no),
    ("לא מעוניין", Intent.not_interested),
    ("לא מעוניינת, תודה", Intent.not_interested),
    ("לא רלוונטי", Intent.not_interested),
    ("לא צריך", Intent.not_interested),
    ("לא כן", Intent.not_interested),
    ("לא ממש מעניין", Intent.not_interested),
    ("זה לא נשמע לי מעניין", Intent.not_interested),
    ("וואלה אחי, עזוב", Intent.not_interested),
    ("זה לא מתאים לנו", Intent.not_interested),
    ("not interested", Intent.not_interested),
    ("No thanks", Intent.not_interested),
    ("I'm not really interested", Intent.not_interested),
    # opting out beats everything
    ("תורידו אותי מהרשימה", Intent.do_not_call),
    ("אל תתקשרו אליי יותר", Intent.do_not_call),
    ("תמחקו אותי", Intent.do_not_call),
    ("לא מעוניין, ותורידו אותי מהרשימות", Intent.do_not_call),
    ("stop calling me", Intent.do_not_call),
    ("Remove me from your list", Intent.do_not_call),
    ("don't call me again", Intent.do_not_call),
    ("אל תתקשרו עכשיו, תתקשרו מחר", Intent.busy_call_later),
    # busy and callbacks
    ("אני עסוק", Intent.busy_call_later),
    ("עסוקה, תתקשרו מחר", Intent.busy_call_later),
    ("תחזרו אליי בעוד שעה", Intent.busy_call_later),
    ("זה לא זמן טוב", Intent.busy_call_later),
    ("כן, אבל לא עכשיו", Intent.busy_call_later),
    ("אני נוהג", Intent.busy_call_later),
    ("I'm busy", Intent.busy_call_later),
    ("call me tomorrow", Intent.busy_call_later),
    ("אני לא עסוק, תגידי", Intent.yes),
    # questions
    ("את רובוט?", Intent.are_you_a_bot),
    ("זה בוט?", Intent.are_you_a_bot),
    ("אני מדבר עם מחשב?", Intent.are_you_a_bot),
    ("are you a robot?", Intent.are_you_a_bot),
    ("Is this a real person?", Intent.are_you_a_bot),
    ("יש לנו בוט בווטסאפ", Intent.unclear),
    ("מי זה?", Intent.who_is_this),
    ("מי מדבר?", Intent.who_is_this),
    ("מאיפה אתם?", Intent.who_is_this),
    ("מה זה בעצם?", Intent.what_is_it),  # was who_is_this: the pitch answers it now
    ("who is this?", Intent.who_is_this),
    ("Who are you?", Intent.who_is_this),
    ("כמה זה עולה?", Intent.price),
    ("מה המחיר?", Intent.price),
    ("how much does it cost", Intent.price),
    # free answers
    ("וואלה לא יודע", Intent.unsure),  # was unclear: "not sure" is an intent of its own
    ("יש לנו צוות של שלושה אנשי מכירות", Intent.unclear),
    ("בעיקר בטלפון ובאקסל", Intent.unclear),
    ("אנחנו עסק קטן", Intent.unclear),
    ("אין לי זמן לחזור לכל הלידים", Intent.no),
    # answers about the team that only sound like a brush-off
    ("הלקוחות לא רוצים לחכות", Intent.unclear),
    ("אנשי המכירות עסוקים כל היום", Intent.unclear),
    ("אנחנו מתקשרים מהרשימה של הלידים", Intent.unclear),
    ("ואז מתקשרים עוד פעם", Intent.unclear),
    ("הכל אצלנו במחשב, באקסל", Intent.unclear),
    ("we call back leads within a day", Intent.unclear),
    ("אין לי זמן", Intent.busy_call_later),
    ("לא רוצה", Intent.not_interested),
    ("אני אבדוק ואחזור אליכם", Intent.busy_call_later),
    # slot words without slots on the table are no choice
    ("הראשון", Intent.unclear),
    ("אף אחד לא מתאים", Intent.unclear),
]


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_intent(text: str, intent: Intent) -> None:
    assert understand(text).intent is intent


# (what the caller says to the offer, the slot picked)
PICKS: list[tuple[str, int]] = [
    ("הראשון", 0),
    ("הראשונה", 0),
    ("הראשון נשמע טוב", 0),
    ("האופציה השנייה", 1),
    ("השני", 1),
    ("השני בבקשה", 1),
    ("יאללה, הראשון", 0),
    ("ביום רביעי", 1),
    ("רביעי", 1),
    ("ברביעי", 1),
    ("ביום ג׳", 0),
    ("ביום שלישי מתאים לי", 0),
    ("מחר", 0),
    ("בעשר", 0),
    ("ב-10", 0),
    ("10:00", 0),
    ("בעשר בבוקר מעולה", 0),
    ("בשתיים וחצי", 1),
    ("שתיים וחצי זה טוב", 1),
    ("14:30", 1),
    ("14.30", 1),
    ("ביום רביעי בשתיים וחצי", 1),
    ("הראשון לא מתאים, השני כן", 1),
    ("הראשון? לא, רגע, השני", 1),
    ("ביום שלישי אני לא יכולה, אבל ברביעי כן", 1),
    ("first", 0),
    ("the first one", 0),
    ("The second one, please", 1),
    ("the latter", 1),
    ("the earlier one", 0),
    ("Wednesday", 1),
    ("on Tuesday", 0),
    ("at ten", 0),
    ("ten", 0),
    ("2:30 pm", 1),
    ("at two thirty", 1),
    ("half past two", 1),
    ("מה שיותר מוקדם", 0),
    ("the sooner the better", 0),
    ("דווקא המאוחר יותר", 1),
    ("לא משנה לי", 0),
    ("שניהם מתאימים, מה שנוח לכם", 0),
]


@pytest.mark.parametrize(("text", "index"), PICKS)
def test_picks_an_offered_slot(text: str, index: int) -> None:
    said = understand(text, OFFERED, TZ, now=MONDAY)
    assert (said.intent, said.slot_index) == (Intent.pick_slot, index)
    slot = OFFERED[index]
    assert (said.weekday, said.hour, said.minute) == (slot.weekday(), slot.hour, slot.minute)


# (what the caller asks for instead, weekday, hour, minute). No offered slot fits: request_time
# (was pick_slot with no slot_index); an hour said alone has minute None (was 0).
REQUESTS: list[tuple[str, int | None, int | None, int | None]] = [
    ("ביום חמישי בעשר", 3, 10, None),
    ("אפשר בחמישי?", 3, None, None),
    ("בשני", 0, None, None),
    ("at 10:30", None, 10, 30),
    ("בשלוש", None, 15, None),
    ("רבע לשלוש", None, 14, 45),
    ("בשמונה בערב", None, 20, None),
    ("אף אחד לא מתאים, יש משהו ביום חמישי?", 3, None, None),
    ("Thursday at 2pm", 3, 14, None),
]


@pytest.mark.parametrize(("text", "weekday", "hour", "minute"), REQUESTS)
def test_a_day_or_time_not_on_offer_is_a_request(
    text: str, weekday: int | None, hour: int | None, minute: int | None
) -> None:
    said = understand(text, OFFERED, TZ, now=MONDAY)
    assert (said.intent, said.slot_index, said.candidates) == (Intent.request_time, None, ())
    assert (said.weekday, said.hour, said.minute) == (weekday, hour, minute)


NEITHER = [
    "אף אחד לא מתאים",
    "שניהם לא מתאימים",
    "אף אחת מהשעות לא מתאימה",
    "יש משהו אחר?",
    "לא מתאים לי",
    "הראשון לא מתאים לי",
    "ביום שלישי אני עסוק",
    "none of them",
    "neither works",
    "Neither of the two, sorry",
]


@pytest.mark.parametrize("text", NEITHER)
def test_neither_slot(text: str) -> None:
    assert understand(text, OFFERED, TZ, now=MONDAY).intent is Intent.neither_slot


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("רגע, שנייה", Intent.unclear),
        ("wait a second", Intent.unclear),
        ("כן", Intent.yes),
        ("לא מעוניין", Intent.not_interested),
        ("אני עסוק, תתקשרו מחר", Intent.busy_call_later),
        ("כמה זה עולה?", Intent.price),
    ],
)
def test_other_answers_to_an_offer_are_not_picks(text: str, intent: Intent) -> None:
    assert understand(text, OFFERED, TZ, now=MONDAY).intent is intent


def test_slots_are_read_in_the_business_zone() -> None:
    in_utc = tuple(slot.astimezone(UTC) for slot in OFFERED)
    assert understand("בעשר", in_utc, TZ).slot_index == 0
    assert understand("ביום רביעי", in_utc, TZ).slot_index == 1


def test_two_slots_on_the_same_day_need_a_time() -> None:
    same_day = (TUE_10, TUE_10.replace(hour=14))
    assert understand("ביום שלישי", same_day, TZ).slot_index is None
    assert understand("ביום שלישי בשתיים", same_day, TZ).slot_index == 1


def test_naive_slots_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        understand("הראשון", (datetime(2026, 12, 1, 10, 0),))


@pytest.mark.parametrize(
    ("text", "when_text", "weekday", "hour"),
    [
        ("אני עסוק, תתקשרו מחר", "מחר", 1, None),
        ("תחזרו אליי בעוד שעה", "בעוד שעה", None, None),
        ("כן, אבל לא עכשיו. אפשר מחר בעשר?", "מחר בעשר", 1, 10),
        ("תחזרי אליי ביום חמישי אחרי ארבע", "ביום חמישי אחרי ארבע", 3, 16),
        ("אני נוהג, תתקשרי בערב", "בערב", None, None),
        ("I'm busy, call me tomorrow at 10", "tomorrow at 10", 1, 10),
        ("can you call me back in 20 minutes?", "in 20 minutes", None, None),
        ("אני עסוק", None, None, None),
    ],
)
def test_callback_time(
    text: str, when_text: str | None, weekday: int | None, hour: int | None
) -> None:
    said = understand(text, now=MONDAY)
    assert said.intent is Intent.busy_call_later
    assert (said.when_text, said.weekday, said.hour) == (when_text, weekday, hour)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("כן, בטח, יש לי דקה", "Yes, sure, I have a minute."),
        ("יש לנו צוות של שלושה אנשי מכירות", "We have a team of three salespeople."),
        ("בעיקר בטלפון ובאקסל", "Mostly by phone and in Excel."),
        ("לא, אין לנו", "No, we don't have."),
        ("וואלה לא יודע", "Honestly I don't know."),
        ("לא מעוניין, תודה", "Not interested, thanks."),
        ("תורידו אותי מהרשימה", "Remove me from your list and don't call me again."),
        ("מי זה?", "Who is this?"),
        ("את רובוט?", "Am I talking to a bot?"),
        ("אני עסוק, תתקשרו מחר", "Not a good time right now, call me back tomorrow."),
        ("", "(silence)"),
        ("Remove me from your list", "Remove me from your list"),
        ("  I'm busy,   call later ", "I'm busy, call later"),
        ("ממשק קנבן רבעוני", "(Hebrew) ממשק קנבן רבעוני"),
    ],
)
def test_english_gloss(text: str, english: str) -> None:
    assert understand(text).english == english


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("הראשון נשמע טוב", "The first one sounds good."),
        ("ביום רביעי", "On Wednesday."),
        ("בשתיים וחצי", "At 14:30."),
        ("ביום חמישי בעשר", "On Thursday at 10:00."),
        ("האופציה השנייה", "The second option."),
    ],
)
def test_english_gloss_of_slot_answers(text: str, english: str) -> None:
    assert understand(text, OFFERED, TZ).english == english


def test_gloss_gives_up_on_mostly_unknown_hebrew() -> None:
    assert gloss("ממשק קנבן רבעוני") is None


def test_normalize_strips_marks_and_joins_prefixed_digits() -> None:
    assert normalize("כֵּן, בְּטַח!") == "כן בטח"
    assert normalize("ב-10:30, בסדר?") == "ב10:30 בסדר"
    assert normalize("Don't call: 2PM") == "dont call 2 pm"


# --- The scripted calls in tests/conversations -------------------------------------------------

SCRIPTS = load_all()
# The suite's clock and first offer: Tuesday 24 November 2026 10:00, today 12:00 or tomorrow 9:00.
SUITE_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
SUITE_OFFER = (datetime(2026, 11, 24, 12, 0, tzinfo=TZ), datetime(2026, 11, 25, 9, 0, tzinfo=TZ))
# What ends a call with each outcome, as one caller line.
DECISIVE = {
    "not_interested": {Intent.not_interested, Intent.hostile, Intent.wrong_number},
    "opted_out": {Intent.do_not_call, Intent.abuse},
    "callback": {Intent.busy_call_later},
}
ENDING = set().union(*DECISIVE.values())
# A booked call ends on a pick, or on a yes to a single proposal or a clarifying question.
BOOKING = {Intent.pick_slot, Intent.yes, Intent.interested}
FOREIGN_SCRIPT = {"ar": re.compile(r"[\u0600-\u06ff]"), "ru": re.compile(r"[\u0400-\u04ff]")}


def test_there_are_enough_scripts_of_each_outcome() -> None:
    outcomes = Counter(script.expect for script in SCRIPTS)
    assert len(SCRIPTS) >= 28
    assert outcomes["booked"] >= 12
    assert outcomes["not_interested"] >= 5
    assert outcomes["opted_out"] >= 4
    assert outcomes["callback"] >= 4
    assert {script.lead_gender for script in SCRIPTS} == {"female", "male", None}
    assert any("" in script.lines for script in SCRIPTS)


def _foreign(script: Script, line: str) -> bool:
    """A line in the caller's own script (Arabic, Russian): only its language is read."""
    pattern = FOREIGN_SCRIPT.get(script.language or "")
    return pattern is not None and pattern.search(line) is not None


def _booked_as_asked(script: Script, said: Understanding) -> bool:
    """A last line that asks for the day or part the script books (booked_weekday/_part)."""
    when = said.when
    if script.booked_weekday is not None and when.weekday not in (None, script.booked_weekday):
        return False
    if script.booked_part is not None and when.hour is not None:
        start, end = PARTS[script.booked_part]
        return start <= when.hour < end
    return when.part in (None, script.booked_part)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.path.stem)
def test_script_is_understood_as_it_must_end(script: Script) -> None:
    """Each line is read as its author meant, as far as one line can say without the dialogue.

    No line before the last ends the call (a turn-down of the offered slots may sound final);
    the last line ends it with the script's outcome. A loop script (may_end_early) ends on the
    dialogue's limits, so none of its lines ends the call. A line in Arabic or Russian is only
    checked for its language.
    """
    lines = [
        fill(line, OFFERED, TZ, script.language if script.language == "en" else None)
        for line in script.lines
    ]
    lines = lines[: len(lines) - script.after_booking]  # the email answers come after the booking
    *before, last = lines
    for line in before if not script.may_end_early else lines:
        if _foreign(script, line):
            assert understand(line).language == script.language, line
            continue
        if understand(line).intent in ENDING:
            # Only a turn-down of the offered slots may sound final before the end.
            assert understand(line, OFFERED, TZ).intent is Intent.neither_slot, line
    if script.may_end_early:
        return
    if _foreign(script, last):
        assert understand(last).language == script.language, last
    elif script.expect == "no_answer":
        assert understand(last).intent is Intent.silence, last
    elif script.expect == "booked":
        said = understand(last, OFFERED, TZ, now=MONDAY)
        if (said.intent, said.slot_index) == (Intent.pick_slot, script.slot):
            return
        asked = script.booked_weekday is not None or script.booked_part is not None
        in_suite = understand(last, SUITE_OFFER, TZ, now=SUITE_NOW)
        if asked:
            assert in_suite.intent in {*BOOKING, Intent.request_time}, last
            assert _booked_as_asked(script, in_suite), last
        elif in_suite.intent is Intent.pick_slot:
            assert in_suite.slot_index in (script.slot, None), last
        else:
            assert in_suite.intent in BOOKING, last
    else:
        assert understand(last).intent in DECISIVE[script.expect], last


@pytest.mark.parametrize("slot", [TUE_10, WED_1430, TUE_10.replace(hour=15, minute=45)])
def test_placeholders_say_what_understanding_reads_back(slot: datetime) -> None:
    other = slot.replace(day=3, hour=9 if slot.hour != 9 else 11)
    for line in ("{weekday:0}", "{time:0}", "{slot:0}"):
        said = understand(fill(line, (slot, other), TZ), (slot, other), TZ)
        assert said.slot_index == 0, fill(line, (slot, other), TZ)


def test_placeholder_wording() -> None:
    assert spoken_weekday(WED_1430, TZ) == "ביום רביעי"
    assert spoken_time(TUE_10, TZ) == "בעשר"
    assert spoken_time(WED_1430, TZ) == "בשתיים וחצי"
    assert spoken_time(TUE_10.replace(hour=14, minute=45), TZ) == "בשלוש פחות רבע"
    assert spoken_time(TUE_10.replace(hour=12, minute=15), TZ) == "בשתים עשרה ורבע"
    assert fill("{slot:1}, בבקשה", OFFERED, TZ) == "ביום רביעי בשתיים וחצי, בבקשה"
    with pytest.raises(ValueError, match="names slot 2"):
        fill("{time:2}", OFFERED, TZ)
