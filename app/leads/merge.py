"""What an imported row may change on the lead that already has its phone.

merge (the default) only fills the lead's blank fields: a row never overwrites a name a meeting
invite already carries. A different non-empty value is a conflict, reported and left alone.
update overwrites with the row's non-empty values. Neither mode clears a field, nor touches the
phone, status, do-not-call flag, consent fields or meetings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.leads.models import Lead
from app.leads.schemas import FieldChange, ImportMode, LeadCreate

FIELDS = ("name", "name_he", "company", "email", "gender", "notes", "source")


@dataclass
class Plan:
    """The changes a row makes to a lead and the values it was not allowed to change."""

    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # field, existing, imported


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _same(name: str, old: str, new: str) -> bool:
    """Equal values are no change; an address differs from another only beyond letter case."""
    return old.casefold() == new.casefold() if name == "email" else old == new


def fields_of(lead: Lead) -> dict[str, str | None]:
    """The lead's values that an import may change."""
    return {name: getattr(lead, name) for name in FIELDS}


def plan(current: Mapping[str, object], row: LeadCreate, mode: ImportMode) -> Plan:
    """Compares the row with the lead's current values, field by field; nothing changes yet."""
    result = Plan()
    for name in FIELDS:
        value = getattr(row, name)
        new = None if value is None else str(value)
        stored = current.get(name)
        old = None if stored is None else str(stored)
        if new is None or _blank(new) or (old is not None and _same(name, old, new)):
            continue
        if old is None or _blank(old) or mode is ImportMode.update:
            result.changes.append(FieldChange(field=name, old=old, new=new))
        else:
            result.conflicts.append((name, old, new))
    return result


def apply(lead: Lead | dict[str, object], changes: list[FieldChange]) -> None:
    """Writes the planned changes onto a stored lead, or onto a new one's values not yet stored."""
    for change in changes:
        if isinstance(lead, dict):
            lead[change.field] = change.new
        else:
            setattr(lead, change.field, change.new)
