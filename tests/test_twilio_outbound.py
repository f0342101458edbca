"""POST /outbound/initiate-call through the real twilio SDK to the fake Twilio REST API."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.fakes.twilio import (
    CALLER_ID,
    PUBLIC_BASE_URL,
    FakeTwilio,
    TwilioError,
    add_lead,
    dial,
    stored_call,
)


@pytest.fixture
def settings_overrides(
    twilio_fake: FakeTwilio, request: pytest.FixtureRequest
) -> dict[str, object]:
    extra: dict[str, object] = getattr(request, "param", {})
    return twilio_fake.settings_overrides(**extra)


async def test_the_call_is_stored_and_placed_with_callbacks_and_machine_detection(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    lead_id = await add_lead(app, phone="+972521112233")
    call_id, sid = await dial(client, lead_id)

    [created] = twilio_fake.calls_created()
    assert created.authorized
    assert created.path == f"/2010-04-01/Accounts/{twilio_fake.account_sid}/Calls.json"
    form = {name: values if len(values) > 1 else values[0] for name, values in created.form.items()}
    assert form == {
        "To": "+972521112233",
        "From": CALLER_ID,
        "Url": f"{PUBLIC_BASE_URL}/twilio/voice?call_id={call_id}",
        "Method": "POST",
        "StatusCallback": f"{PUBLIC_BASE_URL}/twilio/call-status?call_id={call_id}",
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
        # VOICEMAIL_POLICY=message: wait for the beep, so the message is not spoken over it.
        "MachineDetection": "DetectMessageEnd",
        "AsyncAmd": "true",
        "AsyncAmdStatusCallback": f"{PUBLIC_BASE_URL}/twilio/call-status?call_id={call_id}",
        "AsyncAmdStatusCallbackMethod": "POST",
    }
    call = await stored_call(app, call_id)
    assert (call.call_sid, call.status, call.channel, call.lead_id) == (
        sid,
        "ringing",  # placed: the network has it
        "twilio",
        lead_id,
    )
    assert sid.startswith("CA") and len(sid) == 34


@pytest.mark.parametrize("settings_overrides", [{"voicemail_policy": "hangup"}], indirect=True)
async def test_the_hangup_policy_asks_for_plain_machine_detection(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    await dial(client, await add_lead(app))
    [created] = twilio_fake.calls_created()
    assert created.one("MachineDetection") == "Enable"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TwilioError(429, 20429, "Too Many Requests"), 20429),
        (TwilioError(500, 20500, "Internal Server Error"), 20500),
        (TwilioError(400, 21215, "Account not authorized to call +97252..."), 21215),
    ],
)
async def test_a_twilio_refusal_is_a_502_and_the_call_is_marked_failed(
    app: FastAPI,
    client: httpx.AsyncClient,
    twilio_fake: FakeTwilio,
    error: TwilioError,
    code: int,
) -> None:
    twilio_fake.queue_create(error)
    lead_id = await add_lead(app)
    response = await client.post("/outbound/initiate-call", params={"lead_id": lead_id})

    assert response.status_code == 502
    detail = response.json()["detail"]
    assert (detail["twilio_code"], detail["twilio_status"]) == (code, error.status)
    assert error.message in detail["message"]
    # The record was committed before dialing, and now says what happened.
    call = await stored_call(app, 1)
    assert (call.status, call.outcome, call.call_sid) == ("failed", "failed", None)
    assert call.ended_at is not None


@pytest.mark.parametrize(
    "settings_overrides", [{"twilio_api_base_url": "http://127.0.0.1:9"}], indirect=True
)
async def test_twilio_unreachable_is_a_502(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post("/outbound/initiate-call", params={"lead_id": await add_lead(app)})
    assert response.status_code == 502
    assert "connection failed" in response.json()["detail"]["message"]
    assert (await stored_call(app, 1)).outcome == "failed"


async def test_a_do_not_call_lead_is_refused_without_dialing(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    lead_id = await add_lead(app, do_not_call=True)
    response = await client.post("/outbound/initiate-call", params={"lead_id": lead_id})
    assert response.status_code == 409
    assert "do-not-call" in response.json()["detail"]
    assert twilio_fake.requests == []


async def test_an_undialable_phone_is_refused_without_dialing(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    lead_id = await add_lead(app, phone="12")
    response = await client.post("/outbound/initiate-call", params={"lead_id": lead_id})
    assert response.status_code == 422
    assert twilio_fake.requests == []


async def test_an_unknown_lead_is_404(client: httpx.AsyncClient, twilio_fake: FakeTwilio) -> None:
    response = await client.post("/outbound/initiate-call", params={"lead_id": 999})
    assert response.status_code == 404
    assert twilio_fake.requests == []


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {"twilio_account_sid": None, "twilio_auth_token": None},
        {"twilio_caller_id": None},
    ],
    indirect=True,
)
async def test_without_twilio_configured_it_dials_the_offline_network(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    response = await client.post("/outbound/initiate-call", params={"lead_id": await add_lead(app)})
    assert response.status_code == 201
    placed = response.json()
    assert placed["call_sid"].startswith("OF") and placed["status"] == "ringing"
    await app.state.telephony.wait_idle()
    call = await stored_call(app, placed["call_id"])
    assert call.channel == "offline" and call.ended_at is not None
    assert twilio_fake.requests == []


@pytest.mark.parametrize("settings_overrides", [{"api_key": "k"}], indirect=True)
async def test_the_api_key_is_required(client: httpx.AsyncClient, twilio_fake: FakeTwilio) -> None:
    response = await client.post("/outbound/initiate-call", params={"lead_id": 1})
    assert response.status_code == 401


def test_the_api_base_url_setting_keeps_only_the_origin() -> None:
    from app.config import Settings

    def make(value: str) -> Settings:
        return Settings(_env_file=None, twilio_api_base_url=value)  # type: ignore[call-arg]

    assert make("http://127.0.0.1:8080/").twilio_api_base_url == "http://127.0.0.1:8080"
    assert make("https://api.twilio.com").twilio_api_base_url == "https://api.twilio.com"
    with pytest.raises(ValueError, match="TWILIO_API_BASE_URL"):
        make("api.twilio.com")
    assert Settings(_env_file=None).twilio_api_base_url is None  # type: ignore[call-arg]
