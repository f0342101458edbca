"""One Hebrew call turn by turn through the online pipeline: HE -> EN -> agent -> EN -> HE.

The fake OpenAI server plays three roles, told apart by the system prompt of each request: the
Hebrew -> English translator, the English agent (with tools) and the English -> Hebrew translator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from app.clock import FrozenClock
from app.config import Settings
from app.conversation.pipeline import Pipeline, TurnResult
from app.conversation.providers.openai import english_system_prompt, hebrew_system_prompt
from app.conversation.state import Action, Conversation, LeadProfile
from app.language.he import HebrewCatalog
from app.leads.models import Lead
from app.meetings.models import Meeting
from tests.fakes.openai_server import CallTool, Delay, FakeOpenAI, HttpError, Reply

PROVIDER_TIMEOUT_S = 0.5
TURN_DEADLINE_S = 0.8
LEAD_GENDER = "female"

AgentScript = Callable[[dict[str, Any]], Reply]


@pytest.fixture
def settings_overrides(openai_fake: FakeOpenAI) -> dict[str, object]:
    return {
        **openai_fake.settings_overrides(),
        "openai_timeout_seconds": PROVIDER_TIMEOUT_S,
        "turn_deadline_seconds": TURN_DEADLINE_S,
    }


def role(body: dict[str, Any], settings: Settings) -> str:
    """Which of the three roles a chat request is for."""
    system = body["messages"][0]["content"]
    if system == english_system_prompt():
        assert "tools" not in body
        return "to_english"
    if system == hebrew_system_prompt(lead_gender=LEAD_GENDER, agent_gender=settings.agent_gender):
        assert "tools" not in body
        return "to_hebrew"
    assert "AI sales assistant calling on behalf of Alta" in system, system[:80]
    return "agent"


@dataclass
class FakeCall:
    """Scripts the model's side of a call, one turn at a time.

    `he_to_en` / `en_to_he` translate (a missing entry fails the test); `agent` answers the agent's
    requests in order. An entry may be a `Reply` such as HttpError or Delay to make a step fail.
    """

    settings: Settings
    he_to_en: dict[str, Reply] = field(default_factory=dict)
    en_to_he: dict[str, Reply] = field(default_factory=dict)
    agent: list[Reply | AgentScript] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    def __call__(self, body: dict[str, Any]) -> Reply:
        kind = role(body, self.settings)
        self.roles.append(kind)
        text = body["messages"][-1]["content"]
        if kind == "to_english":
            return self.he_to_en[text]
        if kind == "to_hebrew":
            return self.en_to_he[text]
        step = self.agent.pop(0)
        return step(body) if callable(step) else step

    def take_roles(self) -> list[str]:
        taken, self.roles = self.roles, []
        return taken


@pytest.fixture
def fake(openai_fake: FakeOpenAI, settings: Settings) -> FakeCall:
    call = FakeCall(settings)
    openai_fake.script_chat(call)
    return call


@pytest.fixture
def pipeline(app: FastAPI) -> Pipeline:
    assert app.state.conversation.mode == "openai"
    pipeline: Pipeline = app.state.conversation.pipeline
    return pipeline


@pytest.fixture
def he(settings: Settings) -> HebrewCatalog:
    return HebrewCatalog(agent_gender=settings.agent_gender, lead_gender=LEAD_GENDER)


@pytest.fixture
async def conversation(app: FastAPI, pipeline: Pipeline) -> Conversation:
    async with app.state.sessionmaker.begin() as session:
        lead = Lead(name="דנה כהן", phone="+972507654321", company="כהן בע״מ", gender=LEAD_GENDER)
        session.add(lead)
        await session.flush()
        conversation = Conversation(lead=LeadProfile.from_lead(lead))
    pipeline.greeting(conversation)
    return conversation


async def say(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, caller_he: str
) -> TurnResult:
    """One turn as telephony runs it: no session held, tools open their own."""
    return await pipeline.run_turn(app.state.sessionmaker, conversation, caller_he)


def offered_starts(agent_body: dict[str, Any]) -> list[str]:
    """The slot starts the app listed in the agent's system prompt, as the model reads them."""
    system = agent_body["messages"][0]["content"]
    return [line.split("slot_start=")[1] for line in system.splitlines() if "slot_start=" in line]


# --- a whole call ---------------------------------------------------------------------------------


