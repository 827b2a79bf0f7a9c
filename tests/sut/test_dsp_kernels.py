"""The DSP chain's two kernels (``dsp.use_kernel``): numpy alone and the compiled recursion.

A stage runs with the kernel chosen when it was built, and the choice comes back after its
``with`` block. The compiled biquad is lfilter's recursion (checked against lfilter here and, for
every promise of the chain, by ``test_promises_dsp.py`` run under both kernels), its numbers within
float64 rounding of the numpy block plan's. In its steady state a block through either kernel
allocates nothing (the callback's promise: ``pipeline.py``).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest
from scipy import signal

from system_under_test import dsp
from system_under_test.config import BiquadStage, GainStage, LimiterStage
from system_under_test.dsp import KERNELS, Biquad, DspChain, biquad_coefficients, current_kernel, use_kernel

SR = 48_000


def _noise(n: int, channels: int = 2, seed: int = 1, scale: float = 0.3) -> np.ndarray:
    return (scale * np.random.default_rng(seed).standard_normal((n, channels))).astype(np.float32)


def test_the_choice_holds_inside_its_block_and_the_previous_one_comes_back():
    assert current_kernel() == "numpy"
    with use_kernel("compiled"):
        assert current_kernel() == "compiled"
        inner = Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2)
        with use_kernel("numpy"):
            assert current_kernel() == "numpy"
            numpy_stage = Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2)
        assert current_kernel() == "compiled"
    assert current_kernel() == "numpy"
    outer = Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2)
    assert inner.compiled and not numpy_stage.compiled and not outer.compiled
    with pytest.raises(RuntimeError), use_kernel("compiled"):
        raise RuntimeError("the block fails")
    assert current_kernel() == "numpy"  # restored on the way out of a failure too


def test_an_unknown_kernel_is_refused_by_name():
    with pytest.raises(ValueError, match="'fortran'.*numpy, compiled"), use_kernel("fortran"):
        pass  # pragma: no cover - never entered
    assert current_kernel() == "numpy"
    assert KERNELS == ("numpy", "compiled")


@pytest.mark.parametrize("kind", ["lowpass", "highpass", "bandpass", "notch", "peaking"])
def test_the_compiled_biquad_is_lfilter_and_the_numpy_plan_to_rounding(kind):
    x = _noise(4096, seed=3)
    x[:, 1] *= -0.4
    b, a = biquad_coefficients(kind, 2500.0, 1.3, -5.0, SR)
    want, zf = signal.lfilter(b, a, x.astype(np.float64), axis=0, zi=np.zeros((2, 2)))
    outs = {}
    for kernel in KERNELS:
        with use_kernel(kernel):
            stage = Biquad(kind, 2500.0, 1.3, -5.0, SR, 2)
        got = [stage.process(x[i:i + 256].copy()) for i in range(0, len(x), 256)]
        outs[kernel] = np.concatenate(got)
        np.testing.assert_allclose(stage.state, zf, atol=1e-9)
    compiled = outs["compiled"].astype(np.float64)
    # the recursion in float64, rounded once: lfilter's samples rounded to float32
    np.testing.assert_array_equal(outs["compiled"], want.astype(np.float32))
    np.testing.assert_allclose(compiled, outs["numpy"], atol=2e-7, rtol=0)


def test_the_compiled_biquad_takes_float64_and_non_contiguous_blocks_and_keeps_their_dtype():
    with use_kernel("compiled"):
        stage = Biquad("lowpass", 800.0, 0.9, 0.0, SR, 2)
    x = _noise(300, seed=4)
    b, a = biquad_coefficients("lowpass", 800.0, 0.9, 0.0, SR)
    want = signal.lfilter(b, a, x.astype(np.float64), axis=0)
    first = stage.process(x[:100].astype(np.float64))
    wide = np.zeros((200, 2), dtype=np.float32)
    wide[::2] = x[100:200]
    view = wide[::2]
    second = stage.process(view)
    third = stage.process(x[200:].copy())
    assert first.dtype == np.float64 and second.dtype == np.float32 and second.base is wide
    np.testing.assert_allclose(wide[::2], second)
    assert not wide[1::2].any()  # the rows between the view's are untouched
    np.testing.assert_allclose(np.concatenate([first, second, third]), want, atol=2e-7)


#: what the compiled kernels say of a block whose channels are not their state's, whole
_CHANNELS_REFUSED = r"^the block's channels are not the filter's$"


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_block_with_other_channels_than_the_filter_is_refused(kernel):
    """A filter built for 2 channels handed a 3-channel block raises (the callback turns that into
    a callback error, whose record keeps the message); the compiled kernel must not read past its
    state, and says why in its own words (numpy's refusal is its broadcasting error)."""
    with use_kernel(kernel):
        stage = Biquad("lowpass", 800.0, 0.9, 0.0, SR, 2)
    with pytest.raises(ValueError, match=_CHANNELS_REFUSED if kernel == "compiled" else None):
        stage.process(_noise(256, channels=3))
    np.testing.assert_array_equal(stage.state, np.zeros((2, 2)))


def test_the_fused_step_refuses_a_block_with_other_channels_and_keeps_its_state():
    """The fused gain+biquad+limiter kernel refuses a usual (contiguous float32) block of the
    wrong width as the compiled biquad does, before it touches the block, the filter state or the
    limiter's gain."""
    chain = _default_chain(True)
    assert type(chain._steps[0]).__name__ == "_GainBiquadLimiter"
    block = _noise(256, channels=3, scale=2.0)
    before = block.copy()
    with pytest.raises(ValueError, match=_CHANNELS_REFUSED):
        chain.process(block)
    np.testing.assert_array_equal(block, before)
    np.testing.assert_array_equal(chain.stages[1].state, np.zeros((2, 2)))
    assert chain.stages[2]._gain == 1.0


def test_the_compiled_biquad_resets_its_state():
    with use_kernel("compiled"):
        stage = Biquad("highpass", 300.0, 0.7, 0.0, SR, 2)
        fresh = Biquad("highpass", 300.0, 0.7, 0.0, SR, 2)
    stage.process(_noise(512, seed=5))
    assert np.abs(stage.state).max() > 0
    stage.reset()
    assert stage.state.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    y = _noise(256, seed=6)
    np.testing.assert_array_equal(stage.process(y.copy()), fresh.process(y.copy()))
    copy = stage.state
    copy[...] = 7.0  # a copy: the filter's own state is not the caller's to write
    assert not (stage.state == 7.0).any()


#: passes over the blocks whose smallest peak is taken (``_steady_peak_bytes``)
PEAK_PASSES = 3


def _steady_peak_bytes(process: Any, blocks: list[np.ndarray]) -> int:
    """The most memory held at once while ``process`` takes ``blocks[4:]``, after the first four
    have built what a chain keeps (plans, scratch, the compiled code's first call).

    tracemalloc counts every thread of the process, and a test process has others that allocate
    now and then (pytest-xdist's thread that receives the next tests: the compiled biquad's pass
    measured 9945 bytes once in a whole-suite run, 288-320 bytes in a process of its own). What ``process`` allocates per block it
    allocates in every pass, so the smallest peak of ``PEAK_PASSES`` passes is its own."""
    for block in blocks[:4]:
        process(block)
    peaks = []
    tracemalloc.start()
    try:
        for _ in range(PEAK_PASSES):
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            for block in blocks[4:]:
                process(block)
            peaks.append(tracemalloc.get_traced_memory()[1] - base)
        return min(peaks)
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_usual_block_allocates_nothing_in_the_steady_state(kernel):
    """The default chain (gain, biquad, limiter) on the usual block after its first ones makes no
    block-sized array (the limiter's peak goes into its scratch, the plan into buffers it keeps),
    but for the numpy plan's one float64 temporary where its product is cast into the float32
    block; the compiled recursion makes none. 1024 x 2 frames, so that a block's array (8 KiB)
    stands out of the few small objects each call makes (~1-3 KiB, more under instrumentation)."""
    frames = 1024
    with use_kernel(kernel):
        chain = DspChain.from_config([GainStage(gain_db=-3.0), BiquadStage(cutoff_hz=3000.0),
                                      LimiterStage(threshold_db=-1.0)], SR, frames, 2)
    blocks = [_noise(frames, seed=20 + i, scale=0.1) for i in range(24)]
    peak = _steady_peak_bytes(chain.process, blocks)
    block_bytes = frames * 2 * 4
    bound = block_bytes if kernel == "compiled" else 2 * block_bytes + block_bytes  # + the float64 cast
    assert peak < bound, f"{peak} bytes held at once while filtering (a float32 block is {block_bytes})"


def test_the_kernels_module_is_loaded_only_for_the_compiled_choice():
    """Importing the chain loads no numba (its import costs a short run ~0.3 s of CPU)."""
    import subprocess
    import sys

    code = ("import sys; from system_under_test import AudioSystem; import system_under_test.dsp as d; "
            "d.DspChain.from_config([], 48000, 256, 2); "
            "print('numba' in sys.modules, 'system_under_test.dsp_kernels' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    assert dsp._compiled_kernels().__name__ == "system_under_test.dsp_kernels"


def test_the_compiled_choice_loads_its_kernels_when_made_and_the_numpy_one_never():
    """``use_kernel("compiled")`` imports numba and the kernels at the ``with``, so that neither
    the pipeline's build nor its first real-time block pays that import; ``use_kernel("numpy")``
    never loads them."""
    import subprocess
    import sys

    code = ("import sys; import system_under_test.dsp as d\n"
            "with d.use_kernel('numpy'): numpy_loaded = 'numba' in sys.modules\n"
            "with d.use_kernel('compiled'): compiled_loaded = 'system_under_test.dsp_kernels' in sys.modules\n"
            "print(numpy_loaded, compiled_loaded)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def _default_chain(fused: bool) -> DspChain:
    with use_kernel("compiled"):
        chain = DspChain([dsp.Gain(-3.0), Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2),
                          dsp.Limiter(-1.0, 50.0, SR, 256)])
    if not fused:
        chain._steps = chain.stages  # the stages one by one
    return chain


def test_a_fused_gain_biquad_limiter_is_the_three_stages_bit_for_bit():
    """Samples, filter state and limiter gain after every block, through loud blocks (the limiter
    attacks and releases), a NaN, an infinity, an empty block and a reset."""
    fused, plain = _default_chain(True), _default_chain(False)
    assert [type(s).__name__ for s in fused._steps] == ["_GainBiquadLimiter"]
    rng = np.random.default_rng(3)
    for k in range(1200):
        x = ([0.1, 1.0, 3.0, 40.0][k % 4] * rng.standard_normal((256, 2))).astype(np.float32)
        if k % 97 == 5:
            x[17, 1] = np.nan
        if k % 89 == 3:
            x[3, 0] = np.inf
        if k % 50 == 7:
            x = x[:0]
        a, b = fused.process(x.copy()), plain.process(x.copy())
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(fused.stages[1].state, plain.stages[1].state)
        ga, gb = fused.stages[2]._gain, plain.stages[2]._gain
        assert ga == gb or (np.isnan(ga) and np.isnan(gb))
        if k % 300 == 299:
            fused.reset()
            plain.reset()


def test_a_block_the_kernel_does_not_take_goes_through_the_stages_one_by_one():
    fused, plain = _default_chain(True), _default_chain(False)
    x = _noise(512, scale=2.0)
    for make in (lambda: x.copy()[::2], lambda: x[:256].astype(np.float64)):  # not contiguous; float64
        block_a, block_b = make(), make()
        assert not (block_a.flags.c_contiguous and block_a.dtype == np.float32)
        a, b = fused.process(block_a), plain.process(block_b)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def test_only_a_compiled_biquad_and_the_limiter_after_it_fuse_and_a_patched_stage_is_honoured():
    gain, limiter = dsp.Gain(-3.0), dsp.Limiter(-1.0, 50.0, SR, 256)
    numpy_biquad = Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2)
    assert DspChain([gain, numpy_biquad, limiter])._steps == (gain, numpy_biquad, limiter)
    with use_kernel("compiled"):
        biquad = Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2)
    assert DspChain([biquad, gain, limiter])._steps == (biquad, gain, limiter)
    steps = DspChain([biquad, limiter])._steps
    assert len(steps) == 1 and steps[0].gain is None
    chain = DspChain([gain, biquad])
    chain.add_stage(limiter)  # a stage added later fuses too; removed, the step comes apart
    assert len(chain._steps) == 1 and chain._steps[0].gain is gain
    chain.remove_stage(limiter)
    assert chain._steps == (gain, biquad)
    calls = []
    limiter.process = lambda block: calls.append(1) or block  # type: ignore[method-assign]
    chain = DspChain([gain, biquad, limiter])
    assert chain._steps == (gain, biquad, limiter)
    chain.process(_noise(256))
    assert calls == [1]


