"""A turn holds no database connection while it waits, and no deadline or race costs a record.

The turn reads, lets go, calls the providers, then writes; these tests watch the connection pool
from inside the fake model, cut a turn's deadline in the middle of a blocked query, and race one
call's turns from two processes' worth of engines on one database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from app.calls.models import Call, Channel, Turn
from app.clock import FrozenClock
from app.config import Settings
from app.conversation.state import Dialogue
from app.flows import call as call_flow
from app.language.he import HebrewCatalog
from app.leads.models import Lead
from app.main import create_app
from app.meetings.models import Meeting
from tests.fakes.openai_server import FakeOpenAI, Reply

pytestmark = pytest.mark.both_backends


async def new_call(app: FastAPI) -> int:
    maker, engine = app.state.sessionmaker, app.state.conversation
    async with maker.begin() as session:
        lead = Lead(name="דנה כהן", phone="+972507654321", gender="female")
        session.add(lead)
        await session.flush()
        call = await call_flow.open_call(session, engine, lead.id, channel=Channel.simulator)
    async with maker.begin() as session:
        await call_flow.greet(session, engine, call.id)
    return int(call.id)


async def stored_turns(app: FastAPI, call_id: int) -> list[Turn]:
    async with app.state.sessionmaker() as session:
        query = select(Turn).where(Turn.call_id == call_id).order_by(Turn.index)
        return list((await session.scalars(query)).all())


@pytest.fixture
async def second_app(settings: Settings, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    """Another process's app on the same database: its own engine, pool and call locks."""
    other = create_app(settings, clock)
    async with other.router.lifespan_context(other):
        yield other


class TestWhileTheModelThinks:
    @pytest.fixture
    def settings_overrides(self, openai_fake: FakeOpenAI) -> dict[str, object]:
        return openai_fake.settings_overrides()

    async def test_no_connection_is_checked_out(
        self, app: FastAPI, openai_fake: FakeOpenAI
    ) -> None:
        held: dict[str, int] = {}

        def model(body: dict[str, Any]) -> Reply:
            system = body["messages"][0]["content"]
            kind = "agent" if "tools" in body else "to_hebrew" if "Hebrew" in system else "in"
            # The fake runs beside the app in this process: it can see the app's pool.
            held[kind] = app.state.engine.pool.checkedout()
            if kind == "agent":
                return "Great. Do you have a sales team?"
            return "מעולה. יש לכם צוות מכירות?" if kind == "to_hebrew" else "Yes, I have a minute."

        openai_fake.script_chat(model)
        call_id = await new_call(app)

        turn = await call_flow.take_turn(
            app.state.sessionmaker, app.state.conversation, call_id, "כן, יש לי דקה"
        )

        assert turn.error is None and turn.agent_he == "מעולה. יש לכם צוות מכירות?"
        assert {"agent", "to_hebrew"} <= held.keys()
        assert held["agent"] == 0 and held["to_hebrew"] == 0
        assert [t.index for t in await stored_turns(app, call_id)] == [0, 1]


async def block_the_meetings_table(
    app: FastAPI, seconds: float, *, reads: bool = False
) -> asyncio.Task[None]:
    """Holds a lock that stops bookings (and on Postgres, with `reads`, the free-slot query)."""
    mode = "ACCESS EXCLUSIVE" if reads else "EXCLUSIVE"
    ready = asyncio.Event()

    async def hold() -> None:
        async with app.state.sessionmaker() as blocker:
            if app.state.engine.dialect.name == "sqlite":
                await blocker.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock
            else:
                await blocker.execute(text(f"LOCK TABLE meetings IN {mode} MODE"))
            ready.set()
            await asyncio.sleep(seconds)
            await blocker.rollback()

    task = asyncio.create_task(hold())
    await ready.wait()
    return task


@pytest.mark.postgres_only  # SQLite's WAL readers are never blocked: no query to cut there
async def test_a_deadline_during_a_query_still_stores_the_turn(app: FastAPI) -> None:
    call_id = await new_call(app)
    blocker = await block_the_meetings_table(app, 1.0, reads=True)

    turn = await call_flow.take_turn(
        app.state.sessionmaker, app.state.conversation, call_id, "כן, יש לי דקה", deadline_s=0.2
    )
    await blocker

    catalog = HebrewCatalog(agent_gender=app.state.settings.agent_gender, lead_gender="female")
    assert turn.error == "TimeoutError"
    assert turn.agent_he == catalog.fallback()
    [_greeting, stored] = await stored_turns(app, call_id)
    assert (stored.id, stored.caller_he, stored.error) == (turn.id, "כן, יש לי דקה", "TimeoutError")
    async with app.state.sessionmaker() as session:
        call = await session.get(Call, call_id)
        assert call is not None and call.error_count == 1 and call.outcome is None
    # The call goes on: the next turn is answered normally.
    after = await call_flow.take_turn(
        app.state.sessionmaker, app.state.conversation, call_id, "כן, יש לי דקה"
    )
    assert after.error is None and after.index == 2
    assert app.state.engine.pool.checkedout() == 0


