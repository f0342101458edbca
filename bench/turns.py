"""Per-stage latency of one call turn, offline and against a fake OpenAI with simulated latency.

    python -m bench.turns [--calls 20] [--chat-ms 600] [--translate-ms 250]

The online runs use the real SDK against tests/fakes/openai_server.py on loopback, with script
first off (every turn to the model) and on (the turns the script answers skip it), so the numbers
show the pipeline's own overhead and what catalog lines and scripted turns save.
Prints a report; not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.clock import FrozenClock
from app.config import Settings
from app.conversation.state import Conversation, LeadProfile
from app.leads.models import Lead
from app.main import create_app
from tests.fakes.openai_server import FAKE_API_KEY, CallTool, Delay, FakeOpenAI

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
CALLER = ["כן, יש לי דקה", "יש לנו שני אנשי מכירות", "נשמע מעניין", "הראשון"]


def _fake_model(chat_s: float, translate_s: float) -> Any:
    """A scripted sales call: question, question, offer_slots, book the first offered slot."""

    def handle(body: dict[str, Any]) -> Any:
        if "tools" not in body:
            system = body["messages"][0]["content"]
            text = "Sure." if "into natural" in system else "Yes, I have a minute."
            return Delay(translate_s, then=text)
        messages = body["messages"]
        if messages[-1]["role"] == "tool":
            return Delay(chat_s, then="Done.")
        users = sum(m["role"] == "user" for m in messages)
        if users == 3:
            return Delay(chat_s, then=CallTool("offer_slots", {}))
        if users >= 4:
            starts = [
                ln.split("slot_start=")[1]
                for ln in messages[0]["content"].splitlines()
                if "slot_start=" in ln
            ]
            return Delay(chat_s, then=CallTool("book_meeting", {"slot_start": starts[0]}))
        return Delay(chat_s, then="Do you have an SDR team?")

    return handle


async def _calls(settings: Settings, calls: int) -> dict[str, list[float]]:
    app = create_app(settings, FrozenClock(NOW))
    stages: dict[str, list[float]] = defaultdict(list)
    async with app.router.lifespan_context(app):
        pipeline = app.state.conversation.pipeline
        for n in range(calls):
            async with app.state.sessionmaker.begin() as session:
                lead = Lead(name="Bench", phone=f"+97250{2000000 + n}", gender="male")
                session.add(lead)
                await session.flush()
                conversation = Conversation(lead=LeadProfile.from_lead(lead))
            pipeline.greeting(conversation)
            for line in CALLER:
                result = await pipeline.run_turn(app.state.sessionmaker, conversation, line)
                for stage, ms in result.ms.items():
                    stages[stage].append(ms)
                stages[f"turn:{result.action or 'free-form'}"].append(result.ms["total"])
    return stages


def _report(title: str, stages: dict[str, list[float]]) -> None:
    print(title)
    for stage, values in sorted(stages.items()):
        ordered = sorted(values)
        p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
        p50 = statistics.median(ordered)
        print(f"  {stage:28} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  n={len(ordered)}")


async def run(calls: int, chat_ms: int, translate_ms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base: dict[str, Any] = {"seed_demo_leads": False, "log_level": "WARNING"}
        offline = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'off.db'}", **base
        )  # type: ignore[arg-type]
        _report("offline brain + catalog", await _calls(offline, calls))

        fake = FakeOpenAI()
        fake.start()
        try:
            fake.script_chat(_fake_model(chat_ms / 1000, translate_ms / 1000))
            for script_first in (False, True):
                fake.requests.clear()
                online = Settings(  # type: ignore[call-arg]
                    _env_file=None,
                    database_url=f"sqlite+aiosqlite:///{Path(tmp) / f'on-{script_first}.db'}",
                    openai_api_key=FAKE_API_KEY,
                    openai_base_url=fake.base_url,
                    script_first=script_first,
                    **base,
                )
                started = time.perf_counter()
                stages = await _calls(online, calls)
                elapsed = time.perf_counter() - started
                per_turn = len(fake.chat_requests) / (calls * len(CALLER))
                _report(
                    f"openai, script first {'on' if script_first else 'off'} (fake: chat "
                    f"{chat_ms} ms, translation {translate_ms} ms), "
                    f"{per_turn:.2f} requests per turn, {elapsed:.1f} s",
                    stages,
                )
        finally:
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--chat-ms", type=int, default=600)
    parser.add_argument("--translate-ms", type=int, default=250)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.chat_ms, args.translate_ms))


if __name__ == "__main__":
    main()
