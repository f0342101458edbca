"""Plays a call through the call flow the webhooks use: open, greet, one transaction per turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from app.calls.models import Call, Channel, Turn
from app.flows import call as call_flow
from app.leads.models import Lead

# What a line becomes once the slots on offer are known (placeholders filled); as is by default.
Filler = Callable[[str, list[datetime]], str]


@dataclass
class Played:
    lead: Lead
    call: Call
    greeting: Turn
    turns: list[Turn] = field(default_factory=list)
    offered_before_last: list[datetime] = field(default_factory=list)
    offered_before_booking: list[datetime] = field(default_factory=list)
    ended_early: bool = False  # the call ended before every line was said

    @property
    def spoken(self) -> list[str]:
        return [self.greeting.agent_he, *(t.agent_he for t in self.turns)]

    @property
    def transcript(self) -> str:
        return "\n".join(
            f"> {t.caller_he or ''}\n< {t.agent_he}\n  ({t.agent_en}) [{t.action}]"
            for t in [self.greeting, *self.turns]
        )


async def play_call(
    app: FastAPI,
    lines: Sequence[str],
    *,
    lead: dict[str, Any] | None = None,
    fill: Filler | None = None,
) -> Played:
    """Says `lines` one by one until they run out or the call ends."""
    maker = app.state.sessionmaker
    engine = app.state.conversation
    async with maker.begin() as session:
        record = Lead(**{"name": "דנה כהן", "phone": "+972507654321", **(lead or {})})
        session.add(record)
        await session.flush()
        call = await call_flow.open_call(session, engine, record.id, channel=Channel.simulator)
        call_id, lead_id = call.id, record.id
    async with maker.begin() as session:
        greeting = await call_flow.greet(session, engine, call_id)
    turns: list[Turn] = []
    offered: list[datetime] = []
    ended_early = False
    before_booking: list[datetime] = []
    for raw in lines:
        async with maker() as session:
            stored = await session.get(Call, call_id)
            assert stored is not None
        if stored.outcome is not None:
            ended_early = True
            break
        offered = [datetime.fromisoformat(s) for s in stored.offered_slots]
        line = fill(raw, offered) if fill else raw
        turns.append(await call_flow.take_turn(maker, engine, call_id, line))
        if turns[-1].action == "book_meeting":
            before_booking = offered
    async with maker() as session:
        final_call = await session.get(Call, call_id)
        final_lead = await session.get(Lead, lead_id)
    assert final_call is not None and final_lead is not None
    return Played(final_lead, final_call, greeting, turns, offered, before_booking, ended_early)


def assert_no_line_three_times(played: Played) -> None:
    spoken = played.spoken
    for a, b, c in zip(spoken, spoken[1:], spoken[2:], strict=False):
        assert not (a == b == c), f"said three times in a row: {a}\n{played.transcript}"
