"""The DSP chain keeps the promises of its configuration: each filter kind has the frequency
response the RBJ cookbook gives it (gain at DC, at the cutoff and at Nyquist), a chain filters a
stream block by block exactly as one long filter would, per channel, and forgets its past on
reset; the limiter never lets a sample over its threshold, attacks at once and releases at the
configured rate; gains and mixers are the arithmetic they name.

Every check goes through ``DspChain.from_config`` and ``process``/``reset`` (what the pipeline
uses), and through ``biquad_coefficients`` for the response, so the chain's inner layout (one
filter call per stage or one for a cascade) is free to change; each runs under both kernels
(``dsp.use_kernel``: numpy and compiled).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from system_under_test.config import BiquadStage, GainStage, LimiterStage, MixerStage
from system_under_test.dsp import KERNELS, DspChain, Stage, biquad_coefficients, use_kernel

SR = 48_000
BS = 64


@pytest.fixture(autouse=True, params=KERNELS)
def kernel(request: pytest.FixtureRequest):
    """Every promise holds for both kernels: the stages each test builds run with this one."""
    with use_kernel(request.param):
        yield request.param


def _response(b: np.ndarray, a: np.ndarray, hz: float) -> float:
    _, h = signal.freqz(b, a, worN=[2 * math.pi * hz / SR])
    return float(abs(h[0]))


def _chain(*stages, channels: int = 1, block_size: int = BS, sample_rate: int = SR) -> DspChain:
    return DspChain.from_config(list(stages), sample_rate, block_size, channels)


def _run(chain: DspChain, x: np.ndarray, block: int = BS) -> np.ndarray:
    out = [chain.process(x[i:i + block].copy()) for i in range(0, len(x), block)]
    return np.concatenate(out)


def _noise(n: int, channels: int = 1, seed: int = 1) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal((n, channels))).astype(np.float32)


# -- the filter kinds' responses -----------------------------------------------------------------
@pytest.mark.parametrize("q", [0.5, 0.707, 2.0])
def test_lowpass_and_highpass_pass_their_band_and_peak_at_q(q):
    b, a = biquad_coefficients("lowpass", 1000.0, q, 0.0, SR)
    assert a[0] == 1.0 and len(b) == len(a) == 3
    assert _response(b, a, 0.0) == pytest.approx(1.0, abs=1e-9)
    assert _response(b, a, SR / 2) == pytest.approx(0.0, abs=1e-9)
    assert _response(b, a, 1000.0) == pytest.approx(q, rel=1e-9)  # RBJ: |H(cutoff)| = Q
    b, a = biquad_coefficients("highpass", 1000.0, q, 0.0, SR)
    assert _response(b, a, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert _response(b, a, SR / 2) == pytest.approx(1.0, abs=1e-9)
    assert _response(b, a, 1000.0) == pytest.approx(q, rel=1e-9)


def test_bandpass_notch_and_peaking_act_at_the_cutoff():
    b, a = biquad_coefficients("bandpass", 2000.0, 1.5, 0.0, SR)
    assert _response(b, a, 2000.0) == pytest.approx(1.0, rel=1e-9)  # 0 dB peak gain
    assert _response(b, a, 0.0) == pytest.approx(0.0, abs=1e-9)
    assert _response(b, a, SR / 2) == pytest.approx(0.0, abs=1e-9)
    b, a = biquad_coefficients("notch", 2000.0, 1.5, 0.0, SR)
    assert _response(b, a, 2000.0) == pytest.approx(0.0, abs=1e-9)
    assert _response(b, a, 0.0) == pytest.approx(1.0, abs=1e-9)
    assert _response(b, a, SR / 2) == pytest.approx(1.0, abs=1e-9)
    for gain_db in (6.0, -12.0):
        b, a = biquad_coefficients("peaking", 2000.0, 1.5, gain_db, SR)
        assert _response(b, a, 2000.0) == pytest.approx(10 ** (gain_db / 20), rel=1e-9)
        assert _response(b, a, 0.0) == pytest.approx(1.0, abs=1e-9)
        assert _response(b, a, SR / 2) == pytest.approx(1.0, abs=1e-9)


def test_the_bandwidth_follows_q():
    # a bandpass's -3 dB edges are cutoff/Q apart (in octaves via the cookbook's BW relation)
    wide = biquad_coefficients("bandpass", 2000.0, 0.5, 0.0, SR)
    narrow = biquad_coefficients("bandpass", 2000.0, 5.0, 0.0, SR)
    assert _response(*narrow, 2600.0) < _response(*wide, 2600.0) < 1.0


def test_an_unknown_filter_kind_is_named():
    with pytest.raises(ValueError, match="^unknown biquad kind 'comb'$"):
        biquad_coefficients("comb", 1000.0, 0.7, 0.0, SR)


# -- a chain filters a stream as one long filter ----------------------------------------------------
@pytest.mark.parametrize("kind", ["lowpass", "highpass", "bandpass", "notch", "peaking"])
def test_block_by_block_equals_one_long_filter_per_channel(kind):
    stage = BiquadStage(filter=kind, cutoff_hz=1500.0, q=1.2, gain_db=4.0)
    x = _noise(10 * BS, channels=2)
    x[:, 1] *= -0.5  # the channels differ
    got = _run(_chain(stage, stage, channels=2), x)
    b, a = biquad_coefficients(kind, 1500.0, 1.2, 4.0, SR)
    want = signal.lfilter(b, a, signal.lfilter(b, a, x.astype(np.float64), axis=0), axis=0)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, want, atol=2e-6)


def test_reset_forgets_the_filter_state_and_the_limiter_gain():
    chain = _chain(BiquadStage(cutoff_hz=500.0), LimiterStage(threshold_db=-20.0, release_ms=100.0))
    fresh = _chain(BiquadStage(cutoff_hz=500.0), LimiterStage(threshold_db=-20.0, release_ms=100.0))
    _run(chain, _noise(8 * BS, seed=2) * 3)
    x = _noise(2 * BS, seed=3)
    chain.reset()
    np.testing.assert_array_equal(_run(chain, x), _run(fresh, x))
    unreset = _chain(BiquadStage(cutoff_hz=500.0))
    _run(unreset, _noise(8 * BS, seed=2))
    assert not np.array_equal(_run(unreset, x), _run(_chain(BiquadStage(cutoff_hz=500.0)), x))


# -- gain and mixer ------------------------------------------------------------------------------
def test_gain_scales_by_its_decibels():
    x = _noise(BS, channels=2)
    got = _chain(GainStage(gain_db=-6.0), channels=2).process(x.copy())
    np.testing.assert_array_equal(got, x * np.float32(10 ** (-6.0 / 20)))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(_chain(GainStage(gain_db=0.0)).process(x[:, :1].copy()), x[:, :1])


def test_a_mixer_maps_inputs_to_outputs_and_the_next_stage_sees_its_channels():
    x = np.array([[1.0, 2.0, 4.0]] * BS, dtype=np.float32)
    matrix = ((1.0, 0.0, 0.0), (0.5, 0.25, 0.125))
    chain = _chain(MixerStage(matrix=matrix), channels=3)
    got = chain.process(x.copy())
    assert got.shape == (BS, 2) and got.dtype == np.float32
    np.testing.assert_array_equal(got[0], [1.0, 0.5 + 0.5 + 0.5])
    # a filter after a down-mix filters the mixed channels, each with its own state
    mixed = _chain(MixerStage(matrix=matrix), BiquadStage(cutoff_hz=800.0), channels=3)
    y = _noise(4 * BS, channels=3, seed=5)
    b, a = biquad_coefficients("lowpass", 800.0, 0.707, 0.0, SR)
    want = signal.lfilter(b, a, (y @ np.asarray(matrix, dtype=np.float32).T).astype(np.float64), axis=0)
    np.testing.assert_allclose(_run(mixed, y), want, atol=2e-6)


def test_an_unknown_stage_config_is_named():
    with pytest.raises(TypeError, match="^unknown stage config 'echo'$"):
        DspChain.from_config(["echo"], SR, BS, 2)


# -- the limiter ---------------------------------------------------------------------------------
def _limiter(threshold_db: float = -6.0, release_ms: float = 10.0, block_size: int = BS) -> DspChain:
    return _chain(LimiterStage(threshold_db=threshold_db, release_ms=release_ms), block_size=block_size)


def test_the_limiter_leaves_quiet_audio_alone():
    x = np.full((BS, 1), 0.5, dtype=np.float32)  # -6.02 dB, under a -6 dB threshold
    np.testing.assert_array_equal(_limiter().process(x.copy()), x)
    at = np.full((BS, 1), np.float32(10 ** (-6.0 / 20)), dtype=np.float32)
    np.testing.assert_array_equal(_limiter().process(at.copy()), at)  # exactly at the threshold
    silent = np.zeros((BS, 1), dtype=np.float32)
    np.testing.assert_array_equal(_limiter().process(silent.copy()), silent)
    assert _limiter().process(np.zeros((0, 1), dtype=np.float32)).shape == (0, 1)


def test_the_limiter_attacks_at_once_and_releases_at_its_rate():
    threshold = 10 ** (-6.0 / 20)
    release = math.exp(-BS / (SR * 10.0 / 1000))
    lim = _limiter()
    loud = np.full((BS, 1), 2.0, dtype=np.float32)
    loud[BS // 2] = -4.0  # the peak is by magnitude
    out = lim.process(loud.copy())
    g0 = threshold / 4.0
    np.testing.assert_allclose(out, loud * np.float32(g0), rtol=1e-6)
    assert np.abs(out).max() <= threshold * (1 + 1e-6)
    # quiet blocks: the gain ramps from g0 towards 1 by the release factor per block, linearly
    quiet = np.full((BS, 1), 0.01, dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, BS)
    g = g0
    for _ in range(3):
        end = 1.0 - (1.0 - g) * release
        np.testing.assert_allclose(lim.process(quiet.copy())[:, 0], 0.01 * (g + (end - g) * ramp), rtol=1e-5)
        g = end


def test_a_release_never_lets_the_next_block_over_the_threshold():
    threshold = 10 ** (-6.0 / 20)
    lim = _limiter(release_ms=1.0)  # a fast release would overshoot a block only a little quieter
    lim.process(np.full((BS, 1), 4.0, dtype=np.float32))
    nearly = np.full((BS, 1), 3.0, dtype=np.float32)
    out = lim.process(nearly.copy())
    g0, target = threshold / 4.0, threshold / 3.0  # the gain rises only as far as this block allows
    np.testing.assert_allclose(out[:, 0], 3.0 * (g0 + (target - g0) * np.linspace(0.0, 1.0, BS)), rtol=1e-6)
    assert np.abs(out).max() <= threshold * (1 + 1e-6)


def _release_ramp(start: float, release: float, n: int) -> tuple[np.ndarray, float]:
    end = 1.0 - (1.0 - start) * release
    return start + (end - start) * np.linspace(0.0, 1.0, n), end


def test_the_limiter_releases_over_blocks_of_any_size():
    threshold = 10 ** (-6.0 / 20)
    release = math.exp(-BS / (SR * 5.0 / 1000))  # per configured block, whatever size comes
    lim = _limiter(release_ms=5.0)
    lim.process(np.full((BS, 1), 2.0, dtype=np.float32))
    g = threshold / 2.0
    for frames, channels in ((37, 2), (1, 2), (2, 2), (BS, 2), (1, 1)):
        block = np.full((frames, channels), 0.1, dtype=np.float32)
        out = lim.process(block.copy())
        assert out.shape == (frames, channels)
        want, g = _release_ramp(g, release, frames)
        np.testing.assert_allclose(out[:, 0], 0.1 * want, rtol=1e-5)
        np.testing.assert_array_equal(out[:, 0], out[:, -1])


def test_the_limiter_ramp_fits_the_configured_block():
    threshold = 10 ** (-6.0 / 20)
    lim = _limiter(release_ms=5.0, block_size=50)
    release = math.exp(-50 / (SR * 5.0 / 1000))
    lim.process(np.full((50, 1), 2.0, dtype=np.float32))
    want, _ = _release_ramp(threshold / 2.0, release, 50)
    np.testing.assert_allclose(lim.process(np.full((50, 1), 0.1, dtype=np.float32))[:, 0], 0.1 * want,
                               rtol=1e-5)


def test_the_limiter_limits_a_peak_under_full_scale_and_an_empty_block_changes_nothing():
    threshold = 10 ** (-6.0 / 20)
    lim = _limiter()
    x = np.full((BS, 1), 0.9, dtype=np.float32)
    np.testing.assert_allclose(lim.process(x.copy()), x * np.float32(threshold / 0.9), rtol=1e-6)
    fresh = _limiter()
    assert fresh.process(np.zeros((0, 1), dtype=np.float32)).shape == (0, 1)
    quiet = np.full((BS, 1), 0.25, dtype=np.float32)
    np.testing.assert_array_equal(fresh.process(quiet.copy()), quiet)  # the gain is still 1


# -- the chain as a container -----------------------------------------------------------------------
class _Costly(Stage):
    kind = "costly"

    def __init__(self, cost_s: float, factor: float) -> None:
        self.cost_s = cost_s
        self.factor = factor

    def process(self, block: np.ndarray) -> np.ndarray:
        block *= np.float32(self.factor)
        return block


def test_cost_adds_up_and_stages_are_added_and_removed_in_place():
    chain = DspChain()
    assert chain.cost_s == 0 and chain.process(np.ones((2, 1), dtype=np.float32)).tolist() == [[1.0], [1.0]]
    a, b, c = _Costly(0.001, 2.0), _Costly(0.002, 3.0), _Costly(0.0, 5.0)
    chain.add_stage(a)
    chain.add_stage(b)
    chain.add_stage(c, index=0)
    assert chain.stages == (c, a, b) and chain.cost_s == pytest.approx(0.003)
    assert chain.process(np.ones((1, 1), dtype=np.float32))[0, 0] == 30.0
    assert chain.remove_stage(a) is True and chain.stages == (c, b)
    assert chain.remove_stage(a) is False and chain.stages == (c, b)
    assert DspChain.from_config([], SR, BS, 2).stages == ()


def test_the_base_stage_is_the_identity():
    s = Stage()
    x = np.ones((3, 2), dtype=np.float32)
    assert s.process(x) is x and s.output_channels(5) == 5 and s.cost_s == 0.0 and s.kind == "identity"
    s.reset()


# -- the biquad against lfilter, whatever the blocks look like ----------------------------------------
_SIZES = (1, 3, 15, 16, 17, 64, 100, 128, 129, 256, 300, 512, 513, 1024, 1100)


def _blocks_of(x: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """``x`` cut into blocks of varying sizes and layouts: float32 contiguous (the usual block),
    float64, and float32 views that are not contiguous (every other row of a larger array)."""
    out, i = [], 0
    while i < len(x):
        n = int(rng.choice(_SIZES))
        part = x[i:i + n]
        layout = int(rng.integers(3))
        if layout == 1:
            part = part.astype(np.float64)
        elif layout == 2:
            wide = np.zeros((2 * len(part), part.shape[1]), dtype=np.float32)
            wide[::2] = part
            part = wide[::2]
            assert len(part) == 1 or not part.flags.c_contiguous
        else:
            part = part.copy()
        out.append(part)
        i += n
    return out


@pytest.mark.parametrize("seed", range(6))
def test_any_sequence_of_block_sizes_and_layouts_equals_one_long_filter(seed):
    """Block sizes change mid-stream (the state carries over), sizes no chunk divides, float64 and
    non-contiguous blocks: the samples are lfilter's over the whole stream, and the filter's
    ``state`` is lfilter's final ``zf``."""
    rng = np.random.default_rng(seed)
    kind = ("lowpass", "highpass", "bandpass", "notch", "peaking", "lowpass")[seed]
    stage = BiquadStage(filter=kind, cutoff_hz=float(rng.uniform(100, 8000)), q=float(rng.uniform(0.4, 4)),
                        gain_db=float(rng.uniform(-12, 12)))
    chain = _chain(stage, channels=2)
    assert chain.stages[0].state.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    x = _noise(6000, channels=2, seed=seed + 10)
    x[:, 1] *= -0.7
    got = []
    for block in _blocks_of(x, rng):
        dtype = block.dtype
        out = chain.process(block)
        assert out.shape == block.shape and out.dtype == dtype
        got.append(np.asarray(out, dtype=np.float64))
    b, a = biquad_coefficients(kind, stage.cutoff_hz, stage.q, stage.gain_db, SR)
    zi = np.zeros((2, 2))
    want, zf = signal.lfilter(b, a, x.astype(np.float64), axis=0, zi=zi)
    np.testing.assert_allclose(np.concatenate(got), want, atol=2e-6)
    np.testing.assert_allclose(chain.stages[0].state, zf, atol=1e-9)


