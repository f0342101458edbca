"""The printed report: one block per input mode, ours beside the baseline."""

from __future__ import annotations

from typing import Any


def _ms(value: Any) -> str:
    return "—" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _triple(stats: dict[str, Any] | None, keys: tuple[str, ...] = ("p50", "p95", "p99")) -> str:
    if not stats or not stats.get("n", stats.get("count")):
        return "—"
    return " / ".join(_ms(stats.get(k)) for k in keys)


def _row(label: str, ours: str, baseline: str | None, ratio: str = "") -> str:
    if baseline is None:
        return f"  {label:34} {ours:>24}"
    return f"  {label:34} {ours:>24} {baseline:>24} {ratio:>8}"


def _both(label: str, ours: Any, base: Any, key: str, ratio: str = "") -> str:
    return _row(label, _triple(ours[key]), _triple(base[key]) if base else None, ratio)


def render(result: dict[str, Any]) -> str:
    c = result["config"]
    out = [
        f"load benchmark: {c['calls']} concurrent calls × {c['turns_per_call']} caller turns, "
        f"think {c['think_s']:g} s, fakes: fetch {c['fetch_ms']:g} / stt {c['stt_ms']:g} / "
        f"chat {c['chat_ms']:g} / translate {c['translate_ms']:g} ms, "
        f"{result['machine']['cpus']} CPUs, {c.get('workers', 1)} server worker(s)",
    ]
    for mode, runs in result["runs"].items():
        ours, base = runs["ours"], runs.get("baseline")
        ratio = result.get("ratios", {}).get(mode) or {}
        out.append("")
        out.append(f"{mode} mode — ours on {ours['database']}, {ours['turns']} caller turns")
        head = _row("", "ours", "baseline" if base else None, "ours÷base")
        out.append(head)

        ratio_text = " / ".join(f"{ratio[p]:.2f}" for p in ("p50", "p95", "p99") if ratio.get(p))
        if ours.get("first_token_ms"):  # relay: the first Hebrew token against the seed's turn
            first = _triple(ours["first_token_ms"])
            seed = _triple(base["turn_latency_ms"]) if base else None
            out.append(_row("first Hebrew token p50/p95/p99 ms", first, seed, ratio_text))
            ratio_text = ""
        out.append(_both("turn latency p50/p95/p99 ms", ours, base, "turn_latency_ms", ratio_text))
        maxes = (
            _ms(ours["turn_latency_ms"]["max"]),
            _ms(base["turn_latency_ms"]["max"]) if base else None,
        )
        out.append(
            _row(
                "turn latency max ms",
                maxes[0],
                maxes[1],
                f"{ratio.get('max') or 0:.2f}" if base else "",
            )
        )
        out.append(_both("server overhead p50/p95/p99 ms", ours, base, "overhead_ms"))
        for segment, label in (
            ("before_first_provider", "  before the first provider call"),
            ("between_providers", "  between provider calls"),
            ("after_last_provider", "  after the last provider call"),
        ):
            out.append(
                _row(
                    label,
                    _triple(ours["overhead_segments_ms"][segment]),
                    _triple(base["overhead_segments_ms"][segment]) if base else None,
                )
            )
        out.append(_both("provider time in turn p50/p95/p99", ours, base, "provider_ms"))
        out.append(_both("greeting p50/p95/p99 ms", ours, base, "greeting_latency_ms"))
        cpu = (
            f"{ours['server_cpu']['ms_per_turn']:.1f}",
            f"{base['server_cpu']['ms_per_turn']:.1f}" if base else None,
        )
        out.append(_row("server CPU ms per turn", cpu[0], cpu[1]))
        fails = (
            f"{ours['timeouts']} / {ours['non_200']} / {ours['errors']}",
            f"{base['timeouts']} / {base['non_200']} / {base['errors']}" if base else None,
        )
        out.append(_row("timeouts / non-200 / errors", fails[0], fails[1]))
        db = ours.get("completeness") or {}
        out.append(
            _row(
                "fallback lines / turns with error",
                f"{ours['fallback_lines']} / {db.get('turns_with_error', '—')}",
                f"{base['fallback_lines']} / —" if base else None,
            )
        )
        for label, run in (("ours", ours), ("baseline", base)):
            if run is None:
                continue
            kinds = ", ".join(f"{k} {v:g}" for k, v in run["provider_requests_per_turn"].items())
            out.append(f"  provider requests per turn ({label}): {kinds or 'none'}")
        if ours.get("stages_ms"):
            out.append("  stages stored per turn (ours, DB) p50/p95/p99 ms:")
            for stage, stats in ours["stages_ms"].items():
                out.append(f"    {stage:20} {_triple(stats):>24}   n={stats['n']}")
        histograms = (ours.get("metrics") or {}).get("histograms") or {}
        if histograms:
            out.append("  /metrics during the run (bucket-interpolated) p50/p95/p99:")
            for name, stats in histograms.items():
                keys = (
                    ("p50_ms", "p95_ms", "p99_ms") if "p50_ms" in stats else ("p50", "p95", "p99")
                )
                stats = {**stats, "n": stats["count"]}
                out.append(f"    {name:44} {_triple(stats, keys):>20}   n={stats['count']:.0f}")
        counters = (ours.get("metrics") or {}).get("counters") or {}
        if counters:
            shown = ", ".join(f"{k} {v:g}" for k, v in counters.items())
            out.append(f"  /metrics counters: {shown}")
        if db:
            verdict = "yes" if db["complete"] else "NO"
            out.append(
                f"  every turn stored exactly once: {verdict} ({db['turns_expected']} answered, "
                f"{db['missing']} missing, {db['duplicates']} duplicated, {db['mismatched']} "
                f"differ, {db['stored_without_twiml']} stored without TwiML); outcomes "
                + ", ".join(f"{k} {v}" for k, v in db["outcomes"].items())
            )
            for problem in db["problems"][:5]:
                out.append(f"    {problem}")
        load = ours["load"]
        out.append(
            f"  load: driver CPU {load['driver_cpu_s']:.1f} s, driver loop lag p99 "
            f"{_ms(load['driver_loop_lag_ms']['p99'])} ms, fakes CPU "
            + ", ".join(f"{k} {v:.1f} s" for k, v in load["fakes_cpu_s"].items())
            + f", wall {load['wall_s']:.1f} s"
        )
        for run in (ours, base):
            for sample in (run or {}).get("error_samples", [])[:3]:
                out.append(f"    error ({run['server']}): {sample}")
            for problem in (run or {}).get("fake_problems", [])[:3]:
                out.append(f"    fake refused ({run['server']}): {problem[:200]}")
    out.append("")
    out.append("ok" if result["ok"] else "NOT OK: " + "; ".join(result["problems"]))
    return "\n".join(out)
