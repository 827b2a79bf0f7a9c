"""Diagnostics behind the 2026-12-04 (morning) field-take figures of issue #18 (bench/RESULTS.md).

    python bench/field_probes.py mute    # mutes of 200/435/900 frames in six program kinds
    python bench/field_probes.py fade    # 8 clean tone takes with 1 s raised-cosine fades
    python bench/field_probes.py tone CONDITION SEEDS   # a lone 1-frame drop and 0.012 pop on a
                                                        # bench/field_takes.py tone condition
    python bench/field_probes.py sweep CONDITION KIND N  # N takes of a tone condition, each with one
                                                         # KIND (mute, pop, smallpop, drop, silence) of seeded
                                                         # size and place, and N clean takes
    python bench/field_probes.py one_frame N   # one inserted and one zeroed frame on three low tones, N seeds
    python bench/field_probes.py refdrop CONDITION MATERIAL FRAMES N  # N reference-mode takes of a
                                    # bench_analysis.py --reference condition and program material,
                                    # FRAMES dropped at a seeded loud place, and N clean takes
    python bench/field_probes.py latedrop CONDITION MATERIAL FRAMES N  # the same, 6 s takes, the drop
                                    # 2.5-5 s in (past the lock's head), each take also undamaged

Each prints what the analyser reported; none asserts (the tests do).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from harness import analysis as A
from harness import reference_compare as R

sys.path.insert(0, str(Path(__file__).resolve().parent))
import field_takes as F  # noqa: E402  (a sibling script, not a package)

FS = 48_000


def mutes() -> None:
    """A mute at a seeded loud place of each kind (``program_material``, seed 3) through a plain
    path with little noise: kind, place and size of what was reported."""
    for kind in ("speech", "music", "chords", "bass", "pluck", "dense"):
        ref = R.program_material(kind, 2.0, FS, seed=3)  # type: ignore[arg-type]
        rec = R.through_system(ref, FS, delay_frames=501.9, gain=0.7, noise_rms=3e-5, tail_frames=2000, seed=3)
        loud = np.sqrt(np.convolve(ref ** 2, np.ones(480) / 480, "same"))
        where = np.flatnonzero(loud[FS // 2: -FS // 2] > 0.5 * loud.max()) + FS // 2
        res = []
        for n in (200, 435, 900):
            at = int(where[np.random.default_rng(n).integers(where.size)]) + 502
            gs = R.compare_to_reference(A.mute_frames(rec, at, n), ref, FS).glitches
            res.append((n, at, [(g.kind, g.start_frame, g.size_frames) for g in gs]))
        print(kind, res, flush=True)


def fades() -> None:
    """1 s raised-cosine fades on 5 s ``field_tone`` takes (44.1 kHz, 440 Hz, -100 ppm, DC -0.1)."""
    bad = 0
    fs = 44_100
    for seed in range(8):
        x = A.field_tone(5.0, fs, seed=seed, frequency_hz=440.0, noise_rms=3e-5, clock_ppm=-100.0, dc=-0.1)
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fs))
        x = x + 0.1
        x[:fs] *= ramp
        x[-fs:] *= ramp[::-1]
        x = x - 0.1
        r = A.analyze_glitches(x, fs)
        bad += bool(r.glitches)
        print(seed, r.analysed_start_frame, r.analysed_end_frame, [(g.kind, g.start_frame) for g in r.glitches],
              flush=True)
    print("clean takes with glitches:", bad)


def tone(name: str, seeds: int) -> None:
    """One 1-frame drop, then one 0.012 pop, alone on a 3 s take of a ``field_takes`` condition."""
    c = F.TONE_CONDITIONS[name]
    for seed in range(seeds):
        at = int(np.random.default_rng([77, seed]).integers(int(0.5 * c.rate), int(2.5 * c.rate)))
        for kind, size in (("drop", 1.0), ("pop", 0.012)):
            y = F.tone_take(c, 3.0, np.random.default_rng([78, seed]), [F.Planted(kind.replace("small", ""), at, size)])
            gs = A.analyze_glitches(y, c.rate).glitches
            print(seed, kind, at, [(g.kind, g.start_frame, g.size) for g in gs], flush=True)


SIZES = {"mute": lambda r, fs: int(r.integers(fs // 1000, fs // 100)),  # 1-10 ms, as field_takes
         "pop": lambda r, fs: float(r.uniform(0.010, 0.1)) * (1 if r.random() < 0.5 else -1),
         "smallpop": lambda r, fs: float(r.uniform(0.010, 0.015)) * (1 if r.random() < 0.5 else -1),
         "drop": lambda r, fs: 1.0,
         "silence": lambda r, fs: int(r.integers(1, 21))}
EXPECTED = {"mute": ("mute", "dropped"), "pop": ("click",), "smallpop": ("click",), "drop": ("dropped",), "silence": ("inserted",)}


def _print_sweep(name: str, kind: str, n: int, found: int, named: int, errs: list[int], extra: int,
                 false: int) -> None:
    """A sweep's last line: found and named of ``n``, the place errors, unmatched and false glitches."""
    e = np.abs(np.array(errs)) if errs else np.zeros(1, int)
    print(f"{name} / {kind}: found {found}/{n}, named {named}/{n}, |place error| median {np.median(e):.0f} "
          f"max {e.max()} frames, unmatched {extra}, false on clean takes {false}/{n}")


