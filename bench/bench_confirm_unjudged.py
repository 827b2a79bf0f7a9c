#!/usr/bin/env python3
"""Can ``reference_compare._confirmed``'s re-judge be unjudged (``judge`` returning None)?

The catalogue's ``confirm_unjudged_drops_the_burst`` (batch 71) turns ``_confirmed``'s "not judged
again: the event stands" into "not confirmed": it differs only where the re-judge returns None.
``judge_window`` returns None only for a window shorter than ``4 * FIR_TAPS`` frames, and the
re-judge's window is ``_CONFIRM_BLOCKS`` blocks (``_block_size``: the power of two at or above
0.04 s): shorter than that only at 800 Hz or less. This prints, for each rate, the re-judge's
window against that bound, and, over seeded 1-frame pops in a low-passed noise reference played
through a gain and a delay, how many pops were found, how many events reached the re-judge and how
many re-judges returned None.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/bench_confirm_unjudged.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harness import analysis as A
from harness import reference_compare as R

RATES = (200, 400, 800, 1600, 8000, 48_000)
SEEDS = (1, 2, 3)
SECONDS = 12.0


def main() -> int:
    calls = {"judged": 0, "none": 0}
    confirmed = R._confirmed

    def counted(event: Any, w0: int, w1: int, steps: Any, block: int, fs: int, judge: Any) -> bool:
        def judge_counted(c0: int, c1: int) -> Any:
            out = judge(c0, c1)
            calls["none" if out is None else "judged"] += 1
            return out
        return confirmed(event, w0, w1, steps, block, fs, judge_counted)

    R._confirmed = counted
    print(f"{'fs':>6} {'re-judge window':>15} {'least judged':>12} {'pops':>5} {'found':>5} "
          f"{'re-judged':>9} {'None':>5}")
    for fs in RATES:
        calls.update(judged=0, none=0)
        pops = found = 0
        for seed in SEEDS:
            rng = np.random.default_rng(seed)
            n = int(SECONDS * fs)
            ref = np.convolve(rng.standard_normal(n), np.ones(3) / 3, "same") * 0.3
            rec = np.concatenate((np.zeros(7), 0.5 * ref))[:n]
            at = int(rng.uniform(0.3, 0.7) * n)
            pops += 1
            try:
                rep = R.compare_to_reference(A.add_pop(rec, at, 1, 0.4), ref, fs)
            except Exception:  # noqa: BLE001 - a rate the comparison cannot follow finds nothing
                continue
            found += any(abs(g.start_frame - at) < 0.01 * fs + 2 for g in rep.glitches)
        window = R._CONFIRM_BLOCKS * R._block_size(fs)
        print(f"{fs:>6} {window:>15} {4 * R.FIR_TAPS:>12} {pops:>5} {found:>5} {calls['judged'] + calls['none']:>9} "
              f"{calls['none']:>5}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
