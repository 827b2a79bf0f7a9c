"""How often does ``soundcheck compare`` call a healthy run regressed against another, and does it
still see a run that is worse?

    PYTHONPATH=$PWD .venv/bin/python bench/bench_compare_pairs.py --seeds 20 --first-seed 1 \\
        --durations 300,900 --profile default --jobs 2 --out /tmp/pairs \\
        [--mutant NAME --mutant-seeds 4] [--degrade]

Runs ``soundcheck run --backend sim --duration D --seed N --faults PROFILE`` per seed and length
into ``OUT/healthy/dD/sN`` (a folder already holding one run is read, not run again) and, with
``--mutant NAME``, the shipped mutant's runs into ``OUT/mutant-NAME/dD/sN``. It prints, per length:

- **healthy pairs**: every ordered pair (A, B) of distinct healthy runs through ``compare_reports``:
  how many were called regressed, and per figure how many *worse* (each a false alarm: both runs
  are the same build) and how many *n/a*;
- **the healthy spread** each derived margin of ``compare`` rests on: per sample figure the
  standard deviation of the runs' log values (with its one-sided 95 % upper bound), the callback
  test's effect spread over the pairs, and the xrun counts' dispersion (variance / mean);
- **detection**: healthy A against each mutant run B (``--mutant``), and with ``--degrade`` against
  healthy runs made worse on paper (``degrade``: every callback 25 % slower, twice the xruns,
  every recovery twice as long), figure by figure how many pairs showed B *worse*.

Every run's history goes to one database under ``--out``, never the user's.
"""

from __future__ import annotations

import argparse
import collections
import copy
import itertools
import json
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import chi2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sim_run_series import ROOT, add_series_arguments, series_durations, sim_report  # noqa: E402

#: how much worse ``--degrade`` makes a healthy run on paper
SLOWER = 1.25
XRUN_FACTOR = 2.0
RECOVERY_FACTOR = 2.0


def _runs(out: Path, kind: str, duration: int, seeds: range, profile: str, mutant: str | None,
          jobs: int) -> list[dict[str, Any]]:
    base = out / kind / f"d{duration}"
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        found = pool.map(lambda s: sim_report(base / f"s{s}", out / "history.sqlite", duration, s, profile, mutant),
                         seeds)
        kept = []
        for seed, report in zip(seeds, found):
            if report is None:
                print(f"  note: {base / f's{seed}'}: expected one run folder with a report.json: left out",
                      file=sys.stderr)
            else:
                kept.append(report)
        return kept