def _two_pairs(fused: bool) -> DspChain:
    with use_kernel("compiled"):
        chain = DspChain([dsp.Gain(-3.0), Biquad("lowpass", 1000.0, 0.707, 0.0, SR, 2),
                          dsp.Limiter(-1.0, 50.0, SR, 256), dsp.Gain(6.0),
                          Biquad("highpass", 200.0, 0.707, 0.0, SR, 2), dsp.Limiter(-6.0, 20.0, SR, 256)])
    if not fused:
        chain._steps = chain.stages
    return chain


def test_every_stage_after_a_fused_step_still_runs():
    """Fusing takes a gain, biquad and limiter as one step and goes on with the stage after them:
    a chain of two such triples is two fused steps, each with its own gain, and filters as its six
    stages one by one, bit for bit."""
    fused, plain = _two_pairs(True), _two_pairs(False)
    assert [type(s).__name__ for s in fused._steps] == ["_GainBiquadLimiter", "_GainBiquadLimiter"]
    assert [s.gain for s in fused._steps] == [fused.stages[0], fused.stages[3]]
    rng = np.random.default_rng(5)
    for k in range(200):
        x = ([0.05, 0.5, 2.0][k % 3] * rng.standard_normal((256, 2))).astype(np.float32)
        np.testing.assert_array_equal(fused.process(x.copy()), plain.process(x.copy()))


