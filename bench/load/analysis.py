"""From what the driver saw, what the fakes logged and what the database holds, to numbers.

Server overhead of a caller turn = its latency (webhook sent -> TwiML received) minus the time,
within that window, during which at least one provider request of the same call was being
served by a fake (the union of the fakes' own start..end intervals, so overlapped requests
count once). What is left is time spent in the server, the kernel and on loopback with no
provider working for that turn: parsing, the database, queueing behind other calls, connection
setup, serialisation. A call's turns never overlap, so a request is attributed to a turn by its
call (the fakes read it from the request body; see `script`) and its time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

from app.language.he import HebrewCatalog

KINDS = ("fetch", "transcription", "audio_translation", "translate_in", "chat", "translate_out")
PERCENTILES = (50, 95, 99)


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict[str, float | int | None]:
    found: dict[str, float | int | None] = {"n": len(values)}
    for p in PERCENTILES:
        found[f"p{p}"] = _round(percentile(values, p))
    found["max"] = _round(max(values)) if values else None
    found["mean"] = _round(sum(values) / len(values)) if values else None
    return found


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _union_ms(intervals: list[tuple[float, float]]) -> float:
    total, end = 0.0, -math.inf
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total * 1000


def fallback_lines() -> set[str]:
    lines = set()
    for agent in ("female", "male"):
        for lead in ("female", "male", None):
            catalog = HebrewCatalog(agent_gender=agent, lead_gender=lead)  # type: ignore[arg-type]
            lines.add(catalog.fallback())
    return lines


def turns(driven: dict[str, Any], log: list[list[Any]]) -> dict[str, Any]:
    """Latency, provider time, overhead and errors of every exchange in a run."""
    by_call: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    unattributed = 0
    for kind, call, start, end, _status in log:
        if call is None:
            unattributed += 1
        else:
            by_call[int(call)].append((str(kind), float(start), float(end)))
    fallbacks = fallback_lines()
    latency, greeting, status, overhead, provider = [], [], [], [], []
    before, between, after = [], [], []
    requests: Counter[str] = Counter()
    timeouts = non_200 = errors = fallback = caller_turns = 0
    samples: list[str] = []
    in_turns = 0
    for run in driven["calls"]:
        if run.get("warmup"):
            continue
        for e in run["exchanges"]:
            if e["timeout"]:
                timeouts += 1
            elif e["status"] != 200:
                non_200 += 1
            if e["error"]:
                errors += 1
                if len(samples) < 5:
                    samples.append(f"call {run['index']} {e['path']}: {e['error']}")
            if not (e["status"] == 200 and e["received"] is not None and not e["timeout"]):
                continue
            ms = (e["received"] - e["sent"]) * 1000
            if e["line"] == 0:
                greeting.append(ms)
                continue
            if e["line"] < 0:
                status.append(ms)
                continue
            caller_turns += 1
            latency.append(ms)
            fallback += e["said"] in fallbacks
            window = [
                (max(s, e["sent"]), min(t, e["received"]), kind)
                for kind, s, t in by_call.get(run["index"], [])
                if s < e["received"] and t > e["sent"]
            ]
            in_turns += len(window)
            requests.update(kind for _, _, kind in window)
            busy = _union_ms([(s, t) for s, t, _ in window])
            provider.append(busy)
            overhead.append(max(0.0, ms - busy))
            if window:
                first = min(s for s, _, _ in window)
                last = max(t for _, t, _ in window)
                before.append((first - e["sent"]) * 1000)
                after.append((e["received"] - last) * 1000)
                between.append(max(0.0, (last - first) * 1000 - busy))
    per_turn = {k: round(v / caller_turns, 2) for k, v in sorted(requests.items())}
    return {
        "turns": caller_turns,
        "turn_latency_ms": summary(latency),
        "overhead_ms": summary(overhead),
        "overhead_segments_ms": {
            "before_first_provider": summary(before),
            "between_providers": summary(between),
            "after_last_provider": summary(after),
        },
        "provider_ms": summary(provider),
        "greeting_latency_ms": summary(greeting),
        "status_callback_ms": summary(status),
        "provider_requests_per_turn": per_turn,
        "provider_requests": {
            "total": len(log),
            "in_turns": in_turns,
            "outside_turns": len(log) - unattributed - in_turns,
            "unattributed": unattributed,
        },
        "timeouts": timeouts,
        "non_200": non_200,
        "errors": errors,
        "error_samples": samples,
        "fallback_lines": fallback,
    }


def stages(stored_turns: list[dict[str, Any]]) -> dict[str, Any]:
    """p50/p95/p99 of every per-stage column (`ms_*`) the server stored for caller turns."""
    columns = sorted({k for t in stored_turns for k in t if k.startswith("ms_")})
    found = {}
    for column in columns:
        values = [float(t[column]) for t in stored_turns if t.get(column) is not None]
        if values:
            found[column.removeprefix("ms_")] = summary(values)
    return found


def ratios(ours: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    found: dict[str, float | None] = {}
    for p in (*(f"p{p}" for p in PERCENTILES), "max"):
        a, b = ours["turn_latency_ms"].get(p), baseline["turn_latency_ms"].get(p)
        found[p] = round(a / b, 3) if a is not None and b else None
    return found
