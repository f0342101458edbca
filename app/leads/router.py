"""/leads: thin handlers over the repository and importer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, UploadFile, status

from app.contract import (
    PROTECTED_RESPONSES,
    Id,
    Offset,
    PhoneConflict,
    conflict,
    not_found,
    unprocessable,
)
from app.deps import ApiKey, AppClock, AppSettings, DbSession
from app.leads import importer, repository
from app.leads.models import Lead
from app.leads.schemas import DncReport, ImportReport, LeadCreate, LeadRead, LeadUpdate
from app.privacy import erase_lead

router = APIRouter(
    prefix="/leads", tags=["leads"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


async def _get_or_404(session: DbSession, lead_id: int) -> Lead:
    lead = await repository.get(session, lead_id)
    if lead is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Lead {lead_id} not found.")
    return lead


async def _read_upload(file: UploadFile, settings: AppSettings) -> bytes:
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"File too large: at most {limit} bytes."
        )
    return data


def _conflict(exc: repository.PhoneTaken) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, {"message": str(exc), "existing_lead_id": exc.lead_id}
    )


@router.get("", response_model=list[LeadRead])
async def list_leads(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
) -> list[Lead]:
    """Lists leads, oldest first."""
    return list(
        await repository.list_leads(session, limit=limit, offset=offset, status=status_filter)
    )


@router.post(
    "",
    response_model=LeadRead,
    status_code=status.HTTP_201_CREATED,
    responses=conflict("Another lead has this phone", PhoneConflict),
)
async def create_lead(payload: LeadCreate, session: DbSession) -> Lead:
    """Adds a lead; the phone is normalised to E.164 and must be unique."""
    try:
        return await repository.add(session, Lead(**payload.model_dump()))
    except repository.PhoneTaken as exc:
        raise _conflict(exc) from exc


@router.post(
    "/import",
    response_model=ImportReport,
    responses=conflict("Another request changed these leads; retry"),
)
async def import_leads(file: UploadFile, session: DbSession, settings: AppSettings) -> ImportReport:
    """Imports a CSV of leads; bad rows are reported with their line, not fatal."""
    data = await _read_upload(file, settings)
    try:
        return await importer.import_csv(session, data)
    except importer.ImportFileError as exc:
        raise unprocessable(("body", "file"), str(exc)) from exc
    except importer.ImportConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


@router.post("/do-not-call/import", response_model=DncReport)
async def import_do_not_call(
    file: UploadFile, session: DbSession, settings: AppSettings
) -> DncReport:
    """Marks the leads on a do-not-call list (CSV with a phone column); they are never dialed."""
    data = await _read_upload(file, settings)
    try:
        return await importer.import_dnc_csv(session, data)
    except importer.ImportFileError as exc:
        raise unprocessable(("body", "file"), str(exc)) from exc


@router.get("/{lead_id}", response_model=LeadRead, responses=not_found("lead"))
async def get_lead(lead_id: Id, session: DbSession) -> Lead:
    """Gets one lead."""
    return await _get_or_404(session, lead_id)


@router.patch(
    "/{lead_id}",
    response_model=LeadRead,
    responses={**not_found("lead"), **conflict("Another lead has this phone", PhoneConflict)},
)
async def update_lead(lead_id: Id, payload: LeadUpdate, session: DbSession) -> Lead:
    """Changes only the fields sent."""
    lead = await _get_or_404(session, lead_id)
    try:
        return await repository.update(session, lead, payload.model_dump(exclude_unset=True))
    except repository.PhoneTaken as exc:
        raise _conflict(exc) from exc


@router.delete("/{lead_id}", status_code=status.HTTP_204_NO_CONTENT, responses=not_found("lead"))
async def delete_lead(lead_id: Id, session: DbSession, clock: AppClock) -> None:
    """Erases the lead's personal data (right to deletion); anonymous call statistics remain."""
    await _get_or_404(session, lead_id)
    await erase_lead(session, lead_id, clock)
