#!/usr/bin/env python3
"""Does ``Biquad.reset()`` after broken audio give a filter as good as new, whatever the block sizes?

A numpy-kernel ``Biquad`` per filter kind is fed eight blocks of mixed sizes (each size's block
plan, and the plans a size no chunk divides is split into), one holding a NaN and one an infinity,
then ``reset()`` and eight fresh blocks of mixed sizes; its output after the reset is compared with
a new filter's on the same blocks. One line: whether each kind's output equals the new filter's,
and a digest of all three outputs (the same digest from two trees: the same output, bit for bit).

Why: batch 74 of ``bench_realistic_bugs.py`` holds a reset that zeroes only the live plan's state
(``biquad_reset_only_the_live_state``); this is the measurement behind its ``equivalent`` reason.
Run it in the tree to measure, and in a copy with the bug written in to compare:

    PYTHONPATH=$PWD .venv/bin/python bench/biquad_reset_after_broken_audio.py
"""

from __future__ import annotations

import hashlib

import numpy as np

from system_under_test.dsp import Biquad

SIZES = (64, 100, 256, 37, 1000, 64, 8192, 100)
KINDS = ("lowpass", "highpass", "peaking")


def feed(biquad: Biquad, seed: int, *, broken: bool) -> np.ndarray:
    """The filter's output over the eight blocks drawn from ``seed``; ``broken``: a NaN in the
    second block and an infinity in the fifth."""
    rng = np.random.default_rng(seed)
    outs = []
    for k, frames in enumerate(SIZES):
        block = rng.standard_normal((frames, 2)).astype(np.float32)
        if broken and k in (1, 4):
            block[frames // 2, k % 2] = np.nan if k == 1 else np.inf
        outs.append(biquad.process(block.copy()).astype(np.float64))
    return np.concatenate(outs)


def main() -> int:
    digest = hashlib.sha256()
    same = []
    with np.errstate(invalid="ignore"):  # the broken blocks' NaN in the products is the point
        for kind in KINDS:
            used = Biquad(kind, 2000.0, 0.707, 3.0, 48_000, 2)
            feed(used, 1, broken=True)
            used.reset()
            after = feed(used, 2, broken=False)
            fresh = feed(Biquad(kind, 2000.0, 0.707, 3.0, 48_000, 2), 2, broken=False)
            same.append(bool(np.array_equal(after, fresh)))
            digest.update(after.tobytes())
    print(f"after reset equals a new filter ({', '.join(KINDS)}): {same}; output digest {digest.hexdigest()[:16]}")
    return 0 if all(same) else 1


if __name__ == "__main__":
    raise SystemExit(main())
