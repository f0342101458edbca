"""The dialogue policy holds around the model: a fake model that repeats itself, offers forever or
books a turned-down slot still gets a call that ends, varies and never books what was refused.

The real SDK talks to the fake OpenAI server, which plays the translators and the agent (told
apart by the system prompt); the call runs through the same call flow as the webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.calls.models import Call, Turn
from app.conversation.providers.openai import english_system_prompt
from app.meetings.models import Meeting
from tests.call_runner import assert_no_line_three_times, play_call
from tests.fakes.openai_server import CallTool, FakeOpenAI, Reply

Agent = Callable[[dict[str, Any]], Reply]


@pytest.fixture
def settings_overrides(openai_fake: FakeOpenAI) -> dict[str, object]:
    return {**openai_fake.settings_overrides(), "openai_timeout_seconds": 2.0}


def model(openai_fake: FakeOpenAI, agent: Agent, he_to_en: Callable[[str], str]) -> None:
    """Scripts the fake: translations by function, the agent by `agent`."""

    def handler(body: dict[str, Any]) -> Reply:
        system = body["messages"][0]["content"]
        text = body["messages"][-1]["content"]
        if system == english_system_prompt():
            return he_to_en(text)
        if "tools" not in body:
            return "תרגום: " + str(len(text))  # the English -> Hebrew translator
        return agent(body)

    openai_fake.script_chat(handler)


async def call_with(app: FastAPI, lines: list[str]) -> tuple[Call, list[Turn]]:
    assert app.state.conversation.mode == "openai"
    played = await play_call(app, lines, lead={"gender": "female"})
    assert_no_line_three_times(played)
    return played.call, played.turns


async def test_a_model_that_repeats_itself_is_varied_and_the_call_ends(
    app: FastAPI, openai_fake: FakeOpenAI
) -> None:
    same = "I understand. Could you tell me a bit more about how your team handles leads today?"
    model(openai_fake, lambda body: same, lambda text: "I don't know.")
    call, turns = await call_with(app, ["לא יודע"] * 30)
    assert call.outcome in ("callback", "not_interested")
    assert len(turns) <= app.state.settings.max_caller_turns + 1
    english = [t.agent_en for t in turns]
    assert english[0] == same
    assert english[1] != same and len(english[1]) < len(same)  # said again, shorter
    assert turns[-1].ended


async def test_a_model_that_offers_forever_is_stopped_by_the_offer_limit(
    app: FastAPI, openai_fake: FakeOpenAI
) -> None:
    state = {"n": 0}

    def agent(body: dict[str, Any]) -> Reply:
        # Call offer_slots every turn; answer with text once the tool result is back.
        if body["messages"][-1]["role"] == "tool":
            state["n"] += 1
            return f"How about these times? Option {state['n']}."
        return CallTool("offer_slots")

    model(openai_fake, agent, lambda text: "None of them works for me.")
    call, turns = await call_with(app, ["אף אחד לא מתאים"] * 20)
    limit = app.state.settings.max_offer_rounds
    offers = [t for t in turns if t.action == "offer_slots"]
    assert len(offers) == limit
    starts = [s["start"] for t in offers for s in (t.action_payload or {})["slots"]]
    assert len(starts) == len(set(starts)), "a re-offer repeated a slot"
    assert call.outcome in ("callback", "not_interested")
    assert turns[-1].ended


async def test_a_model_cannot_book_a_slot_the_caller_turned_down(
    app: FastAPI, openai_fake: FakeOpenAI
) -> None:
    offered: list[str] = []

    def agent(body: dict[str, Any]) -> Reply:
        system = body["messages"][0]["content"]
        offered[:] = [
            ln.split("slot_start=")[1] for ln in system.splitlines() if "slot_start=" in ln
        ]
        if not offered:
            return CallTool("offer_slots")
        return CallTool("book_meeting", {"slot_start": offered[0]})

    def translate(text: str) -> str:
        return "Yes." if text == "כן" else "The first one doesn't work for me."

    model(openai_fake, agent, translate)
    call, turns = await call_with(app, ["כן", "הראשון לא מתאים לי"])
    first = datetime.fromisoformat(offered[0])
    assert first.isoformat() in call.dialogue["rejected"]
    async with app.state.sessionmaker() as session:
        assert (await session.scalars(select(Meeting))).all() == []
    assert turns[-1].action != "book_meeting"