@pytest.mark.parametrize("sizes", [(64, 64, 64), (100, 37, 256), (256, 64, 100)])
def test_a_filters_state_is_the_callers_copy_whatever_the_block_sizes(sizes):
    """``state`` is a copy (its docstring): a caller reads it to compare, log or restore a filter,
    so what it read stays as it was while the filter goes on, and what it writes into its answer
    changes neither the filter's state nor its samples. Block sizes that change mid-stream and
    sizes no chunk divides keep the state in more than one place (a plan per size); after each
    block the filter and an untouched twin give the same samples and the same state."""
    cfg = BiquadStage(filter="peaking", cutoff_hz=1500.0, q=1.3, gain_db=6.0)
    chain, twin = _chain(cfg, channels=2), _chain(cfg, channels=2)
    x = _noise(4 * sum(sizes), channels=2, seed=3)
    start = 0
    held: list[tuple[np.ndarray, np.ndarray]] = []  # each answer kept, with what it said then
    for n in sizes * 4:
        block = x[start:start + n]
        start += n
        np.testing.assert_array_equal(chain.process(block.copy()), twin.process(block.copy()))
        answer = chain.stages[0].state
        np.testing.assert_array_equal(answer, twin.stages[0].state)
        held.append((answer, answer.copy()))
        scribble = chain.stages[0].state
        scribble[...] = 7.0  # the caller's own array
        for kept, then in held:
            np.testing.assert_array_equal(kept, then)
        np.testing.assert_array_equal(chain.stages[0].state, twin.stages[0].state)


