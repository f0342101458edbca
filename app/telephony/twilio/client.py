"""`TwilioTelephony`: Twilio's REST API (place a call, end or steer a live one) via its SDK.

The SDK talks through the app's shared httpx client (integrations/twilio_http.py), and
`TWILIO_API_BASE_URL` swaps the origin the SDK builds (https://api.twilio.com) for a compatible
test server, keeping its paths. Twilio refusing (TwilioRestException: 4xx, 429 / 20429, 5xx) or
being unreachable is a `TelephonyError` (telephony/base.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from app.calls.models import Channel
from app.config import Settings
from app.integrations.twilio_http import REST_TIMEOUT_S, HttpxTwilioHttpClient
from app.telephony.base import PlacedCall, TelephonyError
from app.telephony.twilio import twiml

CALL_EVENTS = ("initiated", "ringing", "answered", "completed")


@asynccontextmanager
async def _twilio_errors(what: str) -> AsyncIterator[None]:
    try:
        yield
    except TwilioRestException as exc:
        raise TelephonyError(f"Twilio {what}: {exc.msg}", status=exc.status, code=exc.code) from exc
    except TwilioServiceException as exc:
        detail = exc.detail or exc.title
        raise TelephonyError(f"Twilio {what}: {detail}", status=exc.status, code=exc.code) from exc
    except httpx.TimeoutException as exc:
        raise TelephonyError(f"Twilio {what}: no answer within {REST_TIMEOUT_S:g}s") from exc
    except httpx.HTTPError as exc:
        raise TelephonyError(f"Twilio {what}: connection failed: {exc}") from exc


class TwilioTelephony:
    """The `Telephony` capability on Twilio's Programmable Voice."""

    name = "twilio"
    channel = Channel.twilio

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        if not settings.twilio_can_dial:
            raise ValueError(
                "TwilioTelephony needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_CALLER_ID"
            )
        assert settings.twilio_auth_token is not None and settings.twilio_caller_id is not None
        self.settings = settings
        self.caller_id = settings.twilio_caller_id
        self._client: Any = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=HttpxTwilioHttpClient(http, settings.twilio_api_base_url),
            environment={},  # never TWILIO_EDGE / TWILIO_REGION from the process environment
        )

    async def place_call(self, call_id: int, to: str) -> PlacedCall:
        """Dials `to` for Call `call_id`: webhooks, status events, answering-machine detection."""
        settings = self.settings
        status_url = twiml.webhook_url(settings, "/twilio/call-status", call_id=call_id)
        async with _twilio_errors("create call"):
            call = await self._client.calls.create_async(
                to=to,
                from_=self.caller_id,
                url=twiml.webhook_url(settings, "/twilio/voice", call_id=call_id),
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                status_callback_event=list(CALL_EVENTS),
                # Leaving a message waits for the beep; hanging up only needs to know.
                machine_detection="DetectMessageEnd"
                if settings.voicemail_policy == "message"
                else "Enable",
                async_amd="true",
                async_amd_status_callback=status_url,
                async_amd_status_callback_method="POST",
            )
        return PlacedCall(sid=str(call.sid))

    async def end_call(self, call_sid: str, last_words_he: str | None = None) -> None:
        """Replaces what the live call does with the last words (if any) and a hang-up."""
        body = (
            twiml.say_and_hang_up(self.settings, last_words_he)
            if last_words_he
            else twiml.hang_up()
        )
        async with _twilio_errors("update call"):
            await self._client.calls(call_sid).update_async(twiml=body)

    async def aclose(self) -> None:
        """The shared httpx client belongs to the app, which closes it."""