def sweep(name: str, kind: str, n: int) -> None:
    """``n`` 3 s takes of a ``field_takes`` tone condition, each with one ``kind`` of seeded size at
    a seeded place in 0.5-2.5 s, judged as ``field_takes table`` judges (a reported glitch within 10
    frames, plus the damage's length and any stated uncertainty); then ``n`` clean takes. Prints
    each take's outcome and: found, named as planted, placement error of the found ones, glitches
    that match nothing, false glitches on clean takes."""
    if name in F.PROGRAM_CONDITIONS:
        return sweep_program(name, kind, n)
    c = F.TONE_CONDITIONS[name]
    found = named = extra = false = 0
    errs: list[int] = []
    for seed in range(n):
        r = np.random.default_rng([79, seed])
        at = int(r.integers(int(0.5 * c.rate), int(2.5 * c.rate)))
        p = F.Planted(kind.replace("small", ""), at, SIZES[kind](r, c.rate))
        y = F.tone_take(c, 3.0, np.random.default_rng([80, seed]), [p])
        gs = A.analyze_glitches(y, c.rate).glitches
        length = int(p.size) if kind in ("mute", "silence") else 0
        hit = [g for g in gs if p.rec_at - 10 - getattr(g, "position_uncertainty_frames", 0) <= g.start_frame
               <= p.rec_at + length + 10 + getattr(g, "position_uncertainty_frames", 0)]
        found += bool(hit)
        named += bool(hit) and hit[0].kind in EXPECTED[kind]
        extra += len(gs) - bool(hit)
        near = min(gs, key=lambda g: abs(g.start_frame - p.rec_at), default=None)
        if hit:
            errs.append(hit[0].start_frame - int(p.rec_at))
        print(seed, kind, f"{p.size:.3g}", at, "found" if hit else "MISSED",
              [(g.kind, g.start_frame - int(p.rec_at), g.size) for g in ([near] if near else [])], flush=True)
    for seed in range(n):
        y = F.tone_take(c, 3.0, np.random.default_rng([81, seed]), [])
        gs = A.analyze_glitches(y, c.rate).glitches
        false += len(gs)
        if gs:
            print("clean", seed, [(g.kind, g.start_frame) for g in gs], flush=True)
    _print_sweep(name, kind, n, found, named, errs, extra, false)


REF_EXPECTED = {"mute": ("mute",), "pop": ("pop",), "smallpop": ("pop",), "drop": ("dropped",), "silence": ("inserted_silence",)}


def sweep_program(name: str, kind: str, n: int) -> None:
    """``sweep`` on a ``field_takes`` program condition: 3 s of its material, one ``kind`` at a
    seeded loud place in 0.5-2.5 s, judged against the reference; then ``n`` clean takes."""
    c = F.PROGRAM_CONDITIONS[name]
    make = F.music_like if c.material == "music" else F.speech_like
    found = named = extra = false = 0
    errs: list[int] = []
    for seed in range(n):
        r = np.random.default_rng([82, seed])
        ref = make(3.0, c.rate, r)
        w = int(0.02 * c.rate)
        loud = np.sqrt(np.convolve(ref ** 2, np.ones(w) / w, mode="same"))
        at = F.positions(r, 1, int(0.5 * c.rate), int(2.5 * c.rate), 1, ok=lambda q: bool(loud[q] > 0.03))[0]
        p = F.Planted(kind.replace("small", ""), at, SIZES[kind](r, c.rate))
        rec, _ = F.path_take(ref, c, np.random.default_rng([83, seed]), [p], tail=int(0.3 * c.rate))
        try:
            gs = R.compare_to_reference(rec, ref, c.rate).glitches
        except A.AnalysisError as exc:
            print(seed, kind, "refused:", exc, flush=True)
            continue
        length = int(p.size) if kind in ("mute", "silence") else 0
        hit = [g for g in gs if p.rec_at - 10 - g.position_uncertainty_frames <= g.start_frame
               <= p.rec_at + length + 10 + g.position_uncertainty_frames]
        found += bool(hit)
        named += bool(hit) and hit[0].kind in REF_EXPECTED[kind]
        extra += len(gs) - bool(hit)
        near = min(gs, key=lambda g: abs(g.start_frame - p.rec_at), default=None)
        if hit:
            errs.append(hit[0].start_frame - int(round(p.rec_at)))
        print(seed, kind, f"{p.size:.3g}", f"{p.rec_at:.1f}", "found" if hit else "MISSED",
              [(g.kind, g.start_frame - int(round(p.rec_at)), g.size_frames) for g in ([near] if near else [])],
              flush=True)
    for seed in range(n):
        r = np.random.default_rng([84, seed])
        ref = make(3.0, c.rate, r)
        rec, _ = F.path_take(ref, c, np.random.default_rng([85, seed]), [], tail=int(0.3 * c.rate))
        try:
            gs = R.compare_to_reference(rec, ref, c.rate).glitches
        except A.AnalysisError as exc:
            print("clean", seed, "refused:", exc, flush=True)
            continue
        false += len(gs)
        if gs:
            print("clean", seed, [(g.kind, g.start_frame) for g in gs], flush=True)
    _print_sweep(name, kind, n, found, named, errs, extra, false)


