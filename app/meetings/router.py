"""/meetings: free slots, booking, cancelling and .ics invitations (thin: service + schemas)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.contract import PROTECTED_RESPONSES, Id, conflict, not_found
from app.deps import ApiKey, AppClock, AppSettings, DbSession, Events
from app.leads import repository as leads_repo
from app.meetings import ics, repository, service
from app.meetings.schemas import MeetingCreate, MeetingRead, SlotRead

router = APIRouter(
    prefix="/meetings", tags=["meetings"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)

NOT_FOUND = not_found("meeting")


@router.get("/available", response_model=list[SlotRead])
async def available(
    session: DbSession,
    settings: AppSettings,
    clock: AppClock,
    count: Annotated[int, Query(ge=1, le=20)] = 2,
) -> list[SlotRead]:
    """The next free slots; two are offered on different days, as the agent would."""
    if count == 2:
        slots = await service.offer_slots(session, settings, clock)
    else:
        slots = await service.available_slots(session, settings, clock, count)
    return [SlotRead.from_slot(slot) for slot in slots]


@router.get("", response_model=list[MeetingRead])
async def list_meetings(
    session: DbSession, settings: AppSettings, include_cancelled: bool = False
) -> list[MeetingRead]:
    """Booked meetings by start time, then (optionally) cancelled ones."""
    meetings = await repository.list_meetings(
        session, settings.calendar_name, include_cancelled=include_cancelled
    )
    return [MeetingRead.from_meeting(meeting, settings.tz) for meeting in meetings]


@router.post(
    "",
    response_model=MeetingRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        **not_found("lead"),
        **conflict("Slot already booked"),
        status.HTTP_422_UNPROCESSABLE_CONTENT: {
            "description": "Validation error, or not an allowed slot (`loc` is body.start)"
        },
    },
)
async def book(
    body: MeetingCreate,
    session: DbSession,
    settings: AppSettings,
    clock: AppClock,
    events: Events,
) -> MeetingRead:
    """Books a slot for a lead."""
    meeting = await service.book_meeting(
        session, settings, clock, body.lead_id, body.start, call_id=body.call_id
    )
    read = MeetingRead.from_meeting(meeting, settings.tz)
    await events.emit(session, "meeting.booked", {"meeting": read.model_dump(mode="json")})
    return read


# Registered before /{meeting_id} so "7.ics" is never read as a meeting id.
@router.get(
    "/{meeting_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **NOT_FOUND},
)
async def invitation(meeting_id: Id, session: DbSession, settings: AppSettings) -> Response:
    """The meeting as an iCalendar invitation."""
    meeting = await service.get_meeting(session, meeting_id)
    lead = await leads_repo.get(session, meeting.lead_id) if meeting.lead_id else None
    return Response(
        content=ics.meeting_to_ics(meeting, lead, settings),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


@router.get("/{meeting_id}", response_model=MeetingRead, responses=NOT_FOUND)
async def get_meeting(meeting_id: Id, session: DbSession, settings: AppSettings) -> MeetingRead:
    """One meeting."""
    meeting = await service.get_meeting(session, meeting_id)
    return MeetingRead.from_meeting(meeting, settings.tz)


@router.delete("/{meeting_id}", response_model=MeetingRead, responses=NOT_FOUND)
async def cancel(
    meeting_id: Id, session: DbSession, settings: AppSettings, clock: AppClock, events: Events
) -> MeetingRead:
    """Cancels a meeting, which frees its slot for someone else (announced once)."""
    was = (await service.get_meeting(session, meeting_id)).status
    meeting = await service.cancel_meeting(session, clock, meeting_id)
    read = MeetingRead.from_meeting(meeting, settings.tz)
    if meeting.status != was:
        await events.emit(session, "meeting.canceled", {"meeting": read.model_dump(mode="json")})
    return read
