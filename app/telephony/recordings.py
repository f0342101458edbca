"""Downloads a caller's recorded turn, only from allowed hosts, while Twilio may still store it.

RecordingError        the recording could not be fetched (the turn is lost, the call goes on)
└── RecordingRefused  its host is not in RECORDING_URL_ALLOWED_HOSTS: never requested
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import httpx

from app.config import Settings

FETCH_ATTEMPTS = 3
RETRY_DELAY_S = 0.4


class RecordingError(Exception):
    """The caller's audio is not available."""


class RecordingRefused(RecordingError):
    """The URL points somewhere the service must not send credentials or requests to."""


def media_url(url: str, settings: Settings) -> str:
    """The WAV media of a RecordingUrl; refuses hosts outside RECORDING_URL_ALLOWED_HOSTS."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or host not in settings.recording_url_allowed_hosts:
        raise RecordingRefused(f"recording host {host!r} is not in RECORDING_URL_ALLOWED_HOSTS")
    if parts.path.endswith((".wav", ".mp3")):
        return url
    # Twilio's RecordingUrl has no extension; ".wav" asks for the WAV media explicitly.
    return urlunsplit(parts._replace(path=parts.path + ".wav"))


async def fetch_recording(http: httpx.AsyncClient, settings: Settings, url: str) -> bytes:
    """The recording's bytes, retried briefly on 404 (the media is not stored yet)."""
    target = media_url(url, settings)
    auth: tuple[str, str] | None = None
    if settings.twilio_account_sid and settings.twilio_auth_token:
        auth = (settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value())
    timeout_s = settings.recording_fetch_timeout_seconds
    try:
        async with asyncio.timeout(timeout_s):
            for attempt in range(1, FETCH_ATTEMPTS + 1):
                response = await http.get(
                    target, auth=auth, timeout=timeout_s, follow_redirects=True
                )
                if response.status_code == 404 and attempt < FETCH_ATTEMPTS:
                    await asyncio.sleep(RETRY_DELAY_S)
                    continue
                if response.status_code != 200:
                    raise RecordingError(f"recording fetch: HTTP {response.status_code}")
                if not response.content:
                    raise RecordingError("recording fetch: empty body")
                return response.content
    except TimeoutError as exc:
        raise RecordingError(f"recording fetch: no media within {timeout_s:g}s") from exc
    except httpx.HTTPError as exc:
        raise RecordingError(f"recording fetch: {type(exc).__name__}: {exc}") from exc
    raise RecordingError("recording fetch: gave up")  # pragma: no cover - the loop returns
