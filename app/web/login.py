"""/login and /logout: the API key in a form, a session cookie back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.security import api_key_matches
from app.web.auth import Console, Visitor, new_session, set_session_cookie
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _local_path(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
async def login_page(request: Request, console: Visitor, next: str | None = None) -> Response:
    """The login form (with API_KEY unset there is nothing to log in to)."""
    if request.app.state.settings.api_key is None:
        return RedirectResponse(_local_path(next), status.HTTP_303_SEE_OTHER)
    return render(request, console, "login.html", {"next": _local_path(next)}, page="login")


@router.post("/login")
async def login(
    request: Request,
    console: Visitor,
    api_key: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Checks the key; on success a new, authenticated session cookie."""
    if request.app.state.settings.api_key is None or not api_key_matches(
        request.app.state.settings, api_key
    ):
        context = {"next": _local_path(next), "error": "That key is not the API key."}
        return render(request, console, "login.html", context, status_code=401, page="login")
    response = RedirectResponse(_local_path(next), status.HTTP_303_SEE_OTHER)
    set_session_cookie(request, response, new_session(request, authenticated=True))
    return response


@router.post("/logout")
async def logout(request: Request, console: Console) -> Response:
    """Replaces the session with an anonymous one."""
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    set_session_cookie(request, response, new_session(request, authenticated=False))
    return response
