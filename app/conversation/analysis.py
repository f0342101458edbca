"""The post-call analysis offline: a deterministic extractor over the English transcript.

It reads what the caller said (the English side of each turn) and what the call did (its
outcome, the tools it called), and fills the same fields the model fills online. The JSON schema
here is the analysis's shape for a model (strict: every property required, nothing extra).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.calls.analysis import CallAnalysis, Qualification, Score
from app.language import en, he

# Answered calls that never got going; unanswered ones are cold with this reason.
UNREACHED = {"voicemail", "no_answer", "busy", "failed", "error"}


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    caller_en: str | None
    agent_en: str
    action: str | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class CallTranscript:
    """An ended call as the analysis reads it: outcome and the English side of every turn."""

    call_id: int
    outcome: str  # the call's outcome, or its final status when it has none ("completed")
    lines: tuple[TranscriptLine, ...]

    @property
    def caller_lines(self) -> list[str]:
        return [line.caller_en for line in self.lines if line.caller_en]

    def text(self) -> str:
        """The transcript for a model: one "Agent:" / "Lead:" line per utterance."""
        out: list[str] = [f"Call outcome: {self.outcome}"]
        for line in self.lines:
            if line.caller_en:
                out.append(f"Lead: {line.caller_en}")
            if line.agent_en:
                out.append(f"Agent: {line.agent_en}")
            if line.action:
                out.append(f"[tool {line.action} {line.payload or {}}]")
        return "\n".join(out)


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


# The analysis as a model returns it (strict structured outputs); Hebrew is added after.
ANALYSIS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["summary", "score", "score_reasons", "next_step", "qualification"],
    "properties": {
        "summary": {"type": "string", "description": "Two or three English sentences."},
        "score": {"type": "string", "enum": [s.value for s in Score]},
        "score_reasons": {"type": "array", "items": {"type": "string"}},
        "next_step": {"type": "string"},
        "qualification": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "has_sdr_team",
                "sdr_team_size",
                "lead_handling",
                "current_tools",
                "objections",
                "requested_follow_up",
            ],
            "properties": {
                "has_sdr_team": _nullable("boolean"),
                "sdr_team_size": _nullable("integer"),
                "lead_handling": _nullable("string"),
                "current_tools": {"type": "array", "items": {"type": "string"}},
                "objections": {"type": "array", "items": {"type": "string"}},
                "requested_follow_up": _nullable("string"),
            },
        },
    },
}

ANALYST_PROMPT = """\
You analyse an outbound sales call made by an AI agent for Alta, which answers and qualifies \
inbound leads for sales teams. The transcript is in English (translated from Hebrew). Fill every \
field from what was actually said; use null or an empty list for anything never said. \
Score: hot = booked a meeting, asked for a person, or clearly qualified and asking to follow up; \
warm = engaged (questions, a callback, details by email); cold = refused, opted out or never \
reached. Give the reasons for the score and one concrete next step for the sales rep."""

_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
_COUNT = r"(\d{1,5}|" + "|".join(_NUMBERS) + r")"
_PEOPLE = (
    r"(?:sdrs?|salespeople|sales ?people|sales reps?|reps|representatives|agents|people|employees)"
)
_TEAM_SIZE = (
    re.compile(rf"\b{_COUNT}\s+(?:\w+\s+){{0,2}}?{_PEOPLE}\b"),
    re.compile(rf"\bteam of\s+{_COUNT}\b"),
)
_HAS_TEAM = re.compile(r"\b(?:we have|there is|there's) an? (?:sales|sdr|inside sales) team\b")
_NO_TEAM = re.compile(
    r"\b(?:no (?:sales|sdr) team|don't have an? (?:sales|sdr) team|just me|i do it myself|"
    r"only me)\b"
)
HANDLING = {
    "spreadsheet": ("excel", "spreadsheet", "google sheets", "a sheet"),
    "manual": ("manually", "by hand", "ourselves", "myself"),
    "crm": ("crm", "salesforce", "hubspot", "pipedrive", "monday", "zoho"),
    "call_center": ("call center", "call centre", "outsourc"),
    "slow": ("don't get back", "nobody calls", "no one calls", "too slow", "takes days"),
}
# Tool names as callers say them, in English or left in Hebrew letters by the gloss.
TOOLS = {
    "Salesforce": ("salesforce", "סיילספורס"),
    "HubSpot": ("hubspot", "האבספוט", "הבספוט"),
    "monday.com": ("monday.com", "monday crm", "מאנדיי", "מנדיי"),
    "Pipedrive": ("pipedrive", "פייפדרייב"),
    "Zoho": ("zoho", "זוהו"),
    "Priority": ("priority erp", "פריוריטי", "פרייוריטי"),
    "Excel": ("excel", "אקסל"),
    "Google Sheets": ("google sheets",),
    "WhatsApp": ("whatsapp", "וואטסאפ", "ווטסאפ"),
}
OBJECTIONS = {
    "price": ("cost", "expensive", "price", "budget"),
    "timing": ("not a good time", "busy", "call me back", "later"),
    "has_solution": ("already have", "already use", "happy with"),
    "not_interested": ("not interested", "no thanks", "no thank you"),
    "trust": ("a bot", "robot", "a real person", "are you human"),
    "privacy": ("my number", "where did you get"),
    "decision_maker": ("not my decision", "not the decision", "my manager", "my boss"),
}
_PERSON = ("a person", "a human", "a rep", "real person", "someone real", "representative")


def _found(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    return [key for key, words in table.items() if any(word in text for word in words)]


def _team(text: str) -> tuple[bool | None, int | None]:
    for pattern in _TEAM_SIZE:
        match = pattern.search(text)
        if match:
            raw = match.group(1)
            size = int(raw) if raw.isdigit() else _NUMBERS[raw]
            return True, size
    if _NO_TEAM.search(text):
        return False, None
    if _HAS_TEAM.search(text):
        return True, None
    return None, None


def _follow_up(transcript: CallTranscript, caller: str) -> tuple[str | None, str | None]:
    """The follow-up asked for: (its FOLLOW_UP_HE key, the English words)."""
    for line in reversed(transcript.lines):
        payload = line.payload or {}
        if line.action == "book_meeting" and payload.get("start"):
            return "meeting", f"the meeting booked for {payload['start']}"
        if line.action == "schedule_callback":
            when = payload.get("when")
            return "callback", f"call back {when}" if when else "call back"
        if line.action == "transfer_to_human":
            return "person", "talk to a sales rep"
    if transcript.outcome == "booked":
        return "meeting", "the meeting booked on this call"
    if "email" in caller or "e-mail" in caller:
        return "email", "send the details by email"
    if any(word in caller for word in _PERSON):
        return "person", "talk to a sales rep"
    if transcript.outcome == "callback":
        return "callback", "call back"
    return None, None


_FOLLOW_REASONS = {
    "email": "asked for the details by email",
    "callback": "asked for a callback",
    "meeting": "booked a meeting",
}


def _score(
    outcome: str,
    caller_turns: int,
    team_size: int | None,
    follow: str | None,
    objections: list[str],
) -> tuple[Score, list[str]]:
    """Hot, warm or cold with the reasons; `follow` is the follow-up's FOLLOW_UP_HE key."""
    if outcome == "booked":
        return Score.hot, ["booked a meeting"]
    if outcome == "transferred" or follow == "person":
        return Score.hot, ["asked to talk to a person"]
    if outcome == "opted_out":
        return Score.cold, ["asked not to be called again"]
    if outcome in UNREACHED or caller_turns == 0:
        return Score.cold, [f"not reached ({outcome})"]
    reasons: list[str] = []
    if team_size is not None and team_size >= 3 and follow is not None:
        return Score.hot, [f"a team of {team_size}", _FOLLOW_REASONS.get(follow, follow)]
    if outcome == "not_interested" or "not_interested" in objections:
        return Score.cold, ["not interested"]
    if follow is not None:
        reasons.append(_FOLLOW_REASONS.get(follow, follow))
    if "price" in objections:
        reasons.append("asked about the price")
    if team_size is not None:
        reasons.append(f"a team of {team_size}")
    if reasons:
        return Score.warm, reasons
    if caller_turns >= 3:
        return Score.warm, [f"stayed on the line for {caller_turns} turns"]
    return Score.cold, ["hung up early without interest"]


