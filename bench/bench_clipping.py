"""Clipping in a recorded test sine: found, placed, and never called on a clean take (tone mode).

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_clipping.py [--jobs 2] [--seeds 3] [--only TEXT]

The seeded grid: sample rates (44.1, 48, 96 kHz) x paths (noiseless float32, noiseless int16,
-80 dBFS and -60 dBFS of white noise added after the damage, float32) x tones (751 Hz, the
default test tone, and one drawn per seed between 100 and 2000 Hz) x takes, 2 s each, seeds 0..N-1:

- clean takes, which must hold no ``clipped`` glitch: a sine at 0.5, at full scale (1.0) and at
  -0.1 dBFS; a converter's sine (0.5, 2nd and 3rd harmonics at -50 and -60 dB, DC 0.01, an AGC
  wobbling the level 10 % at 0.7 Hz); a music-like multitone (the tone at 0.5 with two weaker
  partials at 0.1 and 0.05 and a slow tremolo);
- clipped takes, a sine driven past a level and held there: ``1.5x FS`` (1.5 clipped at full
  scale), ``gain bug 0.9`` (1.0 clipped at 0.9), ``0.5 at 0.45`` (a 0.5 sine clipped at 0.45),
  ``1.01x FS`` (1.01 clipped at 1.0: the smallest here); each either over the whole take
  (``whole``) or over 0.4 s of its middle only (``burst``, starting 0.6-1.0 s in).

Per cell: "found" is a ``clipped`` glitch that starts within a period of the clipping's first
frame (``whole``: of the analysed span's start) and ends within a period of its end; "any" is a
``clipped`` glitch anywhere, "any glitch" a glitch of any kind; "false" is a clean take with a ``clipped`` glitch ("other glitches"
counts clean takes with any other glitch, which this bench does not judge); a take the analyser
refuses (no steady sine), or that makes it raise anything else (printed ``CRASHED``), is counted
apart. Rows print as cells finish; the last lines total per
rate, per path and per damage.
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

RATES = (44_100, 48_000, 96_000)
#: noise added after the damage (RMS, full scale 1.0) and whether the file is 16-bit
PATHS: dict[str, tuple[float, bool]] = {
    "noiseless float32": (0.0, False),
    "noiseless int16": (0.0, True),
    "-80 dBFS": (1e-4, False),
    "-60 dBFS": (1e-3, False),
}
CLEAN = ("sine 0.5", "sine FS", "sine -0.1 dBFS", "converter sine", "multitone")
#: name: (drive, clipping level)
CLIPS: dict[str, tuple[float, float]] = {
    "1.5x FS": (1.5, 1.0),
    "gain bug 0.9": (1.0, 0.9),
    "0.5 at 0.45": (0.5, 0.45),
    "1.01x FS": (1.01, 1.0),
}
SPANS = ("whole", "burst")
SECONDS = 2.0


@dataclass(frozen=True)
class Cell:
    rate: int
    path: str
    tone: str  # "751" or "drawn"
    signal: str  # a CLEAN name or "CLIP / SPAN"
    seed: int


def _int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0


def take(c: Cell) -> tuple[np.ndarray, int, int, float]:
    """The recording, the clipping's first and one-past-last frame (0, 0 when clean) and the tone."""
    fs = c.rate
    rng = np.random.default_rng([53, fs, list(PATHS).index(c.path), c.seed, sum(map(ord, c.signal))])
    f = 751.0 if c.tone == "751" else float(np.exp(rng.uniform(np.log(100.0), np.log(2000.0))))
    n = int(SECONDS * fs)
    t = np.arange(n) / fs
    ph = 2 * np.pi * f * t + rng.uniform(0, 2 * np.pi)
    a, b = 0, 0
    if c.signal in CLEAN:
        if c.signal == "converter sine":
            x = (0.5 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t)) * np.sin(ph) + 0.5 * 10 ** (-50 / 20) * np.sin(2 * ph + 1)
                 + 0.5 * 10 ** (-60 / 20) * np.sin(3 * ph + 2) + 0.01)
        elif c.signal == "multitone":
            g = 1 + 0.2 * np.sin(2 * np.pi * 0.5 * t)
            x = g * (0.5 * np.sin(ph) + 0.1 * np.sin(ph * 2.37 + 0.3) + 0.05 * np.sin(ph * 3.71 + 1.1))
        else:
            amp = {"sine 0.5": 0.5, "sine FS": 1.0, "sine -0.1 dBFS": 10 ** (-0.1 / 20)}[c.signal]
            x = amp * np.sin(ph)
    else:
        name, span = c.signal.split(" / ")
        drive, level = CLIPS[name]
        x = drive * np.sin(ph)
        if span == "whole":
            x = np.clip(x, -level, level)
            b = n
        else:
            a = int(rng.uniform(0.6, 1.0) * fs)
            b = a + int(0.4 * fs)
            x[a:b] = np.clip(x[a:b], -level, level)
            x[:a] *= level / drive  # the level a system that does not clip there plays
            x[b:] *= level / drive
    noise, int16 = PATHS[c.path]
    if noise:
        x = x + noise * rng.standard_normal(n)
    if int16:
        x = _int16(x)
    return x.astype(np.float32), a, b, f


