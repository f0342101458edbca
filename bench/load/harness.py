"""One benchmark: the fakes once, then per input mode our server and the baseline, each driven by
the same simulated calls against the same fakes, each on a fresh database."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.load import analysis, database, driver, prom, relay
from bench.load.fakes import Latency
from bench.load.processes import Fakes, Server, cpu_seconds, start_baseline, start_ours

MODES = ("record", "gather")


@dataclass(frozen=True, slots=True)
class Options:
    calls: int = 1
    modes: tuple[str, ...] = MODES
    turns_per_call: int = 4
    think_s: float = 6.0
    fetch_ms: float = 150
    stt_ms: float = 450
    chat_ms: float = 600
    translate_ms: float = 350
    first_token_ms: float = 150
    database_url: str | None = None
    baseline: bool = True
    timeout_s: float = 15.0
    server_log_level: str = "INFO"
    workers: int = 1  # `messiah serve --workers`
    logs: str | None = None  # keep the server logs here


def _raise_file_limit() -> None:
    """Hundreds of calls hold hundreds of sockets in each process (inherited by children)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def _drive(plan: driver.Plan) -> dict[str, Any]:
    entry = relay.drive if plan.mode == "relay" else driver.drive
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(entry, plan).result()


def _measure(server: Server, fakes: Fakes, options: Options, mode: str) -> dict[str, Any]:
    """Drives the calls against one running server; everything but the database check."""
    fakes.reset()
    fake_cpu = {name: cpu_seconds(pid) for name, pid in fakes.pids.items()}
    plan = driver.Plan(
        server_url=server.url,
        server_pid=server.pid,
        media_origin=fakes.twilio_url,
        mode=mode,
        calls=options.calls,
        turns=options.turns_per_call,
        think_s=options.think_s,
        timeout_s=options.timeout_s,
    )
    driven = _drive(plan)
    fake_cpu = {name: cpu_seconds(pid) - fake_cpu[name] for name, pid in fakes.pids.items()}
    log, problems = fakes.log()
    found = analysis.turns(driven, log)
    answered = found["turns"] + found["greeting_latency_ms"]["n"]
    wall = driven["finished"] - driven["started"]
    found["server"] = server.name
    found["server_cpu"] = {
        "seconds": round(driven["server_cpu_s"], 3),
        "ms_per_turn": driven["server_cpu_s"] * 1000 / max(1, answered),
        "utilization": round(driven["server_cpu_s"] / wall, 3) if wall else None,
        "turns_counted": answered,
    }
    found["load"] = {
        "wall_s": wall,
        "driver_cpu_s": driven["driver_cpu_s"],
        "driver_loop_lag_ms": analysis.summary(driven["driver_loop_lag_ms"]),
        "fakes_cpu_s": fake_cpu,
    }
    found["fake_problems"] = problems
    found["setup_errors"] = [
        f"call {c['index']}: {c['setup_error']}" for c in driven["calls"] if c["setup_error"]
    ]
    found["metrics"] = prom.delta(driven["metrics_before"], driven["metrics_after"])
    found["_driven"] = driven["calls"]
    if mode == "relay":
        found["first_token_ms"] = relay.first_token(driven)
    return found


def _ours(fakes: Fakes, options: Options, mode: str, tmp: Path) -> dict[str, Any]:
    db = database.fresh(options.database_url, tmp, f"{mode}")
    try:
        server = start_ours(
            fakes, mode, db.url, tmp, options.server_log_level, mode, options.workers
        )
        try:
            found = _measure(server, fakes, options, mode)
        finally:
            server.stop()
        if found["errors"] or found["timeouts"]:
            found["server_log_tail"] = server.tail(30)
        verdict, stored = database.completeness(found.pop("_driven"), db.url)
        found["completeness"] = verdict
        found["stages_ms"] = analysis.stages(stored)
        found["database"] = db.backend
    finally:
        database.drop(db)
    return found


def _baseline(fakes: Fakes, options: Options, mode: str, tmp: Path) -> dict[str, Any]:
    server = start_baseline(fakes, mode, tmp, mode)
    try:
        found = _measure(server, fakes, options, mode)
    finally:
        server.stop()
    found.pop("_driven")
    found.update(completeness=None, stages_ms={}, metrics=None, database=None)
    return found


def _verdict(result: dict[str, Any]) -> list[str]:
    problems = []
    for mode, runs in result["runs"].items():
        for name, run in runs.items():
            if run["timeouts"] or run["non_200"] or run["errors"]:
                problems.append(
                    f"{mode}/{name}: {run['timeouts']} timeouts, {run['non_200']} non-200, "
                    f"{run['errors']} errors"
                )
            if run["setup_errors"]:
                problems.append(
                    f"{mode}/{name}: {len(run['setup_errors'])} calls could not be placed, "
                    f"first: {run['setup_errors'][0]}"
                )
            if run["completeness"] is not None and not run["completeness"]["complete"]:
                problems.append(f"{mode}/{name}: turns missing, duplicated or different in the DB")
    return problems


def run(options: Options) -> dict[str, Any]:
    _raise_file_limit()
    latency = Latency(
        options.fetch_ms / 1000,
        options.stt_ms / 1000,
        options.chat_ms / 1000,
        options.translate_ms / 1000,
        options.first_token_ms / 1000,
    )
    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        tmp = Path(scratch)
        fakes = Fakes(tmp, options.calls, options.turns_per_call, latency)
        fakes.start()
        result: dict[str, Any] = {
            "config": {**asdict(options), "modes": list(options.modes)},
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "runs": {},
            "ratios": {},
        }
        try:
            for mode in options.modes:
                runs = {"ours": _ours(fakes, options, mode, tmp)}
                if options.baseline and mode == "relay":
                    # The seed had no streaming: its sequential turn is what relay is held to.
                    runs["baseline"] = _baseline(fakes, options, "record", tmp)
                    result["ratios"][mode] = relay.ratios(runs["ours"], runs["baseline"])
                elif options.baseline:
                    runs["baseline"] = _baseline(fakes, options, mode, tmp)
                    result["ratios"][mode] = analysis.ratios(runs["ours"], runs["baseline"])
                result["runs"][mode] = runs
        finally:
            fakes.stop()
            if options.logs:
                Path(options.logs).mkdir(parents=True, exist_ok=True)
                for log in tmp.glob("*.log"):
                    shutil.copy(log, Path(options.logs) / log.name)
    result["config"]["turns_per_call"] = options.turns_per_call
    result["problems"] = _verdict(result)
    result["ok"] = not result["problems"]
    return result
