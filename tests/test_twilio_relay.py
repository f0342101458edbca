"""Relay mode end to end: the app served for real, a fake ConversationRelay on its WebSocket.

The app runs in uvicorn on a loopback port (its own event loop and lifespan), the fake Twilio
answers the REST API, and the fake OpenAI streams the agent's chat completions as server-sent
events while it answers translations by table. The fake relay signs the socket's upgrade and
speaks ConversationRelay's documented messages; the database is read back on the test's own
connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import InvalidStatus

from app.calls import repository as calls_repo
from app.calls.models import Call
from app.clock import FrozenClock
from app.config import Settings
from app.conversation.providers.openai import english_system_prompt
from app.db import create_engine, create_sessionmaker
from app.language.he import HebrewCatalog
from app.leads.models import Lead
from app.main import create_app
from app.meetings.models import Meeting
from tests.fakes.loopback import LoopbackServer
from tests.fakes.openai_server import CallTool, FakeOpenAI, HttpError, Reply, Stream
from tests.fakes.relay import FakeRelay, RelayTwiml
from tests.fakes.twilio import FakeTwilio, TwilioCaller, dial
from tests.test_twilio_calls import Model, offered_starts

HE = HebrewCatalog(agent_gender="female", lead_gender="female", opt_out_key="9")

LINES = ["כן, יש לי דקה", "כן, נשמע מעניין", "הראשון מתאים לי"]
EMAIL_LINES = ["דני שטרודל ג'ימייל נקודה קום", "כן, נכון"]  # a lead with no email, after booking
FIRST = ("Thanks for taking my call today.", "תודה שענית לי היום.")
SECOND = ("Do you have a sales team that calls leads?", "יש לכם צוות מכירות שמתקשר ללידים?")
LONG = [
    ("Let me tell you a little about what we do.", "אני אספר קצת על מה שאנחנו עושים."),
    ("We build a calling agent that speaks Hebrew.", "אנחנו בונים סוכנת שיחות שמדברת עברית."),
    ("It books meetings for your sales team.", "היא קובעת פגישות לצוות המכירות."),
    ("Would a short demo next week work for you?", "מתאים לך דמו קצר בשבוע הבא?"),
]


@pytest.fixture
def settings_overrides(twilio_fake: FakeTwilio, openai_fake: FakeOpenAI) -> dict[str, object]:
    return {
        **twilio_fake.settings_overrides(twilio_input_mode="relay"),
        **openai_fake.settings_overrides(),
    }


@pytest.fixture
def served(settings: Settings, clock: FrozenClock) -> Iterator[LoopbackServer]:
    """The app as deployed: uvicorn on a loopback port, lifespan and all."""
    server = LoopbackServer(create_app(settings, clock), "app under test", lifespan=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def http(served: LoopbackServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{served.port}") as client:
        yield client


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def model(settings: Settings, openai_fake: FakeOpenAI) -> Model:
    model = Model(settings)
    model.he_to_en.update(
        {
            LINES[0]: "Yes, I have a minute",
            LINES[1]: "Yes, that sounds interesting",
            LINES[2]: "The first one works for me",
            EMAIL_LINES[0]: "Danny at gmail dot com",
            EMAIL_LINES[1]: "Yes, right",
            "כמה זה עולה?": "How much does it cost?",
            "אהה": "Uh-huh",
        }
    )
    model.en_to_he.update(dict([FIRST, SECOND, *LONG]))
    openai_fake.script_chat(model)
    return model


async def add_lead(db: async_sessionmaker[AsyncSession], email: str | None = None) -> int:
    async with db.begin() as session:
        lead = Lead(
            name="דנה כהן", phone="+972501234567", company="כהן בע״מ", gender="female", email=email
        )
        session.add(lead)
        await session.flush()
        return lead.id


async def stored(db: async_sessionmaker[AsyncSession], call_id: int) -> Call:
    async with db() as session:
        call = await calls_repo.get_with_turns(session, call_id)
    assert call is not None
    return call


async def answer(
    http: httpx.AsyncClient,
    twilio_fake: FakeTwilio,
    db: async_sessionmaker[AsyncSession],
    email: str | None = "dana@example.com",
) -> tuple[int, TwilioCaller, RelayTwiml]:
    """Dials a lead and answers: /twilio/voice hands the call to ConversationRelay. The lead
    has an email unless told otherwise, so a booking ends the call (no email question)."""
    call_id, sid = await dial(http, await add_lead(db, email=email))
    caller = TwilioCaller(http, twilio_fake, sid)
    return call_id, caller, RelayTwiml.of(await caller.webhook("/twilio/voice"))


def pick_the_first(body: dict[str, Any]) -> Reply:
    return CallTool("book_meeting", {"slot_start": offered_starts(body)[0]})


def sentences(pairs: list[tuple[str, str]], gap_s: float) -> Stream:
    """The agent's reply streamed word by word, `gap_s` apart."""
    words = " ".join(en for en, _ in pairs).split(" ")
    return Stream([words[0], *(" " + w for w in words[1:])], gap_s)


