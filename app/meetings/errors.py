"""Why a meeting could not be booked or found; app.errors' handler shows them over HTTP, the agent
turns them into words.

MeetingError
├── LeadNotFound      the lead id does not exist (404)
├── MeetingNotFound   the meeting id does not exist (404)
├── SlotNotAllowed    not a bookable time: off the grid, outside hours, Friday/Saturday,
│                     a holiday or its eve, in the past, too soon, beyond the horizon (422)
└── SlotTaken         another booked meeting already holds that start (409)
"""

from __future__ import annotations

from datetime import datetime

from app.errors import AppError, Conflict, NotFound, Unprocessable


class MeetingError(AppError):
    """Base of every meetings-domain failure."""


class LeadNotFound(MeetingError, NotFound):
    """The meeting names a lead that does not exist."""

    def __init__(self, lead_id: int) -> None:
        super().__init__(f"Lead {lead_id} not found.")
        self.lead_id = lead_id


class MeetingNotFound(MeetingError, NotFound):
    """No meeting has this id."""

    def __init__(self, meeting_id: int) -> None:
        super().__init__(f"Meeting {meeting_id} not found.")
        self.meeting_id = meeting_id


class SlotNotAllowed(MeetingError, Unprocessable):
    """The requested start is not a bookable slot; `reason` says why, in English."""

    loc = ("body", "start")

    def __init__(self, reason: str) -> None:
        super().__init__(f"Not an allowed slot: {reason}")
        self.reason = reason


class SlotTaken(MeetingError, Conflict):
    """Another booked meeting already starts at this time on the same calendar."""

    def __init__(self, start: datetime, label: str | None = None) -> None:
        super().__init__(f"Slot taken: {label or start.isoformat()} is already booked.")
        self.start = start