async def test_a_hebrew_call_from_hello_to_booking(
    app: FastAPI,
    pipeline: Pipeline,
    conversation: Conversation,
    fake: FakeCall,
    openai_fake: FakeOpenAI,
    he: HebrewCatalog,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    chosen: list[str] = []

    def pick_the_second(body: dict[str, Any]) -> Reply:
        starts = offered_starts(body)
        assert len(starts) == 2
        chosen.append(starts[1])
        return CallTool("book_meeting", {"slot_start": starts[1]})

    fake.he_to_en.update(
        {
            "כן, יש לי דקה": "Yes, I have a minute",
            "כן, זה נשמע מעניין": "Yes, that sounds interesting",
            "השני מתאים לי": "The second one works for me",
            "דני שטרודל ג'ימייל נקודה קום": "Danny at gmail dot com",
            "כן, נכון": "Yes, right",
        }
    )
    fake.en_to_he["Great. Do you have a sales team that calls leads?"] = (
        "מעולה. יש לכם צוות מכירות שמתקשר ללידים?"
    )
    fake.agent += [
        "Great. Do you have a sales team that calls leads?",
        CallTool("offer_slots"),  # the catalog's offer is spoken: no second round
        pick_the_second,  # likewise the catalog's confirmation
    ]

    # Turn 1: a free-form reply, translated to Hebrew.
    first = await say(app, pipeline, conversation, "כן, יש לי דקה")
    assert fake.take_roles() == ["to_english", "agent", "to_hebrew"]
    assert first.caller_en == "Yes, I have a minute"
    assert first.agent_en == "Great. Do you have a sales team that calls leads?"
    assert first.agent_he == "מעולה. יש לכם צוות מכירות שמתקשר ללידים?"
    assert (first.action, first.ended, first.error) == (None, False, None)
    assert {"translate_in", "llm", "translate_out", "total"} <= first.ms.keys()
    agent_request = openai_fake.chat_requests[1]
    assert agent_request["messages"][-1] == {"role": "user", "content": "Yes, I have a minute"}
    assert "דנה כהן from כהן בע״מ" in agent_request["messages"][0]["content"]

    # Turn 2: the agent offers slots; the caller hears the catalog's Hebrew, never a translation.
    second = await say(app, pipeline, conversation, "כן, זה נשמע מעניין")
    assert fake.take_roles() == ["to_english", "agent"]
    assert second.action == Action.offer_slots
    assert second.payload is not None
    slots = [datetime.fromisoformat(s["start"]) for s in second.payload["slots"]]
    assert second.agent_he == he.slot_offer(*slots, settings.tz, clock.now())
    assert "translate_out" not in second.ms
    assert {"translate_in", "llm", "total"} <= second.ms.keys()
    assert not second.ended
    # The history the agent sees is English only.
    history = openai_fake.chat_requests[4]["messages"][1:4]  # turn 2's agent request
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "Yes, I have a minute"),
        ("assistant", "Great. Do you have a sales team that calls leads?"),
        ("user", "Yes, that sounds interesting"),
    ]

    # Turn 3: the caller picks the second time; the model books it; the catalog confirms.
    third = await say(app, pipeline, conversation, "השני מתאים לי")
    assert fake.take_roles() == ["to_english", "agent"]
    assert chosen == [second.payload["slots"][1]["start"]]
    assert third.action == Action.book_meeting
    # No email on file: the call goes on with the question for it, a catalog line.
    assert not third.ended and not conversation.ended
    assert third.agent_he == he.booked_ask_email(slots[1], settings.tz, clock.now())
    assert "translate_out" not in third.ms

    # Turns 4-5: the policy reads the address back and stores it; the model is not asked.
    fourth = await say(app, pipeline, conversation, "דני שטרודל ג'ימייל נקודה קום")
    assert fake.take_roles() == ["to_english"]
    assert fourth.agent_he == he.confirm_email("dani@gmail.com") and not fourth.ended
    fifth = await say(app, pipeline, conversation, "כן, נכון")
    assert fake.take_roles() == ["to_english"]
    assert fifth.ended and conversation.ended and fifth.action == Action.end_call
    assert fifth.agent_he == he.email_saved() + " " + he.goodbye_after_booking()
    assert all(r.error is None for r in (first, second, third, fourth, fifth))

    # Every caller line was translated exactly once, as said.
    to_english = [r for r in openai_fake.chat_requests if role(r, settings) == "to_english"]
    assert [r["messages"][-1]["content"] for r in to_english] == [
        "כן, יש לי דקה",
        "כן, זה נשמע מעניין",
        "השני מתאים לי",
        "דני שטרודל ג'ימייל נקודה קום",
        "כן, נכון",
    ]
    async with app.state.sessionmaker() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
        lead = await session.get(Lead, conversation.lead.id)
    assert meeting.start == slots[1]
    assert meeting.lead_id == conversation.lead.id
    assert third.payload == {"meeting_id": meeting.id, **second.payload["slots"][1]}
    assert lead is not None and lead.status == "booked" and lead.email == "dani@gmail.com"


