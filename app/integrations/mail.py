"""Sending email: `SmtpMailer` (aiosmtplib, SMTP_* settings) or `OfflineMailer`, which keeps the
message in the database (outgoing_messages) when no SMTP server is configured."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import write_session
from app.integrations.models import Channel, OutgoingMessage
from app.integrations.outbox import GiveUp, Retry


class Mailer(Protocol):
    name: str

    async def send(self, message: EmailMessage, ref: str) -> None:
        """Sends (or keeps) one message; raises Retry or GiveUp."""
        ...


def _plain_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


class OfflineMailer:
    """No SMTP server: the message is stored, viewable as it would have gone out."""

    name = "offline"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def send(self, message: EmailMessage, ref: str) -> None:
        async with write_session(self.sessions) as session:
            session.add(
                OutgoingMessage(
                    channel=Channel.email,
                    to_address=str(message["To"]),
                    subject=str(message["Subject"]),
                    body=_plain_body(message),
                    raw=message.as_string(),
                    ref=ref,
                )
            )


class SmtpMailer:
    """SMTP with STARTTLS (or implicit TLS on port 465) and optional login."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpMailer needs SMTP_HOST")
        self.settings = settings

    async def send(self, message: EmailMessage, ref: str) -> None:
        settings = self.settings
        implicit_tls = settings.smtp_port == 465
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                use_tls=implicit_tls,
                start_tls=settings.smtp_starttls and not implicit_tls,
                timeout=settings.smtp_timeout_seconds,
                # Not socket.getfqdn(): it can wait seconds on DNS. The sender's domain instead.
                local_hostname=str(settings.mail_from).rsplit("@", 1)[-1],
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise GiveUp(f"SMTP refused the recipient: {exc}") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise Retry(f"SMTP login refused: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise Retry(f"SMTP failed: {exc}") from exc


def make_mailer(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Mailer:
    """SMTP when SMTP_HOST is set; the database mailbox otherwise."""
    return SmtpMailer(settings) if settings.smtp_host else OfflineMailer(sessions)
