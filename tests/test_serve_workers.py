"""`messiah serve --workers 2`: one migration and one seeding, and /metrics counts every worker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.leads.seed import DEMO_LEADS

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no /health: {log.read_text()[-3000:]}")


def _pool_waits(text: str) -> float:
    match = re.search(r'^messiah_db_wait_seconds_count\{wait="pool"\} (\S+)$', text, re.M)
    return float(match.group(1)) if match else 0.0


def test_two_workers_share_one_database_and_one_metrics_view(tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TWILIO_", "API_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/workers.db",
        DIALER_ENABLED="false",
        LOG_LEVEL="WARNING",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, log)
        before = _pool_waits(httpx.get(f"{url}/metrics").text)
        for _ in range(12):  # a new connection each time, so both workers take some
            leads = httpx.get(f"{url}/leads", headers={"Connection": "close"}).json()
            assert len(leads) == len(DEMO_LEADS)  # seeded once, not once per worker
        after = _pool_waits(httpx.get(f"{url}/metrics").text)
        assert after - before >= 12  # whichever worker answers counts the other's requests too
        assert "messiah_db_pool_in_use" in httpx.get(f"{url}/metrics").text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert process.returncode == 0, log.read_text()[-3000:]


def test_workers_refuse_an_in_memory_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "sqlite+aiosqlite:///:memory:"}
    command = [sys.executable, "-m", "app.cli", "serve", "--workers", "2"]
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, timeout=60)
    assert result.returncode == 2
    assert b"in-memory SQLite" in result.stderr
