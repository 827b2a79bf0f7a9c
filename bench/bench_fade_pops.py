"""Pops inside a fade-in of program material, alone and a block before a drop: found or missed.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_fade_pops.py [--materials music,speech] [--seeds 12] [--first-seed 0] [--pop 0.01]
                                    [--window-s 0.5] [--drop 0] [--drop-after 1500] [--fade-s 0.5]

Why (issue #18): a fade-in is where the comparison's model (a filter and its linear change over a
window) has least to hold it, and a pop there is what a user's faded-in recording may hold. Each
take is 2 s of the material at 48 kHz whose first ``--fade-s`` rise linearly from silence, played
through ``through_system`` with the test suite's field impairments (a seeded delay of 200-3000
frames, gain 0.3-0.9, a clock -100..100 ppm off, an 8th-order low-pass at 15-20 kHz, a 10 % AGC
swing, -80 dBFS of noise; ``numpy.random.default_rng(1000 + seed)``). The clean take is compared
first (every glitch on it is a false one), then the same take with a 1-frame pop of ``--pop``
(either sign) placed at 10-90 % of the fade-in. With ``--drop N``, N frames are dropped
``--drop-after`` frames after the pop in both takes (the "clean" take then holds the drop alone,
and anything else on it is false).

One line per take (``take``: found or MISSED, the glitches of the damaged take and of the clean
one, ``-`` for none); then ``total``: pops found (a ``pop`` within ``PLACE`` frames of it) and
clean takes with a glitch other than the planted drop.
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

FS = 48_000
DURATION_S = 2.0
#: how close (frames) a reported pop (or drop) must lie to the planted one to be it
PLACE = 10


def take(material: str, seed: int, fade_s: float, pop: float, drop: int,
         drop_after: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int | None]:
    """The reference, the clean recording, the damaged one, the pop's frame and the drop's."""
    rng = np.random.default_rng(1000 + seed)
    ref = R.program_material(material, DURATION_S, FS, seed=seed)  # type: ignore[arg-type]
    nf = int(fade_s * FS)
    ref[:nf] *= np.linspace(0.0, 1.0, nf)
    delay = float(rng.uniform(200, 3000))
    rec = R.through_system(ref, FS, delay_frames=delay, gain=float(rng.uniform(0.3, 0.9)),
                           drift_ppm=float(rng.uniform(-100, 100)), lowpass_hz=float(rng.uniform(15_000, 20_000)),
                           gain_wobble=0.1, noise_rms=1e-4, tail_frames=2000, seed=seed)
    at = int(delay + rng.uniform(0.1, 0.9) * nf)
    sign = 1 if rng.random() < 0.5 else -1
    drop_at = at + drop_after if drop else None
    if drop_at is not None:
        rec = A.drop_frames(rec, drop_at, drop)
    return ref, rec, A.add_pop(rec, at, 1, sign * pop), at, drop_at


def judge_pair(ref: np.ndarray, damaged: np.ndarray, clean: np.ndarray, at: int, window_s: float
               ) -> tuple[bool, list[str], list[R.ReferenceGlitch]]:
    """Whether the damaged take reads a ``pop`` within ``PLACE`` frames of ``at``; both takes'
    glitches in words, damaged first (``kind size@frame``, ``-`` for none, ``refused (...)`` where
    the comparison refused); and the clean take's glitches (none where it refused), which the
    caller judges false by its own rule (``bench_lead_in_pops.py`` shares this)."""
    words: list[str] = []
    hit = False
    clean_glitches: list[R.ReferenceGlitch] = []
    for rec in (damaged, clean):
        try:
            rep = R.compare_to_reference(rec, ref, FS, window_s=window_s)
        except AnalysisError as exc:
            words.append(f"refused ({str(exc)[:60]})")
            continue
        words.append(" ".join(f"{g.kind}{g.size_frames}@{g.start_frame}" for g in rep.glitches) or "-")
        if rec is damaged:
            hit = any(g.kind == "pop" and abs(g.start_frame - at) <= PLACE for g in rep.glitches)
        else:
            clean_glitches = rep.glitches
    return hit, words, clean_glitches


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--materials", default="music,speech")
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--pop", type=float, default=0.01)
    ap.add_argument("--window-s", type=float, default=0.5)
    ap.add_argument("--drop", type=int, default=0)
    ap.add_argument("--drop-after", type=int, default=1500)
    ap.add_argument("--fade-s", type=float, default=0.5)
    args = ap.parse_args()
    takes = found = false = 0
    for material in args.materials.split(","):
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            ref, clean, damaged, at, drop_at = take(material, seed, args.fade_s, args.pop, args.drop,
                                                    args.drop_after)
            takes += 1
            name = f"{material} seed {seed} pop {at} drop {drop_at if drop_at is not None else '-'}"
            hit, words, clean_glitches = judge_pair(ref, damaged, clean, at, args.window_s)
            false += any(not (drop_at is not None and g.kind == "dropped" and abs(g.start_frame - drop_at) <= PLACE)
                         for g in clean_glitches)
            found += hit
            print(f"take {name}: {'found' if hit else 'MISSED'}; damaged {words[0]}; clean {words[-1]}", flush=True)
    print(f"total takes {takes} pop found {found}/{takes} clean takes with a false glitch {false}", flush=True)


if __name__ == "__main__":
    main()
