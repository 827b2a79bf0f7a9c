"""Are a healthy system's failure incidents Poisson? And does ``compare`` false-alarm on them?

    PYTHONPATH=$PWD .venv/bin/python bench/bench_incident_dispersion.py --seeds 20 --first-seed 1 \\
        --durations 300,900 --profile default --jobs 2 --out /tmp/dispersion

Runs ``soundcheck run --backend sim --duration D --seed N --faults PROFILE`` for each seed and
duration (a run folder already under ``--out`` is read, not run again), reads each report's
``stability.incident_count`` and ``sim_time_s``, and prints per duration:

- the counts, their mean and variance and the **dispersion** variance/mean (1 for a Poisson count;
  above 1 over-dispersed: one bad stretch of faults makes several incidents), with the chi-square
  dispersion test's p-value (``sum((x - mean)^2) / mean`` against chi-square with n-1 degrees of
  freedom: small when the counts spread more than a Poisson's);
- over every ordered pair of distinct runs (A, B) of the same duration, how often the incidents'
  count test called B **worse** (a false alarm: both runs are the same healthy system), better,
  same or too short to compare, with the Poisson test (dispersion 1, the test before the
  correction) and with the dispersion ``compare`` uses now (``compare.INCIDENT_DISPERSION``).
  The test is one-sided at ``compare.ALPHA``, so its false-alarm rate must stay at or under it;
- the same rates on ``--simulate-pairs`` pairs of counts drawn (seeded) from a negative binomial
  with the measured mean and dispersion (a Poisson at dispersion 1 or under): what twenty runs'
  pairs cannot show, the rate on the counts' own spread.

Every run's history goes to one database under ``--out``, never the user's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sim_run_series import ROOT, add_series_arguments, series_durations, sim_report  # noqa: E402


def _run(out: Path, duration: int, seed: int, profile: str) -> tuple[int, int, float]:
    folder = out / f"d{duration}" / f"s{seed}"
    report = sim_report(folder, out / "history.sqlite", duration, seed, profile)
    if report is None:
        raise SystemExit(f"{folder}: expected one run folder with a report.json")
    st = report["stability"]
    if report["verdict"]["outcome"] != "pass":
        print(f"  note: seed {seed} at {duration} s did not pass ({report['verdict']['outcome']}): "
              "left out of the healthy counts", file=sys.stderr)
        return seed, -1, 0.0
    return seed, int(st["incident_count"]), float(st["sim_time_s"])


def _pairs(runs: list[tuple[int, int, float]], dispersion: float) -> dict[str, int]:
    from harness.reports.compare import ALPHA, _judge_count

    tally = {"worse": 0, "better": 0, "same": 0, "n/a": 0}
    for (_, na, ta), (_, nb, tb) in itertools.permutations(runs, 2):
        m = _judge_count("incidents", na, nb, ta, tb, ALPHA, "failure incidents", dispersion=dispersion)
        tally[m.verdict] += 1
    return tally


def _simulated(mean: float, disp: float, pairs: int, seed: int, t: float) -> dict[str, dict[str, int]]:
    from harness.reports.compare import ALPHA, INCIDENT_DISPERSION
    from harness.reports.rates import count_test

    rng = np.random.default_rng(seed)
    if disp > 1.0:
        a, b = (rng.negative_binomial(mean / (disp - 1.0), 1.0 / disp, size=pairs) for _ in range(2))
    else:
        a, b = (rng.poisson(mean, size=pairs) for _ in range(2))
    out = {}
    for name, d in (("poisson_test", 1.0), ("corrected_test", INCIDENT_DISPERSION)):
        worse = sum(count_test(int(x), int(y), t, t, dispersion=d).p_worse < ALPHA for x, y in zip(a, b))
        out[name] = {"pairs": pairs, "worse": int(worse)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_series_arguments(ap)
    ap.add_argument("--simulate-pairs", type=int, default=20_000, help="pairs drawn from the measured spread (0: none)")
    ap.add_argument("--simulate-seed", type=int, default=20261205)
    args = ap.parse_args(argv)
    durations = series_durations(args, "bench_incident_dispersion")
    if durations is None:
        return 2
    sys.path.insert(0, str(ROOT))
    from harness.reports.compare import ALPHA, INCIDENT_DISPERSION

    args.out.mkdir(parents=True, exist_ok=True)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    results = {}
    for d in durations:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            runs = [r for r in pool.map(lambda s: _run(args.out, d, s, args.profile), seeds) if r[1] >= 0]
        counts = np.array([n for _, n, _ in runs], dtype=float)
        mean, var = float(counts.mean()), float(counts.var(ddof=1))
        disp = var / mean if mean > 0 else float("nan")
        stat = float(((counts - mean) ** 2).sum() / mean) if mean > 0 else float("nan")
        p = float(stats.chi2.sf(stat, len(counts) - 1)) if mean > 0 else float("nan")
        before, after = _pairs(runs, 1.0), _pairs(runs, INCIDENT_DISPERSION)
        n_pairs = sum(before.values())
        results[d] = {"runs": len(runs), "counts": [int(c) for c in counts], "mean": mean, "variance": var,
                      "dispersion": disp, "dispersion_test_p": p, "pairs": n_pairs,
                      "poisson_test": before, "corrected_test": after}
        print(f"{args.profile} {d} s: {len(runs)} healthy runs, incidents {sorted(int(c) for c in counts)}")
        print(f"  mean {mean:.3f}, variance {var:.3f}, dispersion (variance/mean) {disp:.3f}, "
              f"chi-square dispersion test p={p:.3g}")
        for name, t in (("Poisson test (dispersion 1)", before),
                        (f"corrected test (dispersion {INCIDENT_DISPERSION:g})", after)):
            print(f"  {name}: {n_pairs} ordered pairs: worse {t['worse']} ({100 * t['worse'] / n_pairs:.2f} %), "
                  f"better {t['better']}, same {t['same']}, too short {t['n/a']}; stated level {100 * ALPHA:g} %")
        if args.simulate_pairs > 0 and mean > 0:
            sim = _simulated(mean, disp, args.simulate_pairs, args.simulate_seed, float(d))
            results[d]["simulated"] = sim
            law = (f"negative binomial, mean {mean:.3f}, dispersion {disp:.3f}" if disp > 1.0
                   else f"Poisson, mean {mean:.3f}")
            for name, t in sim.items():
                print(f"  simulated ({law}), {name.replace('_', ' ')}: worse in {t['worse']} of {t['pairs']} pairs "
                      f"({100 * t['worse'] / t['pairs']:.2f} %)")
    (args.out / "dispersion.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
