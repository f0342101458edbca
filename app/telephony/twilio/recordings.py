"""Downloads a caller's recorded turn over https from allowed hosts, while Twilio may store it.

Only `https://` URLs on RECORDING_URL_ALLOWED_HOSTS are ever requested. Redirects are followed by
hand, a few hops at most, and only to URLs that pass the same check; the account credentials go
only to the RecordingUrl's own (allowed, https) origin, never to a host a redirect names.

RecordingError        the recording could not be fetched (the turn is lost, the call goes on)
└── RecordingRefused  not https, its host is not allowed, or a redirect leaves them: not requested
"""

from __future__ import annotations

import asyncio
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from app.config import Settings

FETCH_ATTEMPTS = 3
RETRY_DELAY_S = 0.4
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RecordingError(Exception):
    """The caller's audio is not available."""


class RecordingRefused(RecordingError):
    """The URL points somewhere the service must not send credentials or requests to."""


def _allowed(url: str, settings: Settings) -> SplitResult:
    """The URL's parts, if it is https on an allowed host with no user info in it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        raise RecordingRefused(f"recording URL must be https, not {parts.scheme or 'none'!r}")
    if host not in settings.recording_url_allowed_hosts:
        raise RecordingRefused(f"recording host {host!r} is not in RECORDING_URL_ALLOWED_HOSTS")
    if parts.username is not None or parts.password is not None:
        raise RecordingRefused("recording URL must not carry credentials")
    return parts


def media_url(url: str, settings: Settings) -> str:
    """The WAV media of a RecordingUrl; refuses anything but https on an allowed host."""
    parts = _allowed(url, settings)
    if parts.path.endswith((".wav", ".mp3")):
        return url
    # Twilio's RecordingUrl has no extension; ".wav" asks for the WAV media explicitly.
    return urlunsplit(parts._replace(path=parts.path + ".wav"))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


async def _get(
    http: httpx.AsyncClient,
    settings: Settings,
    target: str,
    auth: tuple[str, str] | None,
    timeout_s: float,
) -> httpx.Response:
    """GETs `target`, following redirects that stay on allowed https hosts."""
    origin = _origin(target)
    url = target
    for _ in range(MAX_REDIRECTS + 1):
        response = await http.get(
            url,
            auth=auth if _origin(url) == origin else None,
            timeout=timeout_s,
            follow_redirects=False,
        )
        if response.status_code not in REDIRECTS:
            return response
        location = response.headers.get("location")
        if not location:
            raise RecordingError(f"recording fetch: HTTP {response.status_code} without Location")
        url = urljoin(url, location)
        _allowed(url, settings)
    raise RecordingError(f"recording fetch: more than {MAX_REDIRECTS} redirects")


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
                response = await _get(http, settings, target, auth, timeout_s)
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
