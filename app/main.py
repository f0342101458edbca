"""create_app(): settings -> logging -> database (migrate, seed) -> routers."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app import metrics, migrate
from app.agent_profile import service as agent_profile
from app.agent_profile.schemas import AgentProfile
from app.calls.router import router as calls_router
from app.campaigns.router import outbound_router as campaign_outbound_router
from app.campaigns.router import router as campaigns_router
from app.clock import Clock, SystemClock
from app.config import ConfigError, Settings, describe, get_settings
from app.contract import PROTECTED_RESPONSES, ErrorMessage, described, not_found
from app.conversation.engine import build_engine
from app.db import create_engine, create_sessionmaker, read_session
from app.errors import AppError
from app.flows.after_call import start_after_call
from app.flows.meetings import router as meetings_router
from app.flows.router import erasure_router
from app.flows.router import router as agent_router
from app.flows.scheduling import close_scheduling, open_scheduling
from app.health import provider_statuses
from app.health import router as health_router
from app.integrations.router import router as outgoing_router
from app.integrations.webhooks.outbox import WebhookOutbox
from app.integrations.webhooks.router import router as webhooks_router
from app.integrations.webhooks.worker import start_webhook_worker
from app.leads.router import router as leads_router
from app.leads.seed import seed_demo_leads
from app.logging_config import configure_logging
from app.metrics import router as metrics_router
from app.middleware import EdgeGuard, RequestContext
from app.simulator.router import router as simulator_router
from app.telephony import close_telephony, open_telephony
from app.telephony.dialing import start_dialer
from app.telephony.outbound import router as outbound_router
from app.telephony.twilio.router import router as twilio_router
from app.web.router import mount_console

log = structlog.get_logger("app")


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Builds the service; tests pass their own settings and a frozen clock."""
    settings = settings or get_settings()
    settings.check_production()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        if settings.run_migrations_on_startup:
            await migrate.upgrade(engine)
        app.state.agent_defaults = defaults = AgentProfile.of(settings)
        async with read_session(app.state.sessionmaker) as session:
            await agent_profile.load(session, settings, defaults)
        app.state.conversation = build_engine(settings, clock)
        open_telephony(app, settings)
        open_scheduling(app, settings, clock, run=settings.outbox_enabled)
        if settings.seed_demo_leads:
            async with app.state.sessionmaker.begin() as session:
                await seed_demo_leads(session)
        if settings.api_key is None:
            log.warning("api_key_unset", detail="admin endpoints are open; set API_KEY")
        log.info(
            "startup",
            env=settings.app_env,
            database=engine.dialect.name,
            providers={p.name: f"{p.mode}:{p.vendor}" for p in provider_statuses(settings)},
        )
        stop_dialer = asyncio.Event()
        dialer = start_dialer(app, settings, clock, stop_dialer)
        # Another process's Agent page reaches this one within a few seconds.
        follower = asyncio.create_task(
            agent_profile.follow(app.state.sessionmaker, settings, defaults, stop_dialer)
        )
        after_call = start_after_call(
            app.state.sessionmaker, app.state.conversation, settings, clock, stop_dialer
        )
        webhooks = start_webhook_worker(app.state.sessionmaker, settings, clock, stop_dialer)
        try:
            yield
        finally:
            stop_dialer.set()
            await follower
            if dialer is not None:
                await dialer
            await close_scheduling(app)
            if after_call is not None:
                await after_call
            if webhooks is not None:
                await webhooks[0]
                await webhooks[1].aclose()
            await close_telephony(app)
            await app.state.conversation.aclose()
            await engine.dispose()
            metrics.worker_exited(os.getpid())

    app = FastAPI(
        title="Agent Messiah",
        version="0.1.0",
        description="Outbound AI sales calls in Israeli Hebrew. Admin endpoints take `X-API-Key`.",
        lifespan=lifespan,
        docs_url=None,  # served from vendored assets by app/web/docs.py, so they work offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.events = WebhookOutbox(clock, personal_data=settings.webhook_personal_data)
    # Inside request_context (added after it), so its refusals carry the request id too.
    app.add_middleware(EdgeGuard, fastapi_app=app)
    app.add_middleware(RequestContext)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        """The one place a refusal becomes HTTP: its kind gives the status, it gives the body."""
        if exc.status_code >= 500:
            log.warning("request_refused", status=exc.status_code, error=str(exc))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(HTTPException)
    async def validation_shaped_422(request: Request, exc: HTTPException) -> Response:
        """A 422 always has the documented validation body, even when raised with a string."""
        if exc.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT and isinstance(exc.detail, str):
            error = {"type": "value_error", "loc": ["body"], "msg": exc.detail}
            return JSONResponse({"detail": [error]}, status_code=exc.status_code)
        return await http_exception_handler(request, exc)

    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(leads_router)
    app.include_router(erasure_router)
    app.include_router(meetings_router)
    app.include_router(outgoing_router)
    # The agent router documents only its success; its refusals are the shared ones.
    app.include_router(
        agent_router,
        responses={
            **PROTECTED_RESPONSES,
            **not_found("lead"),
            status.HTTP_503_SERVICE_UNAVAILABLE: described(
                "The language model is unavailable; retry", ErrorMessage
            ),
        },
    )
    app.include_router(calls_router)
    app.include_router(simulator_router)
    app.include_router(campaigns_router)
    app.include_router(campaign_outbound_router)
    app.include_router(twilio_router)
    app.include_router(outbound_router)
    mount_console(app)
    app.include_router(webhooks_router)
    return app


def _app_from_environment() -> FastAPI:
    """The app uvicorn serves; a missing or bad setting is one line on stderr and exit 2."""
    try:
        return create_app()
    except (ValidationError, ConfigError) as exc:
        print(f"agent-messiah: {describe(exc)}", file=sys.stderr)
        raise SystemExit(2) from None


app = _app_from_environment()
