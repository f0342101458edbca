"""Twilio's REST API (place a call, replace a live call's TwiML) through the official SDK.

The SDK's own async client needs aiohttp; this one lends it the app's shared httpx client, and
`TWILIO_API_BASE_URL` swaps the origin the SDK builds (https://api.twilio.com) for a compatible
test server, keeping its paths.

    TelephonyError   Twilio refused (TwilioRestException: 4xx, 429 / 20429, 5xx) or was unreachable
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from app.config import Settings
from app.errors import BadGateway

REST_TIMEOUT_S = 10.0
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")


class TelephonyError(BadGateway):
    """Twilio did not do what was asked; `code` is Twilio's error code when it gave one."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def detail(self) -> Any:
        return {"message": self.message, "twilio_code": self.code, "twilio_status": self.status}


@dataclass(frozen=True, slots=True)
class PlacedCall:
    sid: str
    status: str


class Telephony(Protocol):
    """Places outbound calls and steers live ones."""

    async def place_call(
        self,
        *,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        machine_detection: str,
        amd_callback: str,
    ) -> PlacedCall:
        """Dials `to`; Twilio fetches the call's TwiML from `url` once it is answered."""
        ...

    async def update_call(self, call_sid: str, twiml: str) -> None:
        """Replaces what a live call is doing with `twiml`."""
        ...

    async def aclose(self) -> None: ...


class HttpxTwilioHttpClient(AsyncHttpClient):  # type: ignore[misc]
    """The SDK's HTTP seam, served by httpx; rewrites the origin when a base URL is set."""

    def __init__(self, http: httpx.AsyncClient, base_url: str | None) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), True, REST_TIMEOUT_S)
        self._http = http
        self._base = urlsplit(base_url) if base_url else None

    def _rebase(self, uri: str) -> str:
        if self._base is None:
            return uri
        parts = urlsplit(uri)
        return urlunsplit((self._base.scheme, self._base.netloc, *parts[2:]))

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's signature
        allow_redirects: bool = False,
    ) -> Response:
        response = await self._http.request(
            method.upper(),
            self._rebase(uri),
            params=params,  # type: ignore[arg-type]
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout or self.timeout,
            follow_redirects=allow_redirects,
        )
        return Response(response.status_code, response.text, response.headers)


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

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        if not settings.twilio_configured:
            raise ValueError("TwilioTelephony needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        assert settings.twilio_auth_token is not None
        self._client: Any = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=HttpxTwilioHttpClient(http, settings.twilio_api_base_url),
            environment={},  # never TWILIO_EDGE / TWILIO_REGION from the process environment
        )

    async def place_call(
        self,
        *,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        machine_detection: str,
        amd_callback: str,
        events: Sequence[str] = CALL_EVENTS,
    ) -> PlacedCall:
        async with _twilio_errors("create call"):
            call = await self._client.calls.create_async(
                to=to,
                from_=from_,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=list(events),
                machine_detection=machine_detection,
                async_amd="true",
                async_amd_status_callback=amd_callback,
                async_amd_status_callback_method="POST",
            )
        return PlacedCall(sid=str(call.sid), status=str(call.status or "queued"))

    async def update_call(self, call_sid: str, twiml: str) -> None:
        async with _twilio_errors("update call"):
            await self._client.calls(call_sid).update_async(twiml=twiml)

    async def aclose(self) -> None:
        """The shared httpx client belongs to the app, which closes it."""


def build_telephony(settings: Settings, http: httpx.AsyncClient) -> Telephony | None:
    """Twilio when its credentials are set; None means simulator only."""
    return TwilioTelephony(settings, http) if settings.twilio_configured else None