def test_the_fused_kernel_takes_the_usual_block_and_no_other():
    """The fused step is there for speed: a contiguous float32 block with a float32 gain is one
    kernel call; a strided or float64 block goes through the stages (the kernel is compiled for
    contiguous float32 only)."""
    chain = _default_chain(True)
    step = chain._steps[0]
    calls: list[tuple[int, ...]] = []
    kernel = step._kernel

    def counted(block, *args):
        calls.append(block.shape)
        return kernel(block, *args)

    step._kernel = counted
    x = _noise(512, scale=0.5)
    chain.process(np.ascontiguousarray(x[:256]))
    assert calls == [(256, 2)]
    chain.process(x[::2])  # float32, not contiguous
    chain.process(x[:256].astype(np.float64))
    assert calls == [(256, 2)]


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_limiter_of_its_own_allocates_nothing_in_the_steady_state(kernel):
    """Unfused (no biquad before it), the limiter measures a block's peak in its scratch buffer,
    not in a new block-sized array per call (blocks under its threshold: its gain stays 1, so the
    block is returned as it came and the peak is all it computes)."""
    frames = 1024
    with use_kernel(kernel):
        chain = DspChain.from_config([LimiterStage(threshold_db=-1.0)], SR, frames, 2)
    blocks = [_noise(frames, seed=40 + i, scale=0.1) for i in range(16)]
    peak = _steady_peak_bytes(chain.process, blocks)
    block_bytes = frames * 2 * 4
    assert peak < block_bytes, f"{peak} bytes held at once while limiting (a float32 block is {block_bytes})"


