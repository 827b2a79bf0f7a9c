"""What one ``analyze_glitches`` call costs on a clean stretch of tone, by the stretch's length:
the fixed part of a call (its numpy dispatches) against the part that grows with the frames.

    PYTHONPATH=$PWD .venv/bin/python bench/analysis_call_cost.py [--seed S] [--rounds R]

calls it as the listening check does (``harness.audio_check.AudioCheck._process``: the blocks'
mean squares given, levels not measured, the frequency known, the fine pass on) on a 1 kHz sine
at 48 kHz with noise 1e-5 of full scale, 12 288 to 393 216 frames, and prints each length's
thread-CPU milliseconds a call over ``R`` rounds, sorted. Why: the check analyses a ring of a
soak's output as its stretches of sound, about five a ring under the default faults
(bench/RESULTS.md, issue #17); a cost that stays when the stretch shrinks is paid per stretch,
and says whether merging calls or compiling the steps, rather than cheaper arithmetic, is what
could cut it. A benchmark: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads

import numpy as np  # noqa: E402

from harness.analysis import analyze_glitches  # noqa: E402

SAMPLE_RATE = 48_000
FREQUENCY_HZ = 1000.0
LENGTHS = (12_288, 24_576, 49_152, 98_304, 196_608, 393_216)
#: frames analysed per round and length: short stretches are called more often, so each
#: round lasts about as long
FRAMES_PER_ROUND = 2_000_000


def clean_tone(frames: int, rng: np.random.Generator) -> np.ndarray:
    """A steady sine at half of full scale with faint white noise, in float32 as a device plays it."""
    t = np.arange(frames)
    tone = 0.5 * np.sin(2 * np.pi * FREQUENCY_HZ * t / SAMPLE_RATE) + 1e-5 * rng.standard_normal(frames)
    return tone.astype(np.float32)


def call_cost_ms(x: np.ndarray, rounds: int) -> tuple[list[float], int]:
    """Thread-CPU milliseconds a call, one figure a round, sorted; and the glitches found."""
    nb = x.size // 256
    blocks = x[: nb * 256].reshape(nb, 256)
    power = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64) / 256
    kwargs = {"max_glitches": 10_000, "measure_levels": False, "frequency_known": True, "fine": True,
              "block_power": power}
    report = analyze_glitches(x, SAMPLE_RATE, FREQUENCY_HZ, **kwargs)  # warm: numba's kernels load
    reps = max(5, FRAMES_PER_ROUND // x.size)
    figures = []
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(reps):
            report = analyze_glitches(x, SAMPLE_RATE, FREQUENCY_HZ, **kwargs)
        figures.append((time.thread_time() - t0) / reps * 1e3)
    return sorted(figures), len(report.glitches)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=99110, help="the noise's seed")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per length (1 or more)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be 1 or more, got {args.rounds}: give a positive count")
    rng = np.random.default_rng(args.seed)
    for frames in LENGTHS:
        figures, glitches = call_cost_ms(clean_tone(frames, rng), args.rounds)
        print(f"{frames:>7} frames ({frames / SAMPLE_RATE:5.2f} s): "
              f"{' / '.join(f'{v:.2f}' for v in figures)} ms a call; glitches {glitches}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
