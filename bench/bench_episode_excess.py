#!/usr/bin/env python3
"""What the ``recovery`` invariant's recording tolerance must absorb, measured on recorded histories.

The invariant holds every RECOVERING episode to its deadline and excuses what lies past it only as
the history measures it (the open of an attempt begun by the deadline, late timers, the owner's
operations: ``invariants._judge_excess``); what is left, the *residual*, is the recording's own
lag if anything, and a tolerance must cover it or the healthy system fails. Attempts begun past
the deadline are the other check that tolerance serves. This script reads history files, judges
each episode that ended past its deadline with a zero tolerance, and prints by clock (virtual:
the simulated device; real: JACK, PortAudio) how far past the deadline episodes ended, the
residuals and the attempts' lateness, with the worst files named:

    nice -n 19 .venv/bin/python bench/bench_episode_excess.py --list FILES.txt [--json OUT]
    nice -n 19 .venv/bin/python bench/bench_episode_excess.py PATH.jsonl [PATH ...]
    nice -n 19 .venv/bin/python bench/bench_episode_excess.py --simulated-give-ups 60

``--simulated-give-ups N``: N seeded recoveries on the simulated device that give up at their
deadline (a lost device, deadlines and back-offs drawn per run), each episode's end against its
deadline to the float: what the virtual clock's tolerance must absorb.

A history's clock is its ``attach`` record's ``clock`` where it says, else its run's backend
(``sim``: virtual). Histories larger than ``--max-mb`` are skipped (counted).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.history import History  # noqa: E402
from harness.invariants import _episodes_of, _judge_excess, _Recovery, _run_folds  # noqa: E402


def _clock(history: History) -> str:
    initial = history.initial or {}
    if initial.get("clock") in ("virtual", "real"):
        return str(initial["clock"])
    backend = ((history.meta or {}).get("run") or {}).get("backend")
    return "virtual" if backend == "sim" else "real" if backend else "unknown"


def episodes_past_deadline(history: History) -> list[dict[str, Any]]:
    """Every RECOVERING episode of ``history`` that ended past its deadline (or began an attempt
    past it), with how far past, what ``_judge_excess`` leaves unexplained with no tolerance, and
    how late its latest attempt past the deadline began (the owner's ``recover()`` aside)."""
    fold = _Recovery(history.initial or {}, segmented=False)
    _run_folds(history, [fold], catch=False)
    seq_sorted = sorted(fold.states, key=lambda s: s[0])
    states = [(-1, 0.0, fold.init_state)] + [(i, t, st) for _, i, t, st in seq_sorted]
    end = history.end_time
    attempt_spans = sorted((a, b) for a, b, _ in fold.attempts)
    open_waits = sorted((a, b, w) for a, b, w in fold.attempts if w > 0)
    late = sorted(fold.late)
    owner_spans = sorted((a, b) for a, b in fold.ops.values() if b < float("inf"))
    owner_starts = [a for a, _ in owner_spans]
    owner_reach = list(itertools.accumulate((b for _, b in owner_spans), max))
    starts = [a for a, _ in attempt_spans]
    out = []
    for idx, t0, t1, still in _episodes_of(states, end):
        if still:
            continue  # cut by the run's end: not an episode that ended
        dl = fold._config_at(idx)[0]
        lo, hi = bisect.bisect_right(starts, t0 + dl), bisect.bisect_right(starts, t1)
        past = [a for a in starts[lo:hi]
                if not (bisect.bisect_right(owner_starts, a) and owner_reach[bisect.bisect_right(owner_starts, a) - 1] >= a)]
        over = t1 - t0 - dl
        if over <= 0 and not past:
            continue
        judged = _judge_excess(over, t0 + dl, t1, t0, attempt_spans, late, owner_spans, open_waits,
                               tolerance_s=0.0) if over > 0 else None
        out.append({"entered": t0, "deadline_s": dl, "over_s": over,
                    "residual_s": judged["figures"]["unexplained_s"] if judged else 0.0,
                    "starved": bool(judged and judged["starved"]),
                    "attempt_past_s": max((a - t0 - dl for a in past), default=0.0)})
    return out


def simulated_give_ups(n: int) -> list[float]:
    """How far past its deadline each of ``n`` seeded give-ups on the simulated device ended."""
    import random  # noqa: PLC0415

    from harness.history import run_op  # noqa: PLC0415
    from system_under_test import AudioSystem  # noqa: PLC0415

    rng = random.Random(5)
    over: list[float] = []
    for k in range(n):
        rec = {"deadline_ms": rng.choice([100, 137, 200, 333.3, 1000, 1234.5, 2500]), "max_attempts": 100,
               "initial_backoff_ms": rng.choice([10, 20, 30, 70, 300]), "backoff_factor": rng.choice([1, 1.5, 2]),
               "max_backoff_ms": rng.choice([80, 300, 1000])}
        system = AudioSystem({"recovery": rec, "device": {"fallback_devices": []}}, seed=k)
        history = History().attach(system)
        run_op(history, system, "initialize")
        run_op(history, system, "start")
        system.run_for(rng.choice([0.1, 0.37, 1.03, 2.9]))
        system.backend.remove_device("sim-in")
        system.run_for(4.0)
        fold = _Recovery(history.initial or {}, segmented=False)
        _run_folds(history, [fold], catch=False)
        states = [(-1, 0.0, fold.init_state)] + [(i, t, st) for _, i, t, st in sorted(fold.states, key=lambda s: s[0])]
        over += [t1 - t0 - fold._config_at(idx)[0]
                 for idx, t0, t1, still in _episodes_of(states, history.end_time) if not still]
        system.close()
    return over


def _quantile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--list", help="a file naming one history file a line")
    ap.add_argument("--max-mb", type=float, default=50.0)
    ap.add_argument("--json", help="write every episode found past its deadline here")
    ap.add_argument("--simulated-give-ups", type=int, metavar="N")
    args = ap.parse_args(argv)
    if args.simulated_give_ups:
        over = simulated_give_ups(args.simulated_give_ups)
        print(f"simulated give-ups: {len(over)} episodes; past the deadline: max {max(over)!r} s, "
              f"{sum(o == 0 for o in over)} exactly at it, {sum(o > 0 for o in over)} past it "
              f"(largest {max((o for o in over if o > 0), default=0.0)!r} s)")
        return 0
    paths = list(args.paths)
    if args.list:
        try:
            paths += [ln.strip() for ln in Path(args.list).read_text().splitlines() if ln.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            ap.exit(2, f"bench_episode_excess: error: --list {args.list}: cannot be read ({exc}); "
                       "give a text file naming one history file a line\n")
    by_clock: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    skipped = {"missing": 0, "too_large": 0, "unreadable": 0}
    for path in paths:
        try:
            size = os.path.getsize(path)
        except OSError:
            skipped["missing"] += 1
            continue
        if size > args.max_mb * 1e6:
            skipped["too_large"] += 1
            continue
        try:
            history = History.read_jsonl(path)
            clock = _clock(history)
            found = episodes_past_deadline(history)
            episodes = sum(1 for t in history.transitions()
                           if t.get("component") == "system" and t.get("to_state") == "recovering")
        except Exception:  # noqa: BLE001 - a damaged or foreign file is counted, not judged
            skipped["unreadable"] += 1
            continue
        c = by_clock.setdefault(clock, {"histories": 0, "episodes": 0, "past": []})
        c["histories"] += 1
        c["episodes"] += episodes
        for f in found:
            f.update(clock=clock, path=path)
            c["past"].append(f)
            rows.append(f)
    print(f"skipped: {skipped}")
    for clock, c in sorted(by_clock.items()):
        past = c["past"]
        over = [f["over_s"] for f in past if f["over_s"] > 0]
        resid = [f["residual_s"] for f in past if f["over_s"] > 0]
        late_att = [f["attempt_past_s"] for f in past if f["attempt_past_s"] > 0]
        print(f"{clock}: {c['histories']} histories, {c['episodes']} episodes entered; "
              f"{len(over)} ended past the deadline (over: max {max(over, default=0) * 1000:.3f} ms, "
              f"p50 {_quantile(over, .5) * 1000:.3f} ms); residual after the measured excuses: "
              f"max {max(resid, default=0) * 1000:.3f} ms, p99 {_quantile(resid, .99) * 1000:.3f} ms, "
              f"{sum(r > 0 for r in resid)} > 0, {sum(r > 0.05 for r in resid)} > 50 ms; "
              f"{len(late_att)} with an attempt begun past the deadline "
              f"(max {max(late_att, default=0) * 1000:.3f} ms)")
        for f in sorted(past, key=lambda f: -max(f["residual_s"], f["attempt_past_s"]))[:8]:
            print(f"    over {f['over_s'] * 1000:9.3f} ms  residual {f['residual_s'] * 1000:9.3f} ms  "
                  f"attempt past {f['attempt_past_s'] * 1000:9.3f} ms  starved {f['starved']!s:5}  {f['path']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"skipped": skipped, "episodes": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
