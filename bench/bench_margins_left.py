"""How close do healthy runs come to each threshold that can fail them, on seeds the thresholds
were not fitted on?

    PYTHONPATH=$PWD .venv/bin/python bench/bench_margins_left.py --runs FOLDER --durations 60,900 \\
        [--extremes 8] [--json FILE]

Reads the runs kept as ``FOLDER/dD/sN/<run>/report.json`` (the layout ``sim_run_series.sim_report``
makes: ``bench_compare_pairs.py --out OUT`` keeps its healthy ones under ``OUT/healthy``) and prints,
per run length:

- **run verdicts**: how many runs passed, failed and were inconclusive, naming each that did not pass;
- **run thresholds**: per run-level rule that a number decides, the worst healthy value against its
  bound and the share of the bound left (``1 - worst / bound``): the settle margin after a fault
  window (``glitches.settle_margin_s``: how long after a window's end its last glitch ended) and the
  leak judge (each metric's Theil-Sen slope against its threshold). The recovery bound is not read:
  the report's times to recover run from each fault's start, through outages and chained faults,
  while the ``recovery`` invariant times the return from the faults' end, with its exemptions;
- **compare between healthy runs**: per figure ``compare`` judges, how many ordered pairs it called
  *worse* (each a false alarm: the runs are one build), how many it judged at all, and the largest
  share of the allowed change a pair used: ``(B - A) / (limit - A)``, 1 at the threshold (``used``;
  ``1 - used`` is the margin left); the callback-duration test's effect likewise against its floor.

Which pairs: with more than ``--extremes`` x 3 runs, for each figure the pairs whose A is among the
``--extremes`` runs best at it and whose B among the worst (each figure's rule only moves toward
*worse* as B gets worse or A better, the runs being of one length), and for the callback test the
runs with the lowest and highest callback medians; else every ordered pair. The worst pair of each
figure is among them; a count of pairs called worse over them bounds none from below elsewhere.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load_runs(folder: Path, duration: int) -> list[dict[str, Any]]:
    """The reports of ``folder/dD/sN/<run>/report.json``, in seed order; a seed folder holding
    other than one report is left out with a note (a run cut short leaves none)."""
    out = []
    for seed_dir in sorted((folder / f"d{duration}").glob("s*")):
        reports = list(seed_dir.glob("*/report.json"))
        if len(reports) != 1:
            print(f"  note: {seed_dir}: {len(reports)} report(s), expected one: left out", file=sys.stderr)
            continue
        out.append(json.loads(reports[0].read_text()))
    return out


def run_thresholds(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run-level rules' worst healthy values against their bounds (module docstring)."""
    worst: dict[str, dict[str, Any]] = {}

    def keep(rule: str, value: float, bound: float, seed: Any, what: str = "") -> None:
        if bound > 0 and (rule not in worst or value / bound > worst[rule]["used"]):
            worst[rule] = {"worst": value, "bound": bound, "used": value / bound, "seed": seed, "what": what}

    for r in runs:
        seed = (r.get("run") or {}).get("seed")
        g = r.get("glitches") or {}
        settle = float(g.get("settle_margin_s") or 0.0)
        ends = {w["window"]: w.get("end") for w in g.get("windows") or [] if "window" in w}
        late = max([it["t_end"] - ends[it["window"]] for it in g.get("items") or []
                    if ends.get(it.get("window")) is not None] + [0.0])
        keep("settle margin after a fault window (s)", late, settle, seed)
        for name, leak in ((r.get("stability") or {}).get("leaks") or {}).items():
            thr = float(leak.get("threshold_per_hour") or 0.0)
            keep("leak judge: slope vs threshold (/h)", max(float(leak.get("slope_per_hour") or 0.0), 0.0), thr, seed, name)
    return worst


def _used(m: Any) -> float | None:
    """``(B - A) / (limit - A)``: the share of the allowed change toward *worse* B used."""
    if m.limit is None or m.a is None or m.b is None or m.limit == m.a:
        return None
    return (m.b - m.a) / (m.limit - m.a)


