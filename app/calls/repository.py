"""Call and Turn queries. Inner code flushes; the request commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, func, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.calls.models import Call, Turn
from app.contract import storable_id


async def get(session: AsyncSession, call_id: int, *, lock: bool = False) -> Call | None:
    """Gets a call; `lock` holds its row until commit, so one call's turns never interleave."""
    if not storable_id(call_id):
        return None
    query = select(Call).where(Call.id == call_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_by_sid(session: AsyncSession, call_sid: str, *, lock: bool = False) -> Call | None:
    """Gets a call by Twilio's CallSid."""
    query = select(Call).where(Call.call_sid == call_sid)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_with_lead(session: AsyncSession, call_id: int) -> Call | None:
    """Gets a call and its lead in one statement (`call.lead` is then loaded)."""
    if not storable_id(call_id):
        return None
    return await session.scalar(
        select(Call).where(Call.id == call_id).options(joinedload(Call.lead))
    )


async def locked_for_turn(
    session: AsyncSession, call_id: int, key: str | None
) -> tuple[Call, int, int | None] | None:
    """In one statement: the call (its row locked), the index its next turn gets, and the id
    of the turn already stored under `key`, if any.

    On Postgres the subqueries read the statement's snapshot, taken before the row lock is
    granted: a turn a racing process commits meanwhile is missed here and met by the unique
    constraints on (call, index) and on the key when this turn is inserted.
    """
    if not storable_id(call_id):
        return None
    last = select(func.max(Turn.index)).where(Turn.call_id == Call.id).scalar_subquery()
    stored = (
        select(Turn.id).where(Turn.idempotency_key == key).scalar_subquery()
        if key is not None
        else null()
    )
    row = (
        await session.execute(
            select(Call, last, stored).where(Call.id == call_id).with_for_update()
        )
    ).first()
    if row is None:
        return None
    call, last_index, stored_id = row
    return call, 0 if last_index is None else int(last_index) + 1, stored_id


async def get_with_turns(session: AsyncSession, call_id: int) -> Call | None:
    """Gets a call with its transcript."""
    return await session.scalar(
        select(Call)
        .where(Call.id == call_id)
        .options(selectinload(Call.turns), selectinload(Call.lead))
    )


async def list_calls(
    session: AsyncSession,
    *,
    limit: int = 100,
    offset: int = 0,
    lead_id: int | None = None,
    campaign_id: int | None = None,
) -> Sequence[Call]:
    """Lists calls, newest first, with their turns."""
    query = (
        select(Call)
        .options(selectinload(Call.turns), selectinload(Call.lead))
        .order_by(Call.id.desc())
    )
    if lead_id is not None:
        query = query.where(Call.lead_id == lead_id)
    if campaign_id is not None:
        query = query.where(Call.campaign_id == campaign_id)
    return (await session.scalars(query.limit(limit).offset(offset))).all()


async def turns(session: AsyncSession, call_id: int) -> Sequence[Turn]:
    """A call's turns in order."""
    return (
        await session.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.index))
    ).all()


async def turn_by_key(session: AsyncSession, key: str) -> Turn | None:
    """The turn a webhook already produced, by its idempotency key."""
    return await session.scalar(select(Turn).where(Turn.idempotency_key == key))


async def get_turn(session: AsyncSession, turn_id: int) -> Turn | None:
    """A turn by its id."""
    return await session.get(Turn, turn_id)


async def next_index(session: AsyncSession, call_id: int) -> int:
    """The index the next turn of this call gets."""
    last = await session.scalar(select(func.max(Turn.index)).where(Turn.call_id == call_id))
    return 0 if last is None else int(last) + 1


async def add(session: AsyncSession, record: Call | Turn) -> None:
    """Stores a new call or turn and assigns its id."""
    session.add(record)
    await session.flush()


async def erase_transcripts_for_lead(session: AsyncSession, lead_id: int) -> None:
    """Blanks what was said on the lead's calls and their summaries; timings, actions, outcomes
    and scores stay as stats."""
    calls = select(Call.id).where(Call.lead_id == lead_id).scalar_subquery()
    await session.execute(
        update(Turn)
        .where(Turn.call_id.in_(calls))
        .values(caller_he=None, caller_en=None, agent_en="", agent_he="", action_payload=None)
        .execution_options(synchronize_session=False)
    )
    # The analysis retells the transcript; its score stays, like the outcome, as a statistic.
    await session.execute(
        update(Call)
        .where(Call.lead_id == lead_id)
        .values(summary=None, summary_he=None, analysis=None)
        .execution_options(synchronize_session=False)
    )


async def set_meeting(session: AsyncSession, call_id: int, meeting_id: int) -> None:
    """Records the meeting a call booked, in the booking's own transaction."""
    await session.execute(update(Call).where(Call.id == call_id).values(meeting_id=meeting_id))


async def funnel_counts(session: AsyncSession) -> dict[str, int]:
    """Calls at each step: dialed, answered, talked (the caller said something), interested
    (offered slots, or booked or asked for a callback), booked."""
    talked = select(Turn.call_id).where(Turn.index > 0, Turn.caller_he.is_not(None))
    offered = select(Turn.call_id).where(Turn.action.in_(("offer_slots", "book_meeting")))
    interested = or_(Call.id.in_(offered), Call.outcome.in_(("booked", "callback")))
    row = (
        await session.execute(
            select(
                func.count(),
                func.count(Call.answered_at),
                func.count(case((Call.id.in_(talked), 1))),
                func.count(case((interested, 1))),
                func.count(case((Call.outcome == "booked", 1))),
            ).select_from(Call)
        )
    ).one()
    steps = ("dialed", "answered", "conversations", "interested", "booked")
    return {step: int(n) for step, n in zip(steps, row, strict=True)}


async def outcomes_since(session: AsyncSession, since: datetime) -> Sequence[tuple[datetime, str]]:
    """When each call that has an outcome started, and the outcome, from `since` on."""
    rows = await session.execute(
        select(Call.started_at, Call.outcome)
        .where(Call.started_at >= since, Call.outcome.is_not(None))
        .order_by(Call.started_at)
        .limit(50_000)
    )
    return [(started, str(outcome)) for started, outcome in rows.all()]


STAGE_COLUMNS = {
    "fetch": Turn.ms_fetch,
    "stt": Turn.ms_stt,
    "translate_in": Turn.ms_translate_in,
    "llm": Turn.ms_llm,
    "translate_out": Turn.ms_translate_out,
    "total": Turn.ms_total,
}


async def stage_timings(session: AsyncSession, last: int = 5_000) -> dict[str, list[int]]:
    """Per-stage milliseconds of the latest `last` answered turns (stages that ran)."""
    rows = (
        await session.execute(
            select(*STAGE_COLUMNS.values())
            .where(Turn.index > 0)
            .order_by(Turn.id.desc())
            .limit(last)
        )
    ).all()
    timings: dict[str, list[int]] = {stage: [] for stage in STAGE_COLUMNS}
    for row in rows:
        for stage, ms in zip(STAGE_COLUMNS, row, strict=True):
            if ms is not None:
                timings[stage].append(int(ms))
    return timings


async def unanalyzed(session: AsyncSession, statuses: Iterable[str], limit: int) -> Sequence[Call]:
    """Calls in `statuses` the post-call analysis has not run for yet, oldest first, with turns."""
    query = (
        select(Call)
        .where(Call.analyzed_at.is_(None), Call.status.in_([str(s) for s in statuses]))
        .options(selectinload(Call.turns))
        .order_by(Call.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()
