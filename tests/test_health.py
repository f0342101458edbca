import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from app.db import create_engine


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_a_request_id_is_echoed_and_an_escaped_error_is_a_500_with_it(app: FastAPI) -> None:
    @app.get("/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ok = await client.get("/health", headers={"X-Request-ID": "req-42"})
        failed = await client.get("/boom-for-test", headers={"X-Request-ID": "req-43"})
    assert ok.headers["x-request-id"] == "req-42"
    assert failed.status_code == 500
    assert failed.json() == {"detail": "Internal server error."}
    assert failed.headers["x-request-id"] == "req-43"


async def test_ready_names_offline_providers(client: httpx.AsyncClient) -> None:
    body = (await client.get("/ready")).json()
    assert body["status"] == "ready"
    assert body["database"] == "ok"
    providers = {p["name"]: (p["mode"], p["vendor"]) for p in body["providers"]}
    assert providers["chat"] == ("offline", "offline brain")
    assert providers["telephony"] == ("offline", "offline phone network")
    assert providers["calendar"] == ("offline", "local calendar")
    assert providers["email"] == providers["sms"] == ("offline", "database mailbox")


async def test_ready_reports_configured_vendors(client: httpx.AsyncClient, app: FastAPI) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={
            "openai_api_key": SecretStr("sk-test"),
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": SecretStr("token"),
            "twilio_caller_id": "+97235550000",
            "calendar_backend": "google",
            "smtp_host": "smtp.example.com",
        }
    )
    body = (await client.get("/ready")).json()
    assert {p["mode"] for p in body["providers"]} == {"online"}
    assert {p["name"]: p["vendor"] for p in body["providers"]}["calendar"] == "google"


async def test_ready_is_503_when_the_database_is_gone(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    healthy = app.state.engine
    app.state.engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        response = await client.get("/ready")
    finally:
        await app.state.engine.dispose()
        app.state.engine = healthy
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
