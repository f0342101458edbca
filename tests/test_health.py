import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from app.db import create_engine


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_ready_names_offline_providers(client: httpx.AsyncClient) -> None:
    body = (await client.get("/ready")).json()
    assert body["status"] == "ready"
    assert body["database"] == "ok"
    providers = {p["name"]: (p["mode"], p["vendor"]) for p in body["providers"]}
    assert providers["chat"] == ("offline", "offline brain")
    assert providers["telephony"] == ("offline", "offline phone network")


async def test_ready_reports_configured_vendors(client: httpx.AsyncClient, app: FastAPI) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={
            "openai_api_key": SecretStr("sk-test"),
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": SecretStr("token"),
            "twilio_caller_id": "+97235550000",
        }
    )
    body = (await client.get("/ready")).json()
    assert {p["mode"] for p in body["providers"]} == {"online"}


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
