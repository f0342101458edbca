"""What the agent knows during a call: who it talks to, what was said, what it offered."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any

from app.language.he import LeadGender, as_lead_gender
from app.leads.models import Lead
from app.meetings.availability import Slot


class Action(enum.StrEnum):
    offer_slots = "offer_slots"
    book_meeting = "book_meeting"
    end_call = "end_call"
    mark_do_not_call = "mark_do_not_call"
    schedule_callback = "schedule_callback"
    transfer_to_human = "transfer_to_human"  # connect the lead to a sales rep (TRANSFER_NUMBER)


# Actions after which the call is over.
ENDING_ACTIONS = frozenset(
    {
        Action.book_meeting,
        Action.end_call,
        Action.mark_do_not_call,
        Action.schedule_callback,
        Action.transfer_to_human,
    }
)


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """The few lead facts the agent may use: a snapshot, so the agent never touches the ORM."""

    id: int
    name: str
    company: str | None
    gender: LeadGender
    email: str | None
    name_he: str | None = None
    source: str | None = None

    @classmethod
    def from_lead(cls, lead: Lead) -> LeadProfile:
        return cls(
            lead.id,
            lead.name,
            lead.company,
            as_lead_gender(lead.gender),
            lead.email,
            lead.name_he,
            lead.source,
        )

    @property
    def spoken_name(self) -> str:
        """The name a Hebrew line may say: the Hebrew one, else the stored one (the catalog
        leaves out a name in Latin letters)."""
        return self.name_he or self.name


def _as_json(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _known_fields(cls: Any, data: dict[str, Any] | None) -> dict[str, Any]:
    """The stored values `cls` still has fields for (older or newer keys are dropped)."""
    known = {f.name for f in fields(cls)}
    return {k: v for k, v in (data or {}).items() if k in known}


@dataclass(slots=True)
class Dialogue:
    """What the dialogue policy remembers across turns; stored on the call as one snapshot."""

    offered_ever: list[str] = field(default_factory=list)  # ISO starts of every slot offered
    rejected: list[str] = field(default_factory=list)  # ISO starts the caller turned down
    offer_rounds: int = 0
    clarifications: int = 0
    caller_turns: int = 0
    engaged: bool = False
    language: str = "he"
    awaiting: str | None = None  # what the last line asked: "clarify", "remove_number", ...
    recent: list[str] = field(default_factory=list)  # kinds of the last agent lines, newest last
    moves: dict[str, int] = field(default_factory=dict)  # how often each move was made
    # Asking for the email after a booking (app/conversation/email_step.py).
    email_step: str | None = None  # "ask" (waiting for an address) | "confirm" (read back)
    email_pending: str | None = None  # the address read back, not yet confirmed
    email_misses: int = 0  # a "no" to the read-back, or words that made no address

    def count(self, move: str) -> int:
        """Counts one more `move` and returns how many times it has now been made."""
        self.moves[move] = self.moves.get(move, 0) + 1
        return self.moves[move]

    def to_json(self) -> dict[str, Any]:
        return _as_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Dialogue:
        return cls(**_known_fields(cls, data))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One past turn, in English: what the caller said and what the agent answered."""

    user: str
    agent: str


@dataclass(slots=True)
class Conversation:
    """Per-call state; telephony rebuilds it from the stored turns, /agent/turn from its history."""

    lead: LeadProfile
    history: list[Exchange] = field(default_factory=list)
    offered: list[Slot] = field(default_factory=list)
    call_id: int | None = None
    greeted: bool = False
    last_agent_he: str | None = None
    booked_meeting_id: int | None = None
    ended: bool = False
    questions_asked: int = 0
    errors: int = 0
    silences: int = 0  # silent turns in a row, counted by the pipeline
    dialogue: Dialogue = field(default_factory=Dialogue)

    def snapshot(self) -> dict[str, Any]:
        """What the call keeps between turns, stored on its record as one JSON value."""
        return Snapshot(
            offered=[slot.start.isoformat() for slot in self.offered],
            questions_asked=self.questions_asked,
            errors=self.errors,
            silences=self.silences,
            dialogue=self.dialogue.to_json(),
        ).to_json()


@dataclass(slots=True)
class Snapshot:
    """A call's conversation state as stored (Call.conversation); the turns hold the rest."""

    offered: list[str] = field(default_factory=list)  # ISO starts of the slots on offer now
    questions_asked: int = 0
    errors: int = 0
    silences: int = 0
    dialogue: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _as_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Snapshot:
        return cls(**_known_fields(cls, data))


@dataclass(frozen=True, slots=True)
class AgentReply:
    """The agent's answer to one caller line.

    `reply_he` is set when the line comes from the Hebrew catalog, so it is never translated;
    `heard_en` when the agent understood the caller better than the translator (offline brain).
    """

    reply_en: str
    reply_he: str | None = None
    action: Action | None = None
    payload: dict[str, Any] | None = None
    heard_en: str | None = None
    kind: str | None = (
        None  # which catalog move this is ("offer", "question:1", ...), for the policy
    )
    goes_on: bool = False  # an ending action after which the call still goes on (email step)

    @property
    def ends_call(self) -> bool:
        return self.action in ENDING_ACTIONS and not self.goes_on
