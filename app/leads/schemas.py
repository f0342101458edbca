"""Lead shapes: LeadCreate comes in, LeadUpdate patches, LeadRead goes out."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from app.leads.models import Gender
from app.leads.phones import to_e164

Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(to_e164),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class LeadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    name_he: Name | None = Field(default=None, description="The name in Hebrew letters.")
    phone: Phone = Field(description="Any common format; stored as E.164 (default region IL).")
    company: ShortText | None = None
    email: EmailStr | None = None
    gender: Gender | None = Field(default=None, description="For Hebrew address; unset → neutral.")
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    source: ShortText | None = Field(
        default=None,
        description='Where the details came from, said when asked: "השארת פרטים באתר".',
    )
    consent_source: ShortText | None = None
    consent_at: datetime | None = None
    dnc_registry_checked_at: datetime | None = None


class LeadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    name_he: Name | None = None
    phone: Phone | None = None
    company: ShortText | None = None
    email: EmailStr | None = None
    gender: Gender | None = None
    notes: Annotated[str, StringConstraints(max_length=5000)] | None = None
    do_not_call: bool | None = None
    source: ShortText | None = None
    consent_source: ShortText | None = None
    consent_at: datetime | None = None
    dnc_registry_checked_at: datetime | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> LeadUpdate:
        cleared = [
            f
            for f in ("name", "phone", "do_not_call")
            if f in self.model_fields_set and getattr(self, f) is None
        ]
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null")
        return self


class LeadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    name_he: str | None
    phone: str
    company: str | None
    email: str | None
    gender: Gender | None
    notes: str | None
    status: str
    do_not_call: bool
    source: str | None
    consent_source: str | None
    consent_at: datetime | None
    dnc_registry_checked_at: datetime | None
    score: str | None = Field(description="Its latest analysed call's score: hot, warm or cold")
    created_at: datetime
    updated_at: datetime


class ImportMode(enum.StrEnum):
    """How a row whose phone matches a lead treats that lead's fields."""

    merge = "merge"  # fill the lead's blank fields; a different non-empty value is a conflict
    update = "update"  # overwrite the lead's fields with the row's non-empty values


class ImportOutcome(enum.StrEnum):
    created = "created"
    merged = "merged"
    unchanged = "unchanged"
    do_not_call = "do_not_call"


class ImportRowError(BaseModel):
    line: int = Field(description="Line number in the uploaded file (the header is line 1).")
    reason: str


class FieldChange(BaseModel):
    field: str
    old: str | None = Field(description="The lead's value before the import (null: blank).")
    new: str


class ImportedLead(BaseModel):
    line: int = Field(description="Line number in the uploaded file (the header is line 1).")
    lead_id: int
    name: str = Field(description="The lead's name after this row.")
    outcome: ImportOutcome = Field(
        description="created; merged (fields changed); unchanged; do_not_call (skipped, untouched)."
    )
    changes: list[FieldChange] = Field(
        default_factory=list, description="What this row changed on an existing lead, old → new."
    )


class FieldConflict(BaseModel):
    line: int = Field(description="Line number in the uploaded file (the header is line 1).")
    lead_id: int = Field(description="The existing lead, which kept its value.")
    field: str
    existing: str
    imported: str


class ImportReport(BaseModel):
    mode: ImportMode
    created: int
    merged: int = Field(description="Rows that changed an existing lead (see `leads[].changes`).")
    unchanged: int = Field(description="Rows that matched an existing lead and changed nothing.")
    do_not_call_skipped: int = Field(description="Rows matching a do-not-call lead, left alone.")
    rejected: int = Field(description="Rows refused; `errors` says why, per line.")
    leads: list[ImportedLead] = Field(description="Every imported row's lead, in file order.")
    conflicts: list[FieldConflict] = Field(
        description="merge mode: a row's value that differs from the lead's non-empty one (kept)."
    )
    errors: list[ImportRowError]
    unknown_columns: list[str] = Field(description="Headers that are no lead column; ignored.")
    lead_ids: list[int] = Field(description="Leads created or matched (not do-not-call), sorted.")


class DncReport(BaseModel):
    marked: int = Field(description="Leads now marked do-not-call.")
    unknown: int = Field(description="Numbers in the file that match no lead.")
    rejected: int
    errors: list[ImportRowError]
    unknown_columns: list[str] = Field(description="Headers that are no lead column; ignored.")
