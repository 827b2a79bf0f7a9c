"""Drops in the soft onset of program material (before the first block the track follows): named or not.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_onset_drops.py [--materials speech,music] [--conditions noise80,dither16,dc]
                                      [--seeds 4] [--first-seed 96330] [--drops 1,2,5] [--window-s 0.5]
                                      [--depth end|deep]

Why (issue #18): the track's first line holds from the first block it matched, so a drop in the
reference's soft onset before that block leaves the line at the level after the drop and the
frames before it misaligned: the onset window read them as one burst ending at the drop, an
``other`` some hundred frames long, where the glitch is a ``dropped`` one.

Each take is ``bench_lead_in_pops.take`` at place ``onset`` (0.2 s of lead-in silence, the
material's first 0.5 s faded in from -60 dB, the path's field impairments and the condition's
floor), its clean recording with ``N`` frames dropped within a block either side of where the
reference's first block at 2 % of the head's level plays (``soft_onset``; a seeded place, from
``numpy.random.default_rng([seed, size])``): the end of the soft onset, where the track's first
matched block begins. Deeper in the onset (-60 to -30 dB) a drop of 1-5 frames leaves nothing over
the floor (``--depth deep``: 10-90 % of the stretch from the first sound, the pop's place in that
bench). One line per take (``take``: the glitches reported); per condition and size ``total``:
drops named (a ``dropped`` of the size within ``PLACE`` frames of the drop), takes with any other
glitch (false), takes refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import analysis as A  # noqa: E402
from harness import reference_compare as R  # noqa: E402
from harness.errors import AnalysisError  # noqa: E402
from bench_dc_offset_pops import _names  # noqa: E402
from bench_fade_pops import FS, PLACE  # noqa: E402
from bench_lead_in_pops import CONDITIONS, MATERIALS, soft_onset, take  # noqa: E402


def _sizes(text: str) -> list[int]:
    """An argparse type: a comma-separated list of drop sizes, whole frames 1-64."""
    try:
        sizes = [int(n) for n in text.split(",") if n]
    except ValueError:
        sizes = []
    if not sizes or any(not 1 <= n <= 64 for n in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: give a comma-separated list of whole frames, 1-64 each")
    return sizes


def onset_drop_take(material: str, condition: str, seed: int, size: int,
                    depth: str = "end") -> tuple[np.ndarray, np.ndarray, int]:
    """The reference, the recording with ``size`` frames dropped in its soft onset (``depth``
    ``end``: a block either side of its end; ``deep``: where that bench's pop lands), the drop's frame."""
    ref, clean, _damaged, at = take(material, condition, seed, 0.2, 0.01, "onset", 0.5)
    if depth == "end":
        _first, loud = soft_onset(ref)
        delay = float(np.random.default_rng([seed, MATERIALS.index(material)]).uniform(200, 3000))  # take's first draw
        at = int(delay + loud + np.random.default_rng([seed, size]).uniform(-1.0, 1.0) * R._block_size(FS))
    return ref, A.drop_frames(clean, at, size), at


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--materials", type=_names(MATERIALS), default=list(MATERIALS))
    ap.add_argument("--conditions", type=_names(CONDITIONS), default=["noise80", "dither16", "dc"])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first-seed", type=int, default=96330)
    ap.add_argument("--drops", type=_sizes, default=[1, 2, 5])
    ap.add_argument("--window-s", type=float, default=0.5)
    ap.add_argument("--depth", choices=("end", "deep"), default="end")
    args = ap.parse_args()
    if args.seeds < 1 or args.window_s <= 0:
        ap.error("--seeds must be at least 1 and --window-s over 0")
    for condition in args.conditions:
        for size in args.drops:
            takes = named = false = refused = 0
            for material in args.materials:
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    ref, rec, at = onset_drop_take(material, condition, seed, size, args.depth)
                    takes += 1
                    try:
                        rep = R.compare_to_reference(rec, ref, FS, window_s=args.window_s)
                    except AnalysisError as exc:
                        refused += 1
                        print(f"take {condition} drop {size} {material} seed {seed} at {at}: refused "
                              f"({str(exc)[:60]})", flush=True)
                        continue
                    hit = [g for g in rep.glitches
                           if g.kind == "dropped" and g.size_frames == size and abs(g.start_frame - at) <= PLACE]
                    named += bool(hit)
                    false += any(g not in hit for g in rep.glitches)
                    words = " ".join(f"{g.kind}{g.size_frames}@{g.start_frame}" for g in rep.glitches) or "-"
                    print(f"take {condition} drop {size} {material} seed {seed} at {at} (span from "
                          f"{rep.analysed_start_frame}): {'named' if hit else 'NOT NAMED'}; {words}", flush=True)
            print(f"total {condition} drop {size}: takes {takes} named {named} with another glitch {false} "
                  f"refused {refused}", flush=True)


if __name__ == "__main__":
    main()
