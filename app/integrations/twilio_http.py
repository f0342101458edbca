"""The Twilio SDK's HTTP seam served by the app's httpx client (voice calls and SMS share it).

The SDK's own async client needs aiohttp; this one lends it httpx, and a base URL (for a
compatible test server) swaps the origin the SDK builds (https://api.twilio.com), keeping paths.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

REST_TIMEOUT_S = 10.0


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
