"""Self-test of the latency measurement against the best any estimator can do.

Synthetic takes of an MLS, a linear and a log sweep, each at a seeded random delay, polarity,
clock drift (within +-50 ppm), sample rate (8 to 192 kHz) and noise (clean or -20 dB SNR). Sweeps
are evaluated analytically at the recording's (drifted, delayed) frame times, so the take is not
made by the analyser's own resampler; the MLS is stretched by ``_stretch`` (exact to 1/500 frame).

The precision is asserted against the Cramer-Rao bound of the take, computed here from the
noiseless recording: delay and drift unknown together, white noise of known power. The start
latency must lie within 4 bounds of the truth, the drift likewise, and the reported uncertainty
must be the bound to within a factor (an honest error bar: not a guess, not a comfort).
``bench/bench_analysis.py --latency-trials N`` prints the errors over many more takes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.fft as sfft

from harness import analysis as A
from harness.cli import main
from harness.errors import UsageError


def _take(kind: str, frames: int, fs: int, delay: float, ppm: float, polarity: int, snr_db: float | None,
          seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(reference, recording, noise sigma)."""
    ratio = 1.0 + ppm * 1e-6
    if kind == "mls":
        ref = np.zeros(frames)
        ref[: 2**16 - 1] = A.mls(1.0, fs, 0.5, order=16)[: 2**16 - 1]
        rec = polarity * 0.7 * A.fractional_delay(A._stretch(ref, ratio), delay, int(frames * ratio + delay) + 3000)
    else:
        ref = A.sweep_at(np.arange(frames, dtype=np.float64), frames, fs, logarithmic=kind == "log")
        n = np.arange(int(frames * ratio + delay) + 3000, dtype=np.float64)
        rec = polarity * 0.7 * A.sweep_at((n - delay) / ratio, frames, fs, logarithmic=kind == "log")
    sigma = 0.0
    if snr_db is not None:
        sigma = float(np.sqrt(np.mean(rec[rec != 0] ** 2))) * 10 ** (-snr_db / 20)
        rec = rec + np.random.default_rng(seed).standard_normal(rec.size) * sigma
    return ref, rec, sigma


def _bound(clean: np.ndarray, delay: float, sigma: float) -> tuple[float, float]:
    """Cramer-Rao standard deviations (start latency in frames, drift as a fraction) of a take
    whose noiseless recording is ``clean``: the model's derivatives by the delay (-x') and by the
    drift (-(n - delay) x'), their Fisher information in white noise of standard deviation ``sigma``."""
    n = sfft.next_fast_len(clean.size)
    spec = sfft.rfft(clean, n)
    d = sfft.irfft(spec * 2j * np.pi * np.arange(spec.size) / n, n)[: clean.size]
    t = np.arange(clean.size) - delay
    fisher = np.array([[d @ d, (t * d) @ d], [(t * d) @ d, (t * t * d) @ d]]) / sigma**2
    cov = np.linalg.inv(fisher)
    return float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))


#: seeded cases: (reference, sample rate, frames, SNR dB or None); delay, polarity and drift are
#: drawn from the seed. Takes of 80k..180k frames keep the test at about a second each
CASES = [
    ("lin", 8_000, 80_000, -20.0),  # 10 s at 8 kHz
    ("mls", 48_000, 120_000, -20.0),
    ("log", 44_100, 132_300, -20.0),
    ("lin", 96_000, 150_000, -20.0),
    ("mls", 192_000, 180_000, -20.0),
    ("log", 16_000, 160_000, None),  # 10 s at 16 kHz
    ("lin", 192_000, 180_000, None),
]


@pytest.mark.parametrize(("kind", "fs", "frames", "snr"), CASES)
def test_latency_and_drift_reach_the_cramer_rao_bound(kind: str, fs: int, frames: int, snr: float | None) -> None:
    seed = CASES.index((kind, fs, frames, snr))
    rng = np.random.default_rng(1800 + seed)
    delay = float(rng.uniform(50, 3000))
    ppm = float(rng.choice([-1, 1]) * rng.uniform(20, 50))
    polarity = int(rng.choice([-1, 1]))
    ref, rec, sigma = _take(kind, frames, fs, delay, ppm, polarity, snr, seed)
    r = A.measure_latency(ref, rec, fs)
    assert r.latency_frames is not None and r.confidence >= 0.7, r.to_dict()
    assert r.polarity == polarity
    err, drift_err = r.latency_frames - delay, (r.drift_ppm - ppm) * 1e-6
    assert r.latency_end_frames == pytest.approx(r.latency_frames + r.drift_ppm * 1e-6 * (ref.size - 1))
    assert r.uncertainty_frames is not None
    if snr is None:
        # noiseless: the model is exact, so the answer is to rounding (a thousandth of a frame)
        assert abs(err) < 2e-3 and abs(drift_err) * ref.size < 5e-3, (err, drift_err)
        assert r.uncertainty_frames <= 2e-3
        return
    clean = _take(kind, frames, fs, delay, ppm, polarity, None, seed)[1]
    sd_start, sd_drift = _bound(clean, delay, sigma)
    assert abs(err) < 4 * sd_start, (err, sd_start, r.to_dict())
    assert abs(drift_err) < 4 * sd_drift, (drift_err * 1e6, sd_drift * 1e6)
    # the error bar is the bound, not a guess: within 25 % of it
    assert 0.75 * sd_start < r.uncertainty_frames < 1.25 * sd_start, (r.uncertainty_frames, sd_start)


