"""CSV import: valid rows are kept, every bad row is reported with its line and reason."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.leads import repository
from app.leads.models import Lead, LeadStatus
from app.leads.phones import InvalidPhone, to_e164
from app.leads.schemas import DncReport, ImportReport, ImportRowError, LeadCreate

COLUMNS = ("name", "name_he", "phone", "company", "email", "gender", "notes", "source")
REQUIRED = ("name", "phone")
MAX_ROWS = 50_000
_GENDERS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "נ": "female",
    "נקבה": "female",
    "אישה": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "ז": "male",
    "זכר": "male",
    "גבר": "male",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (encoding, missing columns, too many rows)."""


class ImportConflict(RuntimeError):
    """A concurrent write added one of the file's phone numbers; the import can be retried."""


@dataclass
class _Parsed:
    rows: list[tuple[int, LeadCreate]] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows Hebrew, which older Excel exports use."""
    for encoding in ("utf-8-sig", "cp1255"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("file is not UTF-8 or Windows-1255 text")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error.get("ctx", {}).get("error") or error["msg"])
        parts.append(f"{where}: {message.removeprefix('Value error, ')}")
    return "; ".join(parts)


def parse_csv(data: bytes) -> _Parsed:
    """Validates every row; line numbers count the header as line 1, as spreadsheets do."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise ImportFileError("file is empty: expected a header row with name,phone,...")
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames}
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ImportFileError(
            f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}"
        )
    parsed = _Parsed()
    for index, raw in enumerate(reader):
        if index >= MAX_ROWS:
            raise ImportFileError(f"too many rows: at most {MAX_ROWS} per file")
        line = reader.line_num
        values = {c: (raw.get(headers[c]) or "").strip() for c in COLUMNS if c in headers}
        if not any(values.values()):
            continue
        gender = values.get("gender", "")
        if gender and gender.lower() not in _GENDERS:
            parsed.errors.append(
                ImportRowError(line=line, reason=f"gender: unknown value {gender!r}")
            )
            continue
        try:
            lead = LeadCreate(
                name=values.get("name", ""),
                name_he=values.get("name_he") or None,
                phone=values.get("phone", ""),
                company=values.get("company") or None,
                email=values.get("email") or None,
                gender=_GENDERS.get(gender.lower()) if gender else None,
                notes=values.get("notes") or None,
                source=values.get("source") or None,
            )
        except ValidationError as exc:
            parsed.errors.append(ImportRowError(line=line, reason=_describe(exc)))
            continue
        parsed.rows.append((line, lead))
    return parsed


def _merge(lead: Lead, row: LeadCreate) -> None:
    """A later row for the same phone updates what it carries; blanks keep the old values."""
    for name, value in row.model_dump(exclude_none=True, exclude={"phone"}).items():
        setattr(lead, name, value)


async def import_csv(session: AsyncSession, data: bytes) -> ImportReport:
    """Creates new leads; merges rows whose phone is already known (in the file or the database)."""
    parsed = parse_csv(data)
    existing = await repository.get_by_phones(session, [row.phone for _, row in parsed.rows])
    touched: dict[str, Lead] = {}
    created = 0
    for _line, row in parsed.rows:
        lead = touched.get(row.phone) or existing.get(row.phone)
        if lead is None:
            lead = Lead(**row.model_dump())
            session.add(lead)
            created += 1
        else:
            _merge(lead, row)
        touched[row.phone] = lead
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise ImportConflict("another request added one of these phone numbers; retry") from exc
    return ImportReport(
        created=created,
        merged=len(parsed.rows) - created,
        rejected=len(parsed.errors),
        errors=parsed.errors,
        lead_ids=sorted(lead.id for lead in touched.values()),
    )


async def import_dnc_csv(session: AsyncSession, data: bytes) -> DncReport:
    """Marks every lead whose phone is in the file do-not-call; unknown numbers are counted."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    if "phone" not in headers:
        raise ImportFileError("missing column phone: a do-not-call list needs a phone column")
    phones: list[str] = []
    errors: list[ImportRowError] = []
    for raw in reader:
        value = (raw.get(headers["phone"]) or "").strip()
        if not value:
            continue
        try:
            phones.append(to_e164(value))
        except InvalidPhone as exc:
            errors.append(ImportRowError(line=reader.line_num, reason=str(exc)))
    known = await repository.get_by_phones(session, phones)
    for lead in known.values():
        lead.do_not_call = True
        lead.status = LeadStatus.do_not_call
    await session.flush()
    return DncReport(
        marked=len(known),
        unknown=len(set(phones) - set(known)),
        rejected=len(errors),
        errors=errors,
    )
