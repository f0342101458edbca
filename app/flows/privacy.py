"""Right to deletion: erases a lead's personal data across domains, keeping anonymous statistics."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendars.sync import CALENDAR_DELETE
from app.calls import repository as calls_repo
from app.clock import Clock
from app.integrations import outbox
from app.integrations.invitations import subject_of
from app.leads import repository as leads_repo
from app.meetings import repository as meetings_repo


async def erase_lead(session: AsyncSession, lead_id: int, clock: Clock) -> None:
    """Cancels the lead's upcoming meetings (freeing the slots, and deleting their events, which
    name the lead, from the reps' calendars through the outbox), then deletes the lead itself.

    Call transcripts are blanked. Past meetings and calls stay as anonymous records (outcomes,
    timings): their lead_id becomes NULL.
    """
    now = clock.now()
    for meeting_id in await meetings_repo.upcoming_in_calendars(session, lead_id, now):
        payload = {"meeting_id": meeting_id}
        await outbox.enqueue(session, CALENDAR_DELETE, subject_of(meeting_id), payload, now)
    await meetings_repo.cancel_upcoming_for_lead(session, lead_id, now)
    await calls_repo.erase_transcripts_for_lead(session, lead_id)
    await leads_repo.remove(session, lead_id)