def test_a_compiled_biquad_of_its_own_filters_a_usual_block_where_it_lies():
    """Unfused (no limiter after it), the compiled biquad filters a contiguous float32 block in
    place: no float64 copy of the block per call."""
    frames = 1024
    with use_kernel("compiled"):
        chain = DspChain.from_config([BiquadStage(cutoff_hz=3000.0)], SR, frames, 2)
    assert [type(s).__name__ for s in chain._steps] == ["Biquad"]
    blocks = [_noise(frames, seed=60 + i, scale=0.3) for i in range(16)]

    def in_place(block: np.ndarray) -> np.ndarray:
        assert chain.process(block) is block
        return block

    peak = _steady_peak_bytes(in_place, blocks)
    block_bytes = frames * 2 * 4
    assert peak < block_bytes, f"{peak} bytes held at once while filtering (a float32 block is {block_bytes})"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_stereo_loop_of_the_kernels_is_each_channel_filtered_alone_bit_for_bit(dtype):
    """The kernels filter two channels side by side in one loop (``dsp_kernels._STEREO``): every
    sample, state and peak is the one each channel gets filtered alone (a one-channel block takes
    the one-channel-at-a-time loop), through loud blocks, a NaN and an infinity."""
    from system_under_test import dsp_kernels as k

    coefs = biquad_coefficients("peaking", 3100.0, 0.8, 4.0, SR)
    b, a = coefs
    args = (b[0], b[1], b[2], a[1], a[2])
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((256 * 9, 2)) * np.repeat([0.1, 2.0, 40.0], 3 * 256)[:, None]).astype(dtype)
    x[7 * 256 + 10, 1] = np.nan
    x[8 * 256 + 3, 0] = np.inf
    gain = np.float32(0.7079458)
    both, alone = x.copy(), [np.ascontiguousarray(x[:, c:c + 1]) for c in range(2)]
    s2, s1 = np.full((2, 2), 0.25), [np.full((2, 1), 0.25) for _ in range(2)]
    for i in range(0, len(x), 256):
        k.biquad_block(both[i:i + 256], s2, *args)
        for c in range(2):
            k.biquad_block(alone[c][i:i + 256], s1[c], *args)
        assert s2.tobytes() == np.hstack(s1).tobytes(), i  # the state after every block
    assert both.tobytes() == np.hstack(alone).tobytes()
    if dtype is np.float64:
        return  # the fused kernels take float32 blocks
    both, alone = x.copy(), [np.ascontiguousarray(x[:, c:c + 1]) for c in range(2)]
    s2, s1 = np.full((2, 2), 0.25), [np.full((2, 1), 0.25) for _ in range(2)]
    seen = []
    for i in range(0, len(x), 256):
        p2 = k.gain_biquad_peak(both[i:i + 256], s2, gain, *args)
        seen.append(p2)
        p1 = [k.gain_biquad_peak(alone[c][i:i + 256], s1[c], gain, *args) for c in range(2)]
        want = np.nan if np.isnan(p1).any() else max(p1)
        assert np.array_equal(p2, want, equal_nan=True), (i, p2, p1)
        assert s2.tobytes() == np.hstack(s1).tobytes(), i
    assert both.tobytes() == np.hstack(alone).tobytes()
    states_alone = []  # the state after each block, filtered one block a call
    s_ref = np.full((2, 2), 0.25)
    for i in range(0, len(x), 256):
        k.gain_biquad_peak(x[i:i + 256].copy(), s_ref, gain, *args)
        states_alone.append(s_ref.copy())
    blocks, states = x.copy(), np.empty((9, 2, 2))
    peaks, s9 = np.empty(9), np.full((2, 2), 0.25)
    k.gain_biquad_peaks(blocks, s9, gain, *args, 256, peaks, states)
    assert blocks.tobytes() == both.tobytes() and s9.tobytes() == s2.tobytes()
    assert states.tobytes() == np.array(states_alone).tobytes()
    assert np.array_equal(peaks, seen, equal_nan=True)
    assert np.isfinite(peaks[:7]).all() and (peaks[3:7] > 1.0).all() and np.isnan(peaks[7:]).all()
