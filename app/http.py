"""Connection pools for outbound HTTP: kept warm across a caller's think time."""

from __future__ import annotations

import httpx

# httpx forgets an idle connection after 5 s by default, shorter than the pause between two
# turns of a call (the agent speaking plus the caller answering), so every turn paid a new
# TCP and TLS handshake. The vendors keep idle connections open far longer; httpx notices a
# connection the server has closed before reusing it.
KEEPALIVE_S = 60.0

POOL_LIMITS = httpx.Limits(
    max_connections=1000, max_keepalive_connections=200, keepalive_expiry=KEEPALIVE_S
)
