"""The Overview's charts as plain numbers and boxes; the templates draw them as SVG."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FUNNEL_STEPS = (
    ("dialed", "Dialed"),
    ("answered", "Answered"),
    ("conversations", "Conversations"),
    ("interested", "Interested"),
    ("booked", "Booked"),
)
OUTCOME_COLORS = {
    "booked": "#15803d",
    "callback": "#0369a1",
    "not_interested": "#a16207",
    "opted_out": "#7e22ce",
    "voicemail": "#64748b",
    "no_answer": "#94a3b8",
    "busy": "#cbd5e1",
    "failed": "#b91c1c",
    "error": "#dc2626",
}
STAGES = ("fetch", "stt", "translate_in", "llm", "translate_out", "total")


@dataclass(frozen=True, slots=True)
class FunnelStep:
    key: str
    label: str
    count: int
    share: float  # of dialed, 0..1
    width: float  # bar width in percent of the chart


def funnel(counts: dict[str, int]) -> list[FunnelStep]:
    dialed = counts.get("dialed", 0)
    steps = []
    for key, label in FUNNEL_STEPS:
        n = counts.get(key, 0)
        share = n / dialed if dialed else 0.0
        steps.append(FunnelStep(key, label, n, share, max(share * 100, 0.5 if n else 0)))
    return steps


@dataclass(frozen=True, slots=True)
class Segment:
    outcome: str
    count: int
    y: float  # from the top, in chart units (0..100)
    height: float
    color: str


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    total: int
    segments: list[Segment]


def outcomes_by_day(
    rows: Sequence[tuple[datetime, str]], tz: ZoneInfo, today: date, days: int = 14
) -> tuple[list[Day], int]:
    """Stacked bars of outcomes per local day for the last `days` days; and the tallest total."""
    per_day: dict[date, Counter[str]] = {today - timedelta(days=i): Counter() for i in range(days)}
    for started, outcome in rows:
        local = started.astimezone(tz).date()
        if local in per_day:
            per_day[local][outcome] += 1
    tallest = max((sum(c.values()) for c in per_day.values()), default=0) or 1
    result = []
    for day in sorted(per_day):
        counts, y = per_day[day], 100.0
        segments = []
        for outcome, color in OUTCOME_COLORS.items():
            n = counts.get(outcome, 0)
            if n:
                height = n / tallest * 100
                y -= height
                segments.append(Segment(outcome, n, y, height, color))
        result.append(Day(day, sum(counts.values()), segments))
    return result, tallest


@dataclass(frozen=True, slots=True)
class StageLatency:
    stage: str
    samples: int
    median: int | None
    p95: int | None


def percentile(values: Sequence[int], q: float) -> int | None:
    """Nearest-rank percentile (q in 0..1); None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


def latencies(timings: dict[str, list[int]]) -> tuple[list[StageLatency], int]:
    """Median and p95 per stage, and the largest p95 (the chart's scale)."""
    rows = [
        StageLatency(
            stage,
            len(timings.get(stage, [])),
            percentile(timings.get(stage, []), 0.5),
            percentile(timings.get(stage, []), 0.95),
        )
        for stage in STAGES
    ]
    scale = max((row.p95 or 0 for row in rows), default=0) or 1
    return rows, scale
