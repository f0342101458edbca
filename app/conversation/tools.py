"""The agent's tools: the only way the conversation reaches leads and meetings.

Every tool validates its input against what happened in this conversation, so a model that is
talked into "book ten meetings" or invents a time gets a refusal it can read, not a booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import Clock
from app.config import Settings
from app.conversation.providers.base import ToolCall, ToolSpec
from app.conversation.state import Action, Conversation
from app.leads import repository as leads_repo
from app.leads.models import LeadStatus
from app.meetings import service as meetings
from app.meetings.availability import Slot
from app.meetings.errors import MeetingError, SlotTaken

log = structlog.get_logger(__name__)

END_REASONS = ("not_interested", "completed", "wrong_person", "other")


def _schema(properties: dict[str, Any]) -> dict[str, Any]:
    """A strict JSON Schema object: every property required, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "offer_slots",
        "Get two free meeting times to offer the lead (the server picks them). Call it when the "
        "lead is interested, or again when neither offered time works (you get two new ones).",
        _schema({}),
    ),
    ToolSpec(
        "book_meeting",
        "Book the meeting time the lead chose. slot_start must be exactly the ISO 8601 start of "
        "one of the slots offered in this conversation.",
        _schema({"slot_start": {"type": "string", "description": "ISO 8601 start of the slot"}}),
    ),
    ToolSpec(
        "end_call",
        "End the call politely, e.g. when the lead is not interested.",
        _schema({"reason": {"type": "string", "enum": list(END_REASONS)}}),
    ),
    ToolSpec(
        "mark_do_not_call",
        "The lead asked never to be called again: remove them from all calling lists.",
        _schema({}),
    ),
    ToolSpec(
        "schedule_callback",
        "The lead is busy now and asked to be called back.",
        _schema({"when": {"type": "string", "description": "When, in the lead's words"}}),
    ),
)


def slot_payload(slot: Slot) -> dict[str, str]:
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat(), "label": slot.label}


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What a tool did: `result` goes back to the model; `action` is set only on success."""

    result: dict[str, Any]
    action: Action | None = None
    payload: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.action is not None


def _refuse(error: str, message: str) -> ToolOutcome:
    return ToolOutcome({"ok": False, "error": error, "message": message})


class Toolbox:
    """Tools bound to one conversation, one database session and the injected clock."""

    def __init__(
        self, session: AsyncSession, settings: Settings, clock: Clock, conversation: Conversation
    ) -> None:
        self.session = session
        self.settings = settings
        self.clock = clock
        self.conversation = conversation
        self._candidates: list[Slot] | None = None

    async def prefetch_slots(self) -> None:
        """Looks up free slots ahead of time, so offer_slots costs nothing mid-turn."""
        if self.conversation.booked_meeting_id is None:
            self._candidates = await self._free_slots()

    async def _free_slots(self) -> list[Slot]:
        wanted = len(self.conversation.offered) + 2
        return await meetings.available_slots(
            self.session, self.settings, self.clock, wanted, spread_days=True
        )

    async def execute(self, call: ToolCall) -> ToolOutcome:
        """Runs a model's tool call, refusing unknown tools and malformed arguments."""
        args = call.arguments
        match call.name:
            case "offer_slots":
                return await self.offer_slots()
            case "book_meeting" if isinstance(args.get("slot_start"), str):
                return await self.book_meeting(args["slot_start"])
            case "end_call" if args.get("reason") in END_REASONS:
                return await self.end_call(args["reason"])
            case "mark_do_not_call":
                return await self.mark_do_not_call()
            case "schedule_callback" if isinstance(args.get("when"), str):
                return await self.schedule_callback(args["when"])
        names = ", ".join(spec.name for spec in TOOL_SPECS)
        return _refuse("invalid_call", f"Unknown tool or bad arguments. Tools: {names}.")

    async def offer_slots(self) -> ToolOutcome:
        """Two free slots, different from any already offered in this call."""
        if self.conversation.booked_meeting_id is not None:
            return _refuse("already_booked", "A meeting is already booked in this call.")
        seen = {slot.start for slot in self.conversation.offered}
        candidates = self._candidates if self._candidates is not None else await self._free_slots()
        self._candidates = None
        fresh = [slot for slot in candidates if slot.start not in seen][:2] or candidates[:2]
        if not fresh:
            return _refuse("no_slots", "No free meeting times in the booking horizon.")
        self.conversation.offered = fresh
        slots = [slot_payload(slot) for slot in fresh]
        payload = {"slots": slots, "again": bool(seen)}
        return ToolOutcome({"ok": True, "slots": slots}, Action.offer_slots, payload)

    async def book_meeting(self, slot_start: str | datetime) -> ToolOutcome:
        """Books one of the offered slots, once per call."""
        conversation = self.conversation
        if conversation.booked_meeting_id is not None:
            return _refuse("already_booked", "A meeting is already booked; only one per call.")
        try:
            start = (
                slot_start
                if isinstance(slot_start, datetime)
                else datetime.fromisoformat(slot_start)
            )
        except ValueError:
            return _refuse("bad_time", f"{slot_start!r} is not an ISO 8601 time.")
        offered = [slot for slot in conversation.offered if start.tzinfo and slot.start == start]
        if not offered:
            labels = "; ".join(f"{s.label} ({s.start.isoformat()})" for s in conversation.offered)
            return _refuse(
                "not_offered",
                "You may only book a slot offered in this call"
                + (f": {labels}." if labels else ". Call offer_slots first."),
            )
        slot = offered[0]
        try:
            meeting = await meetings.book_meeting(
                self.session,
                self.settings,
                self.clock,
                conversation.lead.id,
                slot.start,
                call_id=conversation.call_id,
            )
        except SlotTaken:
            conversation.offered = [s for s in conversation.offered if s.start != slot.start]
            return _refuse("slot_taken", "That time was just taken. Call offer_slots again.")
        except MeetingError as exc:
            return _refuse("not_bookable", str(exc))
        conversation.booked_meeting_id = meeting.id
        await self._set_lead(status=LeadStatus.booked)
        payload = {"meeting_id": meeting.id, **slot_payload(slot)}
        log.info("meeting_booked", lead_id=conversation.lead.id, meeting_id=meeting.id)
        return ToolOutcome({"ok": True, **payload}, Action.book_meeting, payload)

    async def end_call(self, reason: str) -> ToolOutcome:
        if reason == "not_interested":
            await self._set_lead(status=LeadStatus.not_interested)
        return ToolOutcome({"ok": True}, Action.end_call, {"reason": reason})

    async def mark_do_not_call(self) -> ToolOutcome:
        await self._set_lead(do_not_call=True, status=LeadStatus.do_not_call)
        log.info("lead_opted_out", lead_id=self.conversation.lead.id)
        return ToolOutcome({"ok": True}, Action.mark_do_not_call, {})

    async def schedule_callback(self, when: str) -> ToolOutcome:
        await self._set_lead(status=LeadStatus.callback)
        return ToolOutcome({"ok": True}, Action.schedule_callback, {"when": when})

    async def _set_lead(self, **changes: Any) -> None:
        lead = await leads_repo.get(self.session, self.conversation.lead.id)
        if lead is not None:
            await leads_repo.update(self.session, lead, changes)
