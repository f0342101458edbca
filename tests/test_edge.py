"""The edge: body size limits, the API key checked before any body is read, production defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from app.config import ConfigError, Settings, describe

KEY = "edge-test-key"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, object]:
    limits = {"api_key": KEY, "max_request_body_bytes": 4096, "max_upload_bytes": 64 * 1024}
    return dict(getattr(request, "param", limits))


def _key(**extra: str) -> dict[str, str]:
    return {"X-API-Key": KEY, **extra}


async def _asgi(app: FastAPI, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
    """Calls the ASGI app as a server would; returns (status, whether the body was read)."""
    read: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        read.append(True)
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return start["status"], bool(read)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/leads"), ("POST", "/leads/import"), ("POST", "/agent/turn"), ("PATCH", "/leads/1")],
)
async def test_no_key_is_refused_before_the_body_is_read(
    app: FastAPI, method: str, path: str
) -> None:
    body = b"{" + b'"x": 1,' * 100_000 + b"}"  # 700 KB nobody should parse
    headers = {"content-type": "application/json", "content-length": str(len(body))}
    assert await _asgi(app, method, path, headers, body) == (401, False)
    assert await _asgi(app, method, path, {**headers, "x-api-key": "wrong"}, body) == (401, False)


async def test_a_declared_oversized_body_is_413_unread(app: FastAPI) -> None:
    body = b"x" * 10_000
    headers = _key(**{"content-type": "application/json", "content-length": str(len(body))})
    assert await _asgi(app, "POST", "/leads", headers, body) == (413, False)
    # Twilio's webhooks are not behind the key but are bounded all the same.
    form = {"content-type": "application/x-www-form-urlencoded", "content-length": "10000"}
    assert await _asgi(app, "POST", "/twilio/process-speech", form, body) == (413, False)


async def test_a_body_without_length_is_cut_off_at_the_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b'{"name": "' + b"x" * 1000

    response = await client.post(
        "/leads", content=chunks(), headers=_key(**{"content-type": "application/json"})
    )
    assert response.status_code == 413
    assert "at most 4096 bytes" in response.json()["detail"]


async def test_within_the_limit_all_is_well(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/leads", json={"name": "Dana", "phone": "050-765-4321"}, headers=_key()
    )
    assert response.status_code == 201, response.text


async def test_an_upload_may_use_the_upload_limit(client: httpx.AsyncClient) -> None:
    rows = "".join(f"Lead {i},+9725077{i:05d}\n" for i in range(1000))  # ~25 KB, over 4 KB
    response = await client.post(
        "/leads/import", files={"file": ("leads.csv", "name,phone\n" + rows)}, headers=_key()
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1000
    too_big = "name,phone\n" + rows * 4  # ~100 KB, over MAX_UPLOAD_BYTES
    response = await client.post(
        "/leads/import", files={"file": ("leads.csv", too_big)}, headers=_key()
    )
    assert response.status_code == 413


# --- production ------------------------------------------------------------------------------

PRODUCTION = {"app_env": "production", "api_key": KEY, "twilio_auth_token": "tok"}


@pytest.mark.parametrize("settings_overrides", [PRODUCTION], indirect=True)
@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/metrics"])
async def test_production_keeps_docs_and_metrics_behind_the_key(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=_key())).status_code == 200
    assert (await client.get("/health")).status_code == 200


@pytest.mark.parametrize(
    "settings_overrides",
    [{**PRODUCTION, "expose_docs": True, "metrics_public": True}],
    indirect=True,
)
@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/metrics"])
async def test_production_may_open_docs_and_metrics(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize("blank", [" ", "   ", "\t", " \n "])
def test_a_blank_api_key_is_refused(blank: str) -> None:
    with pytest.raises(ValidationError, match="API_KEY is blank"):
        Settings(_env_file=None, api_key=blank)  # type: ignore[call-arg]


def test_a_padded_api_key_is_the_key_without_the_padding() -> None:
    settings = Settings(_env_file=None, api_key="  k3y  ")  # type: ignore[call-arg]
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "k3y"


def test_debug_call_events_are_refused_in_production() -> None:
    settings = Settings(_env_file=None, **PRODUCTION, debug_call_events=True)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="DEBUG_CALL_EVENTS"):
        settings.check_production()


def test_a_bad_setting_is_described_in_one_line() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, business_timezone="Mars/Base", meeting_duration_minutes=1)  # type: ignore[call-arg]
    line = describe(caught.value)
    assert "\n" not in line
    assert "BUSINESS_TIMEZONE: unknown time zone 'Mars/Base'" in line
    assert "MEETING_DURATION_MINUTES" in line


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    return subprocess.run(
        [sys.executable, *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


UVICORN = ["-c", "import app.main"]  # what `uvicorn app.main:app` imports
SERVE = ["-m", "app.cli", "serve"]


@pytest.mark.parametrize(
    ("command", "env", "says"),
    [
        (UVICORN, {"APP_ENV": "production"}, "APP_ENV=production requires API_KEY and TWILIO"),
        (SERVE, {"APP_ENV": "production"}, "APP_ENV=production requires API_KEY and TWILIO"),
        (UVICORN, {"API_KEY": "  "}, "API_KEY: API_KEY is blank"),
        (SERVE, {"BUSINESS_TIMEZONE": "Mars/Base"}, "BUSINESS_TIMEZONE: unknown time zone"),
        (["-m", "app.cli", "db", "upgrade"], {"BUSINESS_DAYS": "funday"}, "BUSINESS_DAYS"),
    ],
)
def test_a_bad_configuration_exits_with_one_line(
    tmp_path: Path, command: list[str], env: dict[str, str], says: str
) -> None:
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    result = _run(command, {**database, **env}, tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert says in line
