"""Lead queries. Inner code flushes; the request commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from app.contract import storable_id
from app.errors import Conflict, NotFound
from app.leads.models import Lead


class PhoneTaken(Conflict):
    """Another lead already has this phone number; the 409 names it (contract.PhoneConflict)."""

    def __init__(self, phone: str, lead_id: int | None) -> None:
        super().__init__(f"a lead with this phone number already exists (id {lead_id})")
        self.lead_id = lead_id

    @property
    def detail(self) -> Any:
        return {"message": str(self), "existing_lead_id": self.lead_id}


class LeadNotFound(NotFound):
    def __init__(self, lead_id: int) -> None:
        super().__init__(f"Lead {lead_id} not found.")


async def get_or_raise(session: AsyncSession, lead_id: int) -> Lead:
    """Gets a lead or raises LeadNotFound."""
    lead = await get(session, lead_id)
    if lead is None:
        raise LeadNotFound(lead_id)
    return lead


async def get(session: AsyncSession, lead_id: int) -> Lead | None:
    """Gets a lead by id; an id no row can have (the agent API's body) finds nothing."""
    if not storable_id(lead_id):
        return None
    return await session.get(Lead, lead_id)


async def get_by_phone(session: AsyncSession, phone: str) -> Lead | None:
    """Gets a lead by its E.164 phone number."""
    return await session.scalar(select(Lead).where(Lead.phone == phone))


async def plan_lookups_afresh(session: AsyncSession) -> None:
    """Postgres: a bulk import's lookups are planned for the table as it is now, not as it was.

    Prepared statements switch to a generic plan after five runs; planned while a fresh table was
    small, the `phone IN (...)` lookup would scan the whole table for every chunk (10 s of 15 on
    a 50,000-row import into an empty database). Lasts until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def get_by_phones(session: AsyncSession, phones: Sequence[str]) -> dict[str, Lead]:
    """Gets the leads that have any of these phone numbers, keyed by phone."""
    if not phones:
        return {}
    rows = await session.scalars(select(Lead).where(Lead.phone.in_(set(phones))))
    return {lead.phone: lead for lead in rows}


async def list_leads(
    session: AsyncSession,
    *,
    limit: int = 100,
    offset: int = 0,
    status: str | None = None,
    score: str | None = None,
) -> Sequence[Lead]:
    """Lists leads, oldest first, by status and by their latest call's score."""
    query = select(Lead).order_by(Lead.id).limit(limit).offset(offset)
    if status is not None:
        query = query.where(Lead.status == status)
    if score is not None:
        query = query.where(Lead.score == score)
    return (await session.scalars(query)).all()


async def search(
    session: AsyncSession,
    *,
    text: str | None = None,
    status: str | None = None,
    do_not_call: bool | None = None,
    within: Select[tuple[int]] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Lead], int]:
    """Leads matching every filter given (newest first) and how many match in all.

    `text` is looked for in the names, company, email and phone (a local number like 050-123
    finds +97250123...); `within` is a query of lead ids (a campaign's leads).
    """
    query = select(Lead)
    if text:
        like = f"%{text.strip()}%"
        digits = "".join(ch for ch in text if ch.isdigit()).lstrip("0")
        matches: list[ColumnElement[bool]] = [
            Lead.name.ilike(like),
            Lead.name_he.ilike(like),
            Lead.company.ilike(like),
            Lead.email.ilike(like),
        ]
        if digits:
            matches.append(Lead.phone.contains(digits))
        query = query.where(or_(*matches))
    if status:
        query = query.where(Lead.status == status)
    if do_not_call is not None:
        query = query.where(Lead.do_not_call.is_(do_not_call))
    if within is not None:
        query = query.where(Lead.id.in_(within))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Lead.id.desc()).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def count(session: AsyncSession) -> int:
    """Counts all leads."""
    return int(await session.scalar(select(func.count()).select_from(Lead)) or 0)


async def _phone_taken(session: AsyncSession, phone: str) -> PhoneTaken:
    """Names the lead that holds the phone (read after the savepoint rolled back)."""
    existing = await get_by_phone(session, phone)
    return PhoneTaken(phone, existing.id if existing else None)


async def add(session: AsyncSession, lead: Lead) -> Lead:
    """Inserts a lead; raises PhoneTaken when its phone is already in use."""
    phone = lead.phone
    try:
        async with session.begin_nested():
            session.add(lead)
    except IntegrityError as exc:
        raise await _phone_taken(session, phone) from exc
    return lead


async def add_many(session: AsyncSession, values: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Inserts new leads in a few statements; their ids by phone. A taken phone: IntegrityError."""
    if not values:
        return {}
    rows = await session.execute(insert(Lead).returning(Lead.id, Lead.phone), list(values))
    return {phone: lead_id for lead_id, phone in rows}


async def update(session: AsyncSession, lead: Lead, changes: Mapping[str, Any]) -> Lead:
    """Applies changes; raises PhoneTaken when a new phone collides (a change of phone runs
    inside a SAVEPOINT, so the collision leaves the transaction usable)."""
    if "phone" not in changes:
        for name, value in changes.items():
            setattr(lead, name, value)
        return lead
    try:
        async with session.begin_nested():
            for name, value in changes.items():
                setattr(lead, name, value)
    except IntegrityError as exc:
        raise await _phone_taken(session, str(changes.get("phone"))) from exc
    return lead


async def remove(session: AsyncSession, lead_id: int) -> None:
    """Deletes the lead row; meetings and calls keep their statistics with lead_id set to NULL."""
    await session.execute(delete(Lead).where(Lead.id == lead_id))
