"""A test sine driven into hard clipping is a ``clipped`` glitch, placed; its clean twin is no glitch.

A sine held flat at a level at every peak has the same distortion in every block, so the coarse
fit takes it for the take's noise floor and the fine pass (harmonics to the 5th) for its model:
before ``_clipped_stretches`` such a take passed. Each case pairs a clipped take with the same
tone unclipped at the level it reaches, so the detector is held both ways at once: the clipped
take must give one ``clipped`` glitch over the clipped frames (within a period at each end), the
twin none at all. ``bench/bench_clipping.py`` measures the rates over a larger grid.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A
from harness.cli import main

F0 = A.DEFAULT_TEST_FREQUENCY_HZ


def _tone(fs: int, amplitude: float, seconds: float = 1.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    x = A.sine(F0, seconds, fs, amplitude, phase_rad=0.3)
    if noise:
        x = x + noise * np.random.default_rng(seed).standard_normal(x.size)
    return x


def _clipped(report: A.GlitchReport) -> list[A.Glitch]:
    return [g for g in report.glitches if g.kind == "clipped"]


#: (drive, clipping level, noise RMS added after the clip)
CASES = {
    "1.5x full scale": (1.5, 1.0, 0.0),
    "gain bug clipping at 0.9": (1.0, 0.9, 0.0),
    "gain bug clipping at 0.9, -80 dBFS": (1.0, 0.9, 1e-4),
    "0.5 clipped at 0.45, -60 dBFS": (0.5, 0.45, 1e-3),
}


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("case", list(CASES))
def test_a_clipped_sine_is_one_clipped_glitch_over_the_take_and_its_twin_none(fs: int, case: str) -> None:
    drive, level, noise = CASES[case]
    period = fs / F0
    clipped = np.clip(_tone(fs, drive), -level, level)
    if noise:
        clipped = clipped + noise * np.random.default_rng(1).standard_normal(clipped.size)
    rep = A.analyze_glitches(clipped, fs)
    found = _clipped(rep)
    assert len(found) == 1, [g.to_dict() for g in rep.glitches]
    g = found[0]
    assert abs(g.start_frame - rep.analysed_start_frame) <= period
    assert abs(g.end_frame - rep.analysed_end_frame) <= period
    assert g.peak_error > 0.0  # the fundamental reaches past the level it is held at
    twin = A.analyze_glitches(_tone(fs, level, noise=noise, seed=1), fs)
    assert twin.glitches == []


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
def test_a_clipped_burst_is_placed_within_a_period(fs: int) -> None:
    """A gain bug that clips for 0.3 s of a -80 dBFS take at 0.9; before and after it the system
    plays the tone at the level it clips at (so a sine at 0.9 is beside the flat tops)."""
    x = _tone(fs, 0.9, 1.5)
    a, b = int(0.6 * fs), int(0.9 * fs)
    x[a:b] = np.clip(x[a:b] / 0.9, -0.9, 0.9)
    x = x + 1e-4 * np.random.default_rng(2).standard_normal(x.size)
    rep = A.analyze_glitches(x, fs)
    found = _clipped(rep)
    assert len(found) == 1, [g.to_dict() for g in rep.glitches]
    period = fs / F0
    assert abs(found[0].start_frame - a) <= period and abs(found[0].end_frame - b) <= period


def test_analyze_glitches_exits_1_on_a_sine_driven_past_full_scale_and_0_on_full_scale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 16-bit file written from a sine at 1.5x full scale holds it clipped at the largest codes."""
    over = A.write_wav(tmp_path / "over.wav", _tone(48_000, 1.5), 48_000, "int16")
    full = A.write_wav(tmp_path / "full.wav", _tone(48_000, 1.0), 48_000, "int16")
    assert main(["analyze", "glitches", str(over)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [g["kind"] for g in doc["glitches"]] == ["clipped"]
    assert main(["analyze", "glitches", str(full)]) == 0
    assert json.loads(capsys.readouterr().out)["glitches"] == []



@pytest.mark.parametrize("fs", [8_000, 44_100, 48_000, 96_000, 192_000])
def test_a_clipped_stretch_over_several_stream_windows_is_one_glitch_as_the_whole_take_gives(fs: int) -> None:
    """A long take is analysed in windows (``analyze_glitches_stream``) and a glitch belongs to the
    window it starts in: a sine clipped from 1.3 s to 7.7 s of a 9 s take, in 2 s windows, was one
    ``clipped`` glitch ending at its first window's end (the rest of the stretch began before the
    next windows' starts and was dropped). It is the one glitch the take analysed whole gives:
    the same first flat frame, its flat frames summed over the windows (each window's
    share prorated; its last flat frame within one analysis block), about the share of each
    period a 1.5x sine spends past full scale (0.54)."""
    f0 = min(F0, fs / 40)  # 40 frames a period or more: a peak's flat top is more than its sampling
    x = A.sine(f0, 9.0, fs, 0.5, phase_rad=0.3)
    a, b = int(1.3 * fs), int(7.7 * fs)
    x[a:b] = np.clip(3.0 * x[a:b], -1.0, 1.0)
    (whole,) = _clipped(A.analyze_glitches(x, fs))
    audio = A.WavAudio(path="take.wav", sample_rate=fs, samples=x.astype(np.float32)[:, None], stored_dtype="float32")
    found = _clipped(A.analyze_glitches_stream(audio, window_s=2.0, overlap_s=0.5))
    assert len(found) == 1, [g.to_dict() for g in found]
    g = found[0]
    assert g.start_frame == whole.start_frame
    # the last window's analysis ends the stretch at its own last flat peak: within one of its blocks
    assert abs(g.end_frame - whole.end_frame) <= A._block_for(fs, f0)
    assert g.size == pytest.approx(whole.size, rel=0.02)
    flat = 1.0 - 2.0 * np.arcsin(1.0 / 1.5) / np.pi
    assert g.size == pytest.approx(flat * (b - a), rel=0.1)


def _held_cases() -> list[tuple[str, np.ndarray, int, float, float]]:
    """(name, take, block, dc, eps): clipped and clean tones with and without noise, a DC offset,
    a 16-bit grid, an ``eps`` below a float32 step of the peak and one wider than the swing, one
    below zero, silence, infinities and NaN."""
    rng = np.random.default_rng(20261205)
    cases = []
    for fs, f0 in ((44_100, 997.0), (48_000, 440.0), (48_000, 3000.0), (96_000, 97.0)):
        tone = np.sin(2 * np.pi * f0 * np.arange(fs // 4) / fs + rng.uniform(0, 6))
        for clip in (0.7, 2.0):
            for noise in (0.0, 1e-5, 1e-3):
                x = np.clip(1.2 * tone, -clip, clip) + noise * rng.standard_normal(tone.size)
                for eps in (6 * noise + 1e-7, 1e-9, 3e-3):
                    cases.append((f"{fs} {f0} clip {clip} noise {noise} eps {eps}", x, 256, 0.0, eps))
    x = np.round(np.clip(0.9 * np.sin(np.arange(24_000) * 0.05), -0.6, 0.8) * 32768) / 32768 + 0.01
    for dc in (0.01, 0.0100000007, -0.3):
        cases.append((f"16-bit grid, asymmetric clip, dc {dc}", x, 512, dc, 2.0 ** -15))
    x = np.sin(np.arange(8_192) * 0.01)
    cases += [("eps wider than the swing", x, 64, 0.0, 5.0), ("eps below zero", x, 64, 0.0, -1e-3),
              ("eps zero", np.clip(x, -0.5, 0.5), 64, 0.0, 0.0), ("silence", np.zeros(4_096), 256, 0.0, 1e-9),
              ("huge values", x * 3e38, 128, 0.0, 1e30), ("tiny values", x * 1e-40, 128, 0.0, 1e-46)]
    y = np.clip(np.sin(np.arange(16_384) * 0.07), -0.8, 0.8)
    y[[100, 2_000]] = np.nan
    y[[7_000]] = np.inf
    y[[12_345]] = -np.inf
    cases.append(("NaN and infinities", y, 256, 0.0, 1e-6))
    # every float32 number within 64 steps of each block's extremes: the bound must be the exact one
    near = np.arange(-64, 65, dtype=np.int32)
    for peak in (0.75, 1.0, 3e-3):
        top = (np.float32(peak).view(np.int32) + near).view(np.float32)
        z = np.concatenate([np.concatenate((top[:64], top[-64:], -top[:64], -top[-64:]))] * 4)
        ulp = float(np.spacing(np.float32(peak)))
        for dc, k in ((0.0, 17.5), (1e-4, 31.25), (-0.2, 3.7), (0.0, 0.4)):
            cases.append((f"every float32 near {peak}, dc {dc}, eps {k} steps", z - dc, 256, dc, k * ulp))
    return cases


@pytest.mark.parametrize("steps", [A._BOUND_STEPS, 0])
def test_the_held_frames_found_by_a_bound_a_block_are_the_frames_the_subtraction_holds(
        steps: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_held_at_extreme`` compares each frame with one float32 bound a block: the mask is the
    one the float64 subtraction of every frame from its block's extreme gives, bit for bit, at
    both extremes, for every case (float32 takes, and a float64 one, judged the old way). With no
    steps allowed, the arithmetic's first guess stands wherever it is right and the rest is
    judged frame by frame: the check of the bound is what keeps the mask exact then."""
    monkeypatch.setattr(A, "_BOUND_STEPS", steps)
    for name, x, block, dc, eps in _held_cases():
        for dtype in (np.float32, np.float64):
            seg = np.asarray(x, dtype=dtype)
            nb = seg.size // block
            seg = seg[: nb * block]
            blocks = (seg.astype(np.float64) - dc).reshape(nb, block)
            for top in (True, False):
                with np.errstate(invalid="ignore"):
                    ends = seg.reshape(nb, block).max(axis=1) if top else seg.reshape(nb, block).min(axis=1)
                    extreme = ends.astype(np.float64) - dc
                    dense_extreme = blocks.max(axis=1) if top else blocks.min(axis=1)
                    expected = ((dense_extreme[:, None] - blocks) if top else (blocks - dense_extreme[:, None])) <= eps
                    out = np.empty(blocks.shape, dtype=bool)
                    A._held_at_extreme(blocks, seg.reshape(nb, block), ends, extreme, dc, eps, top, out)
                assert np.array_equal(extreme, dense_extreme, equal_nan=True), (name, dtype, top)
                assert np.array_equal(out, expected), (name, dtype, top, int(np.sum(out != expected)))


def test_the_held_cases_hold_some_frames_and_leave_others() -> None:
    """The cases above are not vacuous: most hold frames at a peak and leave others."""
    mixed = 0
    for _, x, block, dc, eps in _held_cases():
        seg = np.asarray(x, dtype=np.float32)[: (x.size // block) * block].astype(np.float64) - dc
        b = seg.reshape(-1, block)
        with np.errstate(invalid="ignore"):
            held = (b.max(axis=1)[:, None] - b) <= eps
        mixed += bool(held.any() and not held.all())
    assert mixed >= 40


def _numpy_d2(seg: np.ndarray, dc: float, half: float, curve: float) -> np.ndarray:
    """The clipping search's noise second difference as its numpy path computes it."""
    centred = seg.astype(np.float64) - dc
    mid = centred[1:-1]
    inner = np.abs(mid) < half
    mid = mid[inner]
    return centred[2:][inner] - 2.0 * mid + centred[:-2][inner] + curve * mid


def test_the_compiled_noise_difference_and_held_runs_are_the_numpy_paths_bit_for_bit() -> None:
    """``analysis_kernels`` (the clipping search's passes under ``use_kernel("compiled")``) give
    the numpy path's numbers: the second difference at the middle of the swing, every float64
    to the bit and in the same order, and the held runs at each extreme (start, end) for every
    held case of the test above (NaN and infinities too), with the runs' least length a frame
    count, a fraction, and more than any run."""
    from harness import analysis_kernels as K

    compared = runs_found = 0
    for name, x, block, dc, eps in _held_cases():
        seg = np.asarray(x, dtype=np.float32)
        nb = seg.size // block
        seg = seg[: nb * block]
        for half, curve in ((0.25, 4.0 * np.sin(np.pi * 0.02) ** 2), (1e30, 0.0), (0.0, 1.0)):
            out = np.empty(seg.size)
            with np.errstate(invalid="ignore", over="ignore"):
                got = out[: K.noise_second_difference(seg, dc, half, curve, out)]
                want = _numpy_d2(seg, dc, half, curve)
            assert got.size == want.size and np.array_equal(got.view(np.int64), want.view(np.int64)), (name, half)
        blocks32 = seg.reshape(nb, block)
        for top in (True, False):
            with np.errstate(invalid="ignore"):
                ends = blocks32.max(axis=1) if top else blocks32.min(axis=1)
                extreme = ends.astype(np.float64) - dc
                bounds = A._extreme_bounds(blocks32, ends, extreme, dc, eps, top)
                if bounds is None:
                    continue
                held = np.empty(blocks32.shape, dtype=bool)
                A._held_at_extreme((seg.astype(np.float64) - dc).reshape(nb, block), blocks32, ends, extreme, dc,
                                   eps, top, held)
            s, e = A._runs(held.reshape(-1))
            for longest in (1.0, 3.0, 4.5, float(seg.size + 1)):
                keep = (e - s) >= longest
                starts = np.empty(seg.size // 2 + 1, dtype=np.int64)
                ends_out = np.empty_like(starts)
                k = K.held_runs(seg, block, bounds[0], bounds[1], top, longest, starts, ends_out)
                assert np.array_equal(starts[:k], s[keep]) and np.array_equal(ends_out[:k], e[keep]), \
                    (name, top, longest)
                compared += 1
                runs_found += k
    assert compared >= 200 and runs_found > 0, (compared, runs_found)


def test_the_screens_count_is_of_the_numbers_the_search_reads() -> None:
    """``noise_second_difference_within`` counts exactly the second differences
    ``noise_second_difference`` writes (``k``) and, of those, the ones within ``bound`` of zero,
    on every held case (NaN and infinities too) at bounds from none of them to all: the clipping
    search's screen proves nothing about numbers the search does not read."""
    from harness import analysis_kernels as K

    compared = 0
    for name, x, _block, dc, _eps in _held_cases():
        seg = np.asarray(x, dtype=np.float32)
        for half, curve in ((0.25, 4.0 * np.sin(np.pi * 0.02) ** 2), (1e30, 0.0), (0.0, 1.0)):
            out = np.empty(max(seg.size, 1))
            with np.errstate(invalid="ignore", over="ignore"):
                d = out[: K.noise_second_difference(seg, dc, half, curve, out)]
                for bound in (0.0, 1e-6, 1e-3, 0.1, np.inf):
                    k, within = K.noise_second_difference_within(seg, dc, half, curve, bound)
                    assert (k, within) == (d.size, int(np.count_nonzero(np.abs(d) <= bound))), (name, half, bound)
                    compared += 1
    assert compared >= 200, compared


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("case", list(CASES))
def test_a_take_analysed_with_the_compiled_passes_gives_the_numpy_paths_report(fs: int, case: str) -> None:
    """The whole report (every glitch, its waveform too) of a clipped take, of its twin and of
    the clipped take with a 16-bit grid and a DC offset is the same under either kernel."""
    drive, level, noise = CASES[case]
    clipped = np.clip(_tone(fs, drive), -level, level)
    if noise:
        clipped = clipped + noise * np.random.default_rng(1).standard_normal(clipped.size)
    takes = (clipped, _tone(fs, level, noise=noise, seed=1), np.round(clipped * 32767) / 32768 + 0.003)
    for take in takes:
        with A.use_kernel("numpy"):
            want = A.analyze_glitches(take, fs).to_dict(include_waveforms=True)
        with A.use_kernel("compiled"):
            got = A.analyze_glitches(take, fs).to_dict(include_waveforms=True)
        assert got == want
    with A.use_kernel("compiled"):
        assert any(g.kind == "clipped" for g in A.analyze_glitches(clipped, fs).glitches)


def test_an_unknown_analysis_kernel_is_refused_and_the_choice_comes_back() -> None:
    with pytest.raises(ValueError, match="unknown analysis kernel"):
        with A.use_kernel("fast"):
            pass
    assert A._compiled_passes() is None
    with A.use_kernel("compiled"):
        assert A._compiled_passes() is not None
        with A.use_kernel("numpy"):
            assert A._compiled_passes() is None
        assert A._compiled_passes() is not None
    assert A._compiled_passes() is None
