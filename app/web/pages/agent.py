"""Agent: what the agent says about the company, its name, gender, voice and input mode."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from app.agent_profile import service
from app.agent_profile.schemas import INPUT_MODES, AgentProfile
from app.deps import AppSettings, DbSession
from app.web import forms
from app.web.auth import Console
from app.web.templating import render

router = APIRouter(prefix="/console/agent", include_in_schema=False)
TEXT_FIELDS = tuple(
    name for name in AgentProfile.model_fields if not name.startswith("agent_questions")
)


def _defaults(request: Request) -> AgentProfile:
    defaults: AgentProfile = request.app.state.agent_defaults
    return defaults


def _submitted(form: FormData) -> dict[str, object]:
    """The form as AgentProfile's fields; Hebrew is kept exactly as typed (only trimmed)."""
    values: dict[str, object] = dict(forms.values(form, TEXT_FIELDS))
    for lang in ("he", "en"):
        values[f"agent_questions_{lang}"] = [
            str(form.get(f"question_{lang}_{i}") or "").strip() for i in range(3)
        ]
    return values


def _page(
    request: Request,
    console: Console,
    profile: dict[str, object],
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        "profile": profile,
        "defaults": _defaults(request),
        "modes": INPUT_MODES,
        "errors": errors or {},
        "saved": saved,
    }
    return render(request, console, "agent.html", context, status_code=status_code, page="agent")


@router.get("")
async def agent_page(request: Request, console: Console, settings: AppSettings) -> Response:
    return _page(request, console, AgentProfile.of(settings).model_dump())


@router.post("")
async def save_agent(
    request: Request, console: Console, session: DbSession, settings: AppSettings
) -> Response:
    """Stores what differs from the environment; the next turn of any call uses it."""
    submitted = _submitted(await request.form())
    try:
        profile = AgentProfile.model_validate(submitted)
    except ValidationError as exc:
        return _page(request, console, submitted, errors=forms.errors(exc), status_code=422)
    await service.save(session, _defaults(request), profile)
    await session.commit()
    service.apply(settings, profile)
    return _page(request, console, profile.model_dump(), saved=True)
