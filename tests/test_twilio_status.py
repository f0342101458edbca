"""/twilio/call-status: call progress, unanswered outcomes, answering machines, /twilio/debug."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.language.he import HebrewCatalog
from tests.fakes.twilio import FakeTwilio, TwilioCaller, add_lead, dial, stored_call

API_KEY = "admin-key-for-tests"


@pytest.fixture
def settings_overrides(
    twilio_fake: FakeTwilio, request: pytest.FixtureRequest
) -> dict[str, object]:
    extra: dict[str, object] = getattr(request, "param", {})
    return twilio_fake.settings_overrides(**extra)


async def _dialed(app: FastAPI, client: httpx.AsyncClient, fake: FakeTwilio) -> TwilioCaller:
    _, sid = await dial(client, await add_lead(app))
    return TwilioCaller(client, fake, sid)


async def test_progress_is_stored_and_completion_records_duration(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    for step in ("initiated", "ringing"):  # Twilio's words; both mean ringing in ours
        assert (await caller.status(step)).status_code == 200
        assert (await stored_call(app, 1)).status == "ringing"
    await caller.webhook("/twilio/voice")
    response = await caller.status("completed", CallDuration="42")
    assert response.status_code == 200
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    # A late, out-of-order callback does not bring a finished call back.
    await caller.status("in-progress")
    call = await stored_call(app, 1)
    assert (call.status, call.duration_s) == ("completed", 42)
    assert call.ended_at is not None
    assert call.outcome is None  # hung up mid-conversation: no outcome is invented


@pytest.mark.parametrize(
    ("final", "outcome"),
    [("no-answer", "no_answer"), ("busy", "busy"), ("failed", "failed"), ("canceled", "failed")],
)
async def test_unanswered_calls_get_their_outcome(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, final: str, outcome: str
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("ringing")
    await caller.status(final, CallDuration="0")
    call = await stored_call(app, 1)
    # Stored in our words (CallStatus): Twilio's "no-answer" is no_answer.
    assert (call.status, call.outcome) == (final.replace("-", "_"), outcome)
    assert call.ended_at is not None


async def test_a_status_for_an_unknown_call_sid_is_acknowledged(
    client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = TwilioCaller(client, twilio_fake, "CA" + "9" * 32)
    response = await caller.status("completed", CallDuration="3")
    assert response.status_code == 200
    assert "<Response" in response.text


async def test_a_status_before_the_call_sid_was_stored_finds_the_call_by_its_id(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    """Twilio's "initiated" callback can beat the REST answer that tells us the CallSid."""
    from app.calls.models import Channel
    from app.flows import call as call_flow

    lead_id = await add_lead(app)
    async with app.state.sessionmaker.begin() as session:
        call = await call_flow.open_call(
            session, app.state.conversation, lead_id, channel=Channel.twilio
        )
    caller = TwilioCaller(client, twilio_fake, "CA" + "7" * 32)
    await caller.post(f"/twilio/call-status?call_id={call.id}", caller.params(CallStatus="ringing"))
    stored = await stored_call(app, call.id)
    assert (stored.call_sid, stored.status) == (caller.call_sid, "ringing")


async def test_a_machine_gets_the_hebrew_voicemail_message(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    await caller.webhook("/twilio/voice")
    # The async AMD callback: no CallStatus, just the verdict.
    amd = {k: v for k, v in caller.params().items() if k != "CallStatus"}
    response = await caller.post(
        "/twilio/call-status",
        {**amd, "AnsweredBy": "machine_end_beep", "MachineDetectionDuration": "4100"},
    )
    assert response.status_code == 200

    call = await stored_call(app, 1)
    assert (call.outcome, call.answered_by) == ("voicemail", "machine_end_beep")
    [update] = twilio_fake.calls_updated()
    assert update.authorized
    assert update.path.endswith(f"/Calls/{caller.call_sid}.json")
    message = HebrewCatalog(agent_gender="female", lead_gender="female").voicemail("דנה כהן")
    assert update.one("Twiml") == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Say language="he-IL" voice="Google.he-IL-Standard-A">{message}</Say>'
        "<Hangup /></Response>"
    )
    # Twilio's later webhooks for the call find it over.
    late = await caller.webhook("/twilio/silence?turn=1")
    assert [verb.tag for verb in late] == ["Hangup"]
    await caller.status("completed", CallDuration="19")
    assert (await stored_call(app, 1)).outcome == "voicemail"
    assert len(twilio_fake.calls_updated()) == 1


@pytest.mark.parametrize("settings_overrides", [{"voicemail_policy": "hangup"}], indirect=True)
async def test_the_hangup_policy_just_hangs_up_on_a_machine(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("in-progress", AnsweredBy="machine_start")
    [update] = twilio_fake.calls_updated()
    assert (
        update.one("Twiml")
        == '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup /></Response>'
    )
    assert (await stored_call(app, 1)).outcome == "voicemail"


async def test_a_human_answer_is_stored_and_the_call_goes_on(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("in-progress", AnsweredBy="human")
    call = await stored_call(app, 1)
    assert (call.answered_by, call.outcome) == ("human", None)
    assert twilio_fake.calls_updated() == []


# --- /twilio/debug ---


@pytest.mark.parametrize(
    "settings_overrides", [{"debug_call_events": True, "api_key": API_KEY}], indirect=True
)
async def test_debug_events_are_kept_per_call_with_phones_masked(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    client.headers["X-API-Key"] = API_KEY
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("ringing")
    await caller.webhook("/twilio/voice")

    url = f"/twilio/debug/{caller.call_sid}"
    assert (await client.get(url, headers={"X-API-Key": "wrong"})).status_code == 401
    response = await client.get(url)
    assert response.status_code == 200
    events = response.json()
    assert [e["kind"] for e in events] == ["/twilio/call-status", "/twilio/voice"]
    assert events[0]["form"]["CallStatus"] == "ringing"
    assert "<Say" in events[1]["twiml"]
    assert "+972501234567" not in response.text and "4567" in events[0]["form"]["To"]
    assert (await client.get("/twilio/debug/CA-unknown")).status_code == 404


async def test_debug_events_are_404_unless_enabled(
    client: httpx.AsyncClient, app: FastAPI, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("ringing")
    assert (await client.get(f"/twilio/debug/{caller.call_sid}")).status_code == 404


async def test_a_voice_webhook_for_a_call_that_already_ended_hangs_up(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    """A late /twilio/voice after "completed" (no outcome yet) does not bring the call back."""
    caller = await _dialed(app, client, twilio_fake)
    await caller.status("completed", CallDuration="1")
    response = await caller.post("/twilio/voice", caller.params())
    assert response.status_code == 200 and "<Hangup" in response.text
    call = await stored_call(app, 1)
    assert (call.status, call.turns) == ("completed", [])