def degrade(report: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``report`` made worse on paper: callbacks ``SLOWER`` x as long (histogram bins
    shifted, percentiles scaled), ``XRUN_FACTOR`` x the xruns, recoveries ``RECOVERY_FACTOR`` x as long."""
    r = copy.deepcopy(report)
    pf = r.setdefault("performance", {})
    hist = pf.get("callback_histogram") or {}
    if hist.get("bins"):
        shift = int(round(math.log10(SLOWER) * float(hist.get("bins_per_decade") or 40)))
        hist["bins"] = {str(int(k) + shift): v for k, v in hist["bins"].items()}
    for key in ("callback_duration_s", "budget_share"):
        d = pf.get(key) or {}
        for q, v in list(d.items()):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                d[q] = v * SLOWER
    st = r.setdefault("stability", {})
    if isinstance(st.get("xruns_per_hour"), (int, float)):
        st["xruns_per_hour"] *= XRUN_FACTOR
    for e in (r.get("recovery") or {}).get("episodes") or []:
        if isinstance(e.get("time_to_recover_s"), (int, float)):
            e["time_to_recover_s"] *= RECOVERY_FACTOR
    return r


def _tally(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    from harness.reports.compare import compare_reports

    worse, na = collections.Counter(), collections.Counter()
    regressed = 0
    effects = []
    for a, b in pairs:
        c = compare_reports(a, b)
        regressed += c.regressed
        for m in c.metrics:
            worse[m.label] += m.verdict == "worse"
            na[m.label] += m.verdict == "n/a"
        worse["callback durations"] += c.callbacks.get("verdict") == "worse"
        na["callback durations"] += c.callbacks.get("verdict") == "n/a"
        if c.callbacks.get("effect") is not None:
            effects.append(float(c.callbacks["effect"]))
        worse["verdict"] += bool(c.verdict_change.get("regressed"))
    return {"pairs": len(pairs), "regressed": regressed, "worse": dict(worse), "n/a": dict(na), "effects": effects}


def _print_tally(title: str, t: dict[str, Any]) -> None:
    n = t["pairs"]
    print(f"  {title}: {n} ordered pairs, regressed {t['regressed']} ({100 * t['regressed'] / max(n, 1):.1f} %)")
    for label, k in t["worse"].items():
        print(f"    {label:32} worse {k:4d} ({100 * k / max(n, 1):5.1f} %)   n/a {t['n/a'].get(label, 0):4d}")


def dispersion_of(counts: list[float]) -> float | None:
    """Variance / mean of counts over runs (1 for a Poisson count; above 1 over-dispersed)."""
    if len(counts) < 2 or not np.mean(counts) > 0:
        return None
    return float(np.var(counts, ddof=1) / np.mean(counts))


def _spread(runs: list[dict[str, Any]], effects: list[float]) -> dict[str, Any]:
    from harness.reports.compare import SAMPLE_FIGURES, _figures, log_spread

    out: dict[str, Any] = {}
    for name in SAMPLE_FIGURES:
        vals = [v for v in (_figures(r).get(name) for r in runs) if v is not None and v > 0]
        out[name] = log_spread(vals)
    # a spread over n runs has n - 1 degrees of freedom (pairs of them are not independent)
    df = max(len(runs) - 1, 1)
    widen = float(chi2.ppf(0.05, df)) / df  # the one-sided 95 % upper bound of a variance: var / widen
    if effects:
        dev = np.asarray(effects) - 0.5
        rms = float(np.sqrt(np.mean(dev ** 2)))
        out["callback_effect"] = {"n_pairs": len(effects), "sd": rms, "sd_upper": rms / math.sqrt(widen),
                                  "max_abs": float(np.max(np.abs(dev)))}
    counts = [float(r["stability"]["xruns_per_hour"]) * float(r["stability"]["sim_time_s"]) / 3600.0 for r in runs
              if (r.get("stability") or {}).get("xruns_per_hour") is not None]
    disp = dispersion_of(counts)
    out["xrun_counts"] = {"n": len(counts), "mean": float(np.mean(counts)) if counts else None,
                          "dispersion": disp, "dispersion_upper": disp / widen if disp is not None else None}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_series_arguments(ap)
    ap.add_argument("--mutant", action="append", default=[], help="a shipped mutant (harness.mutants.MUTANTS)")
    ap.add_argument("--mutant-seeds", type=int, default=4)
    ap.add_argument("--degrade", action="store_true", help="also compare against healthy runs made worse on paper")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args(argv)
    durations = series_durations(args, "bench_compare_pairs")
    if durations is None:
        return 2
    if args.mutant_seeds < 1:
        print("bench_compare_pairs: --mutant-seeds must be at least 1", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from harness.mutants import MUTANTS

    unknown = [m for m in args.mutant if m not in MUTANTS]
    if unknown:
        print(f"bench_compare_pairs: --mutant {unknown[0]!r} is not a shipped mutant; one of: {', '.join(MUTANTS)}",
              file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for d in durations:
        healthy = _runs(args.out, "healthy", d, range(args.first_seed, args.first_seed + args.seeds), args.profile,
                        None, args.jobs)
        healthy = [r for r in healthy if (r.get("verdict") or {}).get("outcome") == "pass"]
        print(f"{args.profile} {d} s: {len(healthy)} healthy runs (passed)")
        t = _tally(list(itertools.permutations(healthy, 2)))
        _print_tally("healthy pairs", t)
        spread = _spread(healthy, t.pop("effects"))
        print("  healthy spread:")
        for name, s in spread.items():
            print(f"    {name:24} " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                               for k, v in s.items()))
        res: dict[str, Any] = {"healthy": t, "spread": spread}
        for name in args.mutant:
            bad = _runs(args.out, f"mutant-{name}", d, range(args.first_seed, args.first_seed + args.mutant_seeds),
                        args.profile, name, args.jobs)
            m = _tally([(a, b) for a in healthy for b in bad])
            m.pop("effects")
            _print_tally(f"detection, healthy A vs mutant {name} B ({len(bad)} runs)", m)
            res[f"mutant:{name}"] = m
        if args.degrade:
            m = _tally([(a, degrade(b)) for a, b in itertools.permutations(healthy, 2)])
            m.pop("effects")
            _print_tally(f"detection, healthy A vs another healthy run degraded on paper (callbacks x{SLOWER:g}, "
                         f"xruns x{XRUN_FACTOR:g}, recoveries x{RECOVERY_FACTOR:g})", m)
            res["degraded"] = m
        results[str(d)] = res
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
