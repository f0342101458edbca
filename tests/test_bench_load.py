"""A smoke run of the load benchmark (bench/load): two calls, two turns, tiny latencies.

It starts the real server, the baseline and the fakes as their own processes, as
`python -m bench.load` does, and checks the JSON report's shape and that every turn is stored.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_two_calls_in_record_mode_are_measured_and_every_turn_is_stored(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    tiny = ["--fetch-ms", "5", "--stt-ms", "5", "--chat-ms", "5", "--translate-ms", "5"]
    command = [sys.executable, "-m", "bench.load", "--calls", "2", "--turns-per-call", "2"]
    command += ["--think-s", "0.1", "--mode", "record", *tiny, "--json", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    report = json.loads(out.read_text())
    assert report["ok"] is True
    assert set(report["runs"]) == {"record"}
    ours, baseline = report["runs"]["record"]["ours"], report["runs"]["record"]["baseline"]
    for run in (ours, baseline):
        assert run["turns"] == 4
        for key in ("turn_latency_ms", "overhead_ms", "provider_ms", "greeting_latency_ms"):
            assert set(run[key]) >= {"n", "p50", "p95", "p99", "max"}, key
        assert run["timeouts"] == run["non_200"] == run["errors"] == 0
        assert run["server_cpu"]["ms_per_turn"] > 0
        assert run["provider_requests_per_turn"]["fetch"] == 1
    assert ours["completeness"]["complete"] is True
    assert ours["completeness"]["turns_expected"] == 2 * 3 + 3  # greeting + 2 turns, + warm-up
    assert ours["stages_ms"]["stt"]["n"] == 4
    assert set(report["ratios"]["record"]) >= {"p50", "p95", "p99"}
    assert "record mode" in done.stdout
