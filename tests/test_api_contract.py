"""The OpenAPI schema is true: schemathesis drives every operation of the real app over HTTP.

The app runs under uvicorn on loopback (lifespan, middleware, a migrated SQLite file, the demo
leads) and schemathesis generates requests from /openapi.json: valid ones, boundary values (huge
ids, empty and long strings) and invalid ones. It fails on any 5xx, on a status code the schema
does not document, and on a body, content type or header that does not match what is documented.
Bounded (a fixed number of examples per operation, derandomized) so it takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from twilio.request_validator import RequestValidator

from app.clock import FrozenClock
from app.config import Settings
from app.main import create_app
from tests.fakes.loopback import LoopbackServer
from tests.fakes.twilio import AUTH_TOKEN, PUBLIC_BASE_URL, FakeTwilio

KEY = "contract-test-key"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _settings(database: Path, twilio: dict[str, object] | None = None) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{database}",
        app_env="test",
        api_key=KEY,
        seed_demo_leads=True,
        openai_api_key=None,
        dialer_enabled=False,
        log_level="ERROR",
        **(twilio or {}),
    )


class TwilioSigner(requests.auth.AuthBase):
    """Signs each /twilio/* webhook as Twilio would: over the public URL and the form it posts."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        if parts.path.startswith("/twilio/") and not parts.path.startswith("/twilio/debug"):
            body = request.body or ""
            text = body.decode() if isinstance(body, bytes) else body
            form = dict(parse_qsl(text, keep_blank_values=True))
            url = PUBLIC_BASE_URL + parts.path + (f"?{parts.query}" if parts.query else "")
            signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
            request.headers["X-Twilio-Signature"] = signature
        return request


# The schema the app publishes, read without serving it: the operations are known at collection.
schema = schemathesis.openapi.from_dict(create_app(_settings(Path("unused.db"))).openapi())


@pytest.fixture(scope="module")
def api_url(
    tmp_path_factory: pytest.TempPathFactory, twilio_fake_server: FakeTwilio
) -> Iterator[str]:
    """The app with Twilio (the fake): calls can be dialed and every webhook is verified."""
    database = tmp_path_factory.mktemp("contract") / "messiah.db"
    twilio = twilio_fake_server.settings_overrides()
    now = FrozenClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    app = create_app(_settings(database, twilio), now)
    server = LoopbackServer(app, "schemathesis target", lifespan=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_documented_contract(
    case: Case, api_url: str, signed: requests.Session
) -> None:
    case.call_and_validate(
        base_url=api_url, session=signed, headers={"X-API-Key": KEY}, checks=CHECKS
    )


@pytest.fixture(scope="module")
def signed() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.auth = TwilioSigner()
        yield session


def test_the_same_checks_fail_on_a_server_error_and_an_undocumented_status() -> None:
    """Not vacuous: an app that answers 500, or a status it never documented, fails these."""
    broken = FastAPI()

    @broken.get("/boom")
    async def boom() -> JSONResponse:
        return JSONResponse({"detail": "Internal server error."}, status_code=500)

    @broken.get("/teapot")
    async def teapot() -> JSONResponse:
        return JSONResponse({"detail": "short and stout"}, status_code=418)

    spec = schemathesis.openapi.from_asgi("/openapi.json", broken)
    for path, failure in (("/boom", "Server error"), ("/teapot", "Undocumented status code")):
        case = spec[path]["GET"].Case()
        with pytest.raises(FailureGroup, match=failure):
            case.call_and_validate(checks=CHECKS)