def pair_margins(runs: list[dict[str, Any]], extremes: int, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """compare's rules over the healthy runs' ordered pairs (module docstring: which pairs); with
    ``only``, those figures alone (names as ``compare``'s: ``cb_p99_9_ms``, ``incidents``, ...)."""
    from harness.reports.compare import (ALPHA, EXTRA_FIGURES, KEY_FIGURES, MIN_EFFECT, RELATIVE, _callbacks, _figures,
                                         _judge_figure, comparable)

    figures = {k: v for k, v in {**KEY_FIGURES, **EXTRA_FIGURES}.items() if not only or k in only}
    fig = [_figures(r) for r in runs]
    times = [(r.get("stability") or {}).get("sim_time_s") for r in runs]
    every = len(runs) <= 3 * extremes
    pairs: set[tuple[int, int]] = set()
    if every:
        pairs = set(itertools.permutations(range(len(runs)), 2))
    else:
        for name, (higher_worse, _m, _l) in figures.items():
            idx = sorted((k for k in range(len(runs)) if fig[k].get(name) is not None),
                         key=lambda k: fig[k][name] * (1 if higher_worse else -1))
            pairs |= {(a, b) for a in idx[:extremes] for b in idx[-extremes:] if a != b}
    by_median = sorted(range(len(runs)), key=lambda k: fig[k].get("cb_p50_ms") or 0.0)
    cb_pairs = (set(itertools.permutations(range(len(runs)), 2)) if every else
                {(a, b) for a in by_median[:extremes] for b in by_median[-extremes:]}
                | {(b, a) for a in by_median[:extremes] for b in by_median[-extremes:]})
    judged: collections.Counter[str] = collections.Counter()
    worse: collections.Counter[str] = collections.Counter()
    closest: dict[str, dict[str, Any]] = {}
    cb: dict[str, Any] = {"pairs": 0, "judged": 0, "worse": 0, "closest": None}
    for i, j in sorted(pairs | cb_pairs):
        a, b = runs[i], runs[j]
        seeds = [(a.get("run") or {}).get("seed"), (b.get("run") or {}).get("seed")]
        if (i, j) in pairs:
            loads = comparable(*((r.get("performance") or {}).get("machine") for r in (a, b)))
            profiles = tuple((r.get("run") or {}).get("profile") for r in (a, b))
            for name, (hw, margin, label) in figures.items():
                m = _judge_figure(name, fig[i].get(name), fig[j].get(name), times[i], times[j], hw, margin, RELATIVE,
                                  ALPHA, label, loads, profiles)
                if m.verdict == "n/a":
                    continue
                judged[label] += 1
                worse[label] += m.verdict == "worse"
                used = _used(m)
                if used is not None and (label not in closest or used > closest[label]["used"]):
                    closest[label] = {"used": used, "a": m.a, "b": m.b, "limit": m.limit, "seeds": seeds}
        if (i, j) in cb_pairs:
            c = _callbacks(a, b, ALPHA, MIN_EFFECT, times[i], times[j])
            cb["pairs"] += 1
            if c.get("verdict") in (None, "n/a"):
                continue
            cb["judged"] += 1
            cb["worse"] += c["verdict"] == "worse"
            used = (c["effect"] - 0.5) / c["min_effect"]
            if cb["closest"] is None or used > cb["closest"]["used"]:
                cb["closest"] = {"used": used, "effect": c["effect"], "floor": c["min_effect"], "p": c["p_value"],
                                 "seeds": seeds}
    return {"pairs": len(pairs), "every_pair": every, "judged": dict(judged), "worse": dict(worse),
            "closest": closest, "callbacks": cb}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, required=True, help="folder holding dD/sN/<run>/report.json")
    ap.add_argument("--durations", default="60", help="comma-separated run lengths in seconds")
    ap.add_argument("--extremes", type=int, default=8, help="runs taken at each end of a figure's range")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args(argv)
    try:
        durations = [int(d) for d in args.durations.split(",") if d.strip()]
    except ValueError:
        durations = []
    if not durations or any(d <= 0 for d in durations):
        print(f"bench_margins_left: --durations {args.durations!r}: give whole positive seconds, e.g. 60,900",
              file=sys.stderr)
        return 2
    if args.extremes < 1:
        print("bench_margins_left: --extremes must be at least 1, e.g. --extremes 8", file=sys.stderr)
        return 2
    if not args.runs.is_dir():
        print(f"bench_margins_left: --runs {args.runs}: no such folder; give the folder holding dD/sN run folders",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    results: dict[str, Any] = {}
    for d in durations:
        runs = load_runs(args.runs, d)
        outcomes = collections.Counter((r.get("verdict") or {}).get("outcome") for r in runs)
        not_passed = [{"seed": (r.get("run") or {}).get("seed"), "outcome": (r.get("verdict") or {}).get("outcome"),
                       "headline": (r.get("verdict") or {}).get("headline")}
                      for r in runs if (r.get("verdict") or {}).get("outcome") != "pass"]
        healthy = [r for r in runs if (r.get("verdict") or {}).get("outcome") == "pass"]
        res = {"runs": len(runs), "outcomes": dict(outcomes), "not_passed": not_passed,
               "run_thresholds": run_thresholds(runs), "pairs": pair_margins(healthy, args.extremes)}
        results[str(d)] = res
        print(f"{args.runs} {d} s: {len(runs)} runs, " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        for n in not_passed:
            print(f"  not passed: seed {n['seed']}: {n['headline']}")
        for rule, w in res["run_thresholds"].items():
            print(f"  {rule:48} worst {w['worst']:.4g} of {w['bound']:.4g} (seed {w['seed']}{' ' + w['what'] if w['what'] else ''}): "
                  f"margin left {1 - w['used']:.3f}")
        p = res["pairs"]
        print(f"  compare over {p['pairs']} ordered healthy pairs ({'every pair' if p['every_pair'] else 'the extremes'}):")
        for label, n in sorted(p["judged"].items()):
            c = p["closest"].get(label)
            near = (f"closest {c['a']:.4g} -> {c['b']:.4g} (limit {c['limit']:.4g}, seeds {c['seeds'][0]}->{c['seeds'][1]}): "
                    f"margin left {1 - c['used']:.3f}") if c else "no limit to approach"
            print(f"    {label:28} worse {p['worse'].get(label, 0)} of {n} judged; {near}")
        cb = p["callbacks"]
        if cb["judged"]:
            c = cb["closest"]
            print(f"    {'callback durations':28} worse {cb['worse']} of {cb['judged']} judged"
                  + (f"; closest effect {c['effect']:.4f} (floor 0.5 + {c['floor']:.4f}, seeds {c['seeds'][0]}->{c['seeds'][1]}): "
                     f"margin left {1 - c['used']:.3f}" if c else ""))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
