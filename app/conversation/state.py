"""What the agent knows during a call: who it talks to, what was said, what it offered."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
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


# Actions after which the call is over.
ENDING_ACTIONS = frozenset(
    {Action.book_meeting, Action.end_call, Action.mark_do_not_call, Action.schedule_callback}
)


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """The few lead facts the agent may use: a snapshot, so the agent never touches the ORM."""

    id: int
    name: str
    company: str | None
    gender: LeadGender
    email: str | None

    @classmethod
    def from_lead(cls, lead: Lead) -> LeadProfile:
        return cls(lead.id, lead.name, lead.company, as_lead_gender(lead.gender), lead.email)


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

    @property
    def ends_call(self) -> bool:
        return self.action in ENDING_ACTIONS
