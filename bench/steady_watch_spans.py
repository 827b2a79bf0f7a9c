"""How long each kept run's steady-state watch before the faults took, against its window.

A diagnostic, not a test: it prints figures and never fails.

    python bench/steady_watch_spans.py RUN_ROOT [RUN_ROOT ...] [--over 1.5]

For every run folder under each RUN_ROOT (``bench/bench_external_kills.py`` keeps its runs in
``/tmp/bench-kills-*``) whose ``summary.json`` has a ``steady_state.before_span``, it prints the
runs whose watch took longer than ``--over`` seconds: the watch's length, its window, the run's
duration, the recovery events (``recovery_started``/``succeeded``/``failed``) from a second before
the watch to a second after it, and the gaps between the history's metrics snapshots after it
(the run's chunks: one a second when the main thread gets the CPU). Then how many runs it read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def spans(root: Path, over: float) -> tuple[int, list[str]]:
    read, lines = 0, []
    for run in sorted(p for p in root.iterdir() if (p / "summary.json").is_file()):
        try:
            summary = json.loads((run / "summary.json").read_text())
        except ValueError:
            continue
        steady = summary.get("steady_state") or {}
        span = steady.get("before_span")
        if not span:
            continue
        read += 1
        took = span[1] - span[0]
        if took <= over:
            continue
        events, snaps = [], []
        for line in (run / "history.jsonl").read_text().splitlines():
            e = json.loads(line)
            if e.get("type") == "event" and e.get("value") in ("recovery_started", "recovery_succeeded",
                                                                 "recovery_failed") \
                    and span[0] - 1 <= e["time"] <= span[1] + 1:
                events.append(f"{e['value'].removeprefix('recovery_')}@{e['time'] - span[0]:+.2f}")
            elif e.get("type") == "metrics" and e["time"] >= span[1]:
                snaps.append(e["time"])
        gaps = [round(b - a, 2) for a, b in zip([span[1], *snaps], snaps)]
        lines.append(f"{run.name}: watch {took:.2f} s of a {steady.get('window_s')} s window; "
                     f"recovery events (s from the watch's start) {events}; "
                     f"gaps to each metrics snapshot after it {gaps}; before: {steady.get('before_detail', '')[:80]}")
    return read, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("roots", nargs="+", type=Path)
    ap.add_argument("--over", type=float, default=1.5)
    args = ap.parse_args(argv)
    total = 0
    for root in args.roots:
        read, lines = spans(root, args.over)
        total += read
        for line in lines:
            print(f"{root.name}/{line}")
    print(f"{total} run(s) with a watch before the faults read; those above took over {args.over} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
