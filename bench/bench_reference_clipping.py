"""Clipping and saturation of program material, judged against the reference (reference mode).

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_reference_clipping.py [--jobs 1] [--seeds 3] [--only TEXT]

The seeded grid: sample rates (44.1, 48, 96 kHz) x materials (``music``; ``high``: notes of
2-6 kHz with drum hits, tones above ~2 kHz) x paths (noiseless; -80 dBFS of noise), each through a
fractional delay, a clock 40 ppm off, gain 0.9 with a 10 % AGC and a converter's low-pass at
0.35 fs, x takes:

- clean: the recording as it is; ``full scale``: scaled so its peak is 0.999; ``fade``: a gain
  ramp of -50 % and a 20 % AGC (no clipping anywhere);
- ``hard 0.7``: the recording clipped at 0.7 of its peak from 0.6 to 1.4 s (a converter driven
  past full scale: flat tops); ``hard 0.9``: at 0.9; ``tanh``: ``c tanh(x / c)`` with ``c`` half
  the peak over the same stretch (a soft limiter).

Per damaged take: found (a glitch inside the stretch, 5 ms of margin), named (a ``clipped`` one
there), outside (glitches elsewhere); per clean take: false (any glitch), and ``clipped`` ones
among them. Refusals are counted apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness import analysis as A
from harness import reference_compare as R

RATES = (44_100, 48_000, 96_000)
MATERIALS = ("music", "high")
NOISES = {"noiseless": 0.0, "-80 dBFS": 1e-4}
TAKES = ("clean", "full scale", "fade", "hard 0.7", "hard 0.9", "tanh")
CLEAN = ("clean", "full scale", "fade")
STRETCH_S = (0.6, 1.4)


@dataclass(frozen=True)
class Cell:
    rate: int
    material: str
    noise: str
    take: str
    seed: int


def high_notes(seconds: float, fs: int, seed: int) -> np.ndarray:
    """Notes of 2-6 kHz (5 ms attack, exponential decay, overlapping) with a drum hit on about
    half of them: tones above ~2 kHz whose envelopes and hits let the lock place them."""
    rng = np.random.default_rng(seed)
    n = int(seconds * fs)
    t = np.arange(n) / fs
    out = np.zeros(n)
    pos = 0.0
    while pos < seconds:
        dur = float(rng.uniform(0.1, 0.4))
        f = float(rng.uniform(2000.0, 6000.0))
        a, b = int(pos * fs), min(n, int((pos + 1.5 * dur) * fs))
        tt = t[a:b] - pos
        out[a:b] += np.minimum(tt / 0.005, 1.0) * np.exp(-tt / (0.5 * dur)) * np.sin(2 * np.pi * f * tt
                                                                                     + rng.uniform(0, 2 * np.pi))
        if rng.random() < 0.5:
            c = min(n, a + int(0.05 * fs))
            out[a:c] += 0.5 * rng.standard_normal(c - a) * np.exp(-(t[a:c] - pos) / 0.01)
        pos += dur
    return 0.5 * out / float(np.max(np.abs(out)))


def delay_of(c: Cell) -> float:
    """The take's fractional delay (frames): where the reference's first frame lies in the
    recording, what a caller's own search hands the comparison as ``lock=``."""
    rng = np.random.default_rng([77, c.rate, MATERIALS.index(c.material), list(NOISES).index(c.noise), c.seed])
    return float(rng.uniform(300, 2000))


