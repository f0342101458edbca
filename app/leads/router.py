"""/leads: thin handlers over the repository and importer (erasure is a flow: app/flows)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, UploadFile, status

from app.contract import (
    PROTECTED_RESPONSES,
    Id,
    Offset,
    PhoneConflict,
    conflict,
    not_found,
)
from app.deps import ApiKey, AppSettings, DbSession, DbSessions
from app.leads import importer, repository
from app.leads.columns import TemplateLanguage, template_csv
from app.leads.models import Lead
from app.leads.schemas import (
    DncReport,
    ImportMode,
    ImportReport,
    LeadCreate,
    LeadRead,
    LeadUpdate,
)

router = APIRouter(
    prefix="/leads", tags=["leads"], dependencies=[ApiKey], responses=PROTECTED_RESPONSES
)


async def read_upload(file: UploadFile, settings: AppSettings) -> bytes:
    """The uploaded file, refused with 413 past MAX_UPLOAD_BYTES (the console uses it too)."""
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"File too large: at most {limit} bytes."
        )
    return data


@router.get("", response_model=list[LeadRead])
async def list_leads(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
    score: Annotated[
        Literal["hot", "warm", "cold"] | None,
        Query(description="The latest analysed call's score"),
    ] = None,
) -> list[Lead]:
    """Lists leads, oldest first; `score=hot` finds the ones to call first."""
    return list(
        await repository.list_leads(
            session, limit=limit, offset=offset, status=status_filter, score=score
        )
    )


@router.post(
    "",
    response_model=LeadRead,
    status_code=status.HTTP_201_CREATED,
    responses=conflict("Another lead has this phone", PhoneConflict),
)
async def create_lead(payload: LeadCreate, session: DbSession) -> Lead:
    """Adds a lead; the phone is normalised to E.164 and must be unique."""
    return await repository.add(session, Lead(**payload.model_dump()))


async def json_report(report: ImportReport | DncReport) -> Response:
    """Serialises a report (one entry per row: 50,000 of them) off the event loop."""
    body = await asyncio.to_thread(report.model_dump_json)
    return Response(body, media_type="application/json")


@router.post(
    "/import",
    response_model=ImportReport,
    responses=conflict("Other requests kept adding these phone numbers; retry"),
)
async def import_leads(
    file: UploadFile,
    sessions: DbSessions,
    settings: AppSettings,
    mode: Annotated[
        ImportMode,
        Query(
            description="merge: fill blank fields only, report differing values as conflicts; "
            "update: overwrite fields with the file's non-empty values."
        ),
    ] = ImportMode.merge,
) -> Response:
    """Imports a CSV of leads (English or Hebrew headers); bad rows are reported, not fatal."""
    data = await read_upload(file, settings)
    report = await importer.import_csv(sessions, data, mode)
    return await json_report(report)


@router.get(
    "/import/template.csv",
    response_class=Response,  # the CSV is documented below; errors stay JSON
    responses={
        status.HTTP_200_OK: {
            "description": "A header row and one example row, UTF-8 with a BOM (for Excel).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=leads-template.csv",
                    "schema": {"type": "string"},
                }
            },
        }
    },
)
async def import_template(
    lang: Annotated[
        TemplateLanguage, Query(description="Header language: en (name, phone, ...) or he.")
    ] = "en",
) -> Response:
    """The CSV template for /leads/import, so a new user starts from columns that import."""
    return template_response(lang)


def template_response(lang: TemplateLanguage) -> Response:
    """The template as a download (the console serves it too)."""
    return Response(
        template_csv(lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads-template.csv"'},
    )


# POST /leads/do-not-call/import announces the opt-outs (webhooks): app/flows/router.py.


@router.get("/{lead_id}", response_model=LeadRead, responses=not_found("lead"))
async def get_lead(lead_id: Id, session: DbSession) -> Lead:
    """Gets one lead."""
    return await repository.get_or_raise(session, lead_id)


@router.patch(
    "/{lead_id}",
    response_model=LeadRead,
    responses={**not_found("lead"), **conflict("Another lead has this phone", PhoneConflict)},
)
async def update_lead(lead_id: Id, payload: LeadUpdate, session: DbSession) -> Lead:
    """Changes only the fields sent."""
    lead = await repository.get_or_raise(session, lead_id)
    return await repository.update(session, lead, payload.model_dump(exclude_unset=True))


# DELETE /leads/{id} erases across domains: app/flows/router.py.
