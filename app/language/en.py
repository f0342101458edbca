"""The English side of every catalog line: what the Hebrew line of the same name says.

These lines are the bilingual transcript, and what an English-speaking caller hears. Methods and
parameters mirror `HebrewCatalog` one for one (a test holds them to it). Gender does not show in
English, but where the Hebrew words a line differently for an unknown lead ("זה זמן טוב?" instead
of "את פנויה לדקה?"), so does the English. Times are said in words ("at two thirty p.m.", never
"14:30"), days as "today", "tomorrow", "on Thursday", and the full date only a week or more ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.language import spelled
from app.language.he import (
    FULL_DATE_DAYS,
    Gender,
    LeadGender,
    days_ahead,
    first_name,
    is_foreign,
    own_questions,
    phone_groups,
    with_question,
)

BRAND = "Alta"
DEFAULT_AGENT_NAMES: dict[Gender, str] = {"female": "Noa", "male": "Noam"}

# Monday first, as datetime.weekday() counts; the same wording as Slot.label.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty")
PARTS_OF_DAY = {
    "morning": "in the morning",
    "noon": "at noon",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
}
_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_HEBREW = re.compile(r"[\u0590-\u05ff]")


def _local(dt: datetime, tz: tzinfo) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("English date wording needs a timezone-aware datetime")
    return dt.astimezone(tz)


def number_words(n: int) -> str:
    """0 to 59 in words: "seven", "forty-five"."""
    if n < 20:
        return _ONES[n]
    tens, units = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[units]}" if units else "")


def clock_words(hour: int, minute: int = 0, *, part: bool = False) -> str:
    """A time of day in words: "two thirty", "ten oh five"; with `part`: "two thirty p.m.",
    "noon", "midnight"."""
    if part and minute == 0 and hour in (0, 12):
        return "noon" if hour == 12 else "midnight"
    words = number_words(hour % 12 or 12)
    if minute:
        words += f" oh {number_words(minute)}" if minute < 10 else f" {number_words(minute)}"
    if part:
        words += " a.m." if hour < 12 else " p.m."
    return words


def time_phrase(dt: datetime, tz: tzinfo, *, part: bool = True) -> str:
    """Says the local time of day: "at two thirty p.m." ("at two thirty" without `part`)."""
    local = _local(dt, tz)
    return "at " + clock_words(local.hour, local.minute, part=part)


def date_phrase(
    dt: datetime,
    tz: tzinfo,
    now: datetime | None = None,
    *,
    to: bool = False,
    weekday: bool = False,
) -> str:
    """Says the local day: "today", "tomorrow", "on Thursday" (within six days), or
    "on Tuesday, December 15" (a week or more ahead, in the past, or without `now`).

    `to` leaves out "on" after a verb of booking ("booked for Thursday"); `weekday` adds the
    weekday to a relative day ("tomorrow, Wednesday").
    """
    local = _local(dt, tz)
    day = WEEKDAYS[local.weekday()]
    ahead = days_ahead(dt, tz, now)
    relative = {0: "today", 1: "tomorrow"}.get(ahead) if ahead is not None else None
    if relative:
        return f"{relative}, {day}" if weekday else relative
    on = "" if to else "on "
    if ahead is not None and 0 < ahead < FULL_DATE_DAYS:
        return on + day
    return f"{on}{day}, {MONTHS[local.month - 1]} {local.day}"


def _then(day: str) -> str:
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
    """Says a meeting time: "tomorrow at two thirty p.m.", "on Thursday at ten a.m.",
    "on Tuesday, December 15, at ten a.m."."""
    day = date_phrase(dt, tz, now, to=to, weekday=weekday)
    return f"{_then(day)} {time_phrase(dt, tz, part=part)}"


def _two_slots(
    first: datetime, second: datetime, tz: tzinfo, now: datetime | None, *, part: bool = True
) -> str:
    """Two slots, each thing said once, as a list after "I have" (so "Friday", not "on
    Friday"): "tomorrow at ten a.m., or at two p.m.", "tomorrow or Thursday, at nine a.m."."""
    one, other = _local(first, tz), _local(second, tz)
    if one.date() == other.date():
        said = slot_phrase(first, tz, now, to=True, part=part)
        return f"{said}, or {time_phrase(second, tz, part=part)}"
    if one.time() == other.time():
        days = f"{date_phrase(first, tz, now, to=True)} or {date_phrase(second, tz, now, to=True)}"
        return f"{days}, {time_phrase(first, tz, part=part)}"
    said = slot_phrase(first, tz, now, to=True, part=part)
    return f"{said}, or {slot_phrase(second, tz, now, to=True, part=part)}"


def spoken_times(text: str) -> str:
    """Rewrites digit times in free text ("tomorrow at 10:30") as words ("tomorrow at ten
    thirty")."""

    def words(match: re.Match[str]) -> str:
        hour, minute = int(match[1]), int(match[2])
        return clock_words(hour, minute) if hour < 24 and minute < 60 else match[0]

    return _CLOCK.sub(words, text)


def digits_words(number: str) -> str:
    """A phone number digit by digit: "zero three, five five five, one two three four"."""
    said = ", ".join(" ".join(_ONES[int(d)] for d in group) for group in phone_groups(number))
    return f"plus {said}" if is_foreign(number) else said


def _period(text: str) -> str:
    """Ends a sentence once, even after "p.m."."""
    return text if text.endswith(".") else text + "."


@dataclass(frozen=True, slots=True)
class EnglishCatalog:
    """Every fixed line of a call in English, worded as its Hebrew twin is."""

    agent_gender: Gender = "female"
    lead_gender: LeadGender = None
    agent_name: str | None = None
    advertiser: str = BRAND  # the advertiser's name for the advertising notice
    advertising: bool = True  # CALL_IS_ADVERTISING: the greeting opens with the notice
    callback_number: str | None = None  # BUSINESS_CALLBACK_NUMBER (E.164), said in the voicemail
    opt_out_key: str | None = None  # the phone key that takes the caller off the list (relay)
    pitch_line: str | None = None  # AGENT_PITCH_EN, the twin of the Hebrew catalog's
    price_line: str | None = None
    questions: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The agent's name (as given, or the voice's default)."""
        if self.agent_name and self.agent_name.strip():
            return self.agent_name.strip()
        return DEFAULT_AGENT_NAMES[self.agent_gender]

    def _you(self, known: str, unknown: str) -> str:
        """Picks the wording the Hebrew uses for a lead of known, or unknown, gender."""
        return known if self.lead_gender is not None else unknown

    def _advertiser(self) -> str:
        return self.advertiser.strip() or BRAND

    def _hello(self, lead_name: str | None) -> str:
        return f"Hi {first_name(lead_name)}".rstrip()

    def _prefer(self) -> str:
        return self._you("Which do you prefer?", "Which works better?")

    def _back(self) -> str:
        return self._you("we'll get back to you", "we'll call again")

    # --- opening ---------------------------------------------------------------------------

    def greeting(self, lead_name: str | None, company: str | None = None) -> str:
        """Opens the call: the advertising notice and how to refuse (with `advertising`), the
        agent's name, that it is an AI, that the call is recorded, and whether now is good."""
        hello = self._hello(lead_name)
        ask = self._you("Are you free for a minute?", "Is this a good time?")
        if self.advertising:
            notice = "if it's not a fit, just say so and we'll take you off our list."
            if self.opt_out_key is not None:
                key = {"*": "star", "#": "pound"}.get(self.opt_out_key, self.opt_out_key)
                notice = f"to be taken off our list, press {key} or just say so."
            return (
                f"This is an advertisement from {self._advertiser()}. {hello}, this is "
                f"{self.name}, an AI-based digital assistant. The call is recorded, and "
                f"{notice} {ask}"
            )
        said = company.strip() if company and company.strip() else ""
        purpose = (
            f"We help companies like {said} sell more."
            if said and len(said.split()) <= 2
            else "We help companies sell more."
        )
        return (
            f"{hello}, this is {self.name} from the {BRAND} team, an AI-based digital "
            f"assistant, and this call is recorded. {purpose} {ask}"
        )

    def reprompt(self, attempt: int = 1) -> str:
        """Varies by attempt (1, 2, 3+) so repeated silence doesn't sound canned."""
        if attempt <= 1:
            return "Sorry, I didn't quite catch that. Could you say it again?"
        if attempt == 2:
            return "Hello? Can you hear me?"
        return "I'm still here. If this isn't a good time, just say so and we'll call another time."

    def hear_me(self) -> str:
        return "Hello, can you hear me now?"

    def language_switch_en(self) -> str:
        return "Sure, we can speak English."

    # --- qualifying and answers ------------------------------------------------------------

    def qualifying_questions(self) -> tuple[str, str, str]:
        """Asks, in order: who calls leads today, how fast leads are handled, monthly volume."""
        opener = self._you("Tell me", "I wanted to ask")
        return own_questions(
            (
                f"{opener}, do you have someone whose whole job is calling leads and booking "
                "meetings?",
                "And how do you handle incoming leads today? "
                "Does someone get back to them quickly?",
                "And roughly how many leads come in each month? Even a rough estimate is great.",
            ),
            self.questions,
        )

    def short_question(self, index: int) -> str:
        """A qualifying question again, shorter and simpler (index 0-2; past the end: the last)."""
        questions = own_questions(
            (
                "Do you have salespeople who call leads?",
                "Does someone get back to new leads quickly?",
                "Roughly how many leads a month?",
            ),
            self.questions,
        )
        return questions[min(max(index, 0), len(questions) - 1)]

    def pitch(self) -> str:
        if self.pitch_line:
            more = self._you("Interested in hearing more?", "Want to hear more?")
            return with_question(self.pitch_line, more)
        return (
            "In short, we build AI agents that call leads, screen them and book meetings for "
            "the sales team. " + self._you("Interested in hearing more?", "Want to hear more?")
        )

    def agent_name_answer(self) -> str:
        return f"My name is {self.name}. I'm {BRAND}'s digital assistant, based on AI."

    def who_are_you(self) -> str:
        return (
            f"I'm {self.name}, an AI-based digital assistant, calling on behalf of {BRAND}. "
            "We help companies book more sales meetings."
        )

    def are_you_a_bot(self) -> str:
        return (
            f"Yes, I'm an AI-based digital assistant, on behalf of {BRAND}. "
            "And that's exactly what we offer companies."
        )

    def price(self) -> str:
        if self.price_line:
            return self.price_line.strip()
        return (
            "The price depends on scale, mainly the number of leads and calls. "
            "In the meeting with our rep we'll go over it based on your needs."
        )

    def number_source(self, source: str | None) -> str:
        """Where the number came from, and an offer to remove it. The Hebrew `source` stays in
        the Hebrew line; the English then says that the source is on record."""
        said = source.strip().rstrip(".") if source and source.strip() else ""
        if said and not _HEBREW.search(said):
            origin = f"According to our records, the source is {said}."
        elif said:
            origin = "The source of the number is on record with us, and we can send it in writing."
        else:
            origin = "The number came to us from a database of business contacts."
        return f"{origin} Would you like us to take you off our list?"

    def send_email(self, email_known: bool) -> str:
        if email_known:
            sent = "Happy to, I'm sending details to your email."
        else:
            sent = "Happy to, one of our reps will send details."
        return f"{sent} Meanwhile, shall we set up a short meeting, no strings attached?"

    def already_have_solution(self) -> str:
        return (
            "Got it, that's great. We work alongside existing systems, not instead of them. "
            "Worth a short meeting to compare?"
        )

    def decision_maker_question(self) -> str:
        return "No problem. Who handles this on your side, and when is a good time to catch them?"

    # --- slots -----------------------------------------------------------------------------

    def slot_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return (
            "I'd be happy to set up a short meeting with a rep. "
            f"Which works better: {_two_slots(first, second, tz, now)}?"
        )

    def other_slots_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"No problem, so maybe {_two_slots(first, second, tz, now)}?"

    def short_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        """The offer again, as short as it gets: "Tomorrow at nine, or on Thursday at ten?"."""
        said = _two_slots(first, second, tz, now, part=False)
        return f"{said[0].upper()}{said[1:]}?"

    def requested_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"Happy to. I have {_period(_two_slots(first, second, tz, now))} {self._prefer()}"

    def requested_single(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return f"Happy to. I have {_period(slot_phrase(slot, tz, now, to=True))} Does that work?"

    def nothing_then(
        self,
        asked: str,
        first: datetime,
        second: datetime,
        tz: tzinfo,
        now: datetime | None = None,
    ) -> str:
        """Honest "nothing then" for `asked` (words from `when_words`) and the two nearest."""
        when = asked.strip() or "then"
        return (
            f"Sorry, I have nothing {when}. "
            f"The nearest I have: {_two_slots(first, second, tz, now)}?"
        )

    def when_words(
        self,
        weekday: int | None,
        part: str | None,
        hour: int | None,
        minute: int | None,
    ) -> str:
        """What the caller asked for, in words: "on Thursday morning", "at four thirty"."""
        said: list[str] = []
        day = WEEKDAYS[weekday] if weekday is not None and 0 <= weekday < 7 else None
        if hour is not None and 0 <= hour < 24:
            if day:
                said.append(f"on {day}")
            said.append("at " + clock_words(hour, minute or 0))
            if part in PARTS_OF_DAY and part != "noon":
                said.append(PARTS_OF_DAY[part])
        elif day and part in PARTS_OF_DAY:
            said.append(f"on {day} at noon" if part == "noon" else f"on {day} {part}")
        elif day:
            said.append(f"on {day}")
        elif part in PARTS_OF_DAY:
            said.append(PARTS_OF_DAY[part])
        return " ".join(said)

    def clarify_day(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        one, other = date_phrase(first, tz, now), date_phrase(second, tz, now)
        if one == other:
            return self.clarify_time(first, second, tz)
        return f"Just to check: {one} or {other}?"

    def clarify_time(self, first: datetime, second: datetime, tz: tzinfo) -> str:
        one, other = time_phrase(first, tz, part=False), time_phrase(second, tz, part=False)
        if one == other:
            one, other = time_phrase(first, tz), time_phrase(second, tz)
        if one == other:
            one = "on " + WEEKDAYS[_local(first, tz).weekday()]
            other = "on " + WEEKDAYS[_local(second, tz).weekday()]
        return f"Just to check: {one} or {other}?"

    def propose(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return f"So shall we book {slot_phrase(slot, tz, now, to=True)}?"

    def slot_taken(self, alternative: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return (
            "Oops, that time was just taken. "
            f"Instead I have {_period(slot_phrase(alternative, tz, now, to=True))} Does that work?"
        )

    def _booked(self, slot: datetime, tz: tzinfo, now: datetime | None) -> str:
        return _period(
            f"Great, we're booked for {slot_phrase(slot, tz, now, to=True, weekday=True)}"
        )

    def booking_confirmation(
        self, slot: datetime, tz: tzinfo, email_known: bool, now: datetime | None = None
    ) -> str:
        booked = self._booked(slot, tz, now)
        if email_known:
            return f"{booked} I'm sending a calendar invite to your email now."
        return f"{booked} {self._follow_up()}"

    def _follow_up(self) -> str:
        return self._you(
            "Our rep will get back to you before the meeting to coordinate details.",
            "We'll call before the meeting to coordinate details.",
        )

    # --- the email, after a booking ----------------------------------------------------------

    def booked_ask_email(self, slot: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return f"{self._booked(slot, tz, now)} Which email should I send the invite to?"

    def ask_email_again(self, after_no: bool) -> str:
        if after_no:
            return "Sorry. Could you say it again, slowly?"
        return "I didn't quite catch that. Slowly, please, like: dani at gmail dot com."

    def confirm_email(self, address: str) -> str:
        return f"Just to check: {spelled.email_en(address)}. Is that right?"

    def email_saved(self) -> str:
        return "Thanks, got it. I'm sending the invite to your email now."

    def email_skipped(self) -> str:
        return f"No problem, the meeting is booked. {self._follow_up()}"

    # --- endings ---------------------------------------------------------------------------

    def callback_ack(self, when_text: str | None = None) -> str:
        """Agrees to call back; `when_text` is already English ("tomorrow morning", "on Monday")."""
        when = when_text.strip() if when_text and when_text.strip() else "at a better time"
        return f"No problem at all, {self._back()} {spoken_times(when)}. Thanks!"

    def transfer_intro(self) -> str:
        """Before the call is connected to a sales rep (TRANSFER_NUMBER)."""
        return "Sure, I'm transferring you to someone from the team now. Just a moment on the line."

    def transfer_unavailable(self) -> str:
        """Asked for a person while no rep can take the call: a meeting is offered next."""
        return "No one from the team is free right now, but we can set up a call with them."

    def rep_unavailable(self) -> str:
        """The rep did not answer the transfer: back with the lead, a meeting is offered next."""
        return "Sorry for the wait, the rep couldn't pick up right now."

    def opt_out_ack(self) -> str:
        return (
            "No problem, I'll make sure the number is removed and we won't call again. "
            "Sorry for the interruption, have a good day."
        )

    def not_interested_ack(self) -> str:
        return "No problem, I completely understand. Thanks for your time."

    def wrong_number_ack(self) -> str:
        return "Sorry, it seems to be a wrong number. Have a nice day!"

    def hostile_close(self) -> str:
        return "All right, sorry for the interruption. Have a good day."

    def abuse_close(self) -> str:
        return "Understood. The number will be removed and we won't call again. Have a good day."

    def limit_close(self, callback: bool) -> str:
        """Closes a call that goes nowhere; `callback` when the lead was engaged."""
        if callback:
            back = self._you("We'll get back to you", "We'll call again")
            return f"It seems this isn't the best time. {back} another time. Have a nice day!"
        return "I won't keep you any longer. Thanks for your time, and have a nice day!"

    def goodbye(self) -> str:
        return self._you(
            "If you need anything in the future, we're here. Have a nice day!",
            "If the need comes up in the future, we're here. Have a nice day!",
        )

    def goodbye_after_booking(self) -> str:
        return "Thank you so much, it was great talking. Have a nice day!"

    def fallback(self) -> str:
        return "Sorry, I'm having a small glitch. Could you say that again?"

    def technical_goodbye(self) -> str:
        back = self._you("We'll get back to you", "We'll call again")
        return f"Sorry, we're having a technical issue. {back} soon. Have a nice day!"

    def voicemail(self, lead_name: str | None = None) -> str:
        """A message left on voicemail: the advertiser, why we called, how to call back or be
        removed (the callback number digit by digit)."""
        hello = self._hello(lead_name)
        if self.advertising:
            opening = (
                f"This is an advertisement from {self._advertiser()}. {hello}, this is "
                f"{self.name}, an AI-based digital assistant."
            )
        else:
            opening = (
                f"{hello}, this is {self.name} from the {BRAND} team, an AI-based digital "
                "assistant."
            )
        why = "I called about digital sales agents."
        if self.callback_number and re.search(r"\d", self.callback_number):
            reach = (
                "To call back, or to be removed from our list, dial "
                f"{digits_words(self.callback_number)}."
            )
        else:
            reach = (
                "We'll try again later. If it's not a fit, just tell us and we'll take you "
                "off our list."
            )
        return f"{opening} {why} {reach} Thank you!"


# --- the post-call summary (flows/after_call.py): English labels, twins of he.py's -----------

LEAD_HANDLING = {
    "spreadsheet": "in a spreadsheet",
    "manual": "by hand",
    "crm": "in a CRM",
    "call_center": "through a call center",
    "slow": "slowly: leads wait for an answer",
}
OBJECTIONS = {
    "price": "price",
    "timing": "not a good time",
    "has_solution": "already has a solution",
    "not_interested": "not interested",
    "trust": "asked whether this is a bot",
    "privacy": "asked where the number came from",
    "decision_maker": "not the decision maker",
}
OUTCOMES = {
    "booked": "A meeting was booked",
    "transferred": "The lead was transferred to a sales rep",
    "callback": "The lead asked for a callback",
    "not_interested": "The lead was not interested",
    "opted_out": "The lead asked not to be called again",
    "voicemail": "The call reached voicemail",
    "no_answer": "Nobody answered",
    "busy": "The line was busy",
    "failed": "The call could not be connected",
    "error": "The call ended on a technical problem",
    "completed": "The lead hung up before an outcome",
}


def call_summary(
    outcome: str,
    *,
    team_size: int | None,
    has_team: bool | None,
    handling: list[str],
    tools: list[str],
    objections: list[str],
    follow_up: str | None,
) -> str:
    """The English summary of a call from what the offline extractor found."""
    parts = [OUTCOMES.get(outcome, OUTCOMES["completed"]) + "."]
    if team_size is not None:
        parts.append(f"They have a sales development team of {team_size}.")
    elif has_team is True:
        parts.append("They have a sales development team.")
    elif has_team is False:
        parts.append("They have no sales development team.")
    if handling:
        parts.append("Leads are handled " + " and ".join(LEAD_HANDLING[h] for h in handling) + ".")
    if tools:
        parts.append("Current tools: " + ", ".join(tools) + ".")
    if objections:
        parts.append("Objections: " + ", ".join(OBJECTIONS[o] for o in objections) + ".")
    if follow_up:
        parts.append(f"Follow-up: {follow_up}.")
    return " ".join(parts)
