"""Serves an ASGI app for real on 127.0.0.1 in a background thread (the fakes' shared runner)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn


class LoopbackServer:
    """uvicorn on a free loopback port; `port` is set once `start()` returns."""

    def __init__(
        self,
        app: Any,
        name: str,
        *,
        graceful_shutdown_s: int | None = None,
        tls: tuple[str, str] | None = None,
        lifespan: bool = False,
    ) -> None:
        """`tls`: (certificate chain file, key file) to serve https instead of http;
        `lifespan`: run the app's startup and shutdown (our own app; fakes have none)."""
        self.app, self.name, self.graceful_shutdown_s = app, name, graceful_shutdown_s
        self.tls, self.lifespan = tls, lifespan
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            loop="asyncio",  # no uvloop in the test process
            http="h11",
            lifespan="on" if self.lifespan else "off",
            log_config=None,  # leave the app's logging alone
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=self.graceful_shutdown_s,
            ssl_certfile=self.tls[0] if self.tls else None,
            ssl_keyfile=self.tls[1] if self.tls else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                raise RuntimeError(f"{self.name} did not stop")
