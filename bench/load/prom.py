"""What the server's /metrics says happened during a run: histogram and counter deltas.

Generic over names, so metrics added later (`messiah_turn_seconds{mode}`,
`messiah_webhook_seconds{path}`, `messiah_db_wait_seconds{wait}`, ...) show up on their own.
Percentiles of a histogram are interpolated inside its buckets, so they are only as fine as
the buckets.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Any

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
PREFIX = "messiah_"


def _samples(text: str | None) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for line in (text or "").splitlines():
        match = _SAMPLE.match(line)
        if not match or not match.group(1).startswith(PREFIX):
            continue
        labels = tuple(sorted(_LABEL.findall(match.group(2) or "")))
        try:
            found[(match.group(1), labels)] = float(match.group(3))
        except ValueError:
            continue
    return found


def _quantile(buckets: list[tuple[float, float]], q: float) -> float | None:
    """From cumulative (le, count) pairs, the q-quantile interpolated within its bucket."""
    total = buckets[-1][1] if buckets else 0
    if total <= 0:
        return None
    rank = q * total
    lower_le, lower_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if math.isinf(le):
                return lower_le
            width = count - lower_count
            share = (rank - lower_count) / width if width else 1.0
            return lower_le + (le - lower_le) * share
        lower_le, lower_count = le, count
    return lower_le


def delta(before: str | None, after: str | None) -> dict[str, Any]:
    """{"histograms": {"name{labels}": {count, mean_ms, p50_ms, p95_ms, p99_ms}},
    "counters": {"name{labels}": increase}} for what changed between two scrapes."""
    old, new = _samples(before), _samples(after)
    changed = {key: value - old.get(key, 0.0) for key, value in new.items()}
    buckets: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = defaultdict(
        list
    )
    sums: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    counters: dict[str, float] = {}
    for (name, labels), value in changed.items():
        if name.endswith("_bucket"):
            le = dict(labels).get("le", "+Inf")
            rest = tuple(pair for pair in labels if pair[0] != "le")
            buckets[(name.removesuffix("_bucket"), rest)].append((float(le), value))
        elif name.endswith("_sum"):
            sums[(name.removesuffix("_sum"), labels)] = value
        elif name.endswith("_total") and value:
            counters[_key(name, labels)] = value
    histograms: dict[str, dict[str, float | None]] = {}
    for (name, labels), pairs in sorted(buckets.items()):
        pairs.sort()
        count = pairs[-1][1] if pairs else 0
        if not count:
            continue
        seconds = name.endswith("_seconds")
        scale = 1000 if seconds else 1
        entry: dict[str, float | None] = {"count": count}
        entry["mean_ms" if seconds else "mean"] = sums.get((name, labels), 0) / count * scale
        for q in (0.5, 0.95, 0.99):
            value = _quantile(pairs, q)
            entry[f"p{round(q * 100)}_ms" if seconds else f"p{round(q * 100)}"] = (
                None if value is None else value * scale
            )
        histograms[_key(name, labels)] = entry
    return {"histograms": histograms, "counters": dict(sorted(counters.items()))}


def _key(name: str, labels: tuple[tuple[str, str], ...]) -> str:
    inner = ",".join(f"{k}={v}" for k, v in labels)
    return f"{name}{{{inner}}}" if inner else name
