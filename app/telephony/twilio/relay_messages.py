"""ConversationRelay's WebSocket messages, as Twilio documents them; the only place they are read
or written. Inbound JSON becomes typed events; anything malformed is `Unreadable`, never raised.

In:  setup {sessionId, callSid, customParameters}, prompt {voicePrompt, lang, last},
     interrupt {utteranceUntilInterrupt, durationUntilInterruptMs}, dtmf {digit},
     error {description}
Out: text {token, last}, end {handoffData: a JSON string}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_CHARS = 64 * 1024  # a prompt is a sentence or two; a larger frame is not Twilio's
MAX_FIELD_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Setup:
    session_id: str
    call_sid: str
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str
    last: bool


@dataclass(frozen=True, slots=True)
class Interrupt:
    heard: str  # what the caller heard of the agent's speech before cutting in
    ms: int | None


@dataclass(frozen=True, slots=True)
class Dtmf:
    digit: str


@dataclass(frozen=True, slots=True)
class RelayError:
    description: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    reason: str


Event = Setup | Prompt | Interrupt | Dtmf | RelayError | Unreadable


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value[:MAX_FIELD_CHARS] if isinstance(value, str) else ""


def _count(value: object) -> int | None:
    """durationUntilInterruptMs arrives as a number or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**9 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def parse(raw: str) -> Event:
    """One message from Twilio as a typed event."""
    if len(raw) > MAX_MESSAGE_CHARS:
        return Unreadable(f"message of {len(raw)} characters")
    try:
        data = json.loads(raw)
    except ValueError:
        return Unreadable("not JSON")
    if not isinstance(data, dict):
        return Unreadable("not a JSON object")
    match data.get("type"):
        case "setup":
            params = data.get("customParameters")
            custom = {
                str(k)[:100]: v[:MAX_FIELD_CHARS]
                for k, v in (params.items() if isinstance(params, dict) else ())
                if isinstance(v, str)
            }
            return Setup(_text(data, "sessionId"), _text(data, "callSid"), custom)
        case "prompt":
            return Prompt(_text(data, "voicePrompt"), data.get("last") is not False)
        case "interrupt":
            return Interrupt(
                _text(data, "utteranceUntilInterrupt"), _count(data.get("durationUntilInterruptMs"))
            )
        case "dtmf":
            return Dtmf(_text(data, "digit")[:1])
        case "error":
            return RelayError(_text(data, "description"))
        case other:
            return Unreadable(f"unknown type {str(other)[:40]!r}")


def text_token(token: str, *, last: bool) -> str:
    """A piece of the agent's reply for Twilio to speak; `last` closes the reply."""
    return json.dumps({"type": "text", "token": token, "last": last}, ensure_ascii=False)


def end_session(handoff: dict[str, Any]) -> str:
    """Ends the ConversationRelay session; Twilio hands `handoff` to the <Connect> action."""
    return json.dumps(
        {"type": "end", "handoffData": json.dumps(handoff, ensure_ascii=False)},
        ensure_ascii=False,
    )
