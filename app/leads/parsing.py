"""CSV rows to validated leads and phones: plain CPU work, run off the event loop by the importer.

Nothing here touches the database, so a 50,000-row file never holds a transaction while
`phonenumbers` and pydantic check it. Line numbers count the header as line 1, as spreadsheets do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.leads.columns import REQUIRED, ImportFileError, resolve
from app.leads.phones import InvalidPhone, to_e164
from app.leads.schemas import ImportRowError, LeadCreate
from app.logging_config import mask_phone_numbers

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


@dataclass
class ParsedLeads:
    """The rows worth importing, the rows refused (with why) and the columns nobody uses."""

    rows: list[tuple[int, LeadCreate]] = field(default_factory=list)
    refused: list[ImportRowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class ParsedPhones:
    """A do-not-call list: the numbers in E.164 and the lines that are not numbers."""

    phones: list[str] = field(default_factory=list)
    refused: list[ImportRowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows Hebrew, which older Excel exports use."""
    for encoding in ("utf-8-sig", "cp1255"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("file is not UTF-8 or Windows-1255 text")


def _refusal(line: int, reason: str) -> ImportRowError:
    """A refused row; a number in the reason is masked as in the logs."""
    return ImportRowError(line=line, reason=mask_phone_numbers(reason))


def _records(data: bytes, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row, then each non-blank record with the line it starts on (header: line 1)."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportFileError(f"file is empty: {what}")

    def records() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        for cells in reader:
            if cells:
                yield start, cells
            start = reader.line_num + 1

    return header, records()


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error.get("ctx", {}).get("error") or error["msg"])
        parts.append(f"{where}: {message.removeprefix('Value error, ')}")
    return "; ".join(parts)


def parse_leads(data: bytes) -> ParsedLeads:
    """Validates every row; blank rows are skipped, bad ones refused with their line and reason."""
    header, records = _records(data, "expected a header row with name,phone,...")
    columns = resolve(header, REQUIRED)
    parsed = ParsedLeads(unknown_columns=columns.unknown)
    for index, (line, cells) in enumerate(records):
        if index >= MAX_ROWS:
            raise ImportFileError(f"too many rows: at most {MAX_ROWS} per file")
        values = columns.values(cells)
        if not any(values.values()):
            continue
        gender = values.get("gender", "")
        if gender and gender.lower() not in _GENDERS:
            parsed.refused.append(_refusal(line, f"gender: unknown value {gender!r}"))
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
            parsed.refused.append(_refusal(line, _describe(exc)))
            continue
        parsed.rows.append((line, lead))
    return parsed


def parse_phones(data: bytes) -> ParsedPhones:
    """Reads the phone column of a do-not-call list; other columns are ignored and named."""
    header, records = _records(data, "a do-not-call list needs a phone column")
    columns = resolve(header, ("phone",))
    parsed = ParsedPhones(unknown_columns=columns.unknown)
    for line, cells in records:
        value = columns.values(cells)["phone"]
        if not value:
            continue
        try:
            parsed.phones.append(to_e164(value))
        except InvalidPhone as exc:
            parsed.refused.append(_refusal(line, str(exc)))
    return parsed
