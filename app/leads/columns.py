"""Lead CSV columns: English or Hebrew headers, and the downloadable template."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from app.errors import Unprocessable

COLUMNS = ("name", "name_he", "phone", "company", "email", "gender", "notes", "source")
REQUIRED = ("name", "phone")
HEBREW = {
    "name": "שם",
    "name_he": "שם בעברית",
    "phone": "טלפון",
    "company": "חברה",
    "email": "אימייל",
    "gender": "מגדר",
    "notes": "הערות",
    "source": "מקור",
}
# Every header a spreadsheet may carry for a column, normalised by `normalise` below.
_ALIASES: dict[str, str] = {column: column for column in COLUMNS} | {
    hebrew: column for column, hebrew in HEBREW.items()
}
_ALIASES |= {'דוא"ל': "email", "מייל": "email", "e-mail": "email"}

TemplateLanguage = Literal["en", "he"]
TEMPLATE_EXAMPLE = (
    "Dana Levi",
    "דנה לוי",
    "050-555-0199",
    "Levi Marketing",
    "dana@example.com",
    "female",
    "Prefers mornings",
    "השארת פרטים באתר",
)


class ImportFileError(Unprocessable):
    """The file as a whole cannot be imported (encoding, missing columns, too many rows)."""

    loc = ("body", "file")


def normalise(header: str) -> str:
    """Ignores a BOM, surrounding and doubled spaces, case, and gershayim typed as ״ or '' ."""
    text = header.replace("\ufeff", "").replace("״", '"').replace("''", '"')
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Columns:
    """Which cell of a row holds each known column, and the headers nobody asked for."""

    index: dict[str, int]
    unknown: list[str]

    def __contains__(self, column: str) -> bool:
        return column in self.index

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        """The row's known columns, stripped; a short row's missing cells are blank."""
        return {c: cells[i].strip() if i < len(cells) else "" for c, i in self.index.items()}


def resolve(header_row: Sequence[str], required: Sequence[str]) -> Columns:
    """Maps the file's headers to columns; two headers for one column or a missing one refuse."""
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, header in enumerate(header_row):
        if not normalise(header):
            continue  # Excel's trailing empty columns
        column = _ALIASES.get(normalise(header))
        if column is None:
            unknown.append(header.replace("\ufeff", "").strip())
        elif column in index:
            first = header_row[index[column]].replace("\ufeff", "").strip()
            raise ImportFileError(f"columns {first!r} and {header.strip()!r} both mean {column}")
        else:
            index[column] = position
    missing = [c for c in required if c not in index]
    if missing:
        named = ", ".join(f"{c} ({HEBREW[c]})" for c in missing)
        expected = ", ".join(COLUMNS)
        raise ImportFileError(f"missing column(s) {named}; expected columns: {expected}")
    return Columns(index, unknown)


def template_csv(language: TemplateLanguage = "en") -> bytes:
    """The header row and one example row, UTF-8 with a BOM so Excel shows the Hebrew."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS if language == "en" else [HEBREW[c] for c in COLUMNS])
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue().encode("utf-8-sig")
