"""Self-tests of harness.analysis on synthetic recordings with known damage.

Every recording is built here from a seeded generator, so a failure reproduces exactly. The
bar comes from the best public analysers: every dropped/inserted run of 1..27 frames, every
1..5-sample pop down to 0.05 on a 0.5 sine and every one-block mute found, named and placed
within +-10 frames; no false alarm on ten minutes of noisy, drifting, slowly fading sine;
latency within +-0.5 frame, and a refusal rather than a guess on noise.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import analysis as A
from harness import AnalysisError, UsageError, WavFileError

FS = 48_000
F0 = A.DEFAULT_TEST_FREQUENCY_HZ
PLACE = 10  # frames: how close a glitch's reported start must be to where it was made


def tone(seconds: float, seed: int, fs: int = FS, noise_rms: float = 1e-3, freq: float = F0) -> np.ndarray:
    """A 0.5 sine with white noise at -60 dBFS RMS (by default)."""
    rng = np.random.default_rng(seed)
    x = A.sine(freq, seconds, fs, 0.5)
    return x + rng.standard_normal(x.size) * noise_rms


def only_glitch(report: A.GlitchReport) -> A.Glitch:
    assert len(report.glitches) == 1, [g.to_dict() for g in report.glitches]
    return report.glitches[0]


# ---------------------------------------------------------------- glitches: one at a time

# positions chosen to land at, just after and in the middle of 256-frame analysis blocks
POSITIONS = (24_000, 24_001, 24_128, 24_255, 30_007)


@pytest.mark.parametrize("count", [1, 2, 9, 18, 27])
@pytest.mark.parametrize("at", POSITIONS)
@pytest.mark.parametrize(
    ("damage", "kind"),
    [(A.drop_frames, "dropped"), (A.insert_frames, "inserted")],
    ids=["drop", "insert"],
)
def test_dropped_and_inserted_runs_are_found_named_sized_and_placed(
    damage: Callable[[np.ndarray, int, int], np.ndarray], kind: str, at: int, count: int
) -> None:
    x = damage(tone(1.0, seed=at + count), at, count)
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == kind
    assert g.size == count
    assert abs(g.start_frame - at) <= PLACE
    assert abs(abs(g.phase_shift_frames) - count) < 0.25


def test_inserted_silence_shorter_than_a_period_is_an_insertion() -> None:
    x = A.insert_frames(tone(1.0, seed=5), 20_000, 18, fill="zeros")
    g = only_glitch(A.analyze_glitches(x, FS))
    assert (g.kind, g.size) == ("inserted", 18)
    assert abs(g.start_frame - 20_000) <= PLACE
    assert abs(g.end_frame - 20_018) <= PLACE


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("amplitude", [0.05, -0.05])
@pytest.mark.parametrize("at", POSITIONS)
def test_pops_down_to_005_are_clicks_placed_and_sized(width: int, amplitude: float, at: int) -> None:
    x = A.add_pop(tone(1.0, seed=width * 7 + at), at, width, amplitude)
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == "click"
    assert abs(g.start_frame - at) <= PLACE
    assert g.size == width
    assert g.peak_error == pytest.approx(abs(amplitude), abs=0.01)


@pytest.mark.parametrize("at", [20_000, 20_100, 20_256, 33_333])
def test_one_block_mute_is_a_mute_with_its_length(at: int) -> None:
    x = A.mute_frames(tone(1.0, seed=at), at, 256)
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == "mute"
    assert abs(g.start_frame - at) <= PLACE
    assert abs(g.end_frame - (at + 256)) <= PLACE
    assert abs(g.size - 256) <= PLACE


def test_long_dropout_is_one_mute_not_many() -> None:
    x = A.mute_frames(tone(2.0, seed=11), 40_000, 12_000)
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == "mute"
    assert abs(g.start_frame - 40_000) <= PLACE and abs(g.end_frame - 52_000) <= PLACE


def test_abrupt_level_step_is_reported_but_not_as_a_drop() -> None:
    x = tone(1.0, seed=12)
    x[30_000:] *= 0.8
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == "other"
    assert g.level_change_db == pytest.approx(20 * np.log10(0.8), abs=0.1)
    assert abs(g.start_frame - 30_000) <= PLACE


@pytest.mark.parametrize("fs", [44_100, 96_000])
@pytest.mark.parametrize("count", [1, 27])
@pytest.mark.parametrize("damage", [A.drop_frames, A.insert_frames], ids=["drop", "insert"])
def test_runs_at_other_sample_rates(fs: int, count: int, damage: Callable[[np.ndarray, int, int], np.ndarray]) -> None:
    at = fs // 2 + 13
    g = only_glitch(A.analyze_glitches(damage(tone(1.0, seed=fs + count, fs=fs), at, count), fs))
    assert g.kind == ("dropped" if damage is A.drop_frames else "inserted")
    assert g.size == count and abs(g.start_frame - at) <= PLACE


# ---------------------------------------------------------------- glitches: many in one take

def test_every_glitch_in_a_busy_take_is_found_once() -> None:
    plan: list[tuple[str, int]] = [
        ("dropped", 1), ("inserted", 2), ("dropped", 9), ("inserted", 18), ("dropped", 27),
        ("click", 1), ("click", 3), ("click", 5), ("mute", 256), ("inserted", 27),
        ("dropped", 18), ("inserted", 9), ("dropped", 2), ("inserted", 1), ("click", 2),
    ]
    x = tone(9.0, seed=99)
    where = []
    # applied front to back with positions in the final signal's frame numbers: each change only
    # moves what comes after it, and everything after it is applied later
    for i, (kind, size) in enumerate(plan):
        at = 24_000 * (i + 1) + 37 * i
        where.append(at)
        if kind == "dropped":
            x = A.drop_frames(x, at, size)
        elif kind == "inserted":
            x = A.insert_frames(x, at, size)
        elif kind == "click":
            x = A.add_pop(x, at, size, 0.05 if i % 2 else -0.05)
        else:
            x = A.mute_frames(x, at, size)
    report = A.analyze_glitches(x, FS)
    found = [(g.kind, g.size, g.start_frame) for g in report.glitches]
    assert len(found) == len(plan), found
    for (kind, size), at, (fk, fsize, fstart) in zip(plan, where, found, strict=True):
        assert fk == kind, found
        assert abs(fstart - at) <= PLACE, found
        assert fsize == size or (kind == "mute" and abs(fsize - size) <= PLACE), found


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    kind=st.sampled_from(["dropped", "inserted", "click", "mute"]),
    size=st.integers(1, 27),
    at=st.integers(6_000, 40_000),
    seed=st.integers(0, 2**16),
)
def test_any_single_glitch_anywhere(kind: str, size: int, at: int, seed: int) -> None:
    x = tone(1.0, seed=seed)
    if kind == "dropped":
        x = A.drop_frames(x, at, size)
    elif kind == "inserted":
        x = A.insert_frames(x, at, size)
    elif kind == "click":
        size = 1 + size % 5
        x = A.add_pop(x, at, size, 0.05)
    else:
        size = 256
        x = A.mute_frames(x, at, size)
    g = only_glitch(A.analyze_glitches(x, FS))
    assert g.kind == kind
    assert abs(g.start_frame - at) <= PLACE
    assert abs(g.size - size) <= (PLACE if kind == "mute" else 0)


def test_waveform_around_a_glitch_is_kept_for_reports() -> None:
    x = A.add_pop(tone(1.0, seed=3), 20_000, 3, 0.05)
    report = A.analyze_glitches(x, FS, context_ms=5.0)
    g = only_glitch(report)
    ctx = int(0.005 * FS)
    assert g.waveform_start_frame == g.start_frame - ctx
    assert g.waveform.size == (g.end_frame - g.start_frame) + 2 * ctx
    np.testing.assert_allclose(g.waveform, x[g.waveform_start_frame : g.waveform_start_frame + g.waveform.size], atol=1e-6)
    doc = json.loads(report.to_json(include_waveforms=True))
    assert len(doc["glitches"][0]["waveform"]) == g.waveform.size
    assert "waveform" not in json.loads(report.to_json())["glitches"][0]


# ---------------------------------------------------------------- no false alarms

def _three_minutes_of_drifting_sine() -> np.ndarray:
    """3 min at 48 kHz: 0.5 sine, 50 ppm fast clock, 1 dB fade, -60 dBFS noise. float32, chunked."""
    n = FS * 180
    out = np.empty(n, dtype=np.float32)
    rng = np.random.default_rng(600)
    cycles = F0 * (1 + 50e-6) / FS
    step = 1 << 22
    for i in range(0, n, step):
        k = np.arange(i, min(n, i + step), dtype=np.float64)
        gain = 0.5 * 10 ** (-(k / n) / 20)  # 1 dB down over the take
        out[i : i + k.size] = gain * np.sin(2 * np.pi * np.mod(k * cycles, 1.0))
        out[i : i + k.size] += rng.standard_normal(k.size, dtype=np.float32) * np.float32(1e-3)
    return out


def test_three_minutes_of_clean_drifting_fading_sine_have_no_glitch() -> None:
    """A long take: the drift (9 ms over the take) and the fade are followed, not called glitches.
    (How fast the analysis is belongs to bench/bench_analysis.py, not to a timed test.)"""
    x = _three_minutes_of_drifting_sine()
    report = A.analyze_glitches(x, FS, F0)
    assert report.glitches == [], [g.to_dict() for g in report.glitches[:5]]
    assert report.frequency_hz == pytest.approx(F0 * (1 + 50e-6), abs=1e-3)  # the drift is measured
    assert report.snr_db == pytest.approx(51.0, abs=1.5)
    # the same take with one small pop in it must not pass: the clean verdict means something
    g = only_glitch(A.analyze_glitches(A.add_pop(x, 7_000_017, 1, 0.05), FS, F0))
    assert g.kind == "click" and abs(g.start_frame - 7_000_017) <= PLACE


@pytest.mark.parametrize("seed", range(4))
def test_noisier_take_with_distortion_has_no_false_glitch(seed: int) -> None:
    x = tone(5.0, seed=seed, noise_rms=1e-2)
    x += 0.005 * np.sin(3 * 2 * np.pi * F0 * np.arange(x.size) / FS)
    report = A.analyze_glitches(x, FS)
    assert report.glitches == []
    assert report.tolerance > 8 * 1e-2 * 0.9  # the tolerance grew with the noise


def test_leading_and_trailing_silence_are_not_glitches() -> None:
    x = np.concatenate((np.zeros(7_000), tone(1.0, seed=4), np.zeros(5_000)))
    report = A.analyze_glitches(x, FS)
    assert report.glitches == []
    assert 7_000 <= report.analysed_start_frame <= 7_000 + 512
    assert 7_000 + FS - 512 <= report.analysed_end_frame <= 7_000 + FS


def test_fade_in_and_out_are_not_glitches() -> None:
    x = tone(1.0, seed=9)
    ramp = np.linspace(0.0, 1.0, int(0.02 * FS))
    x[: ramp.size] *= ramp
    x[-ramp.size :] *= ramp[::-1]
    assert A.analyze_glitches(x, FS).glitches == []


def test_take_that_ends_in_noise_reports_it_instead_of_trimming_it() -> None:
    x = tone(2.0, seed=10)
    x[FS:] = np.random.default_rng(10).standard_normal(FS) * 0.3
    report = A.analyze_glitches(x, FS)
    g = only_glitch(report)
    assert g.kind == "other" and abs(g.start_frame - FS) <= PLACE
    assert g.end_frame >= 2 * FS - 512
    assert report.tolerance < 0.02  # the noise did not inflate the tolerance and hide itself


def test_dc_offset_is_not_a_glitch() -> None:
    assert A.analyze_glitches(tone(1.0, seed=8) + 0.1, FS).glitches == []


# ---------------------------------------------------------------- refusing to analyse

@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: np.zeros(FS), "silent"),
        (lambda: np.random.default_rng(1).standard_normal(FS) * 0.1, "no steady sine"),
        (lambda: A.multitone(None, 1.0, FS), "no steady sine"),
        (lambda: tone(0.05, seed=1), "too short"),
    ],
    ids=["silence", "noise", "multitone", "too-short"],
)
def test_no_sine_is_an_analysis_error_not_a_report(make: Callable[[], np.ndarray], needle: str) -> None:
    with pytest.raises(AnalysisError, match=needle):
        A.analyze_glitches(make(), FS)


def test_wrong_frequency_hint_names_the_tone_that_is_there() -> None:
    with pytest.raises(AnalysisError, match=r"near 751"):
        A.analyze_glitches(tone(1.0, seed=2), FS, 1000.0)


# ---------------------------------------------------------------- frequency, level, SNR, THD+N

@pytest.mark.parametrize(("fs", "freq"), [(48_000, 100.0), (44_100, 997.0), (96_000, 5000.5), (48_000, 751.0)])
def test_frequency_estimate_is_accurate(fs: int, freq: float) -> None:
    assert A.estimate_frequency(tone(2.0, seed=1, fs=fs, freq=freq), fs) == pytest.approx(freq, abs=0.005)


def test_levels_snr_and_thd_n() -> None:
    x = tone(2.0, seed=21)  # 0.5 sine, noise RMS 1e-3: SNR = 10*log10(0.125 / 1e-6) = 50.97 dB
    x3 = x + 0.005 * np.sin(3 * 2 * np.pi * F0 * np.arange(x.size) / FS)  # 3rd harmonic at -40 dB
    clean = A.measure_sine(x, FS)
    dist = A.measure_sine(x3, FS)
    assert clean.rms == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert clean.rms_dbfs == pytest.approx(-9.03, abs=0.02)
    assert clean.magnitude == pytest.approx(0.5, rel=1e-3)
    assert clean.snr_db == pytest.approx(50.97, abs=1.0)
    assert clean.thd_n_db == pytest.approx(-50.97, abs=1.0)
    assert dist.snr_db == pytest.approx(50.97, abs=1.0)  # harmonics are not noise
    assert dist.thd_n_db == pytest.approx(-40.0, abs=0.5)  # but they are distortion
    report = A.analyze_glitches(x3, FS)
    assert report.thd_n_db == pytest.approx(-40.0, abs=0.5)
    assert report.magnitude == pytest.approx(0.5, rel=1e-3)


# ---------------------------------------------------------------- latency

@pytest.fixture(scope="module")
def stimulus() -> np.ndarray:
    return A.mls(1.0, FS, 0.5, order=14)[: 2**14 - 1]


@pytest.mark.parametrize("delay", [0.0, 1.0, 0.5, 0.25, 3.75, 100.1, 1000.3, 12_345.5, 33_333.33, 47_999.5, 48_000.0])
def test_latency_within_half_a_frame(stimulus: np.ndarray, delay: float) -> None:
    rng = np.random.default_rng(int(delay * 100))
    n = stimulus.size + 48_000 + 500
    rec = 0.7 * A.fractional_delay(stimulus, delay, n) + rng.standard_normal(n) * 0.02
    result = A.measure_latency(stimulus, rec, FS)
    assert result.latency_frames is not None
    assert abs(result.latency_frames - delay) <= 0.5
    assert abs(result.latency_frames - delay) <= 0.05  # what the method actually delivers
    assert result.confidence > 0.8
    assert result.latency_ms == pytest.approx(1000 * result.latency_frames / FS)


@pytest.mark.parametrize("delay", [0.0, 10.5, 40_000.25])
def test_latency_with_the_short_pulse(delay: float) -> None:
    p = A.pulse(0.05, FS)
    rng = np.random.default_rng(3)
    rec = A.fractional_delay(p, delay, p.size + 48_500) + rng.standard_normal(p.size + 48_500) * 0.01
    result = A.measure_latency(p, rec, FS)
    assert result.latency_frames is not None and abs(result.latency_frames - delay) <= 0.5


def test_inverted_path_is_measured_and_reported(stimulus: np.ndarray) -> None:
    result = A.measure_latency(stimulus, -A.fractional_delay(stimulus, 123.4, 70_000), FS)
    assert result.polarity == -1
    assert result.latency_frames == pytest.approx(123.4, abs=0.1)


@pytest.mark.parametrize("seed", range(6))
def test_latency_refuses_pure_noise(stimulus: np.ndarray, seed: int) -> None:
    rec = np.random.default_rng(seed).standard_normal(70_000) * 0.1
    result = A.measure_latency(stimulus, rec, FS)
    assert result.latency_frames is None and result.latency_ms is None
    assert result.confidence < 0.5
    assert result.reason is not None and "no unique match" in result.reason
    assert json.loads(result.to_json())["latency_frames"] is None


def test_latency_refuses_a_periodic_reference() -> None:
    s = A.sine(F0, 0.5, FS)
    result = A.measure_latency(s, A.fractional_delay(s, 100, 40_000), FS)
    assert result.latency_frames is None and result.confidence < 0.1


def test_latency_on_silence_is_an_error(stimulus: np.ndarray) -> None:
    with pytest.raises(AnalysisError, match="silent"):
        A.measure_latency(stimulus, np.zeros(50_000), FS)
    with pytest.raises(AnalysisError, match="silent"):
        A.measure_latency(np.zeros(100), stimulus, FS)


# ---------------------------------------------------------------- test signals

def test_test_signals_have_their_advertised_shape() -> None:
    s = A.sine(1000.0, 0.5, FS, 0.25)
    assert s.size == FS // 2 and np.max(np.abs(s)) == pytest.approx(0.25, rel=1e-4)
    m = A.mls(1.0, FS, 0.5)
    seq_len = 2**15 - 1  # longest that fits in 48000 frames
    assert set(np.unique(m[:seq_len])) == {-0.5, 0.5} and not np.any(m[seq_len:])
    mt = A.multitone([100, 1000, 5000], 1.0, FS, 0.5)
    assert np.max(np.abs(mt)) == pytest.approx(0.5)
    spec = np.abs(np.fft.rfft(mt))
    assert set(np.argsort(spec)[-3:]) == {100, 1000, 5000}
    p = A.pulse(1.0, FS, 0.5)
    assert np.max(np.abs(p)) == pytest.approx(0.5) and not np.any(p[int(0.02 * FS) + 1 :])
    with pytest.raises(UsageError):
        A.sine(30_000.0, 1.0, FS)
    with pytest.raises(UsageError):
        A.make_signal("square")


# ---------------------------------------------------------------- WAV I/O

@pytest.mark.parametrize("fmt", A.SAMPLE_FORMATS)
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000])
def test_wav_round_trip(tmp_path: Path, fmt: str, channels: int, rate: int) -> None:
    data = np.stack([A.sine(997.0, 0.1, rate, 0.9 - 0.3 * c) for c in range(channels)], axis=1)
    data[0, 0] = -1.0
    path = A.write_wav(tmp_path / "x.wav", data, rate, fmt)
    audio = A.read_wav(path)
    assert audio.sample_rate == rate and audio.channels == channels and audio.frames == data.shape[0]
    step = {"int16": 2.0**-15, "int24": 2.0**-23, "int32": 2.0**-31, "float32": 1e-7}[fmt]
    np.testing.assert_allclose(audio.samples, data, atol=step * 0.5 + 1e-7)
    assert audio.samples.dtype == np.float32


def test_24_bit_is_scaled_to_unit_full_scale(tmp_path: Path) -> None:
    """Hand-packed 24-bit PCM, not via write_wav: 2**22 is exactly half scale."""
    raw = np.array([0, 2**22, -(2**22), 2**23 - 1, -(2**23), 1], dtype="<i4")
    path = tmp_path / "x24.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(3)
        w.setframerate(48_000)
        w.writeframes(raw.view(np.uint8).reshape(-1, 4)[:, :3].tobytes())
    got = A.read_wav(path).samples[:, 0]
    np.testing.assert_allclose(got, [0.0, 0.5, -0.5, 1 - 2.0**-23, -1.0, 2.0**-23], atol=1e-9)


@pytest.mark.parametrize(
    ("content", "needle"),
    [(None, "no such file"), (b"hello, I am text", "not a readable WAV"), (b"", "not a readable WAV"), ("dir", "directory")],
    ids=["missing", "text", "empty", "directory"],
)
def test_bad_wav_input_names_the_file(tmp_path: Path, content: bytes | str | None, needle: str) -> None:
    path = tmp_path / "bad.wav"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(WavFileError, match=needle) as info:
        A.read_wav(path)
    assert str(path) in str(info.value)


def test_channel_out_of_range_says_which_exist(tmp_path: Path) -> None:
    audio = A.read_wav(A.write_wav(tmp_path / "s.wav", np.zeros((100, 2)), FS))
    with pytest.raises(UsageError, match=r"0\.\.1"):
        audio.channel(2)