def test_the_bound_itself_is_what_the_errors_show() -> None:
    """The yardstick above is right: over 8 noise draws of one -20 dB linear-sweep take, the
    spread of the start latency is the bound (within the sampling error of 8 draws: a chi-square
    of 8 degrees falls outside 0.5..1.6 of its mean's square root about 1 % of the time)."""
    fs, frames, delay, ppm = 16_000, 48_000, 777.7, 30.0
    errs = []
    for seed in range(8):
        ref, rec, sigma = _take("lin", frames, fs, delay, ppm, 1, -20.0, 900 + seed)
        r = A.measure_latency(ref, rec, fs)
        assert r.latency_frames is not None
        errs.append(r.latency_frames - delay)
    clean = _take("lin", frames, fs, delay, ppm, 1, None, 0)[1]
    sd_start, _ = _bound(clean, delay, sigma)
    spread = float(np.sqrt(np.mean(np.square(errs))))
    assert 0.5 * sd_start < spread < 1.6 * sd_start, (spread, sd_start)


@pytest.mark.parametrize(("kind", "other"), [("lin", "log"), ("log", "mls"), ("mls", "lin")])
def test_a_wrong_reference_is_refused_and_the_right_one_is_not(kind: str, other: str) -> None:
    """The confidence can be false: the recording of one stimulus measured against another is
    refused (confidence below 0.5), while the same recording against its own reference passes."""
    fs, frames = 16_000, 96_000
    ref, rec, _ = _take(kind, frames, fs, 1234.5, 40.0, -1, -10.0, 31)
    wrong, _, _ = _take(other, frames, fs, 0.0, 0.0, 1, None, 0)
    bad = A.measure_latency(wrong, rec, fs)
    assert bad.latency_frames is None and bad.confidence < 0.5, bad.to_dict()
    good = A.measure_latency(ref, rec, fs)
    assert good.latency_frames is not None and good.confidence >= 0.7, good.to_dict()
    assert abs(good.latency_frames - 1234.5) < 0.5


def test_latency_refuses_a_reference_that_is_not_in_a_noise_recording() -> None:
    """Pure noise against a long sweep: nothing to find, and the answer is a refusal."""
    fs, frames = 16_000, 96_000
    ref = A.sweep_at(np.arange(frames, dtype=np.float64), frames, fs, logarithmic=False)
    rec = np.random.default_rng(5).standard_normal(frames + 5000) * 0.1
    r = A.measure_latency(ref, rec, fs)
    assert r.latency_frames is None and r.confidence < 0.5, r.to_dict()