async def test_one_webhook_retried_in_two_processes_is_stored_once(
    app: FastAPI, second_app: FastAPI
) -> None:
    call_id = await new_call(app)

    first, second = await asyncio.gather(
        *(
            call_flow.take_turn(
                a.state.sessionmaker, a.state.conversation, call_id, "כן, יש לי דקה", key="k-1"
            )
            for a in (app, second_app)
        )
    )

    assert first.id == second.id
    assert first.agent_he == second.agent_he
    turns = await stored_turns(app, call_id)
    assert [(t.index, t.idempotency_key) for t in turns[1:]] == [(1, "k-1")]


async def test_two_turns_racing_in_two_processes_are_both_stored(
    app: FastAPI, second_app: FastAPI
) -> None:
    call_id = await new_call(app)

    await asyncio.gather(
        *(
            call_flow.take_turn(a.state.sessionmaker, a.state.conversation, call_id, line, key=key)
            for a, line, key in ((app, "כן", "k-1"), (second_app, "יש לי דקה", "k-2"))
        )
    )

    turns = await stored_turns(app, call_id)
    assert [t.index for t in turns] == [0, 1, 2]
    assert {t.idempotency_key for t in turns[1:]} == {"k-1", "k-2"}


async def test_a_turn_committed_while_the_write_waits_for_the_row_is_not_overwritten(
    app: FastAPI, second_app: FastAPI
) -> None:
    """Another process holds the call's row (SQLite: the write lock) and commits a turn at the
    next index while this turn's write waits for it: the write must see that turn, and store
    its own after it, not fail on the (call, index) constraint nor drop the turn."""
    call_id = await new_call(app)
    ready, release = asyncio.Event(), asyncio.Event()

    async def other_process() -> None:
        async with second_app.state.sessionmaker.begin() as session:
            await session.execute(
                select(Call).where(Call.id == call_id).with_for_update()
            )  # on SQLite, BEGIN IMMEDIATE already took the write lock
            session.add(
                Turn(call_id=call_id, index=1, idempotency_key="k-other", agent_en="", agent_he="")
            )
            await session.flush()
            ready.set()
            await release.wait()

    holder = asyncio.create_task(other_process())
    await ready.wait()
    ours = asyncio.create_task(
        call_flow.take_turn(
            app.state.sessionmaker, app.state.conversation, call_id, "כן", key="k-ours"
        )
    )
    await asyncio.sleep(0.3)  # our write is now waiting behind the other process's transaction
    release.set()
    await holder
    turn = await ours

    assert turn.index == 2 and turn.idempotency_key == "k-ours"
    turns = await stored_turns(app, call_id)
    assert [(t.index, t.idempotency_key) for t in turns[1:]] == [(1, "k-other"), (2, "k-ours")]


async def test_turns_of_one_call_in_one_process_queue_instead_of_interleaving(
    app: FastAPI,
) -> None:
    call_id = await new_call(app)
    lines = ["כן", "יש לנו שני אנשי מכירות", "בערך מאה לידים בחודש"]

    turns = await asyncio.gather(
        *(
            call_flow.take_turn(
                app.state.sessionmaker, app.state.conversation, call_id, line, key=f"k-{n}"
            )
            for n, line in enumerate(lines)
        )
    )

    assert sorted(t.index for t in turns) == [1, 2, 3]
    stored = await stored_turns(app, call_id)
    assert [t.caller_he for t in stored[1:]] == lines
    # Each turn read the state the one before it wrote: no update was lost.
    async with app.state.sessionmaker() as session:
        call = await session.get(Call, call_id)
        assert call is not None
        assert Dialogue.from_json(call.dialogue).caller_turns == len(lines)


async def test_a_booking_cut_by_the_deadline_still_lands_and_the_call_knows_it(
    app: FastAPI,
) -> None:
    call_id = await new_call(app)
    maker, engine = app.state.sessionmaker, app.state.conversation
    for line in ["כן, בטח, יש לי דקה", "יש לנו צוות של שלושה אנשי מכירות", "בעיקר בטלפון"]:
        await call_flow.take_turn(maker, engine, call_id, line)
    async with maker() as session:
        call = await session.get(Call, call_id)
        assert call is not None and len(call.offered_slots) == 2
        first = call.offered_slots[0]
    blocker = await block_the_meetings_table(app, 1.0)

    turn = await call_flow.take_turn(maker, engine, call_id, "הראשון נשמע טוב", deadline_s=0.2)
    await blocker

    assert turn.error == "TimeoutError" and not turn.ended
    for _ in range(100):  # the booking, shielded from the deadline, finishes on its own
        async with maker() as session:
            meeting = await session.scalar(select(Meeting).where(Meeting.call_id == call_id))
            call = await session.get(Call, call_id)
        if meeting is not None and call is not None and call.meeting_id is not None:
            break
        await asyncio.sleep(0.05)
    assert (
        meeting is not None
        and meeting.start.isoformat() == datetime.fromisoformat(first).astimezone(UTC).isoformat()
    )
    assert call is not None and call.meeting_id == meeting.id
    assert [t.index for t in await stored_turns(app, call_id)] == [0, 1, 2, 3, 4]