LOW_TONES = [(192_000, 50.0, 1e-5, 0.0), (96_000, 40.0, 3e-5, 0.05), (192_000, 100.0, 1e-4, 0.0)]


def one_frame(n: int) -> None:
    """On each of three low tones (``field_tone`` 1.5 s, the low tones of
    tests/harness/test_analysis_field.py), ``n`` seeded places: one zero frame inserted at the DC,
    then the same frame written over with the DC instead. Counts: found (a glitch within 10
    frames), named (``inserted`` of 1 / ``click`` of 1), placed to the frame; glitches elsewhere."""
    for fs, f0, noise, dc in LOW_TONES:
        tally = {"insert": [0, 0, 0], "zeroed": [0, 0, 0]}
        extra = 0
        for seed in range(n):
            x = A.field_tone(1.5, fs, seed=seed, frequency_hz=f0, noise_rms=noise, dc=dc)
            at = int(np.random.default_rng([20, seed, fs]).integers(fs // 4, (5 * fs) // 4))
            zeroed = x.copy()
            zeroed[at] = dc
            for what, y, kind in (("insert", np.insert(x, at, dc), "inserted"), ("zeroed", zeroed, "click")):
                gs = A.analyze_glitches(y, fs).glitches
                hit = [g for g in gs if abs(g.start_frame - at) <= 10]
                t = tally[what]
                t[0] += bool(hit)
                t[1] += bool(hit) and hit[0].kind == kind and hit[0].size == 1
                t[2] += bool(hit) and hit[0].start_frame == at
                extra += len(gs) - bool(hit)
        print(f"{fs} Hz, {f0:g} Hz tone: " + "; ".join(f"{w}: found {t[0]}/{n}, named {t[1]}/{n}, placed {t[2]}/{n}"
                                                      for w, t in tally.items()) + f"; elsewhere {extra}", flush=True)


def refdrop(name: str, material: str, frames: int, n: int) -> None:
    """``n`` 2 s takes of one ``reference_compare.program_material`` kind through a
    ``bench_analysis.REFERENCE_CONDITIONS`` path (its fractional delay, noise and quantisation),
    each with ``frames`` dropped at a seeded loud place (as the bench picks one), judged against
    the reference: found (a report within 10 frames plus its stated uncertainty), placed (within 10
    frames), named (``dropped`` of ``frames``), refused; then ``n`` clean takes (other seeds)."""
    import bench_analysis as B  # noqa: PLC0415  (a sibling script)

    kw = dict(B.REFERENCE_CONDITIONS[name])
    quantize = kw.pop("quantize", None)
    found = placed = named = refused = extra = false = false_refused = 0
    errs: list[int] = []
    for seed in range(n):
        rng = np.random.default_rng([86, seed])
        ref = R.program_material(material, 2.0, FS, seed=100 + seed)  # type: ignore[arg-type]
        rec = R.through_system(ref, FS, delay_frames=float(rng.uniform(200, 900)), tail_frames=2000,
                               seed=200 + seed, **kw)
        loud = np.flatnonzero(np.abs(rec) > 0.05)
        loud = loud[(loud > FS // 3) & (loud < rec.size - FS // 3)]
        at = int(rng.choice(loud))
        y = B._quantized(A.drop_frames(rec, at, frames), quantize)
        try:
            gs = R.compare_to_reference(y, B._quantized(ref, quantize), FS).glitches
        except A.AnalysisError as exc:
            refused += 1
            print(seed, at, "REFUSED", str(exc)[:120], flush=True)
            continue
        hit = [g for g in gs if abs(g.start_frame - at) <= 10 + g.position_uncertainty_frames]
        found += bool(hit)
        placed += bool(hit) and abs(hit[0].start_frame - at) <= 10
        named += bool(hit) and hit[0].kind == "dropped" and hit[0].size_frames == frames
        extra += len(gs) - bool(hit)
        if hit:
            errs.append(hit[0].start_frame - at)
        print(seed, at, "found" if hit else "MISSED",
              [(g.kind, g.size_frames, g.start_frame - at, g.position_uncertainty_frames) for g in gs[:3]], flush=True)
    for seed in range(n):
        rng = np.random.default_rng([87, seed])
        ref = R.program_material(material, 2.0, FS, seed=300 + seed)  # type: ignore[arg-type]
        rec = R.through_system(ref, FS, delay_frames=float(rng.uniform(200, 900)), tail_frames=2000,
                               seed=400 + seed, **kw)
        try:
            gs = R.compare_to_reference(B._quantized(rec, quantize), B._quantized(ref, quantize), FS).glitches
        except A.AnalysisError as exc:
            false_refused += 1
            print("clean", seed, "REFUSED", str(exc)[:120], flush=True)
            continue
        false += len(gs)
        if gs:
            print("clean", seed, [(g.kind, g.start_frame) for g in gs], flush=True)
    e = np.abs(np.array(errs)) if errs else np.zeros(1, int)
    print(f"{name} / {material} / {frames} dropped: found {found}/{n}, placed {placed}/{n}, named {named}/{n}, "
          f"refused {refused}/{n}, |place error| median {np.median(e):.0f} max {e.max()}, unmatched {extra}; "
          f"clean: false glitches {false}, refused {false_refused}/{n}")


def latedrop(name: str, material: str, frames: int, n: int) -> None:
    """``refdrop`` past the lock's head: ``n`` 6 s takes (seeds as
    tests/harness/test_analysis_reference_noiseless.py's ``_late_drop_burst_take``), ``frames``
    dropped at a seeded loud place 2.5-5 s in; found / refused / glitches that match nothing; then
    the same takes undamaged: false glitches and refusals."""
    import bench_analysis as B  # noqa: PLC0415  (a sibling script)

    kw = dict(B.REFERENCE_CONDITIONS[name])
    quantize = kw.pop("quantize", None)
    found = refused = extra = false = false_refused = 0
    for seed in range(n):
        rng = np.random.default_rng([90, seed])
        ref = B._quantized(R.program_material(material, 6.0, FS, seed=500 + seed), quantize)  # type: ignore[arg-type]
        rec = R.through_system(R.program_material(material, 6.0, FS, seed=500 + seed),  # type: ignore[arg-type]
                               FS, delay_frames=float(rng.uniform(200, 900)), tail_frames=2000, seed=600 + seed, **kw)
        loud = np.flatnonzero(np.abs(rec) > 0.05)
        loud = loud[(loud > int(2.5 * FS)) & (loud < int(5 * FS))]
        at = int(rng.choice(loud))
        for what, y in (("damaged", A.drop_frames(rec, at, frames)), ("clean", rec)):
            try:
                gs = R.compare_to_reference(B._quantized(y, quantize), ref, FS).glitches
            except A.AnalysisError as exc:
                refused += what == "damaged"
                false_refused += what == "clean"
                print(seed, what, at, "REFUSED", str(exc)[:160], flush=True)
                continue
            if what == "clean":
                false += len(gs)
            else:
                hit = [g for g in gs if abs(g.start_frame - at) <= 10 + g.position_uncertainty_frames]
                found += bool(hit)
                extra += len(gs) - bool(hit)
            print(seed, what, at, [(g.kind, g.size_frames, g.start_frame - at) for g in gs[:4]], flush=True)
    print(f"{name} / {material} / {frames} dropped 2.5-5 s in: found {found}/{n}, refused {refused}/{n}, "
          f"unmatched {extra}; clean: false glitches {false}, refused {false_refused}/{n}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["mute"]:
        mutes()
    elif sys.argv[1:2] == ["fade"]:
        fades()
    elif sys.argv[1:2] == ["tone"] and len(sys.argv) == 4:
        tone(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["sweep"] and len(sys.argv) == 5:
        sweep(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1:2] == ["one_frame"] and len(sys.argv) == 3:
        one_frame(int(sys.argv[2]))
    elif sys.argv[1:2] == ["refdrop"] and len(sys.argv) == 6:
        refdrop(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1:2] == ["latedrop"] and len(sys.argv) == 6:
        latedrop(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
