"""/agent/turn shapes: English in, English out (the seed's contract)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from app.contract import Id
from app.conversation.state import Action

Utterance = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
PastLine = Annotated[str, StringConstraints(max_length=2000)]


class HistoryItem(BaseModel):
    """A past exchange; echoing back the action and payload received keeps offered slots exact."""

    model_config = ConfigDict(extra="forbid")

    user: PastLine
    agent: PastLine
    action: Action | None = None
    action_payload: dict[str, Any] | None = None


class EchoedSlot(BaseModel):
    start: AwareDatetime


class EchoedOffer(BaseModel):
    """An offer_slots payload sent back in history: starts must carry their UTC offset."""

    slots: list[EchoedSlot] = Field(min_length=1, max_length=10)


class AgentTurnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_id: Id
    user_utterance: Utterance
    history: list[HistoryItem] = Field(default_factory=list, max_length=50)


class AgentTurnResponse(BaseModel):
    agent_reply: str
    action: Action | None
    action_payload: dict[str, Any] | None
