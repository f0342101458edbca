"""CSV import: parsed off the event loop, written in short transactions of CHUNK_ROWS rows.

A 50,000-row file never stalls other requests: `phonenumbers` and pydantic run in a worker thread,
and each chunk is one short transaction, so other writers get in between. Chunks already written
stay written; importing the same file again (merge mode) is safe and changes nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import read_session
from app.errors import Conflict
from app.leads import merge, repository
from app.leads.models import Lead, LeadStatus
from app.leads.parsing import ParsedLeads, parse_leads, parse_phones
from app.leads.schemas import (
    DncReport,
    FieldChange,
    FieldConflict,
    ImportedLead,
    ImportMode,
    ImportOutcome,
    ImportReport,
    LeadCreate,
)

CHUNK_ROWS = 1_000
_ATTEMPTS = 3
Sessions = async_sessionmaker[AsyncSession]


class ImportConflict(Conflict):
    """Concurrent writes kept adding this chunk's phone numbers; the import can be retried."""


@dataclass
class _Row:
    """One row's result; a new lead's id is known once its chunk is inserted."""

    line: int
    phone: str
    name: str
    outcome: ImportOutcome
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    lead_id: int = 0


def _merge(row: LeadCreate, line: int, target: Lead | dict[str, Any], mode: ImportMode) -> _Row:
    """Merges a row into a stored lead or into a new lead of this chunk, not yet inserted."""
    current = target if isinstance(target, dict) else merge.fields_of(target)
    planned = merge.plan(current, row, mode)
    merge.apply(target, planned.changes)
    name = str(target["name"] if isinstance(target, dict) else target.name)
    outcome = ImportOutcome.merged if planned.changes else ImportOutcome.unchanged
    return _Row(line, row.phone, name, outcome, planned.changes, planned.conflicts)


def _classify(
    chunk: list[tuple[int, LeadCreate]],
    existing: Mapping[str, Lead | dict[str, Any]],
    mode: ImportMode,
) -> tuple[list[_Row], dict[str, dict[str, Any]]]:
    """Each row's outcome against the leads that have its phone; the new leads' values."""
    new: dict[str, dict[str, Any]] = {}
    results: list[_Row] = []
    for line, row in chunk:
        lead = existing.get(row.phone)
        if lead is not None and _field(lead, "do_not_call"):
            name = str(_field(lead, "name"))
            results.append(_Row(line, row.phone, name, ImportOutcome.do_not_call))
        elif lead is not None:
            results.append(_merge(row, line, lead, mode))
        elif row.phone in new:
            results.append(_merge(row, line, new[row.phone], mode))
        else:
            new[row.phone] = row.model_dump()
            results.append(_Row(line, row.phone, row.name, ImportOutcome.created))
    return results, new


def _field(lead: Lead | dict[str, Any], name: str) -> Any:
    return lead.get(name) if isinstance(lead, dict) else getattr(lead, name)


async def _apply(
    session: AsyncSession, chunk: list[tuple[int, LeadCreate]], mode: ImportMode
) -> list[_Row]:
    """Creates (in one bulk insert) or merges one chunk's rows inside the caller's transaction."""
    await repository.plan_lookups_afresh(session)
    existing = await repository.get_by_phones(session, [row.phone for _, row in chunk])
    results, new = _classify(chunk, existing, mode)
    ids = {lead.phone: lead.id for lead in existing.values()}
    ids |= await repository.add_many(session, list(new.values()))
    await session.flush()
    for result in results:
        result.lead_id = ids[result.phone]
    return results


async def _write(
    sessions: Sessions, chunk: list[tuple[int, LeadCreate]], mode: ImportMode
) -> list[_Row]:
    """One short transaction per chunk; a phone added meanwhile by another request is re-read."""
    for _ in range(_ATTEMPTS):
        try:
            async with sessions.begin() as session:
                return await _apply(session, chunk, mode)
        except IntegrityError:
            continue  # another request inserted one of these phones: read again, merge into it
    raise ImportConflict(
        f"other requests kept adding phone numbers from line {chunk[0][0]} on; "
        "the rows before it are stored, and importing the file again is safe"
    )


