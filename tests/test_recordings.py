"""Recording downloads: https only, redirects only onto allowed https hosts, credentials only home.

The download runs on a real httpx client; the network is an `httpx.MockTransport` that plays the
media hosts and records every request it is sent (and whether credentials came with it), and the
last tests use the fake Twilio's real https media server.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest

from app.config import Settings
from app.telephony.twilio.recordings import RecordingRefused, fetch_recording, media_url
from tests.fakes.twilio import FakeTwilio

SID, TOKEN = "AC" + "1" * 32, "token-1"
BASIC = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
REC = "/2010-04-01/Accounts/AC1/Recordings/RE1"
WAV = b"RIFF-fake-wav"


def _settings(hosts: str = "api.twilio.com") -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        recording_url_allowed_hosts=hosts,
        recording_fetch_timeout_seconds=2.0,
    )


Handler = Callable[[httpx.Request], httpx.Response]


class Network:
    """Every request the download made: (url, Authorization header or None)."""

    def __init__(self, handler: Handler) -> None:
        self.sent: list[tuple[str, str | None]] = []
        self._handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((str(request.url), request.headers.get("authorization")))
        return self._handler(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


def _redirect(to: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.twilio.com":
            return httpx.Response(302, headers={"location": to})
        return httpx.Response(200, content=WAV)

    return handler


@pytest.mark.parametrize(
    "url",
    [
        f"http://api.twilio.com{REC}",  # plain http: the credentials would travel in clear
        f"ftp://api.twilio.com{REC}",
        f"https://evil.example.com{REC}",
        f"https://api.twilio.com.evil.example.com{REC}",
        f"https://{SID}:{TOKEN}@api.twilio.com{REC}",
        f"//api.twilio.com{REC}",
    ],
)
async def test_refused_urls_are_never_requested(url: str) -> None:
    network = Network(lambda request: httpx.Response(200, content=WAV))
    async with network.client() as http:
        with pytest.raises(RecordingRefused):
            await fetch_recording(http, _settings(), url)
    assert network.sent == []


async def test_the_allowed_https_host_gets_the_credentials() -> None:
    network = Network(lambda request: httpx.Response(200, content=WAV))
    async with network.client() as http:
        assert await fetch_recording(http, _settings(), f"https://api.twilio.com{REC}") == WAV
    assert network.sent == [(f"https://api.twilio.com{REC}.wav", BASIC)]


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.com/steal.wav",  # off the allow-list
        "http://api.twilio.com/plain.wav",  # on it, but in clear
        "http://media.example.com/plain.wav",
    ],
)
async def test_a_redirect_off_the_allowed_https_hosts_is_not_followed(location: str) -> None:
    network = Network(_redirect(location))
    async with network.client() as http:
        with pytest.raises(RecordingRefused):
            await fetch_recording(
                http, _settings("api.twilio.com,media.example.com"), f"https://api.twilio.com{REC}"
            )
    assert [url for url, _ in network.sent] == [f"https://api.twilio.com{REC}.wav"]


async def test_a_redirect_to_another_allowed_https_host_is_followed_without_credentials() -> None:
    network = Network(_redirect("https://media.example.com/signed.wav?sig=1"))
    settings = _settings("api.twilio.com,media.example.com")
    async with network.client() as http:
        assert await fetch_recording(http, settings, f"https://api.twilio.com{REC}") == WAV
    assert network.sent == [
        (f"https://api.twilio.com{REC}.wav", BASIC),
        ("https://media.example.com/signed.wav?sig=1", None),
    ]


async def test_a_redirect_loop_ends() -> None:
    network = Network(_redirect(f"https://api.twilio.com{REC}.wav"))
    async with network.client() as http:
        with pytest.raises(Exception, match="redirects"):
            await fetch_recording(http, _settings(), f"https://api.twilio.com{REC}")
    assert len(network.sent) == 4


def test_the_media_url_asks_for_wav() -> None:
    assert media_url(f"https://api.twilio.com{REC}", _settings()).endswith("RE1.wav")


async def test_the_fake_twilio_serves_media_over_https_and_refuses_plain_http(
    twilio_fake: FakeTwilio,
) -> None:
    settings = Settings(_env_file=None, **twilio_fake.settings_overrides())  # type: ignore[arg-type]
    _, url = twilio_fake.add_recording("שלום")
    async with httpx.AsyncClient() as http:
        assert url.startswith("https://")
        audio = await fetch_recording(http, settings, url)
        assert twilio_fake.transcript(audio) == "שלום"
        with pytest.raises(RecordingRefused, match="https"):
            await fetch_recording(http, settings, url.replace("https://", "http://"))
    assert len(twilio_fake.media_requests) == 1
