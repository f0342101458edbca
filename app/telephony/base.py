"""The phone network as one capability: place a call, end it, and hear back typed events.

`TwilioTelephony` (telephony/twilio) and `OfflineTelephony` (telephony/offline, the default when
Twilio is not configured) both implement `Telephony`; the rest of the service never asks which.
Events come back as the dataclasses below and become lifecycle moves in `apply_event`, so a
vendor's status words never travel further than its own package.

    TelephonyError   the network refused or failed (502; 429 / 20429 means slow down)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from app.calls import service as calls
from app.calls.models import Call, CallStatus, Channel, Outcome
from app.errors import BadGateway

RATE_LIMIT_CODE = 20429


class TelephonyError(BadGateway):
    """The network did not do what was asked; `code` is its own error code when it gave one."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code == RATE_LIMIT_CODE

    @property
    def detail(self) -> Any:
        # The documented 502 body (TwilioRefusal): its field names predate other networks.
        return {"message": self.message, "twilio_code": self.code, "twilio_status": self.status}


@dataclass(frozen=True, slots=True)
class PlacedCall:
    """The network took the call; `sid` is its id for it (Twilio's CallSid)."""

    sid: str


@dataclass(frozen=True, slots=True)
class Ringing:
    call_sid: str


@dataclass(frozen=True, slots=True)
class Answered:
    call_sid: str
    by: Literal["human", "machine"] = "human"


@dataclass(frozen=True, slots=True)
class Ended:
    call_sid: str
    status: CallStatus  # one of calls.FINAL_STATUSES
    duration_s: int | None = None


CallEvent = Ringing | Answered | Ended


class Telephony(Protocol):
    """Places outbound calls and ends live ones."""

    name: str  # what /ready and the logs call this network ("twilio", "offline")
    channel: Channel  # what a Call placed through it records

    async def place_call(self, call_id: int, to: str) -> PlacedCall:
        """Dials `to` (E.164) for the stored Call `call_id`; raises TelephonyError."""
        ...

    async def end_call(self, call_sid: str, last_words_he: str | None = None) -> None:
        """Hangs up a live call, after saying `last_words_he` when given; raises TelephonyError."""
        ...

    async def aclose(self) -> None: ...


def apply_event(call: Call, event: CallEvent, now: datetime) -> None:
    """One network event as a lifecycle move; raises calls.IllegalTransition when it is stale."""
    match event:
        case Ringing(call_sid=sid):
            calls.placed(call, sid)
        case Answered(by=by):
            calls.answered(call, now)
            if by == "machine":
                calls.concluded(call, Outcome.voicemail)
        case Ended(status=status, duration_s=duration):
            calls.finished(call, status, now, duration_s=duration)
