"""Twilio's side of N concurrent calls, run in its own process so the report never slows it.

Per call: POST /leads and POST /outbound/initiate-call with the admin key (setup, before the
clock starts), then, starting at a staggered offset within the first think time: the signed
/twilio/voice webhook, and one caller line per <Record>/<Gather> after a think time, posted to
the action URL the TwiML named (signed over the public URL with Twilio's RequestValidator, as
Twilio signs it), following <Redirect> (after any <Pause>) until TwiML that listens or hangs up.
When the lines run out (or the agent hangs up) Twilio's `completed` status callback is posted.

A turn's latency is from the first webhook byte sent to the TwiML that listens or hangs up
received; past `timeout_s` (Twilio's 15 s) the turn is a timeout and the call is abandoned, as
Twilio would play its error and drop the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import httpx
from twilio.request_validator import RequestValidator

from bench.load import script
from bench.load.processes import API_KEY, PUBLIC_BASE_URL, tree_cpu_seconds
from tests.fakes.twilio import ACCOUNT_SID, API_VERSION, AUTH_TOKEN, CALLER_ID


@dataclass(frozen=True, slots=True)
class Plan:
    server_url: str
    server_pid: int
    media_origin: str  # the fake Twilio, where RecordingUrls point
    mode: str  # record | gather
    calls: int
    turns: int
    think_s: float
    timeout_s: float = 15.0
    metrics: bool = True


@dataclass(slots=True)
class Exchange:
    """One webhook turn as Twilio saw it."""

    path: str
    line: int  # 0: the greeting (voice), n: the caller's nth line, -1: status callback
    sent: float
    received: float | None = None
    status: int | None = None
    timeout: bool = False
    error: str | None = None
    said: str = ""  # the <Say> text of the final TwiML
    listens: bool = False
    hangs_up: bool = False
    redirects: int = 0
    action: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.timeout and self.error is None


@dataclass(slots=True)
class CallRun:
    index: int
    call_id: int | None = None
    call_sid: str | None = None
    setup_error: str | None = None
    warmup: bool = False
    exchanges: list[Exchange] = field(default_factory=list)


def _sign(url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(AUTH_TOKEN).compute_signature(url, params))


# Calls per HTTP client: httpx's pool walks all its connections on every request, so one
# client for 500 calls costs the driver more CPU per webhook than the server spends on it, on
# the same two cores. Small pools keep the driver's share of the machine flat.
CALLS_PER_CLIENT = 16


class Twilio:
    def __init__(
        self, plan: Plan, client: httpx.AsyncClient, shards: list[httpx.AsyncClient] | None = None
    ) -> None:
        self.plan, self.client = plan, client
        self.shards = shards or [client]

    def params(self, run: CallRun, phone: str, **extra: str) -> dict[str, str]:
        assert run.call_sid
        return {
            "CallSid": run.call_sid,
            "AccountSid": ACCOUNT_SID,
            "From": CALLER_ID,
            "To": phone,
            "CallStatus": "in-progress",
            "Direction": "outbound-api",
            "ApiVersion": API_VERSION,
            **extra,
        }

    async def post(
        self, url: str, params: dict[str, str], run: CallRun | None = None
    ) -> httpx.Response:
        """A webhook as Twilio sends it: to our public URL, signed over it and the form."""
        if not url.startswith("http"):
            url = PUBLIC_BASE_URL + url
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"X-Twilio-Signature": _sign(url, params)}
        client = self.shards[run.index % len(self.shards)] if run is not None else self.client
        return await client.post(self.plan.server_url + path, data=params, headers=headers)

    async def exchange(
        self, run: CallRun, phone: str, url: str, line: int, **extra: str
    ) -> tuple[Exchange, ET.Element | None]:
        """One turn: the webhook and any <Redirect>s, until TwiML that listens or hangs up."""
        found = Exchange(urlsplit(url).path, line, time.monotonic())
        run.exchanges.append(found)
        root: ET.Element | None = None
        try:
            async with asyncio.timeout(self.plan.timeout_s):
                response = await self.post(url, self.params(run, phone, **extra), run)
                while True:
                    found.status = response.status_code
                    if response.status_code != 200:
                        found.error = f"HTTP {response.status_code}: {response.text[:200]}"
                        break
                    root = ET.fromstring(response.text)
                    redirect, pause_s = _read(root, found)
                    if redirect is None:
                        break
                    found.redirects += 1
                    await asyncio.sleep(pause_s)  # a hold: Twilio waits, then redirects
                    response = await self.post(redirect, self.params(run, phone), run)
        except TimeoutError:
            found.timeout = True
        except (httpx.HTTPError, ET.ParseError) as exc:
            found.error = f"{type(exc).__name__}: {exc}"
        found.received = time.monotonic()
        return found, root

    async def call(self, run: CallRun, who: script.Caller, start_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        voice = f"{PUBLIC_BASE_URL}/twilio/voice?call_id={run.call_id}"
        turn, root = await self.exchange(run, who.phone, voice, 0)
        for line in who.lines:
            if root is None or not turn.ok or not turn.listens or not turn.action:
                break
            await asyncio.sleep(self.plan.think_s)
            extra = self._answer(run, line)
            turn, root = await self.exchange(run, who.phone, turn.action, line.index, **extra)
        # The call is over (the agent hung up, the lines ran out, or Twilio gave up on us).
        duration = str(round(self.plan.think_s * len(who.lines)))
        extra = {"CallStatus": "completed", "CallDuration": duration}
        await self.exchange(run, who.phone, "/twilio/call-status", -1, **extra)

    def _answer(self, run: CallRun, line: script.Line) -> dict[str, str]:
        if self.plan.mode == "gather":
            return {"SpeechResult": line.he, "Confidence": "0.91"}
        sid = script.recording_sid(run.index, line.index)
        url = f"{self.plan.media_origin}/{API_VERSION}/Accounts/{ACCOUNT_SID}/Recordings/{sid}"
        return {
            "RecordingUrl": url,
            "RecordingSid": sid,
            "RecordingDuration": str(max(1, len(line.he) // 12)),
        }


def _read(root: ET.Element, found: Exchange) -> tuple[str | None, float]:
    """Notes what the TwiML says and does; returns a <Redirect> to follow and the pause before."""
    said: list[str] = []
    pause_s = 0.0
    for verb in root:
        match verb.tag:
            case "Say":
                said.append(verb.text or "")
            case "Gather" | "Record":
                said += [v.text or "" for v in verb if v.tag == "Say"]
                found.listens, found.action = True, verb.get("action")
                break
            case "Hangup":
                found.hangs_up = True
                break
            case "Redirect":
                found.said = " ".join(said)
                return verb.text or "", pause_s
            case "Pause":
                pause_s += float(verb.get("length") or 1)
    found.said = " ".join(said)
    if not found.listens:
        found.hangs_up = True  # the end of a document: Twilio hangs up
    return None, 0.0


async def _setup(twilio: Twilio, run: CallRun, who: script.Caller, gate: asyncio.Semaphore) -> None:
    headers = {"X-API-Key": API_KEY}
    async with gate:
        try:
            lead = await twilio.client.post(
                f"{twilio.plan.server_url}/leads", json=who.lead(), headers=headers
            )
            lead.raise_for_status()
            placed = await twilio.client.post(
                f"{twilio.plan.server_url}/outbound/initiate-call",
                params={"lead_id": lead.json()["id"]},
                headers=headers,
            )
            placed.raise_for_status()
            run.call_id, run.call_sid = placed.json()["call_id"], placed.json()["call_sid"]
        except httpx.HTTPError as exc:
            run.setup_error = f"{type(exc).__name__}: {exc}"
        except (KeyError, ValueError) as exc:
            run.setup_error = f"unexpected answer: {exc}"


async def _lag(stop: asyncio.Event, samples: list[float]) -> None:
    """How late this process's event loop wakes up (is the driver keeping up?)."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.05)
        samples.append((time.monotonic() - before - 0.05) * 1000)


