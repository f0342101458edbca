"""The English side of every catalog line: what the Hebrew line of the same name says.

The caller only ever hears `HebrewCatalog`; these lines are for the bilingual transcript and the
English agent. Methods and parameters mirror `HebrewCatalog` one for one (a test holds them to
it). Gender does not show in English, but where the Hebrew words a line differently for an
unknown lead ("זה זמן טוב לדבר?" instead of "את פנויה לדקה?"), so does the English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from app.language.he import Gender, LeadGender, first_name

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


def _local(dt: datetime, tz: tzinfo) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("English date wording needs a timezone-aware datetime")
    return dt.astimezone(tz)


def time_phrase(dt: datetime, tz: tzinfo) -> str:
    """Says the local time of day: "at 14:30"."""
    local = _local(dt, tz)
    return f"at {local.hour}:{local.minute:02d}"


def date_phrase(dt: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """Says the local date: "Tuesday, December 1", led by "today"/"tomorrow" when `now` says so."""
    local = _local(dt, tz)
    words = f"{WEEKDAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}"
    if now is not None:
        days_ahead = (local.date() - _local(now, tz).date()).days
        if days_ahead == 0:
            return f"today, {words}"
        if days_ahead == 1:
            return f"tomorrow, {words}"
    return words


def slot_phrase(dt: datetime, tz: tzinfo, now: datetime | None = None) -> str:
    """Says a meeting time in full: "tomorrow, Wednesday, December 2 at 14:30"."""
    return f"{date_phrase(dt, tz, now)} {time_phrase(dt, tz)}"


def _two_slots(first: datetime, second: datetime, tz: tzinfo, now: datetime | None) -> str:
    if _local(first, tz).date() == _local(second, tz).date():
        return f"{slot_phrase(first, tz, now)} or {time_phrase(second, tz)}"
    return f"{slot_phrase(first, tz, now)}, or {slot_phrase(second, tz, now)}"


@dataclass(frozen=True, slots=True)
class EnglishCatalog:
    """Every fixed line of a call in English, worded as its Hebrew twin is."""

    agent_gender: Gender = "female"
    lead_gender: LeadGender = None
    agent_name: str | None = None

    @property
    def name(self) -> str:
        return self.agent_name or DEFAULT_AGENT_NAMES[self.agent_gender]

    def _you(self, known: str, unknown: str) -> str:
        """Picks the wording the Hebrew uses for a lead of known, or unknown, gender."""
        return known if self.lead_gender is not None else unknown

    def greeting(self, lead_name: str | None, company: str | None = None) -> str:
        hello = f"Hi {first_name(lead_name)}".rstrip()
        companies = (
            f"companies like {company.strip()}" if company and company.strip() else "companies"
        )
        return (
            f"{hello}, this is {self.name} from the {BRAND} team. "
            "I'm an AI-based digital assistant, and this call is recorded. "
            f"We help {companies} grow their sales with digital agents like me. "
            + self._you("Are you free for a minute?", "Is this a good time to talk?")
        )

    def reprompt(self, attempt: int = 1) -> str:
        """Varies by attempt (1, 2, 3+) so repeated silence doesn't sound canned."""
        if attempt <= 1:
            return "Sorry, I didn't quite catch that. Could you say it again?"
        if attempt == 2:
            return "Hello? Can you hear me?"
        return (
            "I'm still here. If this isn't a good time, just say so and we'll call back "
            "another time."
        )

    def qualifying_questions(self) -> tuple[str, str, str]:
        """Asks, in order: who calls leads today, how fast leads are handled, monthly volume."""
        opener = self._you("Tell me", "I wanted to ask")
        return (
            f"{opener}, do you have salespeople whose whole job is calling leads and booking "
            "meetings?",
            "And how do you handle incoming leads today? Does someone get back to them quickly?",
            "And roughly how many leads come in each month? Even a rough estimate is great.",
        )

    def pitch(self) -> str:
        return (
            "In short, we build AI agents that call leads, check who is relevant and book "
            "meetings for the sales team. That way no inquiry falls through the cracks. "
            + self._you("Interested in hearing", "Would you like to hear")
            + " how it could work for you?"
        )

    def slot_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return (
            "I'd be happy to set up a short meeting with someone from our team. "
            f"I have two open times: {_two_slots(first, second, tz, now)}. "
            + self._you("Which do you prefer?", "Which works better?")
        )

    def other_slots_offer(
        self, first: datetime, second: datetime, tz: tzinfo, now: datetime | None = None
    ) -> str:
        return f"No problem, so maybe {_two_slots(first, second, tz, now)}?"

    def slot_taken(self, alternative: datetime, tz: tzinfo, now: datetime | None = None) -> str:
        return (
            "Oops, that time was just taken. "
            f"Instead I have {slot_phrase(alternative, tz, now)}. Does that work?"
        )

    def booking_confirmation(
        self, slot: datetime, tz: tzinfo, email_known: bool, now: datetime | None = None
    ) -> str:
        booked = f"Great, we're booked for {slot_phrase(slot, tz, now)}."
        if email_known:
            return f"{booked} I'm sending a calendar invite to your email now."
        follow_up = self._you(
            "Someone from our team will get back to you before the meeting to coordinate details.",
            "We'll call again before the meeting to coordinate details.",
        )
        return f"{booked} {follow_up}"

    def callback_ack(self, when_text: str | None = None) -> str:
        """Agrees to call back; `when_text` is already English ("tomorrow morning", "on Monday")."""
        when = when_text.strip() if when_text and when_text.strip() else "at a better time"
        return "No problem at all, " + self._you(
            f"we'll get back to you {when}. Thanks!", f"we'll call again {when}. Thanks!"
        )

    def opt_out_ack(self) -> str:
        return (
            "No problem, I'll make sure the number is removed from our list "
            "and we won't call again. Sorry for the interruption, have a good day."
        )

    def not_interested_ack(self) -> str:
        return "No problem, I completely understand. Thanks for your time."

    def goodbye(self) -> str:
        return self._you(
            "If you need anything in the future, we're here. Have a nice day!",
            "If the need comes up in the future, we're here. Have a nice day!",
        )

    def goodbye_after_booking(self) -> str:
        return "Thank you so much, it was great talking. Have a nice day!"

    def who_are_you(self) -> str:
        return (
            f"I'm {self.name}, an AI-based digital assistant. "
            f"I'm calling on behalf of {BRAND}'s sales team, "
            "and we help companies grow their sales with digital agents like me."
        )

    def are_you_a_bot(self) -> str:
        return (
            f"Yes, I'm an AI-based digital assistant, calling on behalf of {BRAND}'s sales team. "
            "And actually, that's exactly what we offer companies."
        )

    def price(self) -> str:
        return (
            "The price depends on scale, mainly the number of leads and calls. "
            "In the meeting with our rep we'll go over it based on your needs."
        )

    def fallback(self) -> str:
        return "Sorry, I'm having a small glitch. Could you say that again?"

    def technical_goodbye(self) -> str:
        back = self._you("We'll get back to you", "We'll call again")
        return (
            f"Sorry, we're having a technical issue. {back} soon. "
            "Thanks for your patience, and have a nice day!"
        )

    def voicemail(self, lead_name: str | None = None) -> str:
        hello = f"Hi {first_name(lead_name)}".rstrip()
        return (
            f"{hello}, this is {self.name} from the {BRAND} team, "
            "an AI-based digital assistant. I called about digital agents that help companies "
            "grow their sales. We'll try again later. Have a nice day!"
        )
