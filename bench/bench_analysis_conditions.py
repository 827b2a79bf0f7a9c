"""Signal analysis per field condition: the one table issue #18 asks for.

A benchmark, not a test: it prints figures and never fails.

    python bench/bench_analysis_conditions.py [--positions 8] [--clean 4] [--latency-trials 4] [--only TEXT]

Glitch detection, one row per condition, each damage planted at ``--positions`` seeded random
places (a different seeded take at each):

- the tone analyser (``analysis.analyze_glitches``) on a 0.5 test tone (997 Hz; 100 Hz where the
  row says so) as a converter records it (``analysis.field_tone``): clean (-80 dBFS of noise),
  -60 dBFS of noise with a 2nd harmonic at -40 dB, a clock +-100 ppm off, 192 kHz;
- the reference comparison (``reference_compare.compare_to_reference``) on 2 s of program material
  (music; speech) through a system (``through_system``: a fractional delay of 300-2000 frames, a
  clock 40 ppm off, gain 0.5 with a 10 % AGC, a converter's low-pass at 0.35 fs, -80 dBFS of
  noise), the damage at a loud place 0.5-1.8 s in.

Columns: ``pop``, the smallest 1-sample pop (signs alternating) found at every position as the
take's only glitch, of the pop kind (``click`` / ``pop``), within 10 frames; ``drop`` / ``mute``,
the shortest of 1, 2, 5, 9 dropped frames (sized right) and of 1, 2.5, 5, 20 ms muted (reference
mode: named ``mute``) found likewise at every position; ``false``, glitches over ``--clean``
undamaged takes (must be 0); ``x rt``, seconds of audio judged per CPU second (10 s takes for the
tone; the clean takes for the reference).

Latency (``analysis.measure_latency``): ``bench_analysis.latency_trials`` with ``--latency-trials``
seeded takes per reference (MLS, log and linear sweeps, 10 s at 48 kHz) and condition (clean with
a clock +-50 ppm off; -20 dB SNR without and with it): start-latency error, drift error, refusals,
and speed in multiples of real time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_analysis as B  # noqa: E402

from harness import analysis as A  # noqa: E402
from harness import reference_compare as R  # noqa: E402

#: name -> (field_tone arguments, sample rate)
TONE_CONDITIONS: dict[str, tuple[dict[str, Any], int]] = {
    "tone: clean sine (-80 dBFS noise)": (dict(noise_rms=1e-4), 48_000),
    "tone: noise -60 dBFS + 2nd harmonic -40 dB": (dict(noise_rms=1e-3, harmonic2_db=-40.0), 48_000),
    "tone: clock +100 ppm": (dict(noise_rms=1e-4, clock_ppm=100.0), 48_000),
    "tone: clock -100 ppm": (dict(noise_rms=1e-4, clock_ppm=-100.0), 48_000),
    "tone: 192 kHz": (dict(noise_rms=1e-4), 192_000),
    "tone: 192 kHz, 100 Hz tone": (dict(noise_rms=1e-4, frequency_hz=100.0), 192_000),
}
#: name -> (program material, sample rate)
REFERENCE_CONDITIONS: dict[str, tuple[str, int]] = {
    "reference: music, 48 kHz": ("music", 48_000),
    "reference: music, 44.1 kHz": ("music", 44_100),
    "reference: speech, 48 kHz": ("speech", 48_000),
}
POPS = (0.05, 0.03, 0.02, 0.015, 0.01, 0.0075, 0.005, 0.003, 0.002, 0.0015, 0.001, 0.00075, 0.0005)
#: the reference comparison's pops (each step costs a comparison per position, ~0.4 s of CPU a take)
REF_POPS = (0.01, 0.005, 0.003, 0.002, 0.0015, 0.001, 0.00075)
DROPS = (1, 2, 5, 9)
MUTES_MS = (1.0, 2.5, 5.0, 20.0)
SECONDS = 2.0


def _ladder_down(sizes: tuple[float, ...], all_found: Callable[[float], bool]) -> float | None:
    """The smallest size found everywhere, going down ``sizes`` until one is not."""
    smallest = None
    for s in sizes:
        if not all_found(s):
            break
        smallest = s
    return smallest


def _ladder_up(sizes: tuple[float, ...], all_found: Callable[[float], bool]) -> float | None:
    """The first of ``sizes`` (shortest first) found everywhere."""
    return next((s for s in sizes if all_found(s)), None)


def tone_row(name: str, positions: int, clean: int) -> dict[str, Any]:
    kw, fs = TONE_CONDITIONS[name]
    f0 = float(kw.get("frequency_hz", B.F0))
    ci = list(TONE_CONDITIONS).index(name)
    rng = np.random.default_rng([18, ci])
    takes = [A.field_tone(SECONDS, fs, seed=100 + i, **kw) for i in range(positions)]
    ats = [int(rng.integers(fs // 4, int((SECONDS - 0.25) * fs))) for _ in range(positions)]

    def only(y: np.ndarray, kind: str, size: int | None, at: int) -> bool:
        gs = A.analyze_glitches(y, fs, f0).glitches
        return len(gs) == 1 and gs[0].kind == kind and (size is None or gs[0].size == size) \
            and abs(gs[0].start_frame - at) <= 10

    pop = _ladder_down(POPS, lambda amp: all(only(A.add_pop(x, at, 1, (-1) ** i * amp), "click", None, at)
                                             for i, (x, at) in enumerate(zip(takes, ats))))
    drop = _ladder_up(DROPS, lambda n: all(only(A.drop_frames(x, at, int(n)), "dropped", int(n), at)
                                           for x, at in zip(takes, ats)))
    false = sum(len(A.analyze_glitches(A.field_tone(SECONDS, fs, seed=500 + i, **kw), fs, f0).glitches)
                for i in range(clean))
    long_take = A.field_tone(10.0, fs, seed=9, **kw).astype(np.float32)
    t0 = time.process_time()
    A.analyze_glitches(long_take, fs, f0)
    x_rt = 10.0 / max(time.process_time() - t0, 1e-9)
    return {"condition": name, "rate": fs, "pop": pop, "drop": drop, "mute": None, "false": false,
            "clean": clean, "x_rt": x_rt}


def _program_take(material: str, fs: int, seed: int, ci: int) -> tuple[np.ndarray, int, float]:
    """(reference, a loud place in it, the path's delay)."""
    ref = R.program_material(material, SECONDS, fs, seed=seed)  # type: ignore[arg-type]
    rng = np.random.default_rng([18, 1000 + ci, seed])
    w = int(0.02 * fs)
    loud = np.sqrt(np.convolve(ref ** 2, np.ones(w) / w, mode="same"))
    where = np.flatnonzero(loud[fs // 2: int(1.8 * fs)] > 0.5 * loud.max()) + fs // 2
    at = int(where[rng.integers(where.size)])
    delay = float(rng.uniform(300, 2000))
    return ref, at, delay


def _through(played: np.ndarray, fs: int, delay: float, seed: int) -> np.ndarray:
    return R.through_system(played, fs, delay_frames=delay, drift_ppm=40.0, gain=0.5, gain_wobble=0.1,
                            lowpass_hz=0.35 * fs, noise_rms=1e-4, tail_frames=fs // 10, seed=seed)


def reference_row(name: str, positions: int, clean: int) -> dict[str, Any]:
    material, fs = REFERENCE_CONDITIONS[name]
    ci = list(REFERENCE_CONDITIONS).index(name)
    takes = [_program_take(material, fs, s, ci) for s in range(positions)]
    ppm = 40.0

    def only(ref: np.ndarray, played: np.ndarray, seed: int, delay: float, at: int, kind: str,
             size: int | None) -> bool:
        rec = _through(played, fs, delay, seed)
        try:
            gs = R.compare_to_reference(rec, ref, fs).glitches
        except A.AnalysisError:
            return False
        place = at * (1 + ppm * 1e-6) + delay
        return len(gs) == 1 and gs[0].kind == kind and (size is None or gs[0].size_frames == size) \
            and abs(gs[0].start_frame - place) <= 10 + gs[0].position_uncertainty_frames

    pop = _ladder_down(REF_POPS, lambda amp: all(
        only(ref, A.add_pop(ref, at, 1, (-1) ** s * amp), s, d, at, "pop", None)
        for s, (ref, at, d) in enumerate(takes)))
    drop = _ladder_up(DROPS, lambda n: all(only(ref, A.drop_frames(ref, at, int(n)), s, d, at, "dropped", int(n))
                                           for s, (ref, at, d) in enumerate(takes)))
    mute = _ladder_up(MUTES_MS, lambda ms: all(
        only(ref, A.mute_frames(ref, at, max(int(round(ms * 1e-3 * fs)), 1)), s, d, at, "mute", None)
        for s, (ref, at, d) in enumerate(takes)))
    false = 0
    cpu = 0.0
    audio = 0.0
    for i in range(clean):
        ref, _, d = _program_take(material, fs, 500 + i, ci)
        rec = _through(ref, fs, d, 500 + i)
        t0 = time.process_time()
        try:
            false += len(R.compare_to_reference(rec, ref, fs).glitches)
        except A.AnalysisError:
            false += 1  # a clean take refused is counted as a false answer
        cpu += time.process_time() - t0
        audio += rec.size / fs
    return {"condition": name, "rate": fs, "pop": pop, "drop": drop, "mute": mute, "false": false,
            "clean": clean, "x_rt": audio / max(cpu, 1e-9)}


def print_rows(rows: list[dict[str, Any]], positions: int) -> None:
    print(f"{'condition':<46} {'rate':>6} {'pop':>7} {'drop':>5} {'mute ms':>7} {'false':>6} {'x rt':>6}")
    for r in rows:
        mute = "-" if r["mute"] is None and r["condition"].startswith("tone") else str(r["mute"])
        print(f"{r['condition']:<46} {r['rate']:>6} {str(r['pop']):>7} {str(r['drop']):>5} {mute:>7} "
              f"{r['false']:>3}/{r['clean']:<2} {r['x_rt']:>6.0f}")
    print(f"(pop / drop / mute: smallest pop, shortest drop (frames) and mute (ms) found as the take's only "
          f"glitch, named, within 10 frames, at all {positions} seeded positions (None: not the largest either); "
          "false: glitches over the clean takes; x rt: audio seconds per CPU second)")


def latency_rows(trials: int) -> list[dict[str, Any]]:
    rows = B.latency_trials(trials)
    for r in rows:
        if "cpu_s" in r:
            r["x_rt"] = 10.0 / max(r["cpu_s"], 1e-9)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--positions", type=int, default=8, help="seeded random positions per damage")
    ap.add_argument("--clean", type=int, default=4, help="undamaged takes per condition")
    ap.add_argument("--latency-trials", type=int, default=4, help="takes per latency reference and condition")
    ap.add_argument("--only", action="append", default=[], help="rows whose condition holds TEXT ('latency': "
                    "the latency table)")
    a = ap.parse_args()
    if a.positions < 1 or a.clean < 0 or a.latency_trials < 0:
        ap.error("--positions must be at least 1, --clean and --latency-trials at least 0")

    def wanted(name: str) -> bool:
        return all(o in name for o in a.only)

    t0 = time.time()
    rows = [tone_row(n, a.positions, a.clean) for n in TONE_CONDITIONS if wanted(n)]
    rows += [reference_row(n, a.positions, a.clean) for n in REFERENCE_CONDITIONS if wanted(n)]
    if rows:
        print_rows(rows, a.positions)
    if a.latency_trials and wanted("latency"):
        print()
        B.print_latency_trials(latency_rows(a.latency_trials), detail=(("x rt", 6, "x_rt", ".0f"),), bounds=False,
                               legend="(10 s references at 48 kHz, seeded random delay 100-5000 frames, polarity "
                                      "and drift; err: |start latency - truth| in frames; ppm: |drift - truth|; "
                                      "x rt: seconds of recording per CPU second)")
    print(f"\n{time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    sys.exit(main())
