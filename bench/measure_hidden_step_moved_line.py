#!/usr/bin/env python3
"""How much does ``_hidden_step``'s test against "the line moved" add to its test against the line?

``reference_compare._hidden_step`` keeps a step only when the split prediction leaves clearly
less error than the line alone *and* than the line moved by the step's size. Both errors are
``_step_error``'s: one least-squares filter (``FIR_TAPS`` taps) fitted from the prediction onto
the recording, and a whole-frame move of the prediction is one tap's shift of that filter. This
prints both errors for a sweep and for low-passed noise (seeded), the recording offset from the
line by one frame, by 0.4 frame, or stepping by one frame mid-window: where they differ the
batch-59 bug ``hidden_step_only_against_the_line`` (the moved line's test dropped) could be told
from the original.

    PYTHONPATH=$PWD .venv/bin/python bench/measure_hidden_step_moved_line.py
"""

from __future__ import annotations

import numpy as np
import scipy.signal as sps

from harness import reference_compare as rc

FS = 48_000
PAD = 4096
DELAY = 10.0


def _reference(signal: np.ndarray):
    def ref(lo: int, hi: int) -> np.ndarray:
        out = np.zeros(hi - lo)
        a, b = max(lo, -PAD), min(hi, FS + PAD)
        if b > a:
            out[a - lo:b - lo] = signal[a + PAD:b + PAD]
        return out
    return ref


def _recording(ref, delay_at):
    """The reference read at ``n - delay_at(n)`` (the module's own sinc interpolation)."""
    def rec(lo: int, hi: int) -> np.ndarray:
        out = np.empty(hi - lo)
        for k, n in enumerate(range(lo, hi)):
            pos = n - delay_at(n)
            base = int(pos) - 40
            out[k] = rc._sinc_interp(ref(base, base + 80), base, np.array([pos]))[0]
        return out
    return rec


def main() -> None:
    t = np.arange(-PAD, FS + PAD) / FS
    rng = np.random.default_rng(1)
    signals = {"sweep": sps.chirp(np.clip(t, 0, None), 200, 1.0, 12000, method="logarithmic") * 0.5,
               "noise": sps.lfilter(*sps.butter(4, 0.3), rng.standard_normal(t.size)) * 0.3}
    cases = {"offset 1 frame": lambda n: DELAY + 1, "offset 0.4 frame": lambda n: DELAY + 0.4,
             "step of 1 frame at 20000": lambda n: DELAY if n < 20_000 else DELAY + 1}
    n0, n1 = 16_000, 24_000
    line = (0, FS, DELAY, 0.0)
    for name, signal in signals.items():
        ref = _reference(signal)
        for case, delay_at in cases.items():
            r = _recording(ref, delay_at)(n0, n1)
            e_line = rc._step_error(rc._line_prediction(line, n0, n1, ref, 1), r, rc._JUDGE_CUTOFF)[0]
            for size in (1, -1):
                moved = rc._line_prediction((0, FS, DELAY + size, 0.0), n0, n1, ref, 1)
                e_moved = rc._step_error(moved, r, rc._JUDGE_CUTOFF)[0]
                print(f"{name:6} {case:26} moved {size:+d}: e_line {e_line:.3e}  e_moved {e_moved:.3e}  "
                      f"ratio {e_moved / e_line:.4f}")


if __name__ == "__main__":
    main()
