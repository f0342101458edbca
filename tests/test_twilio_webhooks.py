"""/twilio/voice TwiML in both input modes, and the X-Twilio-Signature check on every webhook."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from fastapi import FastAPI

from app.calls.models import Channel
from app.clock import FrozenClock
from app.config import Settings
from app.language.he import HebrewCatalog
from app.main import create_app
from tests.fakes.twilio import (
    PUBLIC_BASE_URL,
    FakeTwilio,
    TwilioCaller,
    add_lead,
    dial,
    stored_call,
)

WEBHOOKS = ["/twilio/voice", "/twilio/process-recording?turn=1", "/twilio/process-speech?turn=1"]


@pytest.fixture
def settings_overrides(
    twilio_fake: FakeTwilio, request: pytest.FixtureRequest
) -> dict[str, object]:
    mode = getattr(request, "param", "record")
    return twilio_fake.settings_overrides(twilio_input_mode=mode)


async def _dialed(app: FastAPI, client: httpx.AsyncClient, fake: FakeTwilio) -> TwilioCaller:
    _, sid = await dial(client, await add_lead(app))
    return TwilioCaller(client, fake, sid)


async def test_record_mode_greets_then_records_without_a_beep(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    root = await caller.webhook("/twilio/voice")

    say, record, redirect = list(root)
    greeting = HebrewCatalog(agent_gender="female", lead_gender="female").greeting(
        "דנה כהן", "כהן בע״מ"
    )
    assert (say.tag, say.text) == ("Say", greeting)
    assert say.attrib == {"voice": "Google.he-IL-Standard-A", "language": "he-IL"}
    assert record.tag == "Record"
    assert record.attrib == {
        "action": f"{PUBLIC_BASE_URL}/twilio/process-recording?turn=1",
        "method": "POST",
        "playBeep": "false",
        "trim": "trim-silence",
        "timeout": "2",
        "maxLength": "30",
    }
    # Nothing recorded: Twilio skips the action and runs the next verb, which reaches us.
    assert (redirect.tag, redirect.text) == ("Redirect", f"{PUBLIC_BASE_URL}/twilio/silence?turn=1")
    assert redirect.attrib == {"method": "POST"}


@pytest.mark.parametrize("settings_overrides", ["gather"], indirect=True)
async def test_gather_mode_nests_the_greeting_so_the_caller_can_interrupt(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    root = await caller.webhook("/twilio/voice")

    gather, redirect = list(root)
    assert gather.attrib == {
        "input": "speech",
        "language": "he-IL",
        "speechTimeout": "auto",
        "action": f"{PUBLIC_BASE_URL}/twilio/process-speech?turn=1",
        "method": "POST",
        "actionOnEmptyResult": "true",
    }
    [say] = list(gather)
    assert say.tag == "Say" and say.attrib["language"] == "he-IL"
    assert say.text and "היי דנה" in say.text
    assert redirect.tag == "Redirect"


async def test_a_retried_voice_webhook_greets_once(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    first = await caller.post("/twilio/voice", caller.params())
    again = await caller.post("/twilio/voice", caller.params())
    assert first.text == again.text
    call = await stored_call(app, 1)
    assert [t.index for t in call.turns] == [0]
    assert call.status == "in_progress"


async def test_an_unknown_call_sid_gets_a_hebrew_apology_and_hangup(
    client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = TwilioCaller(client, twilio_fake, "CA" + "f" * 32)
    for url in WEBHOOKS:
        root = await caller.webhook(url)
        say, hangup = list(root)
        assert say.text == HebrewCatalog().technical_goodbye()
        assert hangup.tag == "Hangup"


@pytest.mark.parametrize("url", [*WEBHOOKS, "/twilio/silence?turn=1", "/twilio/call-status"])
async def test_a_forged_signature_is_refused_and_nothing_is_stored(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, url: str
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    params = caller.params(SpeechResult="כן", RecordingSid="RE" + "1" * 32, CallStatus="completed")
    forged = TwilioCaller(client, twilio_fake, caller.call_sid, auth_token="not-the-token")
    response = await caller.post(url, params, signature=forged.sign(PUBLIC_BASE_URL + url, params))
    assert response.status_code == 403

    # Signed over another URL (the Host this process sees, not BASE_URL): refused too.
    other = caller.sign("http://testserver" + url, params)
    assert (await caller.post(url, params, signature=other)).status_code == 403
    # Signed correctly, but the form was changed on the way.
    good = caller.sign(PUBLIC_BASE_URL + url, params)
    changed = {**params, "SpeechResult": "לא"}
    assert (await caller.post(url, changed, signature=good)).status_code == 403

    call = await stored_call(app, 1)
    assert call.turns == []
    assert (call.status, call.outcome) == ("ringing", None)  # placed, nothing more


@pytest.mark.parametrize("url", WEBHOOKS)
async def test_a_missing_signature_is_refused(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio, url: str
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    response = await client.post(url, data=caller.params())
    assert response.status_code == 403
    assert (await stored_call(app, 1)).turns == []


async def test_a_signed_query_string_is_part_of_the_signature(
    app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
) -> None:
    caller = await _dialed(app, client, twilio_fake)
    params = caller.params()
    signed_for_turn_1 = caller.sign(PUBLIC_BASE_URL + "/twilio/silence?turn=1", params)
    response = await caller.post("/twilio/silence?turn=2", params, signature=signed_for_turn_1)
    assert response.status_code == 403


class TestWithoutAuthToken:
    """Offline development: no TWILIO_AUTH_TOKEN, webhooks are accepted (with a startup warning)."""

    @pytest.fixture
    def settings_overrides(self, twilio_fake: FakeTwilio) -> dict[str, object]:
        return {"base_url": PUBLIC_BASE_URL, "twilio_input_mode": "gather"}

    async def test_startup_warns_loudly(
        self, settings: Settings, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
    ) -> None:
        application = create_app(settings, clock)
        async with application.router.lifespan_context(application):
            pass
        events = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
        [warning] = [e for e in events if e["event"] == "twilio_webhooks_not_verified"]
        assert warning["level"] == "warning"
        assert "NOT verified" in warning["detail"]

    async def test_unsigned_webhooks_are_accepted(
        self, app: FastAPI, client: httpx.AsyncClient, twilio_fake: FakeTwilio
    ) -> None:
        lead_id = await add_lead(app)
        async with app.state.sessionmaker.begin() as session:
            from app.flows import call as call_flow

            call = await call_flow.open_call(
                session, app.state.conversation, lead_id, channel=Channel.twilio, call_sid="CA1"
            )
        caller = TwilioCaller(client, twilio_fake, "CA1", auth_token=None)
        root = await caller.webhook("/twilio/voice")
        assert root[0].tag == "Gather"
        assert (await stored_call(app, call.id)).turns[0].agent_he == root[0][0].text


def test_twiml_is_well_formed_xml() -> None:
    from app.telephony.twilio import twiml

    settings = Settings(_env_file=None, base_url="https://x.example")  # type: ignore[call-arg]
    for body in (
        twiml.speak_and_listen(settings, "שלום & להתראות <3", 4),
        twiml.say_and_hang_up(settings, "ביי"),
        twiml.hang_up(),
        twiml.empty(),
    ):
        assert ET.fromstring(body).tag == "Response"
