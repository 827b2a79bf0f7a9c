"""Drops in sweeps through a converter's low-pass: which the reference comparison finds, which it misses.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_sweep_drops.py [--rates 8000,44100,96000] [--seeds 8] [--drops 1,2,5,9] [--first-seed 0]
                                      [--lowpasses 0.05,0.1,0.2,0.4] [--window-s 0.125]

Why a grid of its own: a sweep puts one frequency at a time through the path, so the delay a
block of it reads follows the converter's phase at that frequency, rising nearing the cut-off,
and a drop there lands on a track that curves (issue #18). The condition bench's program
material never curves like that.

Per rate and seed (``numpy.random.default_rng([rate, seed])``): a 2 s sweep, linear or
logarithmic, 0.5 full scale, through ``through_system`` with gain 0.5, a delay of 200-2000
frames, an 8th-order low-pass at 0.05, 0.1, 0.2 or 0.4 of the rate (or one of ``--lowpasses``:
``--lowpasses 0.05`` is the steepest curve, the converter's cut-off reached 0.2-0.3 s into a
linear sweep at 44.1-96 kHz), noiseless or -80 dBFS of
noise. The clean take is compared first (any glitch on it is a false one); each drop is then
planted at one seeded place inside the clean take's followed span (0.1 s from either end; no
drop where the span leaves no room) and counts as found when the report holds exactly one
glitch, ``dropped`` of that size, within 10 frames (plus its stated uncertainty) of the place.

``--window-s``: the comparison's judged window (``compare_to_reference``'s ``window_s``; a run's
program check judges 0.5 s windows, the standalone comparison 0.125 s): a longer window holds a
sweep's fade-in and the bands it excites once in one fit.

One line per take (``take``), then the totals (``total``): clean takes and false glitches on
them, found/planted for each drop size, and ``outside``: the glitches of the damaged takes more
than ``OUTSIDE_FRAMES`` from the drop's place (false ones beside a drop, found or not).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import analysis as A  # noqa: E402
from harness import reference_compare as R  # noqa: E402
from harness.errors import AnalysisError  # noqa: E402

LOWPASSES = (0.05, 0.1, 0.2, 0.4)
DURATION_S = 2.0
#: a damaged take's glitch this far (frames) or more from the drop's place is no report of it
OUTSIDE_FRAMES = 100


def take(fs: int, seed: int, lowpasses: tuple[float, ...] = LOWPASSES
         ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.random.Generator]:
    """The seeded take's settings, reference, clean recording, and the generator the drop's place is drawn from."""
    rng = np.random.default_rng([fs, seed])
    cfg = dict(log=bool(rng.random() < 0.5), lowpass=float(rng.choice(lowpasses)),
               noise=float(rng.choice([0.0, 1e-4])), delay=round(float(rng.uniform(200, 2000)), 2))
    ref = A.sweep(DURATION_S, fs, 0.5, logarithmic=cfg["log"])
    rec = R.through_system(ref, fs, delay_frames=cfg["delay"], gain=0.5, lowpass_hz=cfg["lowpass"] * fs,
                           noise_rms=cfg["noise"], tail_frames=fs // 10, seed=seed)
    return cfg, ref, rec, rng


def glitch_words(rep: R.ReferenceReport) -> str:
    """The report's glitches, short: kind size@frame."""
    return " ".join(f"{g.kind}{g.size_frames}@{g.start_frame}" for g in rep.glitches) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="8000,44100,96000")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--drops", default="1,2,5,9")
    ap.add_argument("--lowpasses", default=",".join(f"{lp:g}" for lp in LOWPASSES))
    ap.add_argument("--window-s", type=float, default=0.125)
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    drops = [int(d) for d in args.drops.split(",") if d]  # --drops "": the clean takes alone
    lowpasses = tuple(float(lp) for lp in args.lowpasses.split(","))
    clean_n = false_n = outside_n = 0
    found = dict.fromkeys(drops, 0)
    planted = dict.fromkeys(drops, 0)
    for fs in rates:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            cfg, ref, rec, rng = take(fs, seed, lowpasses)
            name = (f"{fs} seed {seed} {'log' if cfg['log'] else 'lin'} lp {cfg['lowpass']:g} "
                    f"noise {cfg['noise']:g} delay {cfg['delay']:g}")
            try:
                rep = R.compare_to_reference(rec, ref, fs, window_s=args.window_s)
            except AnalysisError as exc:
                print(f"take {name}: clean refused ({exc})", flush=True)
                continue
            clean_n += 1
            false_n += len(rep.glitches)
            words = [f"clean {glitch_words(rep)} span {rep.analysed_start_frame}-{rep.analysed_end_frame}"]
            lo, hi = rep.analysed_start_frame + int(0.1 * fs), rep.analysed_end_frame - int(0.1 * fs)
            if hi > lo and drops:
                at = int(rng.integers(lo, hi))
                words.append(f"at {at}")
                for d in drops:
                    planted[d] += 1
                    try:
                        got = R.compare_to_reference(A.drop_frames(rec, at, d), ref, fs, window_s=args.window_s)
                    except AnalysisError as exc:
                        words.append(f"{d}: refused ({str(exc)[:40]})")
                        continue
                    g = got.glitches
                    outside_n += sum(1 for x in g if abs(x.start_frame - at) > OUTSIDE_FRAMES)
                    ok = (len(g) == 1 and g[0].kind == "dropped" and g[0].size_frames == d
                          and abs(g[0].start_frame - at) <= 10 + g[0].position_uncertainty_frames)
                    found[d] += ok
                    words.append(f"{d}: {'found' if ok else 'MISSED'} {glitch_words(got)}")
            print(f"take {name}: " + "; ".join(words), flush=True)
    print(f"total clean {clean_n} false {false_n} " + " ".join(f"drop{d} {found[d]}/{planted[d]}" for d in drops)
          + f" outside {outside_n}")


if __name__ == "__main__":
    main()