@pytest.mark.parametrize("kind", ["logsweep", "linsweep"])
def test_sweep_written_by_the_cli_measures_latency_drift_and_polarity_through_it(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``analyze signal --kind logsweep|linsweep`` writes a reference that ``analyze latency``
    measures through a drifting, inverting, noisy path: start latency, drift and polarity."""
    fs = 16_000
    ref_path = tmp_path / "ref.wav"
    assert main(["analyze", "signal", "--kind", kind, "--out", str(ref_path), "--duration", "5", "--rate",
                 str(fs)]) == 0
    capsys.readouterr()
    ref = A.read_wav(ref_path).channel(0).astype(np.float64)
    delay, ppm = 321.7, -45.0
    rec = -0.6 * A.fractional_delay(A._stretch(ref, 1 + ppm * 1e-6), delay, ref.size + 2000)
    rec += np.random.default_rng(4).standard_normal(rec.size) * 0.02
    rec_path = A.write_wav(tmp_path / "rec.wav", rec, fs)
    assert main(["analyze", "latency", "--reference", str(ref_path), "--recorded", str(rec_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["polarity"] == -1
    assert abs(doc["latency_frames"] - delay) < max(5 * doc["uncertainty_frames"], 0.01), doc
    assert doc["drift_ppm"] == pytest.approx(ppm, abs=1.0)
    assert doc["latency_end_frames"] == pytest.approx(delay + ppm * 1e-6 * (ref.size - 1), abs=0.5)


def test_a_sweep_must_go_up() -> None:
    with pytest.raises(UsageError, match="must be below"):
        A.make_signal("logsweep", frequencies_hz=[1000.0, 100.0])


def test_the_warp_is_the_references_fourier_series() -> None:
    """The model the joint delay-drift fit is built from is exact: ``_Warp.at`` equals the padded
    reference's Fourier series summed directly at a few frames of a stretched, shifted grid, to
    1e-9 of the signal, on 10 s at 48 kHz (the general chirp z-transform raised ``w`` to the
    squared index and was off by 6e-7 of it)."""
    frames = 480_000
    ref = np.random.default_rng(7).standard_normal(frames)
    warp = A._Warp(ref, 264)
    offset, rho = -8.3, 1.0 + 37e-6
    count = frames + 16
    got = warp.at(offset, rho, count)
    k = np.arange(warp.spec.size, dtype=np.float64)
    for n in (0, 1, count // 3, count - 1):
        direct = 2.0 / warp.period * float(np.sum(warp.spec * np.exp(2j * np.pi * k * (n + offset)
                                                                     / (warp.period * rho))).real)
        assert abs(got[n] - direct) < 1e-9 * np.abs(ref).max(), (n, got[n], direct)


def _band_limited(kind: str, taps: np.ndarray, snr_db: float | None, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(reference, recording, true latency): 3 s of ``kind`` at 48 kHz through a -50 ppm clock,
    inverted, 1234.56 frames late, then a linear-phase FIR ``taps`` (its delay is in the truth)."""
    import scipy.signal as sps

    fs, frames = 48_000, 144_000
    ref = A.sweep_at(np.arange(frames, dtype=np.float64), frames, fs, logarithmic=kind == "log") if kind != "mls" \
        else A.mls(3.0, fs, 0.5)
    ratio, delay = 1.0 - 50e-6, 1234.56
    if kind == "mls":
        rec = -0.7 * A.fractional_delay(A._stretch(ref, ratio), delay, frames + 4000)
    else:
        n = np.arange(frames + 4000, dtype=np.float64)
        rec = -0.7 * A.sweep_at((n - delay) / ratio, frames, fs, logarithmic=kind == "log")
    rec = sps.lfilter(taps, 1.0, rec)
    if snr_db is not None:
        p = float(np.sqrt(np.mean(rec[np.abs(rec) > 1e-6] ** 2)))
        rec = rec + np.random.default_rng(seed).standard_normal(rec.size) * p * 10 ** (-snr_db / 20)
    return ref, rec, delay + (taps.size - 1) / 2


@pytest.mark.parametrize(("kind", "band", "snr"), [
    ("mls", (0.0, 4800.0), -20.0),  # refused before (confidence 0.35), blaming drift, a glitch or an echo
    ("log", (300.0, 3400.0), -20.0),
    ("lin", (0.0, 4800.0), None),
])
def test_a_band_limiting_path_is_measured_in_its_band_and_says_so(kind: str, band: tuple[float, float],
                                                                  snr: float | None) -> None:
    """A converter's low-pass at 0.1 of the rate or a telephone band stops most of the reference:
    the latency is measured with the reference as the path passes it, within three of the
    uncertainties it reports, and ``band_hz`` names the band it was measured in."""
    import scipy.signal as sps

    taps = sps.firwin(1023, [band[0], band[1]], fs=48_000, pass_zero=False) if band[0] else \
        sps.firwin(255, band[1], fs=48_000)
    ref, rec, truth = _band_limited(kind, taps, snr, 3)
    r = A.measure_latency(ref, rec, 48_000)
    assert r.latency_frames is not None and r.uncertainty_frames is not None, r.to_dict()
    assert r.polarity == -1
    assert abs(r.latency_frames - truth) < 3 * r.uncertainty_frames, (r.latency_frames - truth, r.to_dict())
    assert r.band_hz is not None, r.to_dict()
    lo, hi = r.band_hz
    assert lo < band[0] + 100 and 0.7 * band[1] < hi < 1.3 * band[1], r.band_hz


@pytest.mark.parametrize("kind", ["mls", "lin", "log"])
def test_a_path_that_passes_the_references_band_is_not_called_band_limited(kind: str) -> None:
    """No band is reported where the path passes them all (clean, -50 ppm, inverted)."""
    ref, rec, truth = _band_limited(kind, np.array([1.0]), None, 0)
    r = A.measure_latency(ref, rec, 48_000)
    assert r.latency_frames is not None and abs(r.latency_frames - truth) < 0.01, r.to_dict()
    assert r.band_hz is None, r.band_hz


def test_a_wrong_reference_is_refused_without_naming_a_band() -> None:
    """A log sweep looked for in an MLS recording: refused for its peak, and no band is named (the
    bands' gains of an answer no correlation peak stands behind are noise)."""
    fs, frames = 16_000, 96_000
    _, rec, _ = _take("log", frames, fs, 1234.5, 40.0, -1, -10.0, 31)
    wrong, _, _ = _take("mls", frames, fs, 0.0, 0.0, 1, None, 0)
    r = A.measure_latency(wrong, rec, fs)
    assert r.latency_frames is None and r.confidence < 0.5, r.to_dict()
    assert r.band_hz is None and "passes only" not in (r.reason or ""), r.to_dict()