async def _metrics(twilio: Twilio) -> str | None:
    if not twilio.plan.metrics:
        return None
    try:
        response = await twilio.client.get(
            f"{twilio.plan.server_url}/metrics", headers={"X-API-Key": API_KEY}
        )
    except httpx.HTTPError:
        return None
    return response.text if response.status_code == 200 else None


async def _drive(plan: Plan, twilio_side: type[Twilio] = Twilio) -> dict[str, Any]:
    limits = httpx.Limits(
        max_connections=plan.calls + 20, max_keepalive_connections=plan.calls + 20
    )
    timeout = httpx.Timeout(plan.timeout_s + 5)
    shard_limits = httpx.Limits(
        max_connections=CALLS_PER_CLIENT + 4, max_keepalive_connections=CALLS_PER_CLIENT + 4
    )
    shards = [
        httpx.AsyncClient(limits=shard_limits, timeout=timeout)
        for _ in range(-(-(plan.calls + 1) // CALLS_PER_CLIENT))
    ]
    async with (
        contextlib.AsyncExitStack() as stack,
        httpx.AsyncClient(limits=limits, timeout=timeout) as client,
    ):
        for shard in shards:
            await stack.enter_async_context(shard)
        twilio = twilio_side(plan, client, shards)
        # One more caller than measured: the warm-up call, run alone first (a deployed server
        # is warm: imports, connection pools and caches are not what a turn should pay for).
        callers = [script.caller(i, plan.turns) for i in range(plan.calls + 1)]
        runs = [CallRun(i) for i in range(plan.calls + 1)]
        gate = asyncio.Semaphore(20)
        await asyncio.gather(
            *(_setup(twilio, r, c, gate) for r, c in zip(runs, callers, strict=True))
        )
        warmup, warm_caller = runs.pop(), callers.pop()
        warmup.warmup = True
        if warmup.setup_error is None:
            warming = twilio_side(replace(plan, think_s=0.0), client, shards)
            await warming.call(warmup, warm_caller, time.monotonic())
        metrics_before = await _metrics(twilio)
        lag: list[float] = []
        stop = asyncio.Event()
        lagging = asyncio.create_task(_lag(stop, lag))
        cpu_before, own_before = tree_cpu_seconds(plan.server_pid), _own_cpu()
        started = time.monotonic()
        spread = plan.think_s / max(1, plan.calls)
        await asyncio.gather(
            *(
                twilio.call(r, c, started + i * spread)
                for i, (r, c) in enumerate(zip(runs, callers, strict=True))
                if r.setup_error is None
            )
        )
        finished = time.monotonic()
        cpu_after, own_after = tree_cpu_seconds(plan.server_pid), _own_cpu()
        stop.set()
        await lagging
        metrics_after = await _metrics(twilio)
    return {
        "calls": [
            {**asdict(r), "exchanges": [asdict(e) for e in r.exchanges]} for r in [*runs, warmup]
        ],
        "started": started,
        "finished": finished,
        "server_cpu_s": cpu_after - cpu_before,
        "driver_cpu_s": own_after - own_before,
        "driver_loop_lag_ms": lag,
        "metrics_before": metrics_before,
        "metrics_after": metrics_after,
    }


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def drive(plan: Plan, twilio: type[Twilio] = Twilio) -> dict[str, Any]:
    """Process entry point: runs the whole plan, returns plain data for the report.

    `twilio` plays Twilio's side of each call (webhooks here; relay.RelayTwilio a socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    return asyncio.run(_drive(plan, twilio))
