"""Relay mode in the load benchmark: Twilio's ConversationRelay side of N concurrent calls.

Per call, after the signed /twilio/voice webhook (which answers <Connect><ConversationRelay>):
the WebSocket the TwiML names, its upgrade signed as Twilio signs it, `setup`, then per caller
line, after the think time: an interim prompt (last=false, the words so far, as Twilio sends
while the caller speaks), `eot_s` later the final prompt (last=true), and the reply's text tokens
up to last=true. A turn's `sent` is the final prompt, `first_token` the first non-empty Hebrew
token, `received` the reply's last=true; an `end` message ends the call.

The relay run's baseline is the seed's sequential pipeline in record mode (a whole turn, webhook
to TwiML): "time to first Hebrew token ÷ the seed's sequential turn" is the acceptance ratio.
"""

from __future__ import annotations

import asyncio
import json
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from bench.load import analysis, driver, script
from bench.load.processes import PUBLIC_BASE_URL
from tests.fakes.twilio import ACCOUNT_SID, CALLER_ID

# The caller's end of speech as ConversationRelay detects it: the last interim prompt to the final.
EOT_S = 0.3


@dataclass(slots=True)
class RelayExchange(driver.Exchange):
    first_token: float | None = None


def _relay_twiml(root: ET.Element) -> tuple[str, dict[str, str]] | None:
    relay = root.find("Connect/ConversationRelay")
    if relay is None:
        return None
    return relay.attrib["url"], {p.attrib["name"]: p.attrib["value"] for p in relay}


class RelayTwilio(driver.Twilio):
    """One call's ConversationRelay socket per call, instead of a webhook per turn."""

    async def call(self, run: driver.CallRun, who: script.Caller, start_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        voice = f"{PUBLIC_BASE_URL}/twilio/voice?call_id={run.call_id}"
        greeting, root = await self.exchange(run, who.phone, voice, 0)
        relay = root.find("Connect/ConversationRelay") if root is not None else None
        found = _relay_twiml(root) if root is not None and greeting.ok else None
        if found is None or relay is None:
            greeting.error = greeting.error or "no <ConversationRelay> in the voice TwiML"
        else:
            greeting.said = relay.get("welcomeGreeting", "")  # Twilio speaks it
            try:
                await self._converse(run, who, *found)
            except (OSError, WebSocketException, TimeoutError) as exc:
                failed = RelayExchange("/twilio/relay", -2, time.monotonic())
                failed.error = f"{type(exc).__name__}: {exc}"
                run.exchanges.append(failed)
        duration = str(round(self.plan.think_s * len(who.lines)))
        extra = {"CallStatus": "completed", "CallDuration": duration}
        await self.exchange(run, who.phone, "/twilio/call-status", -1, **extra)

    async def _converse(
        self, run: driver.CallRun, who: script.Caller, url: str, parameters: dict[str, str]
    ) -> None:
        signature = driver._sign(url, {})
        parts = urlsplit(url)
        local = self.plan.server_url.replace("http://", "ws://", 1) + parts.path
        async with connect(
            local, additional_headers={"X-Twilio-Signature": signature}, open_timeout=30
        ) as socket:
            await _send(
                socket,
                type="setup",
                sessionId=f"VX{run.index:032x}",
                accountSid=ACCOUNT_SID,
                callSid=run.call_sid,
                **{"from": CALLER_ID, "to": who.phone},
                direction="outbound-api",
                callType="PSTN",
                callStatus="IN-PROGRESS",
                customParameters=parameters,
            )
            for line in who.lines:
                await asyncio.sleep(self.plan.think_s)
                if not await self._turn(run, socket, line):
                    return

    async def _turn(self, run: driver.CallRun, socket: ClientConnection, line: script.Line) -> bool:
        """One caller line; False once the agent ended the call (or the turn failed)."""
        await _send(socket, type="prompt", voicePrompt=line.he, lang="he-IL", last=False)
        await asyncio.sleep(EOT_S if self.plan.think_s else 0.0)
        turn = RelayExchange("/twilio/relay", line.index, time.monotonic())
        run.exchanges.append(turn)
        await _send(socket, type="prompt", voicePrompt=line.he, lang="he-IL", last=True)
        said: list[str] = []
        try:
            async with asyncio.timeout(self.plan.timeout_s):
                while True:
                    message = json.loads(await socket.recv())
                    if message.get("type") == "end":
                        turn.hangs_up = True
                        break
                    token = str(message.get("token") or "")
                    if token.strip() and turn.first_token is None:
                        turn.first_token = time.monotonic()
                    said.append(token)
                    if message.get("last"):
                        break
        except TimeoutError:
            turn.timeout = True
        turn.received = time.monotonic()
        turn.status = 200 if not turn.timeout else None
        turn.said = "".join(said).strip()
        turn.listens = not turn.hangs_up
        return not (turn.hangs_up or turn.timeout)


async def _send(socket: ClientConnection, **message: Any) -> None:
    await socket.send(json.dumps(message, ensure_ascii=False))


def drive(plan: driver.Plan) -> dict[str, Any]:
    """Process entry point (as `driver.drive`), with ConversationRelay's side of each call."""
    return driver.drive(plan, twilio=RelayTwilio)


def first_token(driven: dict[str, Any]) -> dict[str, Any]:
    """Time from the final prompt to the first Hebrew token, over the measured caller turns."""
    values = [
        (e["first_token"] - e["sent"]) * 1000
        for run in driven["calls"]
        if not run.get("warmup")
        for e in run["exchanges"]
        if e.get("first_token") is not None and e["line"] > 0
    ]
    return analysis.summary(values)


def ratios(ours: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """Ours (first Hebrew token) ÷ the baseline's whole sequential turn, per percentile."""
    found: dict[str, float | None] = {}
    for p in (*(f"p{p}" for p in analysis.PERCENTILES), "max"):
        a, b = ours["first_token_ms"].get(p), baseline["turn_latency_ms"].get(p)
        found[p] = round(a / b, 3) if a is not None and b else None
    return found
