"""Fixed lines of a call in both languages, from the hand-written catalogs (never translated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.config import Settings
from app.conversation.state import Action, AgentReply, Conversation
from app.language.en import EnglishCatalog
from app.language.he import HebrewCatalog, LeadGender
from app.meetings.availability import Slot

# Actions whose outcome the caller hears as a catalog line (`Lines.for_action`), so the model's
# own words after the tool call would be thrown away: the agent does not ask for them.
CATALOG_ACTIONS = frozenset(
    {
        Action.offer_slots,
        Action.book_meeting,
        Action.mark_do_not_call,
        Action.end_call,
        Action.transfer_to_human,
    }
)


@dataclass(frozen=True, slots=True)
class Line:
    """One thing the agent says: the English for the transcript, the Hebrew the caller hears."""

    en: str
    he: str

    def __add__(self, other: Line) -> Line:
        return Line(f"{self.en} {other.en}", f"{self.he} {other.he}")


def catalogs(settings: Settings, lead_gender: LeadGender) -> tuple[HebrewCatalog, EnglishCatalog]:
    """Both catalogs for one lead, with the agent's voice and the legal notices from settings."""
    common: dict[str, Any] = {
        "agent_gender": settings.agent_gender,
        "lead_gender": lead_gender,
        "advertising": settings.call_is_advertising,
        "callback_number": settings.business_callback_number,
        # Only ConversationRelay hears the phone's keys.
        "opt_out_key": settings.relay_opt_out_digit
        if settings.twilio_input_mode == "relay"
        else None,
    }
    return (
        HebrewCatalog(
            advertiser=settings.advertiser_name_he,
            agent_name=settings.agent_name_he,
            pitch_line=settings.agent_pitch_he,
            price_line=settings.agent_price_he,
            questions=tuple(settings.agent_questions_he),
            **common,
        ),
        EnglishCatalog(
            advertiser=settings.advertiser_name_en,
            agent_name=settings.agent_name_en,
            pitch_line=settings.agent_pitch_en,
            price_line=settings.agent_price_en,
            questions=tuple(settings.agent_questions_en),
            **common,
        ),
    )


class Lines:
    """The catalogs for one call: the agent's voice, the lead's gender, the business time zone."""

    def __init__(self, settings: Settings, conversation: Conversation, now: datetime) -> None:
        self.he, self.en = catalogs(settings, conversation.lead.gender)
        self.tz = settings.tz
        self.now = now
        self.conversation = conversation

    def say(self, name: str, *args: Any, **kwargs: Any) -> Line:
        """The catalog line `name` in both languages (the catalogs share their method names)."""
        return Line(
            getattr(self.en, name)(*args, **kwargs), getattr(self.he, name)(*args, **kwargs)
        )

    def question(self, index: int) -> Line:
        """The index-th qualifying question (0-based)."""
        return Line(self.en.qualifying_questions()[index], self.he.qualifying_questions()[index])

    def greeting(self) -> Line:
        lead = self.conversation.lead
        return Line(
            self.en.greeting(lead.name, lead.company),
            self.he.greeting(lead.spoken_name, lead.company),
        )

    def offer(self, slots: list[Slot], *, again: bool = False, short: bool = False) -> Line:
        """Two slots put to the caller (one slot is a concrete proposal)."""
        if len(slots) == 1:
            return self.say("propose", slots[0].start, self.tz, self.now)
        name = "short_offer" if short else "other_slots_offer" if again else "slot_offer"
        return self.say(name, slots[0].start, slots[-1].start, self.tz, self.now)

    def requested(self, slots: list[Slot], payload: dict[str, Any]) -> Line:
        """Slots for a day or time the caller asked for, or an honest "nothing then"."""
        if not payload.get("matched"):
            asked = payload.get("asked") or {}
            words = [
                asked.get("weekday"),
                asked.get("part"),
                asked.get("hour"),
                asked.get("minute"),
            ]
            if asked.get("date") and words[0] is None:
                words[0] = datetime.fromisoformat(asked["date"]).weekday()
            first, second = slots[0].start, slots[-1].start
            return Line(
                self.en.nothing_then(self.en.when_words(*words), first, second, self.tz, self.now),
                self.he.nothing_then(self.he.when_words(*words), first, second, self.tz, self.now),
            )
        if len(slots) == 1:
            return self.say("requested_single", slots[0].start, self.tz, self.now)
        return self.say("requested_offer", slots[0].start, slots[1].start, self.tz, self.now)

    def clarify(self, slots: list[Slot]) -> Line:
        """One short question naming what tells the two slots apart."""
        first, second = slots[0].start, slots[-1].start
        if first.astimezone(self.tz).date() == second.astimezone(self.tz).date():
            return self.say("clarify_time", first, second, self.tz)
        return self.say("clarify_day", first, second, self.tz, self.now)

    def for_action(self, action: Action | None, payload: dict[str, Any] | None) -> Line | None:
        """The catalog line that carries an action's outcome, or None for a free-form reply."""
        payload = payload or {}
        match action:
            case Action.offer_slots if self.conversation.offered:
                slots = self.conversation.offered
                if payload.get("requested"):
                    return self.requested(slots, payload)
                return self.offer(slots, again=bool(payload.get("again")))
            case Action.book_meeting:
                start = datetime.fromisoformat(payload["start"])
                email = self.conversation.lead.email is not None
                confirm = self.say("booking_confirmation", start, self.tz, email, self.now)
                return confirm + self.say("goodbye_after_booking")
            case Action.mark_do_not_call:
                return self.say("opt_out_ack")
            case Action.transfer_to_human:
                return self.say("transfer_intro")
            case Action.end_call if payload.get("reason") == "not_interested":
                return self.say("not_interested_ack") + self.say("goodbye")
            case Action.end_call if payload.get("reason") == "wrong_person":
                return self.say("wrong_number_ack")
            case Action.end_call:
                return self.say("goodbye")
        return None

    def spoken(self, reply: AgentReply) -> Line | None:
        """What the caller hears: the reply's own catalog line, the action's, or None."""
        if reply.reply_he:
            return Line(reply.reply_en, reply.reply_he)
        return self.for_action(reply.action, reply.payload)