def _report(mode: ImportMode, parsed: ParsedLeads, rows: list[_Row]) -> ImportReport:
    """The report: a model per row (50,000 of them), so it is built off the event loop."""
    counts = dict.fromkeys(ImportOutcome, 0)
    for r in rows:
        counts[r.outcome] += 1
    return ImportReport(
        mode=mode,
        created=counts[ImportOutcome.created],
        merged=counts[ImportOutcome.merged],
        unchanged=counts[ImportOutcome.unchanged],
        do_not_call_skipped=counts[ImportOutcome.do_not_call],
        rejected=len(parsed.refused),
        leads=[
            ImportedLead(
                line=r.line, lead_id=r.lead_id, name=r.name, outcome=r.outcome, changes=r.changes
            )
            for r in rows
        ],
        conflicts=[
            FieldConflict(line=r.line, lead_id=r.lead_id, field=name, existing=old, imported=new)
            for r in rows
            for name, old, new in r.conflicts
        ],
        errors=parsed.refused,
        unknown_columns=parsed.unknown_columns,
        lead_ids=sorted({r.lead_id for r in rows if r.outcome is not ImportOutcome.do_not_call}),
    )


async def import_csv(
    sessions: Sessions, data: bytes, mode: ImportMode = ImportMode.merge
) -> ImportReport:
    """Creates new leads; rows whose phone is already known (in the file or the database) merge."""
    parsed = await asyncio.to_thread(parse_leads, data)
    rows: list[_Row] = []
    for start in range(0, len(parsed.rows), CHUNK_ROWS):
        rows += await _write(sessions, parsed.rows[start : start + CHUNK_ROWS], mode)
    return await asyncio.to_thread(_report, mode, parsed, rows)


async def preview_csv(
    sessions: Sessions, data: bytes, mode: ImportMode = ImportMode.merge
) -> ImportReport:
    """What `import_csv` would do with this file now, written nowhere: new leads have id 0."""
    parsed = await asyncio.to_thread(parse_leads, data)
    rows: list[_Row] = []
    created: dict[str, dict[str, Any]] = {}  # by an earlier chunk: later ones merge into it
    async with read_session(sessions) as session:
        for start in range(0, len(parsed.rows), CHUNK_ROWS):
            chunk = parsed.rows[start : start + CHUNK_ROWS]
            phones = [row.phone for _, row in chunk]
            stored = await repository.get_by_phones(session, phones)
            existing: dict[str, Lead | dict[str, Any]] = {
                phone: {**merge.fields_of(lead), "do_not_call": lead.do_not_call, "id": lead.id}
                for phone, lead in stored.items()
            }
            existing |= {phone: created[phone] for phone in phones if phone in created}
            results, new = _classify(chunk, existing, mode)
            created |= new
            for result in results:
                result.lead_id = int(_field(existing.get(result.phone) or {}, "id") or 0)
            rows += results
    return await asyncio.to_thread(_report, mode, parsed, rows)


# Told, in the transaction that marks them, which leads a do-not-call list newly marked.
OnMarked = Callable[[AsyncSession, Sequence[Lead]], Awaitable[None]]


async def import_dnc_csv(
    sessions: Sessions, data: bytes, on_marked: OnMarked | None = None
) -> DncReport:
    """Marks every lead whose phone is in the file do-not-call; unknown numbers are counted.
    `on_marked` hears of the leads that were not do-not-call before, in the same transaction."""
    parsed = await asyncio.to_thread(parse_phones, data)
    phones = list(dict.fromkeys(parsed.phones))
    marked = 0
    for start in range(0, len(phones), CHUNK_ROWS):
        async with sessions.begin() as session:
            await repository.plan_lookups_afresh(session)
            known = await repository.get_by_phones(session, phones[start : start + CHUNK_ROWS])
            newly = [lead for lead in known.values() if not lead.do_not_call]
            for lead in known.values():
                lead.do_not_call = True
                lead.status = LeadStatus.do_not_call
            if newly and on_marked is not None:
                await on_marked(session, newly)
        marked += len(known)
    return DncReport(
        marked=marked,
        unknown=len(phones) - marked,
        rejected=len(parsed.refused),
        errors=parsed.refused,
        unknown_columns=parsed.unknown_columns,
    )
