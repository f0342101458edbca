"""What a loopback HTTP round trip costs on this machine, to a server kept busy or left idle.

    python -m bench.wakeup [--requests 60]

An httpx client and a one-route uvicorn server in another process, the request posted back to
back, then after a pause of 50 ms and of 500 ms. The difference is the machine waking an idle
process (and CPU) up: every cross-process hop of a benchmark turn pays it when nothing else runs.
Prints a report; not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import time

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAUSES_S = (0.0, 0.05, 0.5)


def _serve(port: int) -> None:
    async def echo(request: Request) -> Response:
        arrived = time.monotonic()
        await request.body()
        return Response(b"ok", headers={"x-arrived": repr(arrived)})

    app = Starlette(routes=[Route("/", echo, methods=["GET", "POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def _measure(url: str, requests: int, pause_s: float) -> tuple[float, float]:
    to_handler, round_trip = [], []
    async with httpx.AsyncClient() as client:
        await client.get(url)
        for _ in range(requests):
            await asyncio.sleep(pause_s)
            sent = time.monotonic()
            response = await client.post(url, content=b"x" * 2000)
            received = time.monotonic()
            to_handler.append((float(response.headers["x-arrived"]) - sent) * 1000)
            round_trip.append((received - sent) * 1000)
    return statistics.median(to_handler), statistics.median(round_trip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port,))
    server.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        for pause_s in PAUSES_S:
            to_handler, round_trip = asyncio.run(_measure(url, args.requests, pause_s))
            print(
                f"pause {pause_s * 1000:5.0f} ms: client -> handler p50 {to_handler:5.2f} ms, "
                f"round trip p50 {round_trip:5.2f} ms"
            )
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
