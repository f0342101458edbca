"""python -m bench.load: the command line of the load / latency benchmark (see bench/load)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.load import harness, report, script


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="Concurrent simulated Twilio calls against the real server (and the seed's "
        "sequential pipeline as a baseline), with fake OpenAI and Twilio media on loopback.",
    )
    parser.add_argument("--calls", type=int, default=1, help="concurrent calls (default 1)")
    parser.add_argument(
        "--mode",
        choices=["record", "gather", "both", "relay", "all"],
        default="both",
        help="both: record and gather; relay: ConversationRelay's socket; all: the three",
    )
    parser.add_argument("--turns-per-call", type=int, default=4, help="caller turns (default 4)")
    parser.add_argument("--think-s", type=float, default=6.0, help="between turns (default 6)")
    parser.add_argument("--fetch-ms", type=float, default=150, help="recording download")
    parser.add_argument("--stt-ms", type=float, default=450, help="transcription / audio→English")
    parser.add_argument("--chat-ms", type=float, default=600, help="chat with tools (the agent)")
    parser.add_argument("--translate-ms", type=float, default=350, help="chat without tools")
    parser.add_argument(
        "--first-token-ms", type=float, default=150, help="a streamed chat's first token (relay)"
    )
    parser.add_argument(
        "--database-url",
        help="a Postgres server (a fresh database is made on it per run and dropped after); "
        "default: a fresh SQLite file per run in a temp dir",
    )
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the seed's sequential pipeline (default on)",
    )
    parser.add_argument("--timeout-s", type=float, default=15.0, help="Twilio's webhook limit")
    parser.add_argument("--server-log-level", default="INFO")
    parser.add_argument(
        "--workers", type=int, default=1, help="`messiah serve --workers` (default 1)"
    )
    parser.add_argument("--logs", help="a directory to keep the servers' logs in")
    parser.add_argument("--json", type=Path, help="also write the full report here")
    return parser


def _modes(mode: str) -> tuple[str, ...]:
    if mode == "both":
        return harness.MODES
    return (*harness.MODES, "relay") if mode == "all" else (mode,)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 1 <= args.calls <= script.MAX_CALLS:
        raise SystemExit(f"--calls must be between 1 and {script.MAX_CALLS}")
    if args.turns_per_call < 1:
        raise SystemExit("--turns-per-call must be at least 1")
    options = harness.Options(
        calls=args.calls,
        modes=_modes(args.mode),
        turns_per_call=args.turns_per_call,
        think_s=args.think_s,
        fetch_ms=args.fetch_ms,
        stt_ms=args.stt_ms,
        chat_ms=args.chat_ms,
        translate_ms=args.translate_ms,
        first_token_ms=args.first_token_ms,
        database_url=args.database_url,
        baseline=args.baseline,
        timeout_s=args.timeout_s,
        server_log_level=args.server_log_level,
        workers=args.workers,
        logs=args.logs,
    )
    result = harness.run(options)
    print(report.render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"JSON report: {args.json}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