@pytest.mark.both_backends
async def test_a_relay_call_books_the_chosen_slot_with_every_turn_in_both_languages(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    openai_fake: FakeOpenAI,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent += [f"{FIRST[0]} {SECOND[0]}", CallTool("offer_slots"), pick_the_first]
    call_id, caller, twiml = await answer(http, twilio_fake, db, email=None)
    attributes = twiml.attributes
    assert twiml.url == "wss://messiah.example.com/twilio/relay"
    assert attributes["language"] == "he-IL"
    assert (attributes["ttsProvider"], attributes["voice"]) == ("Google", "he-IL-Wavenet-A")
    assert (attributes["transcriptionProvider"], attributes["speechModel"]) == (
        "Google",
        "telephony",
    )
    assert attributes["interruptible"] == "any" and attributes["dtmfDetection"] == "true"
    assert twiml.parameters["call_id"] == str(call_id)
    greeting = HE.greeting("דנה כהן", "כהן בע״מ")
    assert attributes["welcomeGreeting"] == greeting
    assert "תקישי תשע" in greeting  # the advertising notice offers the opt-out key

    relay = FakeRelay(twiml, served.port, caller.call_sid)
    async with relay:
        first = await relay.say(LINES[0])
        offer = await relay.say(LINES[1])
        booked = await relay.say(LINES[2])
        read_back = await relay.say(EMAIL_LINES[0])
        saved = await relay.say(EMAIL_LINES[1])
        await relay.receive()  # `end`, after the last words
    assert first == f"{FIRST[1]} {SECOND[1]}"
    assert "לאיזה מייל" in booked and "שטרודל ג'ימייל נקודה קום" in read_back
    assert relay.ended == {"reason": "call_over", "callId": call_id, "action": "end_call"}

    call = await stored(db, call_id)
    assert call.outcome == "booked"
    turns = call.turns
    assert [t.caller_he for t in turns[1:]] == [*LINES, *EMAIL_LINES]
    assert [t.agent_he for t in turns[1:]] == [first, offer, booked, read_back, saved]
    for turn in turns[1:]:
        assert turn.caller_en and turn.agent_en and turn.agent_he and turn.error is None
        assert turn.ms_first_token is not None and not turn.interrupted
    assert turns[1].agent_en == f"{FIRST[0]} {SECOND[0]}"
    assert turns[2].action == "offer_slots" and turns[3].action == "book_meeting"
    async with db() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
    assert meeting.call_id == call_id
    # The agent's model was asked to stream; translations were not.
    agent_requests = [r for r in openai_fake.chat_requests if r.get("tools")]
    assert agent_requests and all(r["stream"] is True for r in agent_requests)
    # Each caller line was translated once, while they spoke (the interim prompt), not again.
    to_english = [
        r
        for r in openai_fake.chat_requests
        if r["messages"][0]["content"] == english_system_prompt()
    ]
    said = sorted(r["messages"][-1]["content"] for r in to_english)
    assert said == sorted([*LINES, *EMAIL_LINES])
    assert not any(r.get("stream") for r in to_english)
    # The Connect action after our `end` hangs up.
    done = await caller.webhook(twiml.action, HandoffData='{"reason": "call_over"}')
    assert [verb.tag for verb in done] == ["Hangup"]


async def test_each_sentence_leaves_as_soon_as_it_is_translated(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent.append(sentences([FIRST, SECOND], gap_s=0.1))
    _, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        await relay.send(type="prompt", voicePrompt=LINES[0], lang="he-IL", last=True)
        token = await relay.receive()
        # The first sentence is spoken while the model is still writing the second.
        assert token == {"type": "text", "token": FIRST[1] + " ", "last": False}
        rest = await relay.reply()
    assert rest == SECOND[1]


async def test_an_interrupt_stops_the_reply_and_the_turn_stores_what_was_heard(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    openai_fake: FakeOpenAI,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent += [sentences(LONG, gap_s=0.15), "It depends on the number of calls."]
    model.en_to_he["It depends on the number of calls."] = "זה תלוי בכמות השיחות."
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        await relay.send(type="prompt", voicePrompt=LINES[0], lang="he-IL", last=True)
        first = await relay.receive()
        assert first["token"].strip() == LONG[0][1]
        heard = LONG[0][1] + " אנחנו בונים"  # the caller cut in during the second sentence
        await relay.interrupt(heard)
        after = []
        while (message := await relay.receive())["last"] is False:
            after.append(message["token"])
        assert len([t for t in after if t.strip()]) <= 1  # stopped within one token
        answer_line = await relay.say("כמה זה עולה?")
    assert answer_line == "זה תלוי בכמות השיחות."

    turns = (await stored(db, call_id)).turns
    cut = turns[1]
    assert cut.interrupted and cut.heard_he == heard
    assert cut.heard_en == LONG[0][0]
    assert cut.agent_he.startswith(LONG[0][1])
    assert len(cut.agent_en) < len(" ".join(en for en, _ in LONG))  # the model was stopped
    for _ in range(100):  # the fake sees the client hang up on the stream a moment later
        if openai_fake.abandoned_streams:
            break
        await asyncio.sleep(0.02)
    assert openai_fake.abandoned_streams == 1
    # The next reply's model knows what the caller never heard.
    history = openai_fake.chat_requests[-2]["messages"]
    note = [m["content"] for m in history if m["role"] == "assistant"][-1]
    assert note.startswith(LONG[0][0]) and "the caller cut in here; not said:" in note


async def test_a_backchannel_over_the_reply_does_not_derail_it(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent.append(" ".join(en for en, _ in LONG))
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        whole = await relay.say(LINES[0])
        assert whole == " ".join(he for _, he in LONG)
        # Twilio was still speaking the second sentence when the caller said "אהה".
        await relay.interrupt(LONG[0][1] + " אנחנו בונים")
        resumed = await relay.say("אהה")
    assert resumed == " ".join(he for _, he in LONG[1:])
    turns = (await stored(db, call_id)).turns
    assert turns[1].interrupted and turns[1].heard_en == LONG[0][0]
    assert turns[2].caller_he == "אהה" and turns[2].agent_he == resumed
    assert turns[2].agent_en == " ".join(en for en, _ in LONG[1:])


@pytest.mark.both_backends
async def test_the_opt_out_key_removes_the_lead_and_ends_the_call(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        await relay.send(type="dtmf", digit="5")  # any other key is ignored
        await relay.send(type="error", description="Invalid message received: {}")
        await relay.send(type="no-such-type")
        line = await relay.press("9")
        await relay.receive()
    assert line == HE.opt_out_ack()
    assert relay.ended is not None and relay.ended["action"] == "mark_do_not_call"
    call = await stored(db, call_id)
    assert call.outcome == "opted_out"
    assert call.turns[-1].action == "mark_do_not_call" and call.turns[-1].ended
    async with db() as session:
        lead = await session.get(Lead, call.lead_id)
    assert lead is not None and lead.do_not_call


async def test_a_dropped_socket_reconnects_and_the_call_goes_on_from_the_database(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent += [f"{FIRST[0]} {SECOND[0]}", CallTool("offer_slots"), pick_the_first]
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        await relay.say(LINES[0])
    # The socket dropped: Twilio asks the <Connect> action what next, and we reconnect.
    again = RelayTwiml.of(await caller.webhook(twiml.action, SessionStatus="failed"))
    assert again.parameters == {"call_id": str(call_id), "attempt": "1"}
    assert again.attributes["welcomeGreeting"] == HE.hear_me()
    async with FakeRelay(again, served.port, caller.call_sid) as relay:
        await relay.say(LINES[1])
        await relay.say(LINES[2])
        await relay.receive()
    call = await stored(db, call_id)
    assert call.outcome == "booked"
    assert [t.index for t in call.turns] == [0, 1, 2, 3]
    assert [t.caller_he for t in call.turns[1:]] == LINES


async def test_an_unsigned_socket_is_refused(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    db: async_sessionmaker[AsyncSession],
) -> None:
    _, caller, twiml = await answer(http, twilio_fake, db)
    with pytest.raises(InvalidStatus) as refused:
        await FakeRelay(twiml, served.port, caller.call_sid, signature="forged").open()
    assert refused.value.response.status_code == 403


async def test_a_translation_failing_mid_reply_gives_the_fallback_and_the_call_goes_on(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent += [f"{FIRST[0]} {SECOND[0]}", CallTool("offer_slots")]
    model.en_to_he[SECOND[0]] = HttpError(503)
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        first = await relay.say(LINES[0])
        offer = await relay.say(LINES[1])
    assert first == f"{FIRST[1]} {HE.fallback()}"  # what was said stands; then the fallback
    turns = (await stored(db, call_id)).turns
    assert turns[1].agent_he == first and turns[1].error and "503" in turns[1].error
    assert turns[2].action == "offer_slots" and turns[2].agent_he == offer
    assert (await stored(db, call_id)).outcome is None  # the call goes on


async def test_a_backchannel_while_the_reply_is_being_made_is_ignored(
    http: httpx.AsyncClient,
    served: LoopbackServer,
    twilio_fake: FakeTwilio,
    model: Model,
    db: async_sessionmaker[AsyncSession],
) -> None:
    model.agent.append(sentences(LONG[:2], gap_s=0.1))
    call_id, caller, twiml = await answer(http, twilio_fake, db)
    async with FakeRelay(twiml, served.port, caller.call_sid) as relay:
        await relay.send(type="prompt", voicePrompt=LINES[0], lang="he-IL", last=True)
        first = await relay.receive()
        await relay.send(type="prompt", voicePrompt="מממ", lang="he-IL", last=True)
        rest = await relay.reply()
    assert f"{first['token']}{rest}" == " ".join(he for _, he in LONG[:2])
    turns = (await stored(db, call_id)).turns
    assert [t.caller_he for t in turns[1:]] == [LINES[0]]  # "מממ" took no turn
    assert not turns[1].interrupted


async def test_a_socket_that_keeps_dropping_ends_the_call_politely(
    http: httpx.AsyncClient,
    twilio_fake: FakeTwilio,
    db: async_sessionmaker[AsyncSession],
) -> None:
    _, caller, twiml = await answer(http, twilio_fake, db)
    third = twiml.action.replace("attempt=0", "attempt=2")
    root = await caller.webhook(third, SessionStatus="failed")
    assert [verb.tag for verb in root] == ["Say", "Hangup"]
    assert root[0].text == HE.technical_goodbye()