@pytest.mark.parametrize("size", [64, 100, 256])
def test_a_nan_poisons_its_channel_from_its_sample_on_and_reset_heals_it(size):
    """lfilter's behaviour: the samples before a NaN and the other channel stay exact; the NaN's
    channel is NaN from it on (its state keeps it); ``reset()`` gives a filter as good as new."""
    stage = BiquadStage(cutoff_hz=2000.0)
    chain = _chain(stage, channels=2, block_size=size)
    x = _noise(3 * size, channels=2, seed=5)
    x[size + size // 2 + 1, 0] = np.nan
    got = _run(chain, x, block=size).astype(np.float64)
    b, a = biquad_coefficients("lowpass", 2000.0, 0.707, 0.0, SR)
    want = signal.lfilter(b, a, x.astype(np.float64), axis=0)
    np.testing.assert_allclose(got, want, atol=2e-6, equal_nan=True)
    assert np.isfinite(got[:size + size // 2 + 1]).all() and np.isnan(got[size + size // 2 + 1:, 0]).all()
    assert np.isfinite(got[:, 1]).all()
    chain.reset()
    y = _noise(2 * size + 7, channels=2, seed=6)
    np.testing.assert_array_equal(_run(chain, y, block=size),
                                  _run(_chain(stage, channels=2, block_size=size), y, block=size))


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("size", [64, 100, 256])
@pytest.mark.parametrize("where", ["last", "middle"])
def test_an_infinity_poisons_its_channel_from_its_sample_on_as_a_nan_does(where, size, value):
    """An infinite sample is broken audio as a NaN is: lfilter's samples before it stay exact.
    At a block's last sample a lowpass's state after the block is infinite with no NaN in it (both
    its rows are the infinity times a positive weight), which a plan that looks only for NaN would
    filter through its matrices, where 0 x inf makes NaN of the samples before it in the chunk."""
    stage = BiquadStage(cutoff_hz=2000.0)
    chain = _chain(stage, channels=2, block_size=size)
    x = _noise(3 * size, channels=2, seed=5)
    k = 2 * size - 1 if where == "last" else size + size // 2 + 1
    x[k, 0] = value
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf in the recursion, as in lfilter
        got = _run(chain, x, block=size).astype(np.float64)
        b, a = biquad_coefficients("lowpass", 2000.0, 0.707, 0.0, SR)
        want = signal.lfilter(b, a, x.astype(np.float64), axis=0)
    np.testing.assert_allclose(got[:k], want[:k], atol=2e-6)
    assert np.isfinite(got[:k]).all()
    assert got[k, 0] == value
    assert not np.isfinite(got[k:, 0]).any()
    assert np.isfinite(got[:, 1]).all()


# -- the block plans' shared matrices ---------------------------------------------------------------
def _a_plan(frames: int, cutoff_hz: float = 1000.0):
    from system_under_test.dsp import Biquad

    return Biquad("lowpass", cutoff_hz, 0.707, 0.0, SR, 1)._plan(frames)


def test_the_matrices_plans_share_are_read_only():
    """One cached ``(MZ, [T | S])`` pair serves every plan of the same filter and block size: a plan
    that wrote into it would change every other stream's filter, so writing must be refused."""
    plan = _a_plan(256)
    for matrix in (plan.mz, plan.ts):
        assert matrix.flags.writeable is False
        with pytest.raises(ValueError):
            matrix[0, 0] = 1.0


def test_the_matrix_cache_is_bounded_at_its_maximum():
    """The cache keeps at most ``_MATRICES_MAX`` filters' matrices: when it is full, the next new
    filter clears it first (so a stream of reconfigured cutoffs cannot grow it without bound)."""
    from system_under_test import dsp

    dsp._MATRICES.clear()
    for i in range(dsp._MATRICES_MAX):
        _a_plan(64, cutoff_hz=500.0 + i)
    assert len(dsp._MATRICES) == dsp._MATRICES_MAX
    _a_plan(64, cutoff_hz=500.0)  # already cached: nothing cleared
    assert len(dsp._MATRICES) == dsp._MATRICES_MAX
    _a_plan(64, cutoff_hz=100.0)  # one more filter: the full cache is cleared, then it is added
    assert len(dsp._MATRICES) == 1
    dsp._MATRICES.clear()
