"""Mutes and pops in program material across sample rates and noise levels (reference mode).

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_mute_grid.py [--jobs 2] [--seeds 2] [--clean 3] [--only TEXT]

The seeded grid: sample rates (44.1, 48, 96 kHz) x paths (noiseless through a converter's
low-pass into an int16 file, -80 dBFS and -50 dBFS of noise, each with a clock 40 ppm off and an
AGC) x signals (music, chords, tone bursts with silence gaps, glides, noise bursts) x damage (a
mute of 1, 2.5, 5 or 20 ms, or a 1-sample pop of 0.05 at a loud place 0.5-1.8 s in) x seeds, and
undamaged takes of every signal on every path at every rate (other seeds). Each take is compared
with ``compare_to_reference``; per cell:

- found: a glitch starts within 10 frames (plus the position uncertainty it states) of the
  damage's first recorded frame, or inside a mute;
- named: the first such glitch is of the planted kind (``mute`` / ``pop``);
- exact: it is the take's only glitch, named, within 10 frames, a mute sized 0.7-1.3 x;
- extra: glitches of damaged takes that match no damage;
- false: undamaged takes with a glitch (a refusal is counted apart, "refused").

Rows print as they finish; the last lines total detection and false-glitch rates per rate and
per path. The seeds follow a cell's place in the grid, so ``--only`` gives a cell's own figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from harness import analysis as A
from harness import reference_compare as R

RATES = (44_100, 48_000, 96_000)
#: the path's impairments at each noise level; the converter's low-pass is 0.35 fs
PATHS: dict[str, dict[str, Any]] = {
    "noiseless, LP 0.35 fs, int16": dict(noise_rms=0.0, quantize=True),
    "-80 dBFS": dict(noise_rms=1e-4, quantize=False),
    "-50 dBFS": dict(noise_rms=10 ** (-50 / 20), quantize=False),
}
SIGNALS = ("music", "chords", "gaps", "glide", "noise_bursts")
#: (kind, size): mutes in milliseconds, pops in full scale
DAMAGES: tuple[tuple[str, float], ...] = (("mute", 1.0), ("mute", 2.5), ("mute", 5.0), ("mute", 20.0),
                                          ("pop", 0.05))


@dataclass(frozen=True)
class Cell:
    """One take of the grid: ``damage`` None is an undamaged take."""

    rate: int
    path: str
    signal: str
    damage: tuple[str, float] | None
    seed: int


def _int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0


def take(c: Cell) -> tuple[np.ndarray, np.ndarray, float, int]:
    """The recording, the reference, the damage's first recorded frame and its length (frames;
    1 for a pop, 0 undamaged)."""
    fs = c.rate
    p = PATHS[c.path]
    ref = R.program_material(c.signal, 2.0, fs, seed=c.seed)  # type: ignore[arg-type]
    rng = np.random.default_rng([181, c.rate, list(PATHS).index(c.path), SIGNALS.index(c.signal), c.seed,
                                 len(DAMAGES) if c.damage is None else DAMAGES.index(c.damage)])
    w = int(0.02 * fs)
    loud = np.sqrt(np.convolve(ref ** 2, np.ones(w) / w, mode="same"))
    where = np.flatnonzero(loud[fs // 2: int(1.8 * fs)] > 0.5 * loud.max()) + fs // 2
    at = int(where[rng.integers(where.size)])
    delay = float(rng.uniform(300, 2000))
    played, length = ref, 0
    if c.damage is not None:
        kind, size = c.damage
        if kind == "mute":
            length = max(int(round(size * 1e-3 * fs)), 1)
            played = A.mute_frames(ref, at, length)
        else:
            length = 1
            played = A.add_pop(ref, at, 1, size * (1 if rng.random() < 0.5 else -1))
    ppm = 40.0
    rec = R.through_system(played, fs, delay_frames=delay, drift_ppm=ppm, gain=0.5, gain_wobble=0.1,
                           lowpass_hz=0.35 * fs, noise_rms=p["noise_rms"], tail_frames=fs // 10, seed=c.seed)
    if p["quantize"]:
        rec, ref = _int16(rec), _int16(ref)
    return rec, ref, at * (1 + ppm * 1e-6) + delay, length


def judge(c: Cell) -> dict[str, Any]:
    """One take compared: its outcome (see the module docstring) and CPU seconds."""
    rec, ref, at, length = take(c)
    t0 = time.process_time()
    try:
        gs = R.compare_to_reference(rec, ref, c.rate).glitches
    except A.AnalysisError as exc:
        return {"cell": c, "refused": str(exc)[:100], "cpu": time.process_time() - t0}
    cpu = time.process_time() - t0
    out: dict[str, Any] = {"cell": c, "refused": None, "cpu": cpu, "n": len(gs),
                           "glitches": [(g.kind, g.size_frames, round(g.start_frame - at)) for g in gs[:4]]}
    if c.damage is None:
        return out
    hit = [g for g in gs if at - 10 - g.position_uncertainty_frames <= g.start_frame
           <= at + length + 10 + g.position_uncertainty_frames]
    kind = c.damage[0]
    out["found"] = bool(hit)
    out["named"] = bool(hit) and hit[0].kind == kind
    out["exact"] = (len(gs) == 1 and bool(hit) and hit[0].kind == kind and abs(hit[0].start_frame - at) <= 10
                    and (kind != "mute" or 0.7 * length <= hit[0].size_frames <= 1.3 * length))
    out["extra"] = len(gs) - bool(hit)
    return out


def grid(seeds: int, clean: int, only: list[str]) -> list[Cell]:
    cells = []
    for fs in RATES:
        for path in PATHS:
            for sig in SIGNALS:
                for dmg in DAMAGES:
                    cells += [Cell(fs, path, sig, dmg, s) for s in range(seeds)]
                cells += [Cell(fs, path, sig, None, 100 + s) for s in range(clean)]
    return [c for c in cells if all(o in _name(c) for o in only)]


def _name(c: Cell) -> str:
    d = "clean" if c.damage is None else f"{c.damage[0]} {c.damage[1]:g}{' ms' if c.damage[0] == 'mute' else ''}"
    return f"{c.rate / 1000:g} kHz | {c.path} | {c.signal} | {d}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=2, help="damaged takes per cell")
    ap.add_argument("--clean", type=int, default=3, help="undamaged takes per rate, path and signal")
    ap.add_argument("--only", action="append", default=[], help="cells whose name holds TEXT")
    a = ap.parse_args()
    cells = grid(a.seeds, a.clean, a.only)
    t0 = time.time()
    with ProcessPoolExecutor(max(a.jobs, 1)) as ex:
        rows = list(ex.map(judge, cells, chunksize=1))
    for r in rows:
        c = r["cell"]
        what = ("REFUSED " + r["refused"]) if r["refused"] else (
            f"{'found' if r.get('found') else 'MISSED' if c.damage else ''} "
            f"{'named' if r.get('named') else ''} {'exact' if r.get('exact') else ''} {r['glitches']}")
        print(f"{_name(c)} | seed {c.seed} | {what}")
    print(f"\n{len(cells)} takes, {time.time() - t0:.0f} s wall, {sum(r['cpu'] for r in rows):.0f} s CPU (comparisons)")

    def tally(sel: list[dict[str, Any]]) -> str:
        dmg = [r for r in sel if r["cell"].damage is not None and not r["refused"]]
        cl = [r for r in sel if r["cell"].damage is None]
        cl_ok = [r for r in cl if not r["refused"]]
        f = sum(r["found"] for r in dmg)
        nm = sum(r["named"] for r in dmg)
        ex = sum(r["exact"] for r in dmg)
        extra = sum(r["extra"] for r in dmg)
        false = sum(r["n"] > 0 for r in cl_ok)
        refused_d = sum(bool(r["refused"]) for r in sel if r["cell"].damage is not None)
        return (f"found {f}/{len(dmg)}, named {nm}/{len(dmg)}, exact {ex}/{len(dmg)}, extra {extra}, "
                f"refused {refused_d}; clean: false {false}/{len(cl_ok)} (refused {len(cl) - len(cl_ok)})")

    def print_groups(title: str, groups: list[tuple[str, Callable[[Any], bool]]]) -> None:
        """One tally per group of takes (a label and which cells belong), groups with none left out."""
        print(title)
        for label, belongs in groups:
            sel = [r for r in rows if belongs(r["cell"])]
            if sel:
                print(f"  {label}: {tally(sel)}")

    print_groups("\nper rate x damage:", [(f"{fs / 1000:g} kHz, {d[0]} {d[1]:g}",
                                            lambda c, fs=fs, d=d: c.rate == fs and c.damage == d)
                                           for fs in RATES for d in DAMAGES])
    print_groups("per rate x path:", [(f"{fs / 1000:g} kHz, {p}", lambda c, fs=fs, p=p: c.rate == fs and c.path == p)
                                      for fs in RATES for p in PATHS])
    print_groups("per signal:", [(sig, lambda c, sig=sig: c.signal == sig) for sig in SIGNALS])
    print(f"all: {tally(rows)}")


if __name__ == "__main__":
    sys.exit(main())
