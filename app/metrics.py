"""Prometheus metrics: what ops watch (turn latency per stage, outcomes, dialing, failures).

No labels carry personal data: only actions, outcomes, stages and error kinds. Under
`messiah serve --workers N` each worker writes its samples to PROMETHEUS_MULTIPROC_DIR and
any worker's /metrics answers for all of them (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
if _shared := os.environ.get(MULTIPROC_DIR_ENV):
    Path(_shared).mkdir(parents=True, exist_ok=True)  # the first metric below writes there

TURNS = Counter("messiah_turns_total", "Call turns answered, by action.", ["action"])
TURN_FAILURES = Counter(
    "messiah_turn_failures_total", "Turns that fell back to the catalog line, by error.", ["error"]
)
STAGE_SECONDS = Histogram(
    "messiah_turn_stage_seconds",
    "Time per pipeline stage of a turn.",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13),
)
CALL_OUTCOMES = Counter(
    "messiah_call_outcomes_total", "Calls that reached an outcome.", ["outcome"]
)
PROVIDER_ERRORS = Counter(
    "messiah_provider_errors_total",
    "Failed provider requests, by provider, operation and kind (timeout, rate_limited, ...).",
    ["provider", "operation", "kind"],
)
TURN_SECONDS = Histogram(
    "messiah_turn_seconds",
    "Caller turn latency, request in to reply out (fetch and transcription included), by mode.",
    ["mode"],
    buckets=(0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 15),
)
WEBHOOK_SECONDS = Histogram(
    "messiah_webhook_seconds",
    "Twilio webhook latency, request in to TwiML out, by path.",
    ["path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 13),
)
DB_WAIT_SECONDS = Histogram(
    "messiah_db_wait_seconds",
    "Time spent waiting for the database: a pooled connection (pool), SQLite's write lock"
    " (write_lock), or this process's queue of SQLite writers (write_queue).",
    ["wait"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
DB_POOL_IN_USE = Gauge(
    "messiah_db_pool_in_use",
    "Database connections checked out of the pool (all live workers).",
    multiprocess_mode="livesum",
)
CALENDAR_FAILURES = Counter(
    "messiah_calendar_failures_total",
    "Calendar free/busy reads that failed (the cached answer was used), by backend and reason.",
    ["backend", "reason"],
)
FREEBUSY_AGE_SECONDS = Gauge(
    "messiah_calendar_freebusy_age_seconds",
    "Age of the free/busy the last offer used: 0 when read fresh, more when cached.",
    multiprocess_mode="mostrecent",
)
OUTBOX = Counter(
    "messiah_outbox_jobs_total", "Outbox deliveries, by kind and result.", ["kind", "result"]
)
DIALS = Counter("messiah_dials_total", "Campaign dial attempts, by result.", ["result"])

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Prometheus scrape endpoint; behind X-API-Key in production unless METRICS_PUBLIC=true."""
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    if not os.environ.get(MULTIPROC_DIR_ENV):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def worker_exited(pid: int) -> None:
    """Drops a stopped worker's live gauges (its counters and histograms stay counted)."""
    if os.environ.get(MULTIPROC_DIR_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


FIRST_TOKEN_SECONDS = Histogram(
    "messiah_relay_first_token_seconds",
    "Streaming (relay) turns: the caller's final words to the first Hebrew token sent.",
    buckets=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0),
)
