"""Latency through band-limiting paths: what each reference kind and the estimator make of them.

A benchmark, not a test: it prints one line per reference kind, filter and condition and never fails.

    python bench/bench_latency_band.py [SECONDS] [mls,lin,log]

Each take (48 kHz, SECONDS long, default 3) is ``bench_analysis.latency_take``'s (delay 1234.56
frames, inverted), then a linear-phase FIR (its (taps - 1) / 2 frames of delay are in the truth):
none, low-pass at 0.2, 0.1 and 0.05 of the rate, high-pass at 100 Hz, band-pass 300-3400 Hz;
clean at +50 ppm, and at -20 dB SNR (against the filtered recording's power) at -50 ppm.
Columns: start-latency error in frames ('refused' below the confidence bar), drift, confidence,
reported uncertainty, z = |error| / uncertainty (an honest error bar keeps it below ~3),
polarity, CPU seconds, the band the latency was measured in (``band_hz``) and a refusal's reason.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import scipy.signal as sps

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_analysis as B  # noqa: E402

from harness import analysis as A  # noqa: E402

FS = 48_000
FILTERS: dict[str, np.ndarray | None] = {
    "none": None,
    "FIR LP 0.2 fs": sps.firwin(255, 0.2 * 2),
    "FIR LP 0.1 fs": sps.firwin(255, 0.1 * 2),
    "FIR LP 0.05 fs": sps.firwin(511, 0.05 * 2),
    "FIR HP 100 Hz": sps.firwin(2047, 100, fs=FS, pass_zero=False),
    "FIR BP 300-3400": sps.firwin(1023, [300, 3400], fs=FS, pass_zero=False),
}


def main() -> None:
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    kinds = sys.argv[2].split(",") if len(sys.argv) > 2 else ["mls", "lin", "log"]
    for kind in kinds:
        for name, taps in FILTERS.items():
            for ppm, snr in ((50.0, None), (-50.0, -20.0)):
                delay = 1234.56
                ref, rec = B.latency_take(kind, secs, FS, delay, ppm, -1, None, seed=1)
                truth = delay
                if taps is not None:
                    rec = sps.lfilter(taps, 1.0, rec)
                    truth = delay + (taps.size - 1) / 2
                if snr is not None:
                    p = float(np.sqrt(np.mean(rec[np.abs(rec) > 1e-6] ** 2)))
                    rec = rec + np.random.default_rng(5).standard_normal(rec.size) * p * 10 ** (-snr / 20)
                t0 = time.process_time()
                r = A.measure_latency(ref, rec, FS)
                dt = time.process_time() - t0
                err = None if r.latency_frames is None else r.latency_frames - truth
                unc = r.uncertainty_frames
                z = None if err is None or not unc else abs(err) / unc
                band = getattr(r, "band_hz", None)
                print(f"{kind:4} {name:16} {ppm:+4.0f} {'clean' if snr is None else snr:>6} "
                      f"err {'refused' if err is None else f'{err:+.3f}':>8} drift {r.drift_ppm:+8.2f} "
                      f"conf {r.confidence:.2f} unc {unc if unc else float('nan'):.3f} "
                      f"z {z if z is not None else float('nan'):6.1f} pol {r.polarity:+d} cpu {dt:.1f}"
                      f" band {band and [round(x) for x in band]}"
                      + ("" if r.reason is None else "  " + r.reason[:90]), flush=True)


if __name__ == "__main__":
    main()