def take(c: Cell) -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    """The recording, the reference and the damaged stretch (recording frames; None if clean)."""
    fs = c.rate
    ref = R.program_material("music", 2.0, fs, seed=c.seed) if c.material == "music" else high_notes(2.0, fs, c.seed)
    fade = c.take == "fade"
    rec = R.through_system(ref, fs, delay_frames=delay_of(c), drift_ppm=40.0, gain=0.9,
                           gain_wobble=0.2 if fade else 0.1, gain_ramp=-0.5 if fade else 0.0,
                           lowpass_hz=0.35 * fs, noise_rms=NOISES[c.noise], tail_frames=fs // 10, seed=c.seed)
    a, b = int(STRETCH_S[0] * fs), int(STRETCH_S[1] * fs)
    pk = float(np.max(np.abs(rec[a:b])))
    if c.take == "full scale":
        rec = rec * (0.999 / float(np.max(np.abs(rec))))
    elif c.take.startswith("hard"):
        lvl = float(c.take.split()[1]) * pk
        rec[a:b] = np.clip(rec[a:b], -lvl, lvl)
    elif c.take == "tanh":
        lvl = 0.5 * pk
        rec[a:b] = lvl * np.tanh(rec[a:b] / lvl)
    return rec, ref, None if c.take in CLEAN else (a, b)


def judge(c: Cell) -> dict[str, Any]:
    rec, ref, span = take(c)
    t0 = time.process_time()
    try:
        gs = R.compare_to_reference(rec, ref, c.rate).glitches
    except A.AnalysisError as exc:
        return {"cell": c, "refused": str(exc)[:90], "cpu": time.process_time() - t0}
    out: dict[str, Any] = {"cell": c, "refused": None, "cpu": time.process_time() - t0, "n": len(gs),
                           "glitches": [(g.kind, g.start_frame, g.size_frames) for g in gs[:6]],
                           "clipped": sum(g.kind == "clipped" for g in gs)}
    if span is not None:
        m = int(5e-3 * c.rate)
        inside = [g for g in gs if span[0] - m <= g.start_frame < span[1] + m]
        out["found"] = bool(inside)
        out["named"] = any(g.kind == "clipped" for g in inside)
        out["outside"] = len(gs) - len(inside)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--only", action="append", default=[], help="cells whose name holds TEXT")
    a = ap.parse_args()

    def name(c: Cell) -> str:
        return f"{c.rate / 1000:g} kHz | {c.material} | {c.noise} | {c.take}"

    cells = [Cell(fs, m, nz, tk, s) for fs in RATES for m in MATERIALS for nz in NOISES for tk in TAKES
             for s in range(a.seeds)]
    cells = [c for c in cells if all(o in name(c) for o in a.only)]
    t0 = time.time()
    with ProcessPoolExecutor(max(a.jobs, 1)) as ex:
        rows = list(ex.map(judge, cells, chunksize=1))
    for r in rows:
        what = ("REFUSED " + r["refused"]) if r["refused"] else (
            f"{'found' if r.get('found') else 'MISSED' if 'found' in r else ''} "
            f"{'named' if r.get('named') else ''} {r['glitches']}")
        print(f"{name(r['cell'])} | seed {r['cell'].seed} | {what}")
    print(f"\n{len(cells)} takes, {time.time() - t0:.0f} s wall, {sum(r['cpu'] for r in rows):.0f} s CPU (comparisons)")

    def tally(sel: list[dict[str, Any]]) -> str:
        ok = [r for r in sel if not r["refused"]]
        dmg = [r for r in ok if "found" in r]
        cl = [r for r in ok if "found" not in r]
        parts = [f"refused {len(sel) - len(ok)}/{len(sel)}"]
        if dmg:
            parts.append(f"found {sum(r['found'] for r in dmg)}/{len(dmg)}, named clipped "
                         f"{sum(r['named'] for r in dmg)}/{len(dmg)}, "
                         f"glitches outside {sum(r['outside'] for r in dmg)}")
        if cl:
            parts.append(f"clean: false {sum(r['n'] > 0 for r in cl)}/{len(cl)} (of them clipped "
                         f"{sum(r['clipped'] > 0 for r in cl)})")
        return ", ".join(parts)

    for label, key in (("per take", lambda c: c.take), ("per rate", lambda c: f"{c.rate / 1000:g} kHz"),
                       ("per material x path", lambda c: f"{c.material}, {c.noise}")):
        print(f"{label}:")
        for k in dict.fromkeys(key(r["cell"]) for r in rows):
            print(f"  {k}: {tally([r for r in rows if key(r['cell']) == k])}")
    print(f"all: {tally(rows)}")


if __name__ == "__main__":
    sys.exit(main())