def judge(c: Cell) -> dict[str, Any]:
    x, a, b, f = take(c)
    t0 = time.process_time()
    try:
        rep = A.analyze_glitches(x, c.rate)
    except A.AnalysisError as exc:
        return {"cell": c, "refused": str(exc)[:80], "cpu": time.process_time() - t0}
    except Exception as exc:  # noqa: BLE001 - an analyser that crashes is a figure of this bench too
        return {"cell": c, "refused": f"CRASHED {type(exc).__name__}: {exc}"[:80], "cpu": time.process_time() - t0}
    cpu = time.process_time() - t0
    clipped = [g for g in rep.glitches if g.kind == "clipped"]
    out: dict[str, Any] = {"cell": c, "refused": None, "cpu": cpu, "clipped": len(clipped),
                           "other": len(rep.glitches) - len(clipped),
                           "where": [(g.start_frame, g.end_frame) for g in clipped[:3]]}
    if b:
        period = c.rate / f
        a = max(a, rep.analysed_start_frame)
        b = min(b, rep.analysed_end_frame)
        out["found"] = any(abs(g.start_frame - a) <= period and abs(g.end_frame - b) <= period for g in clipped)
    return out


def grid(seeds: int, only: list[str]) -> list[Cell]:
    cells = []
    for fs in RATES:
        for path in PATHS:
            for tone in ("751", "drawn"):
                for sig in CLEAN + tuple(f"{k} / {s}" for k in CLIPS for s in SPANS):
                    cells += [Cell(fs, path, tone, sig, s) for s in range(seeds)]
    return [c for c in cells if all(o in _name(c) for o in only)]


def _name(c: Cell) -> str:
    return f"{c.rate / 1000:g} kHz | {c.path} | {c.tone} Hz | {c.signal}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=3, help="takes per cell")
    ap.add_argument("--only", action="append", default=[], help="cells whose name holds TEXT")
    a = ap.parse_args()
    cells = grid(a.seeds, a.only)
    t0 = time.time()
    with ProcessPoolExecutor(max(a.jobs, 1)) as ex:
        rows = list(ex.map(judge, cells, chunksize=4))
    for r in rows:
        c = r["cell"]
        if r["refused"]:
            what = "REFUSED " + r["refused"]
        elif "found" in r:
            what = f"{'found' if r['found'] else 'MISSED'} clipped {r['clipped']} other {r['other']} {r['where']}"
        else:
            what = f"{'FALSE ' if r['clipped'] else ''}clipped {r['clipped']} other {r['other']} {r['where']}"
        print(f"{_name(c)} | seed {c.seed} | {what}")
    print(f"\n{len(cells)} takes, {time.time() - t0:.0f} s wall, {sum(r['cpu'] for r in rows):.0f} s CPU (analyses)")

    def tally(sel: list[dict[str, Any]]) -> str:
        dmg = [r for r in sel if "/" in r["cell"].signal and not r["refused"]]
        cl = [r for r in sel if "/" not in r["cell"].signal]
        cl_ok = [r for r in cl if not r["refused"]]
        refused = sum(bool(r["refused"]) for r in sel)
        crashed = sum(str(r["refused"]).startswith("CRASHED") for r in sel)
        return (f"found {sum(r['found'] for r in dmg)}/{len(dmg)} (any clipped {sum(r['clipped'] > 0 for r in dmg)}, "
                f"any glitch {sum(r['clipped'] + r['other'] > 0 for r in dmg)}); "
                f"clean: false {sum(r['clipped'] > 0 for r in cl_ok)}/{len(cl_ok)}, other glitches "
                f"{sum(r['other'] > 0 for r in cl_ok)}; refused {refused} (crashed {crashed})")

    def print_groups(title: str, groups: list[tuple[str, Callable[[Cell], bool]]]) -> None:
        print(title)
        for label, belongs in groups:
            sel = [r for r in rows if belongs(r["cell"])]
            if sel:
                print(f"  {label}: {tally(sel)}")

    print_groups("\nper rate:", [(f"{fs / 1000:g} kHz", lambda c, fs=fs: c.rate == fs) for fs in RATES])
    print_groups("per path:", [(p, lambda c, p=p: c.path == p) for p in PATHS])
    print_groups("per tone:", [(t, lambda c, t=t: c.tone == t) for t in ("751", "drawn")])
    print_groups("per signal:", [(s, lambda c, s=s: c.signal == s) for s in CLEAN]
                 + [(f"{k} / {s}", lambda c, k=k, s=s: c.signal == f"{k} / {s}") for k in CLIPS for s in SPANS])
    print(f"all: {tally(rows)}")


if __name__ == "__main__":
    sys.exit(main())
