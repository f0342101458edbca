"""The agent's tools: the only way the conversation reaches leads and meetings.

Every tool validates its input against what happened in this conversation, so a model that is
talked into "book ten meetings" or invents a time gets a refusal it can read, not a booking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.calendars.backends import scheduler_for
from app.calendars.scheduler import Scheduler
from app.calls import repository as calls_repo
from app.clock import Clock
from app.config import WEEKDAYS, Settings
from app.conversation.providers.base import ToolCall, ToolSpec
from app.conversation.slot_choice import choose
from app.conversation.state import Action, Conversation
from app.integrations.webhooks import outbox, payloads
from app.integrations.webhooks.models import Event
from app.language.understanding import Intent, Understanding, When
from app.leads import repository as leads_repo
from app.leads.models import LeadStatus
from app.meetings.availability import Slot
from app.meetings.errors import MeetingError, SlotTaken
from app.meetings.models import Meeting

log = structlog.get_logger(__name__)
T = TypeVar("T")

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
        "Get free meeting times to offer the lead (the server picks them, honouring a day or "
        "time the lead just asked for). Call it when the lead is interested, or again when "
        "neither offered time works (you get new ones, never the same twice).",
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
    ToolSpec(
        "transfer_to_human",
        "Connect the lead to a human sales rep now: when they ask for a person, or when they "
        "are clearly hot (qualified and eager to talk now). Refused when no rep is reachable; "
        "then offer a meeting instead.",
        _schema({}),
    ),
)


def rep_reachable(settings: Settings, now: datetime) -> bool:
    """A rep can take a transfer: TRANSFER_NUMBER is set and it is within business hours."""
    if settings.transfer_number is None:
        return False
    local = now.astimezone(settings.tz)
    day = WEEKDAYS[local.weekday()]
    hours = settings.business_hours_start <= local.time() < settings.business_hours_end
    return day in settings.business_days and hours


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
    """Tools bound to one conversation, the database and the injected clock.

    No database connection is held between tools: each one that reads or books opens its own
    short transaction, shielded from the turn's deadline so a query is never cut in half. Lead
    changes (status, do-not-call) wait in `lead_changes` and are written with the turn, except a
    booking's, which commits with the meeting. `heard` is the offline reading of this turn's
    caller line: offers honour the day or time it asked for, and a booking the caller's words
    leave ambiguous or turned down is refused.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        conversation: Conversation,
        heard: Understanding | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.sessions = sessions
        self.scheduler = scheduler or scheduler_for(settings, clock)
        self.settings = settings
        self.clock = clock
        self.conversation = conversation
        self.heard = heard
        self.limit_hit = False  # an offer was refused because the call used its offer rounds
        self.lead_changes: dict[str, Any] = {}
        self._free: list[Slot] | None = None

    async def _shielded(self, work: Awaitable[T]) -> T:
        """Runs `work` (its own short transactions) so that a cancelled turn lets it finish."""
        task = asyncio.ensure_future(work)
        task.add_done_callback(_retrieve)
        return await asyncio.shield(task)

    async def prefetch_slots(self) -> None:
        """Looks up free slots ahead of time, so offer_slots costs nothing mid-turn; the reps'
        calendars answer within CALENDAR_TIMEOUT_SECONDS or their last known free/busy is used."""
        if self.conversation.booked_meeting_id is None:
            self._free = await self._shielded(self.scheduler.free_slots(self.sessions))

    async def execute(self, call: ToolCall) -> ToolOutcome:
        """Runs a model's tool call, refusing unknown tools and malformed arguments."""
        args = call.arguments
        match call.name:
            case "offer_slots":
                return await self.offer_slots(self._asked())
            case "book_meeting" if isinstance(args.get("slot_start"), str):
                return await self.book_meeting(args["slot_start"])
            case "end_call" if args.get("reason") in END_REASONS:
                return await self.end_call(args["reason"])
            case "mark_do_not_call":
                return await self.mark_do_not_call()
            case "schedule_callback" if isinstance(args.get("when"), str):
                return await self.schedule_callback(args["when"])
            case "transfer_to_human":
                return await self.transfer_to_human()
        names = ", ".join(spec.name for spec in TOOL_SPECS)
        return _refuse("invalid_call", f"Unknown tool or bad arguments. Tools: {names}.")

    def _asked(self) -> When | None:
        """The day or time the caller asked for in this turn, if any."""
        heard = self.heard
        if heard is None or heard.when.empty:
            return None
        if heard.intent in (Intent.request_time, Intent.neither_slot, Intent.pick_slot):
            return heard.when
        return None

    async def offer_slots(self, when: When | None = None) -> ToolOutcome:
        """Free slots never offered before in this call, fitting `when` if the caller asked."""
        conversation, dialogue = self.conversation, self.conversation.dialogue
        if conversation.booked_meeting_id is not None:
            return _refuse("already_booked", "A meeting is already booked in this call.")
        if dialogue.offer_rounds >= self.settings.max_offer_rounds:
            self.limit_hit = True
            return _refuse("offer_limit", "Enough times offered; close the call politely.")
        if self._free is None:
            await self.prefetch_slots()
        seen = {datetime.fromisoformat(iso) for iso in (*dialogue.offered_ever, *dialogue.rejected)}
        fresh = [slot for slot in self._free or [] if slot.start not in seen]
        if when is None and dialogue.offered_ever:
            # A re-offer moves to days not offered yet: half an hour later is no new answer.
            days = {datetime.fromisoformat(iso).date() for iso in dialogue.offered_ever}
            fresh = [s for s in fresh if s.start.date() not in days] or fresh
        choice = choose(fresh, when, self.clock.now(), conversation.offered)
        if not choice.slots:
            return _refuse("no_slots", "No other free meeting times in the booking horizon.")
        again = dialogue.offer_rounds > 0
        conversation.offered = choice.slots
        dialogue.offered_ever += [slot.start.isoformat() for slot in choice.slots]
        dialogue.offer_rounds += 1
        slots = [slot_payload(slot) for slot in choice.slots]
        payload: dict[str, Any] = {"slots": slots, "again": again}
        if choice.requested:
            payload.update(requested=True, matched=choice.matched, asked=_when_json(when))
        result = {"ok": True, "slots": slots}
        if choice.requested and not choice.matched:
            result["note"] = "Nothing free at the time asked for; these are the nearest."
        return ToolOutcome(result, Action.offer_slots, payload)

    async def book_meeting(self, slot_start: str | datetime) -> ToolOutcome:
        """Books one of the offered slots, once per call, never one the caller turned down."""
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
        refusal = self._unsure_pick(slot)
        if refusal is not None:
            return refusal
        try:
            meeting = await self._shielded(
                self.scheduler.book(
                    self.sessions,
                    conversation.lead.id,
                    slot.start,
                    call_id=conversation.call_id,
                    on_booked=self._booked,
                )
            )
        except SlotTaken:
            conversation.offered = [s for s in conversation.offered if s.start != slot.start]
            return _refuse("slot_taken", "That time was just taken. Call offer_slots again.")
        except MeetingError as exc:
            return _refuse("not_bookable", str(exc))
        payload = {"meeting_id": meeting.id, **slot_payload(slot)}
        log.info("meeting_booked", lead_id=conversation.lead.id, meeting_id=meeting.id)
        return ToolOutcome({"ok": True, **payload}, Action.book_meeting, payload)

    async def _booked(self, session: AsyncSession, meeting: Meeting) -> None:
        """The lead's status and the call's meeting, in the booking's transaction."""
        conversation = self.conversation
        lead = await leads_repo.get(session, conversation.lead.id)
        if lead is not None:
            await leads_repo.update(session, lead, {"status": LeadStatus.booked})
        if conversation.call_id is not None:
            await calls_repo.set_meeting(session, conversation.call_id, meeting.id)
        await outbox.emit(
            session,
            Event.meeting_booked,
            {"meeting": payloads.meeting(meeting, self.settings)},
            self.clock.now(),
            personal_data=self.settings.webhook_personal_data,
        )
        # Set here, not after the await: a turn cut by its deadline still knows its booking.
        conversation.booked_meeting_id = meeting.id

    def _unsure_pick(self, slot: Slot) -> ToolOutcome | None:
        """Refuses a slot the caller turned down, or a pick their words leave open."""
        iso = slot.start.isoformat()
        heard = self.heard
        picked_now = (
            heard is not None
            and heard.slot_index is not None
            and heard.slot_index < len(self.conversation.offered)
            and self.conversation.offered[heard.slot_index].start == slot.start
        )
        if iso in self.conversation.dialogue.rejected and not picked_now:
            return _refuse("rejected", "The lead turned this time down; offer other times.")
        if (
            heard is not None
            and heard.slot_index is None
            and len(heard.candidates) > 1
            and len(self.conversation.offered) > 1
        ):
            return _refuse("ambiguous", "The lead's answer fits both times: ask which one.")
        return None

    async def save_email(self, address: str) -> None:
        """Stores the address the caller confirmed and queues the meeting's invitation."""
        meeting_id = self.conversation.booked_meeting_id
        if meeting_id is None:
            return
        await self._shielded(self.scheduler.invite(self.sessions, meeting_id, address))
        self.conversation.lead = replace(self.conversation.lead, email=address)
        log.info("lead_email_saved", lead_id=self.conversation.lead.id, meeting_id=meeting_id)

    async def end_call(self, reason: str) -> ToolOutcome:
        if reason == "not_interested":
            self.lead_changes["status"] = LeadStatus.not_interested
        return ToolOutcome({"ok": True}, Action.end_call, {"reason": reason})

    async def mark_do_not_call(self) -> ToolOutcome:
        self.lead_changes.update(do_not_call=True, status=LeadStatus.do_not_call)
        log.info("lead_opted_out", lead_id=self.conversation.lead.id)
        return ToolOutcome({"ok": True}, Action.mark_do_not_call, {})

    async def schedule_callback(self, when: str) -> ToolOutcome:
        self.lead_changes["status"] = LeadStatus.callback
        return ToolOutcome({"ok": True}, Action.schedule_callback, {"when": when})

    async def transfer_to_human(self) -> ToolOutcome:
        """Hands the call to a sales rep, when one is reachable now."""
        if not rep_reachable(self.settings, self.clock.now()):
            return _refuse("no_rep", "No sales rep can take the call now: offer a meeting instead.")
        log.info("call_transfer", lead_id=self.conversation.lead.id)
        return ToolOutcome({"ok": True}, Action.transfer_to_human, {})


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Marks a shielded failure seen: the turn that stopped waiting has already answered."""
    if not task.cancelled():
        task.exception()


async def apply_lead_changes(session: AsyncSession, lead_id: int, changes: dict[str, Any]) -> None:
    """Writes what a turn's tools decided about the lead, in the transaction storing the turn."""
    if not changes:
        return
    lead = await leads_repo.get(session, lead_id)
    if lead is None:
        return
    await leads_repo.update(session, lead, changes)


def _when_json(when: When | None) -> dict[str, Any] | None:
    """What the caller asked for, as the turn's payload stores it."""
    if when is None:
        return None
    data = {
        "weekday": when.weekday,
        "date": when.date.isoformat() if when.date else None,
        "part": when.part,
        "hour": when.hour,
        "minute": when.minute,
    }
    return {key: value for key, value in data.items() if value is not None}