# --- failures -------------------------------------------------------------------------------------

FAILING_STAGES = ["to_english", "agent", "to_hebrew"]
# A to_english failure must not leave the slot prefetch running on the turn's session.


def script_turn(
    fake: FakeCall, n: int, *, fail: str | None = None, error: Reply | None = None
) -> str:
    """Scripts the n-th free-form turn (optionally with one failing stage); returns its Hebrew."""
    caller_he, caller_en = f"משפט מספר {n}", f"Sentence number {n}"
    agent_en, agent_he = f"Reply number {n}.", f"תשובה מספר {n}."
    steps: dict[str, Reply] = {"to_english": caller_en, "agent": agent_en, "to_hebrew": agent_he}
    if fail is not None:
        assert error is not None
        steps[fail] = error
    fake.he_to_en[caller_he] = steps["to_english"]
    if fail != "to_english":  # a failed translation never reaches the agent
        fake.agent.append(steps["agent"])
    fake.en_to_he[agent_en] = steps["to_hebrew"]
    return caller_he


async def warm_up(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall
) -> None:
    """A first, normal turn: the SDK's and the database's first use cost ~0.1 s, which would
    otherwise eat into the tight timeouts of the timing tests."""
    assert_normal(await say(app, pipeline, conversation, script_turn(fake, 0)), 0)
    fake.take_roles()


def assert_normal(result: TurnResult, n: int) -> None:
    assert (result.caller_en, result.agent_en) == (f"Sentence number {n}", f"Reply number {n}.")
    assert result.agent_he == f"תשובה מספר {n}."
    assert (result.action, result.ended, result.error) == (None, False, None)


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("stage", FAILING_STAGES)
async def test_a_failing_request_gives_the_fallback_and_the_call_goes_on(
    app: FastAPI,
    pipeline: Pipeline,
    conversation: Conversation,
    fake: FakeCall,
    he: HebrewCatalog,
    stage: str,
    status: int,
) -> None:
    failing = script_turn(fake, 1, fail=stage, error=HttpError(status))
    result = await say(app, pipeline, conversation, failing)

    assert result.agent_he == he.fallback()
    assert result.error is not None
    assert result.error.startswith("ProviderUnavailable:")
    assert f"HTTP {status}" in result.error
    assert (result.action, result.ended, conversation.ended) == (None, False, False)
    assert conversation.errors == 1
    # What was understood before the failure is kept for the transcript.
    assert result.caller_en == ("" if stage == "to_english" else "Sentence number 1")
    assert fake.take_roles() == FAILING_STAGES[: FAILING_STAGES.index(stage) + 1]

    after = await say(app, pipeline, conversation, script_turn(fake, 2))
    assert_normal(after, 2)
    assert fake.take_roles() == FAILING_STAGES


async def test_a_failed_translation_leaves_no_database_work_behind(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall
) -> None:
    """Deterministic: another transaction holds SQLite's write lock, so the prefetch (which
    begins IMMEDIATE) is still waiting when the translation fails; the turn must wait for it."""
    fake.he_to_en["שלום"] = HttpError(500)
    maker = app.state.sessionmaker
    async with maker() as blocker:
        await blocker.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: takes the write lock

        async def release() -> None:
            await asyncio.sleep(0.2)
            await blocker.rollback()

        releasing = asyncio.create_task(release())
        try:
            result = await pipeline.run_turn(maker, conversation, "שלום")
            assert "prefetch" in result.ms  # the prefetch ended before the turn did
        finally:
            await releasing
    assert result.error is not None and "HTTP 500" in result.error