NEXT_STEPS = {
    "booked": "Prepare for the booked meeting: review how they handle leads today.",
    "transferred": "The rep follows up on the transferred call.",
    "callback": "Call back at the time the lead asked for.",
    "opted_out": "Do not contact: the lead opted out.",
    "not_interested": "No follow-up now; try again next quarter.",
}


def _next_step(outcome: str, follow: str | None, score: Score) -> str:
    if outcome in NEXT_STEPS:
        return NEXT_STEPS[outcome]
    if outcome in UNREACHED or (outcome == "completed" and score is Score.cold):
        return "Retry the call in the next calling window."
    if follow == "email":
        return "Email the pitch summary, then call back in two days."
    if follow == "person":
        return "A sales rep calls the lead back today."
    return "Call back in a week."


class OfflineCallAnalyst:
    """`CallAnalyst` without a network: keyword and pattern rules over the English transcript."""

    async def analyze(self, transcript: CallTranscript) -> CallAnalysis:
        return analyze_offline(transcript)


def analyze_offline(transcript: CallTranscript) -> CallAnalysis:
    """The deterministic analysis: the same transcript always gives the same result."""
    caller = " ".join(transcript.caller_lines).lower()
    has_team, team_size = _team(caller)
    handling = _found(caller, HANDLING)
    tools = _found(caller, TOOLS)
    objections = _found(caller, OBJECTIONS)
    follow_key, follow_en = _follow_up(transcript, caller)
    outcome = transcript.outcome
    score, reasons = _score(
        outcome, len(transcript.caller_lines), team_size, follow_key, objections
    )
    facts: dict[str, Any] = {
        "team_size": team_size,
        "has_team": has_team,
        "handling": handling,
        "tools": tools,
        "objections": [o for o in objections if o != outcome],  # the outcome says it already
    }
    return CallAnalysis(
        summary=en.call_summary(outcome, follow_up=follow_en, **facts),
        summary_he=he.call_summary_he(outcome, follow_up=follow_key, **facts),
        score=score,
        score_reasons=reasons,
        next_step=_next_step(outcome, follow_key, score),
        qualification=Qualification(
            has_sdr_team=has_team,
            sdr_team_size=team_size,
            lead_handling=", ".join(en.LEAD_HANDLING[h] for h in handling) or None,
            current_tools=tools,
            objections=[en.OBJECTIONS[o] for o in objections],
            requested_follow_up=follow_en,
        ),
        source="offline",
    )
