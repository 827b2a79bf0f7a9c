"""Signal-analysis speed and detection limits.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_analysis.py [--seconds 120] [--quick]

Figures:
- glitch analysis speed: seconds of 48 kHz mono audio judged per second of wall time (best of 3);
- latency analysis speed: seconds of recording (10 s takes, 2**15-1 MLS) per second of wall time;
- smallest pop amplitude found at every position swept (1-sample pop, both signs, on a 0.5 sine
  with -60 dBFS noise), and the detector's tolerance it should sit just above;
- shortest dropped (and inserted) run found, named and sized right at every position swept;
- worst latency error over fractional delays 0..48000 frames with noise, and the highest
  confidence the analyser gave to pure noise (it must stay below the 0.5 refusal threshold);
- round-trip latency on the JACK rig (an MLS through a software loop) next to jack_iodelay's;
- ``--reference``: ten kinds of program material (music, speech, dense chords, percussion, tone
  bursts with silence gaps, wide-band noise bursts, bass, plucks, glides, all at once) through a
  simulated system (clock drift +-100 ppm, fractional delay, gain ramp, AGC, a low-pass converter,
  noise at -80/-60/-40 dBFS), per condition: smallest pop and shortest drop found in every kind
  (and at each drop size, the kinds that found it and what the misses were reported as),
  false glitches on clean passes, speed (reference mode); each row seeded by its place in the
  table, so ``--only`` gives a row's own figures; ``--clean-only``: the clean passes alone;
- ``--latency-drift``: MLS, log and linear sweeps through 0 / +-50 ppm, both polarities, clean and
  at -20 dB SNR: start-latency error, drift, confidence, uncertainty, time;
- ``--latency-trials N``: MLS, log and linear sweeps, N seeded random takes per condition (clean
  with +-50 ppm drift, -20 dB SNR without and with drift; random delay and polarity): start-latency
  error p50 / max, drift error p50 / max, refusals, the largest error in reported uncertainties,
  and the highest confidence given to a wrong reference;
- ``--tone-bursts N``: reference mode on N seeded tone-burst takes (random delay, drift, polarity,
  converter, noise): compared clean, refused, false glitches, the largest latency error;
- ``--field``: per field condition (noise + 2nd harmonic, +-100 ppm, 192 kHz, 8 kHz, AGC, DC), the
  smallest pop and the shortest drop/insert found at every seeded random position, false glitches
  on clean takes, and speed in multiples of real time.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from harness import analysis as A
from harness.reference_compare import compare_to_reference

FS = 48_000
F0 = A.DEFAULT_TEST_FREQUENCY_HZ


def _tone(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = A.sine(F0, seconds, FS, 0.5)
    return (x + rng.standard_normal(x.size) * 1e-3).astype(np.float32)


def _best_of(n: int, fn: Any) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def glitch_speed(seconds: float = 120.0) -> float:
    x = _tone(seconds, 1)
    A.analyze_glitches(x[: FS], FS)  # warm up imports and caches
    return seconds / _best_of(3, lambda: A.analyze_glitches(x, FS, F0))


def latency_speed(seconds: float = 10.0) -> float:
    ref = A.mls(1.0, FS, 0.5, order=15)[: 2**15 - 1]
    rng = np.random.default_rng(2)
    n = int(seconds * FS)
    rec = A.fractional_delay(ref, 4321.25, n) + rng.standard_normal(n) * 0.01
    return seconds / _best_of(3, lambda: A.measure_latency(ref, rec, FS))


def _found(x: np.ndarray, kind: str, size: int | None, at: int) -> bool:
    gs = A.analyze_glitches(x, FS).glitches
    return (
        len(gs) == 1
        and gs[0].kind == kind
        and (size is None or gs[0].size == size)
        and abs(gs[0].start_frame - at) <= 10
    )


def pop_limit(positions: int = 64) -> dict[str, Any]:
    """Sweep pop amplitude downwards; the limit is the last one found at every position."""
    base = _tone(1.0, 3).astype(np.float64)
    ats = [20_000 + (i * 37) % 700 for i in range(positions)]
    smallest = None
    tolerance = A.analyze_glitches(base, FS).tolerance
    for amp in (0.05, 0.03, 0.02, 0.017, 0.015, 0.0125, 0.01, 0.0075, 0.005):
        ok = all(_found(A.add_pop(base, at, 1, s * amp), "click", None, at) for at in ats for s in (1, -1))
        if not ok:
            break
        smallest = amp
    return {"smallest_pop_always_found": smallest, "tolerance": tolerance, "pop_trials": positions * 2}


def drop_limit(positions: int = 32) -> dict[str, Any]:
    """For runs 27 down to 1 frame: found, named and sized right at every position?"""
    base = _tone(1.0, 4).astype(np.float64)
    ats = [20_000 + (i * 41) % 700 for i in range(positions)]
    shortest: dict[str, int | None] = {}
    for name, damage in (("dropped", A.drop_frames), ("inserted", A.insert_frames)):
        shortest[name] = None
        for n in range(27, 0, -1):
            if not all(_found(damage(base, at, n), name, n, at) for at in ats):
                break
            shortest[name] = n
    return {
        "shortest_drop_always_found": shortest["dropped"],
        "shortest_insert_always_found": shortest["inserted"],
        "drop_positions": positions,
    }


def latency_accuracy(trials: int = 40) -> dict[str, Any]:
    ref = A.mls(1.0, FS, 0.5, order=14)[: 2**14 - 1]
    rng = np.random.default_rng(5)
    n = ref.size + 48_000 + 100
    errors = []
    for delay in np.concatenate(([0.0, 0.5, 48_000.0], rng.uniform(0, 48_000, trials))):
        rec = 0.5 * A.fractional_delay(ref, float(delay), n) + rng.standard_normal(n) * 0.01
        r = A.measure_latency(ref, rec, FS)
        errors.append(abs(r.latency_frames - delay) if r.latency_frames is not None else float("inf"))
    noise_conf = [A.measure_latency(ref, rng.standard_normal(n) * 0.1, FS).confidence for _ in range(20)]
    return {
        "latency_max_error_frames": max(errors),
        "latency_rms_error_frames": float(np.sqrt(np.mean(np.square(errors)))),
        "latency_trials": len(errors),
        "max_confidence_on_noise": max(noise_conf),
    }


def rig_latency(repeats: int = 3) -> dict[str, Any]:
    """Round trip on the JACK rig: ``measure_latency`` on an MLS played through a software loop
    (our client's out -> its in) vs ``jack_iodelay`` on the same kind of loop on the same server.
    {'skipped': why} when the rig cannot run here."""
    from harness.rig.loopback import LoopbackRig, rig_unavailable_reason
    why = rig_unavailable_reason()
    if why:
        return {"skipped": why}
    import threading

    import jack  # JACK-Client, a project dependency

    with LoopbackRig(rate=FS, period=256) as rig:
        iod = rig.measure_iodelay(samples=5)
        ref = A.mls(1.0, FS, 0.5, order=15)[: 2**15 - 1].astype(np.float32)
        ours = []
        for _ in range(repeats):
            n = ref.size + FS // 2
            play = np.zeros(n, np.float32)
            play[: ref.size] = ref
            rec = np.zeros(n, np.float32)
            pos = [0]
            done = threading.Event()
            client = jack.Client("soundcheck-bench-latency", servername=rig.server_name, no_start_server=True)
            out = client.outports.register("out")
            inp = client.inports.register("in")

            @client.set_process_callback
            def process(frames: int) -> None:
                # like jack_iodelay: read the input, then write the output (a self-loop's input is
                # the output port's buffer, so reading first hears the previous cycle)
                i = pos[0]
                k = max(0, min(frames, n - i))
                if k:
                    rec[i:i + k] = inp.get_array()[:k]
                o = out.get_array()
                o[:] = 0
                if k:
                    o[:k] = play[i:i + k]
                    pos[0] = i + k
                elif not done.is_set():
                    done.set()

            client.activate()
            try:
                client.connect(out, inp)
                pos[0] = 0  # start the take once the loop is wired
                done.clear()
                if not done.wait(10):
                    raise TimeoutError("the MLS take did not finish in 10 s")
            finally:
                client.deactivate()
                client.close()
            r = A.measure_latency(ref, rec, FS)
            ours.append(r.latency_frames)
    got = [x for x in ours if x is not None]
    med = float(np.median(got)) if got else None
    return {"iodelay_frames": iod.frames, "iodelay_ms": iod.ms, "ours_frames": ours, "ours_median_frames": med,
            "difference_frames": None if med is None else round(med - iod.frames, 3)}


#: name -> (field_tone arguments, sample rate); the conditions of tests/harness/test_analysis_field.py
FIELD_CONDITIONS: dict[str, tuple[dict[str, Any], int]] = {
    "clean (-80 dBFS noise)": (dict(noise_rms=1e-4), 48_000),
    "noise -60 dBFS + 2nd harmonic -40 dB": (dict(noise_rms=1e-3, harmonic2_db=-40.0), 48_000),
    "+100 ppm": (dict(noise_rms=1e-4, clock_ppm=100.0), 48_000),
    "-100 ppm, 44.1 kHz": (dict(noise_rms=1e-4, clock_ppm=-100.0), 44_100),
    "192 kHz": (dict(noise_rms=1e-4), 192_000),
    "192 kHz, 100 Hz tone": (dict(noise_rms=1e-4, frequency_hz=100.0), 192_000),
    "8 kHz": (dict(noise_rms=1e-4), 8_000),
    "AGC +-20 % at 0.5 Hz": (dict(noise_rms=1e-4, agc_depth=0.2, agc_hz=0.5), 48_000),
    "DC 0.1": (dict(noise_rms=1e-4, dc=0.1), 48_000),
    "all: -60 dBFS, h2, +73 ppm, AGC, DC": (dict(noise_rms=1e-3, harmonic2_db=-40.0, clock_ppm=73.0,
                                                 agc_depth=0.15, agc_hz=0.3, dc=0.02), 48_000),
}

_POP_SWEEP = (0.05, 0.03, 0.02, 0.015, 0.01, 0.0075, 0.005, 0.003, 0.002, 0.0015, 0.001, 0.00075, 0.0005)


def field_limits(trials: int = 12, clean_takes: int = 6, seconds: float = 2.0) -> list[dict[str, Any]]:
    """Per field condition: smallest pop and shortest drop/insert found at every one of ``trials``
    seeded random positions (and signs), false glitches over ``clean_takes`` clean takes, speed."""
    rows = []
    for name, (kw, fs) in FIELD_CONDITIONS.items():
        f0 = float(kw.get("frequency_hz", F0))
        rng = np.random.default_rng(len(rows) + 11)
        takes = [A.field_tone(seconds, fs, seed=100 + i, **kw) for i in range(trials)]
        ats = [int(rng.integers(fs // 4, int((seconds - 0.25) * fs))) for _ in range(trials)]
        signs = [1 if rng.random() < 0.5 else -1 for _ in range(trials)]

        def found(y: np.ndarray, kind: str, size: int | None, at: int) -> bool:
            gs = A.analyze_glitches(y, fs, f0).glitches
            return len(gs) == 1 and gs[0].kind == kind and (size is None or gs[0].size == size) \
                and abs(gs[0].start_frame - at) <= 10

        smallest = None
        for amp in _POP_SWEEP:
            if not all(found(A.add_pop(x, at, 1, s * amp), "click", None, at) for x, at, s in zip(takes, ats, signs)):
                break
            smallest = amp
        shortest: dict[str, int | None] = {}
        for kind, damage in (("dropped", A.drop_frames), ("inserted", A.insert_frames)):
            shortest[kind] = None
            for n in (1, 2, 5, 9):
                if all(found(damage(x, at, n), kind, n, at) for x, at in zip(takes, ats)):
                    shortest[kind] = n
                    break
        false = sum(len(A.analyze_glitches(A.field_tone(seconds, fs, seed=500 + i, **kw), fs, f0).glitches)
                    for i in range(clean_takes))
        long_take = A.field_tone(10.0, fs, seed=9, **kw).astype(np.float32)
        speed = 10.0 / _best_of(2, lambda: A.analyze_glitches(long_take, fs, f0))
        fast = 10.0 / _best_of(2, lambda: A.analyze_glitches(long_take, fs, f0, measure_levels=False,
                                                               frequency_known=True))
        rows.append({"condition": name, "rate": fs, "smallest_pop": smallest, "pop_trials": trials,
                     "shortest_drop": shortest["dropped"], "shortest_insert": shortest["inserted"],
                     "false_glitches": false, "clean_takes": clean_takes, "x_realtime": speed,
                     "x_realtime_audio_check_mode": fast})
    return rows


def print_field(rows: list[dict[str, Any]]) -> None:
    print(f"{'condition':<38} {'rate':>6} {'pop':>8} {'drop':>5} {'ins':>4} {'false':>6} {'x rt':>6} {'x rt chk':>8}")
    for r in rows:
        print(f"{r['condition']:<38} {r['rate']:>6} {str(r['smallest_pop']):>8} {str(r['shortest_drop']):>5} "
              f"{str(r['shortest_insert']):>4} {r['false_glitches']:>3}/{r['clean_takes']:<2} "
              f"{r['x_realtime']:>6.0f} {r['x_realtime_audio_check_mode']:>8.0f}")
    print(f"(pop: smallest 1-sample pop on a 0.5 tone found as a click within 10 frames at all "
          f"{rows[0]['pop_trials']} seeded positions and signs; drop/ins: shortest run of 1, 2, 5, 9 frames "
          "found, named and sized at all of them; false: glitches over clean takes; x rt: 10 s take, "
          "default mode / audio-check mode)")


def _log_sweep(seconds: float, f1: float = 20.0, f2: float = 20_000.0) -> np.ndarray:
    t = np.arange(int(seconds * FS)) / FS
    k = seconds / np.log(f2 / f1)
    return 0.5 * np.sin(2 * np.pi * f1 * k * (np.exp(t / k) - 1))


def _lin_sweep(seconds: float, f1: float = 20.0, f2: float = 20_000.0) -> np.ndarray:
    t = np.arange(int(seconds * FS)) / FS
    return 0.5 * np.sin(2 * np.pi * (f1 * t + (f2 - f1) * t * t / (2 * seconds)))


def latency_drift(seconds: float = 10.0) -> list[dict[str, Any]]:
    """10 s MLS and log-sweep references through a path whose clock is 0 / +-50 ppm off, with
    an inverted polarity case, clean and at -20 dB SNR: error of the start latency, drift
    estimate, confidence, polarity and time per measurement."""
    rows = []
    rng = np.random.default_rng(3)
    for name, ref in (("mls", A.mls(seconds, FS, 0.5)), ("log sweep", _log_sweep(seconds)),
                      ("lin sweep", _lin_sweep(seconds))):
        for ppm in (0.0, 50.0, -50.0):
            for snr, pol in ((None, 1), (None, -1), (-20.0, 1)):
                delay = 1234.3 + float(rng.random())
                st = A._stretch(ref, 1 + ppm * 1e-6) if ppm else ref
                rec = pol * 0.7 * A.fractional_delay(st, delay, st.size + 4000)
                if snr is not None:
                    p = float(np.sqrt(np.mean(rec[rec != 0] ** 2)))
                    rec = rec + rng.standard_normal(rec.size) * p * 10 ** (-snr / 20)
                t0 = time.process_time()
                r = A.measure_latency(ref, rec, FS)
                dt = time.process_time() - t0
                rows.append({"ref": name, "ppm": ppm, "snr_db": snr, "polarity_in": pol,
                             "error_frames": None if r.latency_frames is None else r.latency_frames - delay,
                             "drift_ppm": r.drift_ppm, "confidence": r.confidence, "polarity": r.polarity,
                             "uncertainty": r.uncertainty_frames, "seconds": dt})
    return rows


def print_latency_drift(rows: list[dict[str, Any]]) -> None:
    print(f"{'reference':<10} {'ppm':>5} {'SNR':>5} {'pol':>4} {'error fr':>9} {'drift ppm':>9} {'conf':>5} {'pol':>4} "
          f"{'+-fr':>6} {'cpu s':>6}")
    for r in rows:
        err = "refused" if r["error_frames"] is None else f"{r['error_frames']:+.3f}"
        snr = "clean" if r["snr_db"] is None else f"{r['snr_db']:.0f}"
        print(f"{r['ref']:<10} {r['ppm']:>5.0f} {snr:>5} {r['polarity_in']:>4} {err:>9} {r['drift_ppm']:>9.2f} "
              f"{r['confidence']:>5.2f} {r['polarity']:>4} "
              f"{(r['uncertainty'] if r['uncertainty'] is not None else float('nan')):>6.3f} {r['seconds']:>6.2f}")
    for kind, name in (("mls", "mls"), ("log", "log sweep"), ("lin", "lin sweep")):
        sd, sd_ppm = latency_bound(kind)
        print(f"{name:<10} Cramer-Rao bound at -20 dB SNR, delay and drift unknown: start {sd:.3f} frames, "
              f"drift {sd_ppm:.2f} ppm (standard deviations)")
    print("(10 s references, delay 1234-1235 frames; error fr: start latency minus truth, 'refused' when the "
          "confidence is below 0.5; +-fr: the reported uncertainty_frames; cpu s: CPU time per measurement. A log "
          "sweep spends its first seconds on low frequencies, which time nothing finely: with the drift unknown "
          "its start is extrapolated from its high end, and no estimator does better than its bound)")


def latency_take(kind: str, seconds: float, fs: int, delay: float, ppm: float, polarity: int,
                 snr_db: float | None, seed: int, tail: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """(reference, recording): ``kind`` ("mls", "log", "lin") recorded ``delay`` frames late by a
    clock ``ppm`` slow (the reference arrives stretched by 1 + ppm 1e-6), ``polarity``, white noise
    at ``snr_db`` against the recorded signal's power (None: clean). Sweeps are evaluated
    analytically at the recording's frame times; the MLS is stretched by ``_stretch`` and delayed
    by ``fractional_delay`` (band-limited, as a converter would)."""
    rng = np.random.default_rng(seed)
    if kind == "mls":
        ref = A.mls(seconds, fs, 0.5)
        st = A._stretch(ref, 1 + ppm * 1e-6) if ppm else ref
        rec = polarity * 0.7 * A.fractional_delay(st, delay, st.size + tail)
    else:
        n = int(seconds * fs)
        ref = A.sweep_at(np.arange(n, dtype=np.float64), n, fs, logarithmic=kind == "log")
        m = np.arange(int(n * (1 + abs(ppm) * 1e-6) + delay) + tail, dtype=np.float64)
        rec = polarity * 0.7 * A.sweep_at((m - delay) / (1 + ppm * 1e-6), n, fs, logarithmic=kind == "log")
    if snr_db is not None:
        p = float(np.sqrt(np.mean(rec[rec != 0] ** 2)))
        rec = rec + rng.standard_normal(rec.size) * p * 10 ** (-snr_db / 20)
    return ref, rec


#: name -> (ppm range +-, SNR dB or None); every trial also gets a random delay and polarity
LATENCY_CONDITIONS: dict[str, tuple[float, float | None]] = {
    "clean, drift +-50 ppm": (50.0, None),
    "-20 dB SNR, no drift": (0.0, -20.0),
    "-20 dB SNR, drift +-50 ppm": (50.0, -20.0),
}


def latency_trials(trials: int = 8, seconds: float = 10.0) -> list[dict[str, Any]]:
    """Per reference (MLS, log and linear sweep) and condition, ``trials`` seeded random takes
    (delay 100..5000 frames, polarity, drift uniform in the condition's range): start-latency
    error p50 / max, drift error p50 / max, refusals, lowest confidence, wrong polarity, the
    largest error in units of the reported uncertainty; and per reference, the highest
    confidence given to a wrong reference (the recording of another stimulus)."""
    rows = []
    for ki, kind in enumerate(("mls", "log", "lin")):
        for ci, (name, (ppm_max, snr)) in enumerate(LATENCY_CONDITIONS.items()):
            errs, derrs, confs, zs, uncs = [], [], [], [], []
            refused = wrong_pol = 0
            cpu = 0.0
            for t in range(trials):
                rng = np.random.default_rng(1000 * ki + 100 * ci + t)
                delay = float(rng.uniform(100, 5000))
                ppm = float(rng.uniform(-ppm_max, ppm_max))
                pol = 1 if rng.random() < 0.5 else -1
                ref, rec = latency_take(kind, seconds, FS, delay, ppm, pol, snr, seed=t)
                t0 = time.process_time()
                r = A.measure_latency(ref, rec, FS)
                cpu += time.process_time() - t0
                confs.append(r.confidence)
                if r.latency_frames is None:
                    refused += 1
                    continue
                wrong_pol += r.polarity != pol
                e = abs(r.latency_frames - delay)
                errs.append(e)
                derrs.append(abs(r.drift_ppm - ppm))
                if r.uncertainty_frames:
                    zs.append(e / r.uncertainty_frames)
                    uncs.append(r.uncertainty_frames)
            rows.append({"ref": kind, "condition": name, "trials": trials, "refused": refused,
                         "wrong_polarity": wrong_pol,
                         "err_p50": float(np.median(errs)) if errs else None,
                         "err_max": max(errs) if errs else None,
                         "drift_err_p50": float(np.median(derrs)) if derrs else None,
                         "drift_err_max": max(derrs) if derrs else None,
                         "min_conf": min(confs), "unc_p50": float(np.median(uncs)) if uncs else None,
                         "z_max": max(zs) if zs else None, "cpu_s": cpu / trials})
        others = [k for k in ("mls", "log", "lin") if k != kind]
        wrong = []
        for t in range(max(2, trials // 2)):
            rng = np.random.default_rng(5000 + 10 * ki + t)
            ref, _ = latency_take(kind, seconds, FS, 0.0, 0.0, 1, None, seed=t)
            _, rec = latency_take(others[t % 2], seconds, FS, float(rng.uniform(100, 5000)),
                                  float(rng.uniform(-50, 50)), 1, -20.0 if t % 4 >= 2 else None, seed=t)
            wrong.append(A.measure_latency(ref, rec, FS).confidence)
        rows.append({"ref": kind, "condition": f"wrong reference ({'/'.join(others)} recorded)",
                     "trials": len(wrong), "wrong_max_conf": max(wrong)})
    return rows


def latency_bound(kind: str, seconds: float = 10.0, snr_db: float = -20.0) -> tuple[float, float]:
    """Cramer-Rao standard deviations (start latency in frames, drift in ppm) of a ``latency_take``
    at ``snr_db`` with delay and drift unknown together: the yardstick for the trials' errors."""
    import scipy.fft as sfft

    _, clean = latency_take(kind, seconds, FS, 0.0, 0.0, 1, None, seed=0)
    sigma = float(np.sqrt(np.mean(clean[clean != 0] ** 2))) * 10 ** (-snr_db / 20)
    n = sfft.next_fast_len(clean.size)
    spec = sfft.rfft(clean, n)
    d = sfft.irfft(spec * 2j * np.pi * np.arange(spec.size) / n, n)[: clean.size]
    t = np.arange(clean.size, dtype=np.float64)
    cov = np.linalg.inv(np.array([[d @ d, (t * d) @ d], [(t * d) @ d, (t * t * d) @ d]]) / sigma**2)
    return float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1])) * 1e6