async def test_a_slow_request_times_out_into_the_fallback(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall, he: HebrewCatalog
) -> None:
    await warm_up(app, pipeline, conversation, fake)
    slow = script_turn(fake, 1, fail="agent", error=Delay(PROVIDER_TIMEOUT_S + 0.2, "Too late."))
    result = await say(app, pipeline, conversation, slow)

    assert result.agent_he == he.fallback()
    assert result.error == f"ProviderTimeout: OpenAI chat: no answer within {PROVIDER_TIMEOUT_S:g}s"
    assert not result.ended
    # Cut at the provider timeout, well before the turn deadline.
    assert result.ms["total"] < TURN_DEADLINE_S * 1000

    assert_normal(await say(app, pipeline, conversation, script_turn(fake, 2)), 2)


async def test_slow_steps_that_add_up_past_the_turn_deadline_give_the_fallback(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall, he: HebrewCatalog
) -> None:
    step = 0.3  # each under the provider timeout; four of them are well over the turn deadline
    assert step < PROVIDER_TIMEOUT_S and 4 * step > TURN_DEADLINE_S + 0.3
    await warm_up(app, pipeline, conversation, fake)
    fake.he_to_en["תתקשרי מחר"] = Delay(step, "Call me tomorrow")
    fake.agent += [
        Delay(step, CallTool("schedule_callback", {"when": "tomorrow"})),
        Delay(step, "Sure, talk tomorrow."),
    ]
    fake.en_to_he["Sure, talk tomorrow."] = Delay(step, "בטח, נדבר מחר.")

    result = await say(app, pipeline, conversation, "תתקשרי מחר")

    assert result.agent_he == he.fallback()
    assert result.error == "TimeoutError"
    assert (result.action, result.ended) == (None, False)
    assert TURN_DEADLINE_S * 1000 <= result.ms["total"] < 4 * step * 1000
    fake.agent.clear()  # the script the deadline cut short

    assert_normal(await say(app, pipeline, conversation, script_turn(fake, 2)), 2)


async def test_the_third_failure_ends_the_call_politely(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall, he: HebrewCatalog
) -> None:
    first = await say(
        app, pipeline, conversation, script_turn(fake, 1, fail="agent", error=HttpError(500))
    )
    good = await say(app, pipeline, conversation, script_turn(fake, 2))
    second = await say(
        app, pipeline, conversation, script_turn(fake, 3, fail="agent", error=HttpError(429))
    )
    third = await say(
        app, pipeline, conversation, script_turn(fake, 4, fail="to_hebrew", error=HttpError(503))
    )

    assert first.agent_he == second.agent_he == he.fallback()
    assert not first.ended and not second.ended
    assert_normal(good, 2)
    assert third.agent_he == he.technical_goodbye()
    assert (third.action, third.payload, third.ended) == (
        Action.end_call,
        {"reason": "error"},
        True,
    )
    assert third.error is not None and "HTTP 503" in third.error
    assert conversation.ended and conversation.errors == 3


async def test_an_empty_model_reply_is_not_spoken_as_silence(
    app: FastAPI, pipeline: Pipeline, conversation: Conversation, fake: FakeCall, he: HebrewCatalog
) -> None:
    fake.he_to_en["מה?"] = "What?"
    fake.agent.append("")

    result = await say(app, pipeline, conversation, "מה?")

    assert fake.take_roles() == ["to_english", "agent"]
    assert result.agent_he == he.fallback()
    assert result.error is not None


# --- silence --------------------------------------------------------------------------------------


async def test_silence_is_reprompted_without_openai_and_ends_on_the_third(
    app: FastAPI,
    pipeline: Pipeline,
    conversation: Conversation,
    openai_fake: FakeOpenAI,
    he: HebrewCatalog,
) -> None:
    openai_fake.script_chat(lambda body: None)  # any request at all fails the test

    # The pipeline counts the silences in a row on the conversation itself.
    first = await say(app, pipeline, conversation, "")
    second = await say(app, pipeline, conversation, "   ")
    assert conversation.silences == 2
    third = await say(app, pipeline, conversation, "")

    assert openai_fake.chat_requests == []
    assert (first.agent_he, first.ended, first.action) == (he.reprompt(1), False, None)
    assert (second.agent_he, second.ended, second.action) == (he.reprompt(2), False, None)
    assert third.agent_he == he.goodbye()
    assert (third.action, third.payload, third.ended) == (
        Action.end_call,
        {"reason": "no_response"},
        True,
    )
    assert conversation.ended
    assert all(r.caller_en == "(silence)" and r.error is None for r in (first, second, third))
