"""/meetings: free slots, booking, cancelling and .ics invitations. Here, above the domain:
offers and bookings go through the reps' calendars (app/calendars) and the outbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendars.scheduler import OnBooked, Scheduler
from app.config import Settings
from app.contract import PROTECTED_RESPONSES, Id, conflict, not_found
from app.deps import ApiKey, AppSettings, DbSession, DbSessions, Events
from app.events import EventSink
from app.integrations import outbox
from app.integrations.invitations import subject_of
from app.integrations.schemas import DeliveryRead
from app.integrations.webhooks import payloads
from app.leads import repository as leads_repo
from app.meetings import ics, repository, service
from app.meetings.models import Meeting
from app.meetings.schemas import MeetingCreate, MeetingRead, SlotRead

router = APIRouter(
    prefix="/meetings", tags=["meetings"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)

NOT_FOUND = not_found("meeting")


class MeetingDetail(MeetingRead):
    """One meeting with its outbox deliveries: calendar sync, invitation mail, SMS."""

    deliveries: list[DeliveryRead]


def get_scheduler(request: Request) -> Scheduler:
    scheduler: Scheduler = request.app.state.scheduling.scheduler
    return scheduler


AppScheduler = Annotated[Scheduler, Depends(get_scheduler)]


@router.get("/available", response_model=list[SlotRead])
async def available(
    sessions: DbSessions,
    scheduler: AppScheduler,
    count: Annotated[int, Query(ge=1, le=20)] = 2,
) -> list[SlotRead]:
    """The next free slots (some rep free in the calendars); two are on different days."""
    slots = await scheduler.available(sessions, count, spread_days=count == 2)
    return [SlotRead.from_slot(slot) for slot in slots]


@router.get("", response_model=list[MeetingRead])
async def list_meetings(
    session: DbSession, settings: AppSettings, include_cancelled: bool = False
) -> list[MeetingRead]:
    """Booked meetings by start time, then (optionally) cancelled ones."""
    meetings = await repository.list_meetings(
        session, [rep.key for rep in settings.reps], include_cancelled=include_cancelled
    )
    return [MeetingRead.from_meeting(meeting, settings) for meeting in meetings]


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
    sessions: DbSessions,
    settings: AppSettings,
    scheduler: AppScheduler,
    events: Events,
) -> MeetingRead:
    """Books a slot for a lead with a free rep; the invitation and calendar event follow."""

    async def announce(session: AsyncSession, meeting: Meeting) -> None:
        await _announce(events, session, "meeting.booked", meeting, settings)

    meeting = await scheduler.book(
        sessions, body.lead_id, body.start, call_id=body.call_id, on_booked=announce
    )
    return MeetingRead.from_meeting(meeting, settings)


# Registered before /{meeting_id} so "7.ics" is never read as a meeting id.
@router.get(
    "/{meeting_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **NOT_FOUND},
)
async def invitation(meeting_id: Id, session: DbSession, settings: AppSettings) -> Response:
    """The meeting as an iCalendar invitation."""
    return await invitation_download(session, meeting_id, settings)


async def invitation_download(
    session: AsyncSession, meeting_id: int, settings: Settings
) -> Response:
    """The .ics file of a meeting, as the API and the console both serve it."""
    meeting = await service.get_meeting(session, meeting_id)
    lead = await leads_repo.get(session, meeting.lead_id) if meeting.lead_id else None
    return Response(
        content=ics.meeting_to_ics(meeting, lead, settings),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


@router.get("/{meeting_id}", response_model=MeetingDetail, responses=NOT_FOUND)
async def get_meeting(meeting_id: Id, session: DbSession, settings: AppSettings) -> MeetingDetail:
    """One meeting: its rep, its event in the rep's calendar, and how its invitations went."""
    meeting = await service.get_meeting(session, meeting_id)
    jobs = await outbox.jobs_for(session, subject_of(meeting.id))
    return MeetingDetail(
        **MeetingRead.from_meeting(meeting, settings).model_dump(),
        deliveries=[DeliveryRead.from_job(job) for job in jobs],
    )


@router.delete("/{meeting_id}", response_model=MeetingRead, responses=NOT_FOUND)
async def cancel(
    meeting_id: Id,
    sessions: DbSessions,
    settings: AppSettings,
    scheduler: AppScheduler,
    events: Events,
) -> MeetingRead:
    """Cancels a meeting, which frees its slot; the rep's event goes, the lead is told."""
    meeting = await scheduler.cancel(
        sessions, meeting_id, on_cancelled=canceled_by(events, settings)
    )
    return MeetingRead.from_meeting(meeting, settings)


def canceled_by(events: EventSink, settings: Settings) -> OnBooked:
    """Announces a cancellation (once: a meeting cancelled already is not cancelled again)."""

    async def announce(session: AsyncSession, meeting: Meeting) -> None:
        await _announce(events, session, "meeting.canceled", meeting, settings)

    return announce


async def _announce(
    events: EventSink, session: AsyncSession, event: str, meeting: Meeting, settings: Settings
) -> None:
    """The webhook event, in the transaction that books or cancels."""
    await events.emit(session, event, {"meeting": payloads.meeting(meeting, settings)})
