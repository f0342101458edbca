"""Mounts the console on the app: static files, login, docs and one router per page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from app.errors import AppError
from app.web import docs, login
from app.web.pages import agent, calls, campaigns, leads, meetings, overview, try_call
from app.web.templating import STATIC_DIR, templates

TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Not possible now"}


def mount_console(app: FastAPI) -> None:
    """Everything under / that is a page for people rather than JSON for programs."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(docs.docs_router(app))
    app.include_router(login.router)
    for page in (overview, leads, calls, meetings, campaigns, try_call, agent):
        app.include_router(page.router)
    _pages_answer_in_html(app)


def _is_page(request: Request) -> bool:
    path = request.url.path
    return (path == "/" or path.startswith("/console/")) and not request.headers.get("HX-Request")


def _pages_answer_in_html(app: FastAPI) -> None:
    """A refusal on a console page is a page saying why; the API keeps its JSON bodies."""
    json_handlers: dict[type[Exception], Any] = {
        AppError: app.exception_handlers[AppError],
        HTTPException: app.exception_handlers[HTTPException],
        RequestValidationError: request_validation_exception_handler,
    }
    for kind, json_handler in json_handlers.items():

        async def handler(
            request: Request, exc: Exception, json_handler: Any = json_handler
        ) -> Response:
            code = getattr(exc, "status_code", status.HTTP_422_UNPROCESSABLE_CONTENT)
            if not _is_page(request) or code < 400 or code == status.HTTP_401_UNAUTHORIZED:
                response: Response = await json_handler(request, exc)
                return response
            message = getattr(exc, "detail", None) if isinstance(exc, HTTPException) else None
            if isinstance(exc, RequestValidationError):
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ())[1:])
                message = f"{where}: {first.get('msg', 'invalid input')}"
            context = {
                "status_code": code,
                "title": TITLES.get(code, "Something is off"),
                "message": message or str(exc),
            }
            return templates.TemplateResponse(request, "error.html", context, status_code=code)

        app.add_exception_handler(kind, handler)
