"""Sending SMS: `TwilioMessenger` (Twilio Messaging through its SDK) or `OfflineMessenger`, which
keeps the text in the database when Twilio is not configured (or SMS_ENABLED=false)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx
import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from app.config import Settings
from app.db import write_session
from app.integrations.models import Channel, OutgoingMessage
from app.integrations.outbox import GiveUp, Retry
from app.integrations.twilio_http import HttpxTwilioHttpClient

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def is_mobile(phone: str) -> bool:
    """Whether an SMS can reach this number (mobile by its numbering plan)."""
    try:
        number = phonenumbers.parse(phone, "IL")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in MOBILE_TYPES


class Messenger(Protocol):
    name: str

    async def send(self, to: str, body: str, ref: str) -> None:
        """Sends (or keeps) one text; raises Retry or GiveUp."""
        ...


class OfflineMessenger:
    name = "offline"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def send(self, to: str, body: str, ref: str) -> None:
        async with write_session(self.sessions) as session:
            session.add(
                OutgoingMessage(channel=Channel.sms, to_address=to, body=body, raw=body, ref=ref)
            )


class TwilioMessenger:
    """POST /Accounts/{sid}/Messages.json from TWILIO_CALLER_ID (or SMS_FROM)."""

    name = "twilio"

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        sender = settings.sms_from or settings.twilio_caller_id
        if not settings.twilio_configured or not sender:
            raise ValueError("TwilioMessenger needs the TWILIO_* account and a number to send from")
        assert settings.twilio_auth_token is not None
        self.sender = sender
        self._client: Any = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=HttpxTwilioHttpClient(http, settings.twilio_api_base_url),
            environment={},
        )

    async def send(self, to: str, body: str, ref: str) -> None:
        try:
            await self._client.messages.create_async(to=to, from_=self.sender, body=body)
        except TwilioRestException as exc:
            message = f"Twilio Messaging {exc.status} ({exc.code}): {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise Retry(message) from exc
            raise GiveUp(message) from exc
        except httpx.HTTPError as exc:
            raise Retry(f"Twilio Messaging unreachable: {exc!r}") from exc


def make_messenger(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], http: httpx.AsyncClient
) -> Messenger:
    """Twilio when configured and SMS_ENABLED; the database otherwise."""
    if (
        settings.sms_enabled
        and settings.twilio_configured
        and (settings.sms_from or settings.twilio_caller_id)
    ):
        return TwilioMessenger(settings, http)
    return OfflineMessenger(sessions)
