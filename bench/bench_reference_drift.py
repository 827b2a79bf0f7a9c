"""Clean takes through a drifting converter clock: what the reference comparison reports.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_reference_drift.py [--ppm 2,10,50,100,300,500] [--seeds 2] [--first-seed 0] [--rate 48000]
                                          [--materials music,speech,sweep,logsweep] [--window-s 0.125]
                                          [--drop 0]

Why (issue #18): the comparison follows a clock that runs off the reference's by a slope of the
delay track's lines, and a take whose clock drifts must read as clean, its drift reported. Each
take is 2 s of the material through ``through_system`` with ``drift_ppm`` (the recording's clock
stretched by that many parts per million, band-limited), gain 0.5, a seeded delay of 200-2000
frames, -80 dBFS of noise (``numpy.random.default_rng([rate, seed, ppm])``), compared at the rate.

One line per take (``take``: the glitches, ``-`` for none; the reported drift in ppm; the reported
latency less the planted delay in frames; or ``refused`` with the reason), then per drift
(``ppm``): takes, refused, takes with any glitch (every glitch on a clean take is a false one), the
reported drift's range, the takes whose drift is wrong (off the planted one by more than
``DRIFT_OFF_PPM`` or ``DRIFT_OFF_SHARE`` of it, the larger) and those whose latency is off by more
than ``LATENCY_OFF_FRAMES``. With ``--drop N``, N frames are dropped at a seeded place 0.3-1.7 s
into the recording (``numpy.random.default_rng([rate, seed, ppm, N])``): ``dropped`` counts the
takes that name it (a ``dropped`` of N frames within ``DROP_PLACE`` frames), and a glitch that is
not it is a false one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import analysis as A  # noqa: E402
from harness import reference_compare as R  # noqa: E402
from harness.errors import AnalysisError  # noqa: E402

DURATION_S = 2.0
#: a reported drift further than this (ppm) from the planted one ...
DRIFT_OFF_PPM = 1.0
#: ... and than this share of it is wrong
DRIFT_OFF_SHARE = 0.02
#: a reported latency further than this (frames) from the planted delay is wrong
LATENCY_OFF_FRAMES = 0.5
#: how close (frames) a reported drop must lie to the planted one to be it
DROP_PLACE = 10


def reference(material: str, fs: int, seed: int) -> np.ndarray:
    """The played material: program material, or a 0.5 full-scale sweep (linear or logarithmic)."""
    if material in ("sweep", "logsweep"):
        return A.sweep(DURATION_S, fs, 0.5, logarithmic=material == "logsweep")
    return R.program_material(material, DURATION_S, fs, seed=seed)  # type: ignore[arg-type]


def take(material: str, fs: int, seed: int, ppm: float, drop: int) -> tuple[np.ndarray, np.ndarray, float, int | None]:
    """The reference, its recording through a ``ppm`` clock (with ``drop`` frames dropped at a
    seeded place 0.3-1.7 s in, when ``drop``), the planted delay and the drop's frame."""
    rng = np.random.default_rng([fs, seed, int(round(ppm * 1000))])
    delay = round(float(rng.uniform(200, 2000)), 2)
    ref = reference(material, fs, seed)
    rec = R.through_system(ref, fs, delay_frames=delay, gain=0.5, drift_ppm=ppm, noise_rms=1e-4,
                           tail_frames=fs // 10, seed=seed)
    drop_at = None
    if drop:
        place = np.random.default_rng([fs, seed, int(round(ppm * 1000)), drop]).uniform(0.3, 1.7)
        drop_at = int(delay + place * fs)
        rec = A.drop_frames(rec, drop_at, drop)
    return ref, rec, delay, drop_at


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ppm", default="2,10,50,100,300,500")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--rate", type=int, default=48_000)
    ap.add_argument("--materials", default="music,speech,sweep,logsweep")
    ap.add_argument("--window-s", type=float, default=0.125)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--drop", type=int, default=0)
    args = ap.parse_args()
    fs = args.rate
    try:
        ppms = [float(p) for p in args.ppm.split(",") if p]
    except ValueError:
        ppms = []
    if not ppms or args.seeds < 1 or args.drop < 0 or args.window_s <= 0 or args.rate < 8000:
        ap.error("--ppm must be a comma-separated list of numbers, --seeds 1 or more, --drop 0 or more frames, "
                 "--window-s over 0 and --rate 8000 or more")
    for ppm in ppms:
        takes = refused = glitched = drift_off = latency_off = dropped = 0
        reported: list[float] = []
        for material in args.materials.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                ref, rec, delay, drop_at = take(material, fs, seed, ppm, args.drop)
                takes += 1
                name = f"{fs} {material} seed {seed} drift {ppm:g} ppm delay {delay:g}"
                if drop_at is not None:
                    name += f" drop {args.drop}@{drop_at}"
                try:
                    rep = R.compare_to_reference(rec, ref, fs, window_s=args.window_s)
                except AnalysisError as exc:
                    refused += 1
                    print(f"take {name}: refused ({str(exc)[:60]})", flush=True)
                    continue
                named = [g for g in rep.glitches if drop_at is not None and g.kind == "dropped"
                         and g.size_frames == args.drop and abs(g.start_frame - drop_at) <= DROP_PLACE]
                dropped += bool(named)
                glitched += any(g not in named for g in rep.glitches)
                reported.append(rep.drift_ppm)
                drift_off += abs(rep.drift_ppm - ppm) > max(DRIFT_OFF_PPM, DRIFT_OFF_SHARE * abs(ppm))
                latency_off += abs(rep.latency_frames - delay) > LATENCY_OFF_FRAMES
                words = " ".join(f"{g.kind}{g.size_frames}@{g.start_frame}" for g in rep.glitches) or "-"
                print(f"take {name}: {words}; drift {rep.drift_ppm:.2f} ppm; latency {rep.latency_frames - delay:+.2f} "
                      f"frames; analysed {rep.analysed_start_frame}-{rep.analysed_end_frame}", flush=True)
        span = f"{min(reported):.2f} .. {max(reported):.2f}" if reported else "-"
        named_drops = f" drop {args.drop} named {dropped}" if args.drop else ""
        print(f"ppm {ppm:g}: takes {takes} refused {refused} with glitches {glitched} reported drift {span} "
              f"drift wrong {drift_off} latency off {latency_off}{named_drops}", flush=True)


if __name__ == "__main__":
    main()