#: the latency table's columns after the refusals: (header, width, row key, format)
LATENCY_DETAIL = (("pol!", 4, "wrong_polarity", "d"), ("conf min", 8, "min_conf", ".2f"),
                  ("+-fr p50", 8, "unc_p50", ".4f"), ("max z", 6, "z_max", ".1f"), ("cpu s", 6, "cpu_s", ".2f"))
LATENCY_LEGEND = ("(10 s references at 48 kHz, seeded random delay 100..5000 frames, polarity and drift; err: |start "
                  "latency - truth| in frames; ppm: |drift - truth|; pol!: wrong polarity; +-fr: reported "
                  "uncertainty_frames; max z: largest error / reported uncertainty; cpu s: per measurement)")


def print_latency_trials(rows: list[dict[str, Any]],
                         detail: tuple[tuple[str, int, str, str], ...] = LATENCY_DETAIL,
                         legend: str = LATENCY_LEGEND, bounds: bool = True) -> None:
    """``latency_trials``' rows as a table: error and drift error per reference and condition,
    then the ``detail`` columns; with ``bounds``, the Cramer-Rao bound of each reference at -20 dB
    SNR. One printer for every bench that measures latency this way."""
    def f(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    print(f"{'ref':<4} {'condition':<30} {'n':>3} {'err p50':>8} {'err max':>8} {'ppm p50':>8} {'ppm max':>8} "
          f"{'refused':>7}" + "".join(f" {h:>{w}}" for h, w, _, _ in detail))
    for r in rows:
        if "wrong_max_conf" in r:
            print(f"{r['ref']:<4} {r['condition']:<30} {r['trials']:>3}   highest confidence {r['wrong_max_conf']:.2f} "
                  "(refused below 0.5)")
            continue
        print(f"{r['ref']:<4} {r['condition']:<30} {r['trials']:>3} {f(r['err_p50'], '.4f'):>8} "
              f"{f(r['err_max'], '.4f'):>8} {f(r['drift_err_p50'], '.3f'):>8} {f(r['drift_err_max'], '.3f'):>8} "
              f"{r['refused']:>7}" + "".join(f" {f(r[k], fmt):>{w}}" for _, w, k, fmt in detail))
    if bounds:
        for kind in ("mls", "log", "lin"):
            sd, sd_ppm = latency_bound(kind)
            print(f"{kind:<4} Cramer-Rao bound at -20 dB SNR (delay and drift unknown): start {sd:.4f} frames, "
                  f"drift {sd_ppm:.3f} ppm (standard deviations)")
    print(legend)


#: impairments of the simulated system: name -> through_system arguments (every take also gets
#: a fractional delay of a few hundred frames, different per take)
REFERENCE_CONDITIONS: dict[str, dict[str, Any]] = {
    "plain: gain 0.5, -80 dBFS noise": dict(gain=0.5, noise_rms=1e-4),
    "clock +100 ppm": dict(gain=0.5, drift_ppm=100.0, noise_rms=1e-4),
    "clock -100 ppm": dict(gain=0.5, drift_ppm=-100.0, noise_rms=1e-4),
    "gain ramp -50 % (fade)": dict(gain=0.7, gain_ramp=-0.5, noise_rms=1e-4),
    "AGC +-10 % at 0.3 Hz": dict(gain=0.5, gain_wobble=0.1, noise_rms=1e-4),
    "converter low-pass 16 kHz": dict(gain=0.5, lowpass_hz=16_000.0, noise_rms=1e-4),
    "noise -60 dBFS": dict(gain=0.5, noise_rms=1e-3),
    "noise -40 dBFS": dict(gain=0.5, noise_rms=1e-2),
    "all: -70 ppm, 18 kHz LP, AGC, fade, -60 dBFS": dict(gain=0.6, drift_ppm=-70.0, lowpass_hz=18_000.0,
                                                          gain_wobble=0.1, gain_ramp=-0.3, noise_rms=1e-3),
    # noiseless paths: the comparison's own error (and the file's quantisation) is the floor
    "noiseless: +40 ppm, 18 kHz LP, float32": dict(gain=0.6, drift_ppm=40.0, lowpass_hz=18_000.0, quantize="float32"),
    "noiseless: -60 ppm, 16 kHz LP, int16": dict(gain=0.6, drift_ppm=-60.0, lowpass_hz=16_000.0, quantize="int16"),
}


def _quantized(x: np.ndarray, how: str | None) -> np.ndarray:
    """``x`` as a float32 or int16 file holds it (None: as it is)."""
    if how == "float32":
        return x.astype(np.float32).astype(np.float64)
    if how == "int16":
        return np.clip(np.round(x * 32768.0), -32768, 32767) / 32768.0
    return x
_REF_POPS = (0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005)
_REF_DROPS = (1, 2, 5, 9)


def _reported(y: np.ndarray, ref: np.ndarray) -> str:
    """What the comparison made of a damaged take, for a miss's line: the first glitches as
    kind+size@frame (+-its stated position uncertainty, where it states one), "nothing", or the
    refusal."""
    try:
        gs = compare_to_reference(y, ref, FS).glitches
    except A.AnalysisError:
        return "refused"
    return ", ".join(f"{g.kind}+{g.size_frames}@{g.start_frame}"
                     + (f"+-{g.position_uncertainty_frames}" if g.position_uncertainty_frames else "")
                     for g in gs[:3]) or "nothing"


def step_energy(clean: np.ndarray, at: int, n: int, noise_rms: float) -> float:
    """What ``n`` frames dropped at ``at`` leave that no one delay explains, in the noise's
    variances: the comparison's step test reads, over two blocks each side of a step, the error
    one filter leaves between the damaged take and the undamaged one (either side's delay; the
    filter takes in any delay between) in the judged band, less what the two delays leave (none,
    without noise), and demands more than ``reference_compare._STEP_SIGNIFICANCE`` variances of
    the noise in that band (a second line takes tens off pure noise). ``clean`` is the take
    without noise (the same path, the noise left out). Below that demand a drop is under the
    test's floor at that noise: expected to be missed, not a miss of the method's making. Above
    it the test may still miss (noise takes as much off as it adds) and find below it."""
    from harness import reference_compare as R

    block = R._block_size(FS)
    n0, n1 = at - 2 * block, at + 2 * block
    y = A.drop_frames(clean, at, n)[n0:n1]
    e_one = min(R._step_error(clean[n0:n1], y, R._JUDGE_CUTOFF)[0],
                R._step_error(clean[n0 + n: n1 + n], y, R._JUDGE_CUTOFF)[0])
    e_step = R._step_error(y, y, R._JUDGE_CUTOFF)[0]
    judge = R._judge_filter(R._JUDGE_CUTOFF)
    return (e_one - e_step) / max(noise_rms ** 2 * float(np.dot(judge, judge)), 1e-30)


def reference_limits(materials: tuple[str, ...] | None = None, seconds: float = 2.0,
                     conditions: tuple[str, ...] | None = None, ladders: bool = True) -> list[dict[str, Any]]:
    """Program material through a simulated system (``reference_compare.through_system``), per
    condition, over every kind of ``reference_compare.PROGRAM_KINDS`` (one take each, a seeded
    random loud position in it):

    - false glitches over clean takes of every material (other seeds than the damaged ones); a
      material whose clean take is refused counts as a false glitch there and is left out of the
      pop and drop ladders, so that one refused material does not blank the row;
    - the smallest 1-sample pop (signs alternating) found as the only glitch, a pop, within 10
      frames, in every material (the pop ladder is bisected: it assumes a larger pop is found
      wherever a smaller one is);
    - the shortest of 1, 2, 5, 9 dropped frames found as the only glitch, ``dropped``, sized
      right, within 10 frames, in every material; at every size, in how many materials it was
      found, and what the comparison made of each miss;
    - speed in multiples of real time (CPU time over all the clean takes).

    ``ladders=False``: the clean takes only (false glitches and speed; pop and drop unmeasured).
    """
    from harness import reference_compare as R

    kinds = tuple(materials or R.PROGRAM_KINDS)
    rows = []
    for name in conditions or tuple(REFERENCE_CONDITIONS):
        # a row's seeds follow its place in the table, not in the selection: a row run alone
        # (``--only``) gives the figures it gives in the whole table
        ci = list(REFERENCE_CONDITIONS).index(name)
        kw = dict(REFERENCE_CONDITIONS[name])
        quantize = kw.pop("quantize", None)
        takes = []
        cleans: list[np.ndarray] = []  # each take's path without its noise (``step_energy``)
        laddered_kinds: list[str] = []
        false = 0
        false_where: list[str] = []
        cpu = 0.0
        for mi, kind in enumerate(kinds):
            rng = np.random.default_rng(1000 * ci + mi)
            ref = R.program_material(kind, seconds, FS, seed=mi)  # type: ignore[arg-type]
            delay = float(rng.uniform(200, 900))
            rec = R.through_system(ref, FS, delay_frames=delay, tail_frames=2000, seed=mi, **kw)
            # the noise is the path's last draw: left out, the rest of the path is the same
            clean = R.through_system(ref, FS, delay_frames=delay, tail_frames=2000, seed=mi,
                                     **{**kw, "noise_rms": 0.0})
            loud = np.flatnonzero(np.abs(rec) > 0.05)
            loud = loud[(loud > FS // 3) & (loud < rec.size - FS // 3)]
            take = (_quantized(ref, quantize), _quantized(rec, quantize), int(rng.choice(loud)))
            ref_c = R.program_material(kind, seconds, FS, seed=50 + mi)  # type: ignore[arg-type]
            rec_c = R.through_system(ref_c, FS, delay_frames=float(rng.uniform(200, 900)), tail_frames=2000,
                                     seed=60 + mi, **kw)
            ref_c, rec_c = _quantized(ref_c, quantize), _quantized(rec_c, quantize)
            t0 = time.process_time()
            try:
                takes.append(take)
                cleans.append(clean)
                laddered_kinds.append(kind)
                gs = compare_to_reference(rec_c, ref_c, FS).glitches
                if gs:
                    false += len(gs)
                    false_where.append(f"{kind}: " + ", ".join(f"{g.kind}@{g.start_frame}" for g in gs[:3]))
            except A.AnalysisError as exc:
                false += 1  # a clean pass refused is as wrong as a false glitch
                false_where.append(f"{kind}: refused ({exc})")
                takes.pop()  # and the material is left out of the ladders
                cleans.pop()
                laddered_kinds.pop()
            cpu += time.process_time() - t0

        def verdict(y: np.ndarray, ref: np.ndarray, kind: str, size: int | None, at: int) -> str:
            """"found" (the only glitch, of that kind and size, within 10 frames), "spanned"
            (so, but further than 10 frames, within the position uncertainty it states), or
            "missed"."""
            try:
                gs = compare_to_reference(y, ref, FS).glitches
            except A.AnalysisError:
                return "missed"
            if not (len(gs) == 1 and gs[0].kind == kind and (size is None or gs[0].size_frames == size)):
                return "missed"
            off = abs(gs[0].start_frame - at)
            return "found" if off <= 10 else "spanned" if off <= gs[0].position_uncertainty_frames else "missed"

        def one(y: np.ndarray, ref: np.ndarray, kind: str, size: int | None, at: int) -> bool:
            return verdict(y, ref, kind, size, at) == "found"

        def pops_found(amp: float) -> bool:
            return all(one(_quantized(A.add_pop(rec, at, 1, amp * (1 if i % 2 else -1)), quantize), ref, "pop", None,
                           at)
                       for i, (ref, rec, at) in enumerate(takes))

        if not ladders:
            rows.append({"condition": name, "smallest_pop": "-", "shortest_drop": "-", "drops_found": None,
                         "drop_misses": [], "materials": len(kinds), "laddered": len(takes),
                         "false_glitches": false, "false_where": false_where,
                         "x_realtime_cpu": len(kinds) * seconds / max(cpu, 1e-9)})
            continue
        lo, hi = -1, len(_REF_POPS)  # _REF_POPS[lo] found (or none yet); _REF_POPS[hi] not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if pops_found(_REF_POPS[mid]):
                lo = mid
            else:
                hi = mid
        # every size in every kind (not the first size all kinds find and a stop): a single kind
        # that misses every size blanks "shortest", and the counts and misses say which and how
        # a drop found further than 10 frames off but within the uncertainty the report states
        # is not counted found; it is counted apart ("in +-"), and a miss whose step leaves less
        # than the step test demands of the noise (``step_energy``) is counted apart ("floor")
        drops_found: dict[int, int] = {}
        drops_spanned: dict[int, int] = {}
        drops_floor: dict[int, int] = {}
        drop_misses: list[str] = []
        noise_rms = float(kw.get("noise_rms", 0.0))
        for n in _REF_DROPS:
            drops_found[n] = drops_spanned[n] = drops_floor[n] = 0
            for (ref, rec, at), clean, kind in zip(takes, cleans, laddered_kinds, strict=True):
                y = A.drop_frames(rec, at, n)
                v = verdict(y, ref, "dropped", n, at)
                if v == "found":
                    drops_found[n] += 1
                    continue
                why = ""
                if v == "spanned":
                    drops_spanned[n] += 1
                    why = " (within its stated +-)"
                elif noise_rms > 0:
                    d = step_energy(_quantized(clean, quantize), at, n, noise_rms)
                    if d < R._STEP_SIGNIFICANCE:
                        drops_floor[n] += 1
                        why = f" (below the step test's floor: {d:.1f} noise variances, {R._STEP_SIGNIFICANCE:.0f} needed)"
                drop_misses.append(f"{n} at {at} in {kind}: {_reported(y, ref)}{why}")
        shortest = next((n for n in _REF_DROPS if drops_found[n] == len(takes)), None)
        rows.append({"condition": name, "smallest_pop": _REF_POPS[lo] if lo >= 0 else None,
                     "shortest_drop": shortest, "drops_found": drops_found, "drop_misses": drop_misses,
                     "drops_spanned": drops_spanned, "drops_floor": drops_floor,
                     "materials": len(kinds), "laddered": len(takes),
                     "false_glitches": false,
                     "false_where": false_where, "x_realtime_cpu": len(kinds) * seconds / max(cpu, 1e-9)})
    return rows


def program_runs(kinds: tuple[str, ...], seeds: int, seconds: float, faults: tuple[str, ...]) -> list[dict[str, Any]]:
    """``soundcheck run --program`` on the simulated device: per program kind, fault profile and
    seed, one run (a ``program_material`` take of 8 s as the program): its ``clean_audio``
    verdict, glitches outside every window (false alarms: must be 0), glitches inside the fault
    windows (the damage shown), device-gap windows heard, the frames analysed, and the run's speed
    in multiples of real time (wall; the simulation included)."""
    import tempfile
    from pathlib import Path

    from harness import ReliabilityRun, RunSpec
    from harness.reference_compare import program_material

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-program-") as d:
        for kind in kinds:
            for s in range(1, seeds + 1):
                prog = Path(d) / f"{kind}-{s}.wav"
                A.write_wav(prog, program_material(kind, 8.0, FS, seed=s), FS)  # type: ignore[arg-type]
                for f in faults:
                    t0 = time.perf_counter()
                    res = ReliabilityRun(RunSpec(duration_s=seconds, seed=s, faults=f, program=prog,
                                                 run_dir=Path(d) / f"run-{kind}-{s}-{f}")).execute(reports=False)
                    wall = time.perf_counter() - t0
                    a = res.summary["audio"]
                    v = next(v for v in res.verdicts if v.name == "clean_audio")
                    gaps = [w for w in a["windows"]["items"] if w["device_gap_frames"]]
                    rows.append({"kind": kind, "seed": s, "faults": f,
                                 "verdict": "inconclusive" if v.inconclusive else ("held" if v.ok else "violated"),
                                 "outside": a["outside"]["glitches"], "outside_by_kind": a["outside"]["by_kind"],
                                 "in_windows": a["glitches"]["by_window"].get("fault", 0),
                                 "gap_windows_heard": f"{sum(1 for w in gaps if w['glitches'])}/{len(gaps)}",
                                 "inconsistent": a["windows"]["inconsistent_count"],
                                 "analysed": a["frames"]["analysed"] / max(a["frames"]["timeline"], 1),
                                 "x_realtime": seconds / wall})
                    r = rows[-1]
                    print(f"{kind:<8} {s:>4} {f:<8} {r['verdict']:<12} {r['outside']:>7} {r['in_windows']:>6} "
                          f"{r['gap_windows_heard']:>7} {r['inconsistent']:>6} {r['analysed']:>8.2f} {r['x_realtime']:>6.1f}"
                          + (f"  outside: {r['outside_by_kind']}" if r["outside"] else ""), flush=True)
    return rows


def print_reference(rows: list[dict[str, Any]], header: bool = True, footer: bool = True) -> None:
    if header:
        sizes = "/".join(str(n) for n in _REF_DROPS)
        print(f"{'condition':<46} {'pop':>7} {'drop':>5} {'found ' + sizes:>16} {'in +-':>8} {'floor':>8} "
              f"{'kinds':>5} {'false':>6} {'x rt cpu':>8}")
    for r in rows:
        def per(key: str) -> str:
            return "-" if r.get(key) is None else "/".join(str(r[key][n]) for n in _REF_DROPS)
        print(f"{r['condition']:<46} {str(r['smallest_pop']):>7} {str(r['shortest_drop']):>5} "
              f"{per('drops_found'):>16} {per('drops_spanned'):>8} {per('drops_floor'):>8} "
              f"{r['laddered']:>5} {r['false_glitches']:>3}/{r['materials']:<2} {r['x_realtime_cpu']:>8.1f}",
              flush=True)
        for w in r["false_where"]:
            print(f"    false: {w}", flush=True)
        for w in r["drop_misses"]:
            print(f"    drop missed: {w}", flush=True)
    if not footer or not rows:
        return
    print(f"(over {rows[0]['materials']} program kinds, 2 s takes at 48 kHz; pop: smallest 1-sample pop found "
          "as the only glitch, a pop, within 10 frames, at a seeded loud position in every kind not refused; drop: "
          "shortest of 1, 2, 5, 9 dropped frames found, named and sized, within 10 frames, in every kind laddered; "
          "found: at each size, the kinds where it was; in +-: the kinds where it was found, named and sized, "
          "further than 10 frames off but within the position uncertainty the report states (not counted found); "
          "floor: the kinds where it was missed and the step leaves less than the comparison's step test demands "
          "of that noise (bench_analysis.step_energy; counted missed all the same); kinds: the kinds laddered (a kind whose "
          "clean take is refused is left out); false: glitches over one clean take per kind; "
          "x rt cpu: CPU time of the clean takes, reference mode)")


def run(seconds: float = 120.0, quick: bool = False) -> dict[str, Any]:
    """All figures as a flat dict (for a suite runner)."""
    out: dict[str, Any] = {
        "glitch_x_realtime_48k": glitch_speed(seconds),
        "latency_x_realtime_48k": latency_speed(),
    }
    out.update(pop_limit(16 if quick else 64))
    out.update(drop_limit(8 if quick else 32))
    out.update(latency_accuracy(10 if quick else 40))
    try:
        out["rig_latency"] = rig_latency(1 if quick else 3)
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not crash
        out["rig_latency"] = {"skipped": f"{type(exc).__name__}: {exc}"}
    return out


def tone_burst_locks(takes: int = 40, seconds: float = 2.0) -> dict[str, Any]:
    """Reference mode on tone bursts (``gaps`` material, seeds 200..), each through a seeded path:
    delay 100-3000 frames, clock within +-100 ppm, either polarity, a 15-20 kHz converter, noise
    -100 to -50 dBFS. Counts takes compared clean, refused and with false glitches, and the
    largest latency error against the pure delay (the converter's group delay is in it) and
    wrong polarities: a lock a carrier period or a burst off would show as tens of frames."""
    from harness import reference_compare as R

    out = {"takes": takes, "clean": 0, "refused": 0, "false_glitches": 0, "wrong_polarity": 0,
           "max_latency_error_frames": 0.0}
    for seed in range(200, 200 + takes):
        rng = np.random.default_rng(seed)
        ref = R.program_material("gaps", seconds, FS, seed=seed)
        delay, ppm = float(rng.uniform(100, 3000)), float(rng.uniform(-100, 100))
        pol = 1 if rng.random() < 0.5 else -1
        rec = R.through_system(ref, FS, delay_frames=delay, gain=float(rng.uniform(0.3, 0.9)), drift_ppm=ppm,
                               polarity=pol, lowpass_hz=float(rng.uniform(15_000, 20_000)),
                               noise_rms=float(10 ** rng.uniform(-5, -2.5)), tail_frames=2000, seed=seed)
        try:
            rep = compare_to_reference(rec, ref, FS)
        except A.AnalysisError:
            out["refused"] += 1
            continue
        out["max_latency_error_frames"] = max(out["max_latency_error_frames"], abs(rep.latency_frames - delay))
        out["wrong_polarity"] += int(rep.polarity != pol)
        out["false_glitches"] += len(rep.glitches)
        out["clean"] += int(not rep.glitches)
    return out

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=120.0, help="length of the speed-test take")
    ap.add_argument("--quick", action="store_true", help="fewer positions and trials")
    ap.add_argument("--field", action="store_true", help="only the field-condition table")
    ap.add_argument("--latency-drift", action="store_true", help="only the drifting-clock latency table")
    ap.add_argument("--reference", action="store_true", help="only the program-material (reference mode) table")
    ap.add_argument("--latency-trials", type=int, metavar="N", default=0,
                    help="only the latency table over N seeded random takes per reference and condition")
    ap.add_argument("--program-runs", type=int, metavar="SEEDS", default=0,
                    help="only `run --program` on the simulated device: SEEDS seeds per program kind, healthy and "
                         "under the default fault profile")
    ap.add_argument("--run-seconds", type=float, default=10.0, help="length of each --program-runs run")
    ap.add_argument("--only", metavar="TEXT", action="append", default=[],
                    help="with --reference: only the conditions whose name contains TEXT (repeatable)")
    ap.add_argument("--clean-only", action="store_true",
                    help="with --reference: only the clean takes (false glitches, speed), no pop or drop ladder")
    ap.add_argument("--tone-bursts", type=int, metavar="N", default=0,
                    help="only reference mode on N seeded tone-burst takes: locked, refused, false glitches")
    args = ap.parse_args()
    if args.program_runs:
        print(f"{'kind':<8} {'seed':>4} {'faults':<8} {'clean_audio':<12} {'outside':>7} {'inside':>6} "
              f"{'gaps':>7} {'incons':>6} {'analysed':>8} {'x rt':>6}")
        rows = program_runs(("music", "speech", "dense", "gaps"), args.program_runs, args.run_seconds,
                            ("none", "default"))
        for f in ("none", "default"):
            sel = [r for r in rows if r["faults"] == f]
            print(f"faults={f}: {sum(r['verdict'] == 'held' for r in sel)}/{len(sel)} held, "
                  f"{sum(r['outside'] for r in sel)} glitch(es) outside every window, "
                  f"{sum(r['inconsistent'] for r in sel)} window(s) of counted loss not heard; "
                  f"speed {min(r['x_realtime'] for r in sel):.1f}..{max(r['x_realtime'] for r in sel):.1f}x real time")
        print("(outside: glitches outside every fault window, false alarms; inside: glitches in fault windows; "
              "gaps: device-gap windows with a glitch heard / all; incons: windows whose counted loss was not "
              "heard; analysed: share of the timeline compared; x rt: wall, simulation included)")
        return
    if args.tone_bursts:
        print(tone_burst_locks(args.tone_bursts))
        return
    if args.latency_trials:
        print_latency_trials(latency_trials(args.latency_trials))
        return
    if args.reference:
        from harness.reference_compare import PROGRAM_KINDS
        names = tuple(n for n in REFERENCE_CONDITIONS if not args.only or any(t in n for t in args.only))
        for i, name in enumerate(names):  # a row at a time: the full table takes a while
            print_reference(reference_limits(PROGRAM_KINDS[1::2] if args.quick else None, conditions=(name,),
                                             ladders=not args.clean_only),
                            header=i == 0, footer=i == len(names) - 1)
        return
    if args.latency_drift:
        print_latency_drift(latency_drift())
        return
    if args.field:
        print_field(field_limits(6 if args.quick else 12, 3 if args.quick else 6))
        return
    r = run(args.seconds, args.quick)
    rows = [
        ("glitch analysis, 48 kHz mono", f"{r['glitch_x_realtime_48k']:.0f}x real time"),
        ("latency analysis, 48 kHz", f"{r['latency_x_realtime_48k']:.0f}x real time"),
        ("smallest pop always found", f"{r['smallest_pop_always_found']} on a 0.5 sine "
         f"(tolerance {r['tolerance']:.4f}, {r['pop_trials']} positions x signs)"),
        ("shortest drop always found", f"{r['shortest_drop_always_found']} frame(s) "
         f"(1..27 swept, {r['drop_positions']} positions)"),
        ("shortest insert always found", f"{r['shortest_insert_always_found']} frame(s)"),
        ("latency error, worst / rms", f"{r['latency_max_error_frames']:.4f} / {r['latency_rms_error_frames']:.4f} "
         f"frames over {r['latency_trials']} delays"),
        ("max confidence on pure noise", f"{r['max_confidence_on_noise']:.3f} (refused below 0.5)"),
        ("JACK rig round trip, ours vs jack_iodelay", r["rig_latency"]),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
