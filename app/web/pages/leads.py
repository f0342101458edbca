"""Leads: search and filters, add and edit, do-not-call, erasure, and CSV import with a preview."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from app.campaigns import repository as campaigns_repo
from app.contract import Id
from app.db import read_session
from app.deps import AppClock, AppSettings, DbSession, DbSessions
from app.flows.privacy import erase_lead
from app.leads import importer
from app.leads import repository as leads_repo
from app.leads.models import Lead, LeadStatus
from app.leads.repository import PhoneTaken
from app.leads.router import read_upload, template_response
from app.leads.schemas import ImportMode, LeadCreate, LeadUpdate
from app.web import forms
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/leads", include_in_schema=False)

FIELDS = ("name", "name_he", "phone", "company", "email", "gender", "source", "notes")
PAGE_SIZE = 50


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status.HTTP_303_SEE_OTHER)


@router.get("")
async def list_leads(
    request: Request,
    console: Console,
    sessions: DbSessions,
    q: Annotated[str | None, Query(max_length=200)] = None,
    lead_status: Annotated[str | None, Query(alias="status", max_length=20)] = None,
    dnc: Annotated[str | None, Query(pattern="^(yes|no)?$")] = None,
    campaign: Annotated[str | None, Query(pattern="^[0-9]{0,9}$")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Leads matching the filters, newest first."""
    campaign_id = int(campaign) if campaign else None
    async with read_session(sessions) as session:
        leads, total = await leads_repo.search(
            session,
            text=q,
            status=lead_status or None,
            do_not_call={"yes": True, "no": False}.get(dnc or ""),
            within=campaigns_repo.lead_ids_of(campaign_id) if campaign_id else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        campaigns = await campaigns_repo.list_campaigns(session)
    context = {
        "leads": leads,
        "total": total,
        "page_no": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": {
            "q": q or "",
            "status": lead_status or "",
            "dnc": dnc or "",
            "campaign": campaign or "",
        },
        "statuses": list(LeadStatus),
        "campaigns": campaigns,
    }
    return render(request, console, "leads.html", context, page="leads")


def _form_page(
    request: Request,
    console: Console,
    lead_id: int | None,
    values: dict[str, str | None],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"lead_id": lead_id, "values": values, "errors": errors or {}}
    return render(
        request, console, "lead_form.html", context, status_code=status_code, page="leads"
    )


@router.get("/new")
async def new_lead(request: Request, console: Console) -> Response:
    return _form_page(request, console, None, dict.fromkeys(FIELDS))


@router.post("")
async def create_lead(request: Request, console: Console, session: DbSession) -> Response:
    """Adds a lead through LeadCreate, as POST /leads does."""
    values = forms.values(await request.form(), FIELDS)
    try:
        payload = LeadCreate.model_validate({k: v for k, v in values.items() if v is not None})
        lead = await leads_repo.add(session, Lead(**payload.model_dump()))
    except ValidationError as exc:
        return _form_page(request, console, None, values, forms.errors(exc), 422)
    except PhoneTaken as exc:
        return _form_page(request, console, None, values, {"phone": str(exc)}, 409)
    return _see_other(f"/console/leads?q={quote(lead.phone)}")


# --- CSV import: preview first, then the same file (before /{lead_id}, which would match) ---


@router.get("/import")
async def import_page(request: Request, console: Console) -> Response:
    context = {
        "modes": list(ImportMode),
        # The page posts the file twice (upload, then confirm as base64) under the body limit.
        "limit": request.app.state.settings.max_request_body_bytes * 3 // 4,
    }
    return render(request, console, "lead_import.html", context, page="leads")


@router.get("/import/template.csv")
async def import_template(console: Console) -> Response:
    """The same template GET /leads/import/template.csv serves."""
    return template_response("en")


@router.post("/import/preview")
async def import_preview(
    request: Request,
    console: Console,
    sessions: DbSessions,
    settings: AppSettings,
    file: UploadFile,
    mode: Annotated[ImportMode, Form()] = ImportMode.merge,
) -> Response:
    """What the import would create, merge and refuse; nothing is written yet."""
    data = await read_upload(file, settings)
    if not data:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The file is empty.")
    report = await importer.preview_csv(sessions, data, mode)
    context = {
        "report": report,
        "mode": mode,
        "filename": file.filename or "leads.csv",
        "payload": base64.b64encode(data).decode(),
    }
    return render(request, console, "lead_import_preview.html", context, page="leads")


@router.post("/import")
async def import_confirmed(
    request: Request,
    console: Console,
    sessions: DbSessions,
    settings: AppSettings,
    payload: Annotated[str, Form(max_length=8 * 1024 * 1024)],
    mode: Annotated[ImportMode, Form()] = ImportMode.merge,
) -> Response:
    """Imports the previewed file (the same bytes) with the importer POST /leads/import uses."""
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The file was garbled.") from exc
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "The file is too large.")
    report = await importer.import_csv(sessions, data, mode)
    return render(request, console, "lead_import_done.html", {"report": report}, page="leads")


@router.get("/{lead_id}/edit")
async def edit_lead(
    request: Request, console: Console, lead_id: Id, session: DbSession
) -> Response:
    lead = await leads_repo.get_or_raise(session, lead_id)
    return _form_page(request, console, lead.id, {name: getattr(lead, name) for name in FIELDS})


@router.post("/{lead_id}")
async def update_lead(
    request: Request, console: Console, lead_id: Id, session: DbSession
) -> Response:
    """Changes the lead through LeadUpdate, as PATCH /leads/{id} does; a blank field is cleared."""
    lead = await leads_repo.get_or_raise(session, lead_id)
    values = forms.values(await request.form(), FIELDS)
    try:
        payload = LeadUpdate.model_validate(values)
        await leads_repo.update(session, lead, payload.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return _form_page(request, console, lead_id, values, forms.errors(exc), 422)
    except PhoneTaken as exc:
        return _form_page(request, console, lead_id, values, {"phone": str(exc)}, 409)
    return _see_other(f"/console/leads?q={quote(lead.phone)}")


@router.post("/{lead_id}/do-not-call")
async def toggle_do_not_call(
    request: Request,
    console: Console,
    lead_id: Id,
    session: DbSession,
    do_not_call: Annotated[bool, Form()],
) -> Response:
    """Marks or unmarks the lead do-not-call; returns its row (HTMX) or the list."""
    lead = await leads_repo.get_or_raise(session, lead_id)
    await leads_repo.update(session, lead, {"do_not_call": do_not_call})
    if request.headers.get("HX-Request"):
        return render(request, console, "_lead_row.html", {"lead": lead})
    return _see_other("/console/leads")


@router.get("/{lead_id}/delete")
async def confirm_delete(
    request: Request, console: Console, lead_id: Id, session: DbSession
) -> Response:
    lead = await leads_repo.get_or_raise(session, lead_id)
    return render(request, console, "lead_delete.html", {"lead": lead}, page="leads")


@router.post("/{lead_id}/delete")
async def delete_lead(
    request: Request, console: Console, lead_id: Id, session: DbSession, clock: AppClock
) -> Response:
    """Erases the lead's personal data (right to erasure), as DELETE /leads/{id} does."""
    await leads_repo.get_or_raise(session, lead_id)
    await erase_lead(session, lead_id, clock)
    return _see_other("/console/leads")
