"""The processes of a run: the fakes (multiprocessing), the server under test (subprocess, as the
README deploys it: `messiah db upgrade`, then `messiah serve`), and the baseline server."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any

import httpx
import trustme

from bench.load import fakes
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID

REPO = Path(__file__).resolve().parents[2]
PUBLIC_BASE_URL = "https://messiah.example.com"
API_KEY = "bench-load-api-key-0000"
OPENAI_KEY = "sk-bench-fake-openai-0000"
_SPAWN = multiprocessing.get_context("spawn")
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live descendants (the workers of `messiah serve`)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += cpu_seconds(current)
        except OSError:
            continue
        todo += children.get(current, [])
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Fakes:
    """The fake OpenAI and fake Twilio processes, started once for the whole benchmark."""

    tmp: Path
    calls: int
    turns: int
    latency: fakes.Latency
    ca_file: str = ""
    openai_port: int = 0
    twilio_port: int = 0
    _processes: list[BaseProcess] = field(default_factory=list)

    def start(self) -> None:
        ca = trustme.CA()
        chain = str(self.tmp / "fake-twilio.pem")
        ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(chain)
        self.ca_file = str(self.tmp / "fake-ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        self.openai_port = self._spawn(  # one caller more: the warm-up call
            fakes.serve_openai, self.calls + 1, self.turns, self.latency, name="fake-openai"
        )
        self.twilio_port = self._spawn(fakes.serve_twilio, self.latency, chain, name="fake-twilio")

    def _spawn(self, target: Any, *args: Any, name: str) -> int:
        parent, child = _SPAWN.Pipe()
        process = _SPAWN.Process(target=target, args=(child, *args), name=name, daemon=True)
        process.start()
        self._processes.append(process)
        if not parent.poll(30):
            raise RuntimeError(f"{name} did not start")
        return int(parent.recv())

    @property
    def pids(self) -> dict[str, int]:
        return {p.name: p.pid for p in self._processes if p.pid is not None}

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.openai_port}"

    @property
    def twilio_url(self) -> str:
        return f"https://127.0.0.1:{self.twilio_port}"

    def _client(self) -> httpx.Client:
        return httpx.Client(verify=self.ca_file, timeout=30)

    def reset(self) -> None:
        with self._client() as client:
            for url in (self.openai_url, self.twilio_url):
                client.post(f"{url}/_bench/reset").raise_for_status()

    def log(self) -> tuple[list[list[Any]], list[str]]:
        """Every provider request since the last reset, and the fakes' refusals."""
        entries: list[list[Any]] = []
        problems: list[str] = []
        with self._client() as client:
            for url in (self.openai_url, self.twilio_url):
                body = client.get(f"{url}/_bench/log").json()
                entries += body["entries"]
                problems += body["problems"]
        return entries, problems

    def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


@dataclass
class Server:
    """One server process (ours or the baseline) listening on 127.0.0.1:port."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}: {self.tail()}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"{self.name} did not answer /health within {timeout_s:g}s: {self.tail()}"
        )

    def tail(self, lines: int = 15) -> str:
        if not self._log.closed:
            self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def _messiah(*args: str) -> list[str]:
    """The `messiah` command of this venv (`python -m app.cli` when it is not installed)."""
    script = Path(sys.executable).parent / "messiah"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "app.cli", *args]


def _env(fake: Fakes, mode: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "TWILIO_"))}
    env.update(
        {
            "APP_ENV": "production",
            "API_KEY": API_KEY,
            "METRICS_PUBLIC": "true",
            "OPENAI_API_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": f"{fake.openai_url}/v1",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_CALLER_ID": CALLER_ID,
            "TWILIO_API_BASE_URL": fake.twilio_url,
            "TWILIO_INPUT_MODE": mode,
            "BASE_URL": PUBLIC_BASE_URL,
            "RECORDING_URL_ALLOWED_HOSTS": "127.0.0.1",
            "SSL_CERT_FILE": fake.ca_file,  # the fake Twilio's CA, as an operator's would be
            "SEED_DEMO_LEADS": "false",
            "DIALER_ENABLED": "false",
            **extra,
        }
    )
    return env


def start_ours(
    fake: Fakes,
    mode: str,
    database_url: str,
    tmp: Path,
    log_level: str,
    tag: str,
    workers: int = 1,
) -> Server:
    env = _env(fake, mode, {"DATABASE_URL": database_url, "LOG_LEVEL": log_level})
    log_path = tmp / f"server-{tag}.log"
    log = log_path.open("wb")
    upgrade = subprocess.run(
        _messiah("db", "upgrade"), env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
    )
    if upgrade.returncode != 0:
        log.close()
        raise RuntimeError(f"messiah db upgrade failed: {log_path.read_text()[-2000:]}")
    return _serve(
        "messiah serve",
        lambda port: _messiah(
            "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)
        ),
        env,
        log_path,
        log,
    )


def start_baseline(fake: Fakes, mode: str, tmp: Path, tag: str) -> Server:
    env = _env(fake, mode, {})
    log_path = tmp / f"baseline-{tag}.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "bench.load.baseline", "--port"]
    return _serve("baseline", lambda port: [*command, str(port)], env, log_path, log)


def _serve(
    name: str,
    command: Callable[[int], list[str]],
    env: dict[str, str],
    log_path: Path,
    log: IO[bytes],
) -> Server:
    """Starts `command(port)` on a free port, its output in `log`, and waits until it serves."""
    port = free_port()
    process = subprocess.Popen(
        command(port), env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(name, port, process, log_path, log)
    server.wait_ready()
    return server
