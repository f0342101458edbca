"""Recent webhook events per CallSid, in memory, for GET /twilio/debug (DEBUG_CALL_EVENTS)."""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime
from typing import Any

from app.logging_config import mask_phone_numbers

EVENTS_PER_CALL = 50
CALLS_KEPT = 200
VALUE_CHARS_KEPT = 2000  # a huge form field must not make the buffer huge


class CallEvents:
    """A small ring buffer per call; the oldest calls are forgotten first. Phones are masked."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._calls: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()

    def add(self, call_sid: str, at: datetime, kind: str, **detail: object) -> None:
        if not self.enabled or not call_sid:
            return
        events = self._calls.pop(call_sid, None) or deque(maxlen=EVENTS_PER_CALL)
        events.append(
            {
                "at": at.isoformat(),
                "kind": kind,
                **{k: _masked(v) for k, v in detail.items() if v not in (None, "")},
            }
        )
        self._calls[call_sid] = events
        while len(self._calls) > CALLS_KEPT:
            self._calls.popitem(last=False)

    def get(self, call_sid: str) -> list[dict[str, Any]] | None:
        events = self._calls.get(call_sid)
        return list(events) if events is not None else None


def _masked(value: object) -> object:
    if isinstance(value, str):
        return mask_phone_numbers(value[:VALUE_CHARS_KEPT])
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value
