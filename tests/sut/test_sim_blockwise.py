"""A stretch of simulated blocks filtered in one chain call (``Pipeline.begin_stretch``,
``SimulatedStream._deliver_stretch``) gives what one callback a block gives: the same samples, the
same counters, the same filter and limiter state, the same ring positions, at the same times; and
a stretch cut short (the clock refuses to move on) rewinds the filter to the last block delivered."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test import dsp_kernels
from system_under_test.buffers import RingBuffer
from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.base import StatusFlags, StreamStats
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.devices.base import StreamSpec
from system_under_test.dsp import use_kernel
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import Pipeline
from system_under_test.resources import ResourceManager

SR = 48_000
COUNTERS = ("callbacks", "xruns", "frames_captured", "frames_played", "frames_dropped",
            "frames_inserted", "callback_errors", "budget_overruns")
#: loud enough that the limiter attacks and releases within a few blocks
CHAIN = [{"kind": "gain", "gain_db": 6.0}, {"kind": "biquad"}, {"kind": "limiter", "threshold_db": -6.0,
                                                                 "release_ms": 3.0}]


def _signal(frames: int, channels: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / SR
    swell = 0.2 + 0.8 * (np.sin(2 * np.pi * 7 * t) > 0)  # loud and quiet stretches: the limiter moves
    x = swell[:, None] * np.sin(2 * np.pi * 997 * t)[:, None] + 0.01 * rng.standard_normal((frames, channels))
    return np.ascontiguousarray(x, dtype=np.float32)


def _pipeline(bs: int, *, kernel: str = "compiled", dsp: list | None = None,
              ring_blocks: int = 8) -> tuple[Pipeline, MonitoringCoordinator]:
    config = load_config({"stream": {"block_size": bs, "sample_rate": SR, "latency_ms": 20.0},
                          "device": {"input_channels": 2, "output_channels": 2},
                          "buffers": {"ring_blocks": ring_blocks},
                          "dsp": CHAIN if dsp is None else dsp})
    m = MonitoringCoordinator()
    with use_kernel(kernel):
        p = Pipeline(config, ResourceManager(VirtualClock()), m, simulated=True)
    p.capturing = True
    return p, m


def _state(p: Pipeline, m: MonitoringCoordinator) -> tuple:
    chain = p.chain.stages
    return ({k: m.value(k) for k in COUNTERS}, p.input_ring._read, p.output_ring._read, p.input_ring.fill,
            p.output_ring.fill, chain[1].state.tolist(), chain[2]._gain, p.consecutive_errors,
            m.histogram("callback_duration_s").count, m.histogram("callback_load").count)


def test_the_kernel_over_k_blocks_is_k_calls_of_the_one_block_kernel() -> None:
    bs, k = 64, 9
    x = _signal(bs * k, 2, 1)
    x[5 * bs + 7, 1] = np.nan  # a broken block: its peak is NaN, the others' are not
    coefs = (0.2, 0.4, 0.2, -0.6, 0.3)
    g = np.float32(1.4)
    one, z_one, peaks_one, states_one = x.copy(), np.full((2, 2), 0.1), [], []
    for i in range(k):
        peaks_one.append(dsp_kernels.gain_biquad_peak(one[i * bs:(i + 1) * bs], z_one, g, *coefs))
        states_one.append(z_one.copy())
    many, z_many = x.copy(), np.full((2, 2), 0.1)
    peaks, states = np.empty(k), np.empty((k, 2, 2))
    dsp_kernels.gain_biquad_peaks(many, z_many, g, *coefs, bs, peaks, states)
    assert np.array_equal(many, one, equal_nan=True)
    assert np.array_equal(peaks, np.array(peaks_one), equal_nan=True)
    assert np.isnan(peaks[5]) and not np.isnan(peaks[4])
    assert np.array_equal(states, np.array(states_one), equal_nan=True)
    assert np.array_equal(z_many, z_one, equal_nan=True)
    # not whole blocks
    with pytest.raises(ValueError, match=r"^the blocks are not the filter's channels or not whole blocks$"):
        dsp_kernels.gain_biquad_peaks(x[:bs * k - 1].copy(), z_many, g, *coefs, bs, peaks, states)


@pytest.mark.parametrize("bs", [64, 256])
@pytest.mark.parametrize("cut", [None, 1, 4, 11])
def test_a_stretch_is_its_blocks_callbacks(bs: int, cut: int | None) -> None:
    """K blocks as a stretch (or the first ``cut`` of them, then the rest one by one) against K
    callbacks: every output sample, counter, ring position, filter and limiter state. A cut of
    K - 1 is the rewind's boundary: one block short is still short."""
    k, rounds = 12, 5
    x = _signal(bs * k * rounds, 2, bs)
    ref, mr = _pipeline(bs)
    got, mg = _pipeline(bs)
    out_ref = np.empty_like(x)
    for i in range(k * rounds):
        ref.callback(x[i * bs:(i + 1) * bs], out_ref[i * bs:(i + 1) * bs], bs, 0.0, StatusFlags())
    out = np.empty_like(x)
    i = 0
    while i < k * rounds:
        work = got.begin_stretch(x[i * bs:(i + k) * bs], k)
        assert work is not None
        n = k if cut is None else cut
        for j in range(n):
            out[(i + j) * bs:(i + j + 1) * bs] = got.stretch_block(j)
        got.end_stretch(n)
        i += n
        for _ in range(k - n if i < k * rounds else 0):  # the rest of those blocks one callback each
            got.callback(x[i * bs:(i + 1) * bs], out[i * bs:(i + 1) * bs], bs, 0.0, StatusFlags())
            i += 1
    assert _state(got, mg) == _state(ref, mr)
    assert np.array_equal(out, out_ref)
    assert ref.chain.stages[2]._gain < 1.0 or mr.value("frames_played") == k * rounds * bs
    gains = set()  # the limiter did work here (else the test proves less than it says)
    lim = _pipeline(bs)[0]
    for i in range(k * rounds):
        lim.callback(x[i * bs:(i + 1) * bs], np.empty((bs, 2), np.float32), bs, 0.0, StatusFlags())
        gains.add(lim.chain.stages[2]._gain)
    assert len(gains) > 3



def test_a_callback_error_after_a_stretch_carries_the_numbers_block_by_block_gives() -> None:
    """A stretch's blocks are callbacks of the stream like any other: the next callback error is
    stamped with the same numbers (the system's callback count and the stream's) as after the same
    blocks delivered one callback each, so a history counts errors in a row across stretches."""
    bs, k = 64, 12
    x = _signal(bs * k, 2, 3)
    ref, _ = _pipeline(bs)
    got, _ = _pipeline(bs)
    for i in range(k):
        ref.callback(x[i * bs:(i + 1) * bs], np.empty((bs, 2), np.float32), bs, 0.0, StatusFlags())
    assert got.begin_stretch(x, k) is not None
    got.stretch_blocks(0, k)
    got.end_stretch(k)
    wrong = np.zeros((1, 2), np.float32)  # not the block's frames: the callback raises
    for p in (ref, got):
        p.callback(wrong, np.empty((bs, 2), np.float32), bs, 0.0, StatusFlags())
    assert [dict(e.details) for e in got.errors] == [dict(e.details) for e in ref.errors] == [
        {"callback": k + 1, "stream_callback": k + 1}]


#: stages a configuration may chain, two channels in and out: the fused gain, biquad and limiter,
#: each alone, and mixers that swap or mix the channels
_STAGES = [{"kind": "gain", "gain_db": 6.0}, {"kind": "gain", "gain_db": -4.0}, {"kind": "biquad"},
           {"kind": "biquad", "filter": "highpass", "cutoff_hz": 300.0},
           {"kind": "limiter", "threshold_db": -6.0, "release_ms": 3.0},
           {"kind": "mixer", "matrix": [[0.0, 1.0], [1.0, 0.0]]},
           {"kind": "mixer", "matrix": [[0.5, 0.5], [0.25, -1.0]]}]


#: the core the chain can fuse into one step (a gain, if any, right before the biquad and limiter)
_CORES = [[], _STAGES[2:5:2], [_STAGES[0], _STAGES[2], _STAGES[4]], [_STAGES[1], _STAGES[3], _STAGES[4]]]


@st.composite
def _chains(draw: st.DrawFn) -> list:
    """A chain of up to two stages, a fusable core (or none), then up to two stages: the stages
    around the core decide whether the chain is one fused step (none around it: half the time
    each side, so a good share of the chains are the core alone and take stretches)."""
    around = st.one_of(st.just([]), st.lists(st.sampled_from(_STAGES), min_size=1, max_size=2))
    return draw(around) + draw(st.sampled_from(_CORES)) + draw(around)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(_chains(), st.sampled_from([64, 100]))
def test_whatever_the_chain_a_stretch_where_one_is_taken_plays_what_its_callbacks_play(
        dsp: list, bs: int) -> None:
    """Any chain a configuration describes (the fused gain, biquad and limiter with stages before
    or after them, each stage alone, mixers anywhere, none at all): a pipeline that takes a
    stretch wherever ``begin_stretch`` gives one (and a callback a block where it does not) gives
    what one callback a block gives: every output sample, counter, ring position and each stage's
    state. Whether the chain may filter blocks together is the chain's to say; what it plays
    must not depend on it."""
    k, rounds = 6, 4
    x = _signal(bs * k * rounds, 2, bs + len(dsp))
    ref, mr = _pipeline(bs, dsp=dsp)
    got, mg = _pipeline(bs, dsp=dsp)
    out_ref = np.empty_like(x)
    for i in range(k * rounds):
        ref.callback(x[i * bs:(i + 1) * bs], out_ref[i * bs:(i + 1) * bs], bs, 0.0, StatusFlags())
    out = np.empty_like(x)
    for r in range(rounds):
        i = r * k
        if got.begin_stretch(x[i * bs:(i + k) * bs], k) is not None:
            for j in range(k):
                out[(i + j) * bs:(i + j + 1) * bs] = got.stretch_block(j)
            got.end_stretch(k)
        else:
            for j in range(i, i + k):
                got.callback(x[j * bs:(j + 1) * bs], out[j * bs:(j + 1) * bs], bs, 0.0, StatusFlags())

    def state(p: Pipeline, m: MonitoringCoordinator) -> tuple:
        stages = [(s.state.tolist() if hasattr(s, "state") else None, getattr(s, "_gain", None))
                  for s in p.chain.stages]
        return ({c: m.value(c) for c in COUNTERS}, p.input_ring._read, p.output_ring._read,
                p.input_ring.fill, p.output_ring.fill, stages)

    assert state(got, mg) == state(ref, mr)
    assert np.array_equal(out, out_ref)


def test_a_stretch_is_refused_where_its_callbacks_would_not_all_be_the_steady_one() -> None:
    bs = 64
    x = _signal(bs * 4, 2, 3)
    p, _ = _pipeline(bs, kernel="numpy")  # the numpy plan filters by block size: not blockwise
    assert p.begin_stretch(x, 4) is None
    p, _ = _pipeline(bs, dsp=CHAIN[1:])  # no gain: still one fused step
    assert p.begin_stretch(x, 4) is not None
    p.end_stretch(0)
    p, _ = _pipeline(bs, dsp=CHAIN[:2])  # no limiter: no fused step
    assert p.begin_stretch(x, 4) is None
    p, _ = _pipeline(bs)
    assert p.begin_stretch(x, 1) is None  # one block is a callback
    assert p.begin_stretch(x[:3 * bs], 4) is None  # not the frames of the blocks
    p.input_ring.write(x[:bs])  # something buffered: its callbacks differ
    assert p.begin_stretch(x, 4) is None
    p, _ = _pipeline(bs)
    p.pool_dry = True
    assert p.begin_stretch(x, 4) is None
    p, _ = _pipeline(bs)
    p.input_ring = type("Lossy", (RingBuffer,), {"__slots__": ()})(p.input_ring.capacity, 2)  # a mutant's ring
    assert p.begin_stretch(x, 4) is None
    p, _ = _pipeline(bs)
    p.capturing = False
    assert p.begin_stretch(x, 4) is None


def _device_run(*, stretches: bool, refuse_at: int | None, monkeypatch: pytest.MonkeyPatch,
                tap_form: str = "block", sizes: list[int] | None = None) -> tuple:
    """A compiled-chain pipeline on a simulated stream for 300 blocks of 64 frames in a few
    ``run_until`` calls, a plain timer in between and a deferrable one that moves with the
    stream (as the watchdog's quiet pass does), refusing once at block ``refuse_at``: what the tap
    heard and when, the pipeline's state, the stream's whole stats at the end and as each deferral
    read them (the watchdog's quiet pass reads the stats a deferral is asked with: every field of
    them, ``input_starved_since`` included, must be what block-by-block delivery leaves). ``tap_form``: the tap called after each block
    ("block"), given a stretch form too ("blocks": ``add_output_tap``'s ``blocks``, the size of
    each of its calls appended to ``sizes``), or that beside a second tap without one ("mixed"),
    or no tap at all ("none")."""
    bs = 64
    if not stretches:
        monkeypatch.setattr(Pipeline, "begin_stretch", lambda self, indata, blocks: None)
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=5, amplitude=0.9)
    p, m = _pipeline(bs)
    heard: list[np.ndarray] = []
    times: list[float] = []

    def tap(who, out, t):
        assert who is stream  # the stream delivering, as ``_deliver`` passes it
        heard.append(out.copy())
        times.append(t)

    def blocks(who, out, when):
        assert who is stream and out.shape == (len(when) * bs, 2)
        if sizes is not None:
            sizes.append(len(when))
        for j, t in enumerate(when):
            tap(who, out[j * bs:(j + 1) * bs], t)

    if tap_form == "block":
        backend.add_output_tap(tap)
    elif tap_form != "none":
        backend.add_output_tap(tap, blocks=blocks)
    if tap_form == "mixed":
        backend.add_output_tap(lambda who, out, t: None)
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
    period = stream.spec.block_seconds
    events: list[tuple[float, str]] = []
    asked = [0]
    stats_read: list[StreamStats] = []

    def defer(when: float) -> float | None:
        asked[0] += 1
        stats_read.append(copy.deepcopy(stream.stats))
        # the blocks delivered so far (what the tap heard, when it hears each block at once)
        if refuse_at is not None and stream.stats.callbacks >= refuse_at and asked[0] < 10_000:
            asked[0] = 10_000  # once
            return None
        return (stream.stats.last_callback_at or 0.0) + 3.5 * period

    def watch() -> None:
        events.append((clock.now(), f"watch after {len(times)} blocks"))
        handle = clock.call_at(clock.now() + 3.5 * period, watch)
        handle.defer = defer

    first = clock.call_at(3.5 * period, watch)
    first.defer = defer
    clock.call_at(101.5 * period, lambda: events.append((clock.now(), f"timer after {len(times)} blocks")))
    stream.start()
    for deadline in (40.2, 160.7, 300.2):
        clock.run_until(deadline * period)
    stream.stop()
    return (np.concatenate(heard) if heard else None, times, events, _state(p, m), stream.stats.callbacks, stream._pos,
            stream.frames_delivered, stream._stream_time, stream._outdata.tolist(), stream.stats.last_callback_at,
            copy.deepcopy(stream.stats), stats_read)


@pytest.mark.parametrize("refuse_at", [None, 57])
def test_a_simulated_stream_delivers_a_stretch_as_it_delivers_its_blocks_one_by_one(
        refuse_at: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    got = _device_run(stretches=True, refuse_at=refuse_at, monkeypatch=monkeypatch)
    ref = _device_run(stretches=False, refuse_at=refuse_at, monkeypatch=monkeypatch)
    assert np.array_equal(got[0], ref[0])
    assert got[1] == ref[1] and len(got[1]) == 300
    assert got[2:] == ref[2:]
    if refuse_at is not None:  # the refused pass ran as a timer, where the stretch had to stop
        assert any(what == f"watch after {refuse_at} blocks" or what.startswith("watch") for _, what in got[2])



def _wrap_run(bs: int, *, stretches: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """A compiled-chain pipeline on a simulated stream of ``bs``-frame blocks for 3 simulated
    seconds, its input looping over the one-second signal table three times: what the tap heard
    and when, the pipeline's state, the stream's position, frames, stream time and the errors it
    reported, and how many stretches were begun."""
    begun = [0]
    if stretches:
        real_begin = Pipeline.begin_stretch

        def counted(self: Pipeline, indata: np.ndarray, blocks: int) -> np.ndarray | None:
            work = real_begin(self, indata, blocks)
            begun[0] += work is not None
            return work

        monkeypatch.setattr(Pipeline, "begin_stretch", counted)
    else:
        monkeypatch.setattr(Pipeline, "begin_stretch", lambda self, indata, blocks: None)
    config = load_config({"stream": {"block_size": bs, "sample_rate": SR, "latency_ms": 500.0},
                          "device": {"input_channels": 2, "output_channels": 2}, "dsp": CHAIN})
    m = MonitoringCoordinator()
    with use_kernel("compiled"):
        p = Pipeline(config, ResourceManager(VirtualClock()), m, simulated=True)
    p.capturing = True
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=5, amplitude=0.9)
    heard: list[np.ndarray] = []
    times: list[float] = []

    def tap(who, out, t) -> None:
        heard.append(out.copy())
        times.append(t)

    def blocks(who, out, when) -> None:
        for j, t in enumerate(when):
            tap(who, out[j * bs:(j + 1) * bs], t)

    backend.add_output_tap(tap, blocks=blocks)
    errors: list[str] = []
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback,
                                 lambda e: errors.append(str(e)))
    stream.start()
    clock.run_until(3.0)
    stream.stop()
    return (np.concatenate(heard), times, _state(p, m), stream._pos, stream.frames_delivered, stream._stream_time,
            errors, begun[0])


@pytest.mark.parametrize("bs", [6000, 8192])
def test_stretches_across_the_signal_s_wrap_deliver_what_block_by_block_delivery_does(
        bs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulated input loops over one second of its signal (``test_signal``: the loop, then up
    to ``_WRAP`` frames of its start so that a block never straddles the seam). A stretch is
    planned to end where the loop does, and the stream goes on from the loop's start. At the
    largest block sizes a block read from past the loop's end would run off the table: a stream
    crossing the wrap three times in stretches plays, at the same times, what block-by-block
    delivery plays, and leaves the same position, frames, stream time and errors (none)."""
    got = _wrap_run(bs, stretches=True, monkeypatch=monkeypatch)
    ref = _wrap_run(bs, stretches=False, monkeypatch=monkeypatch)
    assert got[-1] > 0 and ref[-1] == 0  # stretches were taken, and only in the first run
    assert ref[6] == []
    assert len(ref[1]) * bs > 2 * SR  # the blocks crossed the one-second loop's wrap at least twice
    assert np.array_equal(got[0], ref[0])
    assert got[1:7] == ref[1:7]

@pytest.mark.parametrize("tap_form", ["blocks", "mixed"])
@pytest.mark.parametrize("refuse_at", [None, 57])
def test_a_tap_with_a_stretch_form_hears_each_stretch_at_once_as_it_would_block_by_block(
        tap_form: str, refuse_at: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tap given a stretch form (``add_output_tap(tap, blocks=...)``) hears the same blocks at
    the same times as one called after each block, in one call per stretch; beside a tap without
    one, every tap is called after each block."""
    sizes: list[int] = []
    got = _device_run(stretches=True, refuse_at=refuse_at, monkeypatch=monkeypatch, tap_form=tap_form,
                      sizes=sizes)
    ref = _device_run(stretches=False, refuse_at=refuse_at, monkeypatch=monkeypatch)
    assert np.array_equal(got[0], ref[0])
    assert got[1] == ref[1] and len(got[1]) == 300
    assert got[2:] == ref[2:]
    if tap_form == "blocks":
        assert sum(sizes) > 250 and max(sizes) > 20
    else:
        assert sizes == []


@pytest.mark.parametrize("tap_form", ["none", "blocks", "block"])
@pytest.mark.parametrize("refuse_at", [None, 57])
def test_the_blocks_between_two_timers_go_at_once_and_as_block_by_block_delivers_them(
        tap_form: str, refuse_at: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no tap, or taps that all have a stretch form, the blocks of a stretch up to the
    first timer that does not defer are delivered in one ``stretch_blocks`` call (the clock
    moved by ``advance_along_deferring``), and the deferrable timer is still asked after the very
    block it is asked after block by block, with the stream's counters and last callback time as
    they are then: the same blocks, times, events (the timer's runs and deferrals), counters,
    stream time and pipeline state. A tap without a stretch form hears each block as it is
    delivered: one block a call."""
    runs: list[int] = []
    original = Pipeline.stretch_blocks

    def counted(self, i, j):
        runs.append(j - i)
        return original(self, i, j)

    monkeypatch.setattr(Pipeline, "stretch_blocks", counted)
    got = _device_run(stretches=True, refuse_at=refuse_at, monkeypatch=monkeypatch, tap_form=tap_form)
    monkeypatch.setattr(Pipeline, "stretch_blocks", original)
    ref = _device_run(stretches=False, refuse_at=refuse_at, monkeypatch=monkeypatch,
                      tap_form="block" if tap_form != "none" else "none")
    assert np.array_equal(got[0], ref[0]) if tap_form != "none" else got[0] is ref[0] is None
    assert got[1] == ref[1] and len(got[1]) == (300 if tap_form != "none" else 0)
    assert got[2:] == ref[2:]
    assert sum(runs) > 250
    if tap_form == "block":
        assert set(runs) == {1}
    else:  # the deferrable timer's passes (3.5 blocks on from the last callback) are asked
        # inside a run: one ends only at a ``run_until`` deadline (blocks 40, 160), the plain
        # timer (block 101), the end, and the refused deferral after block 57
        assert runs == ([40, 61, 59, 140] if refuse_at is None else [40, 17, 44, 59, 140])


def test_a_removed_tap_with_a_stretch_form_is_forgotten() -> None:
    backend = SimulatedBackend(VirtualClock())
    tap, blocks = (lambda s, out, t: None), (lambda s, out, times: None)
    backend.add_output_tap(tap, blocks=blocks)
    assert backend._tap_blocks == {tap: blocks}
    backend.remove_output_tap(tap)
    assert backend._output_taps == [] and backend._tap_blocks == {}


def test_a_stretch_is_used_and_cut_at_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stretches do run here (else the test above compares the per-block path with itself),
    and a refused deferral ends one with fewer blocks delivered than filtered."""
    ended: list[tuple[int, int]] = []
    original = Pipeline.end_stretch

    def end(self, delivered):
        ended.append((delivered, len(self._stretch[2])))
        original(self, delivered)

    monkeypatch.setattr(Pipeline, "end_stretch", end)
    _device_run(stretches=True, refuse_at=57, monkeypatch=monkeypatch)
    assert sum(d for d, _ in ended) > 250
    assert any(d < planned for d, planned in ended)


def test_a_repeated_observation_is_that_many_observations() -> None:
    from system_under_test.monitoring import Histogram

    # (6, 5), (13, 6), (15, 3): the ring wraps within the repeated ones; (5, 4), (13, 4): they end at its end;
    # (3, 1): one observation, no repeated slice
    for start, times in ((0, 3), (5, 4), (6, 9), (2, 20), (7, 0), (6, 5), (13, 6), (15, 3), (13, 4), (9, 9),
                         (3, 1)):
        one, many = Histogram("h", capacity=8), Histogram("h", capacity=8)
        for v in range(start):
            one.observe(float(v))
            many.observe(float(v))
        for _ in range(times):
            one.observe(0.25)
        many.observe_repeated(0.25, times)
        assert np.array_equal(one._ring, many._ring) and one._n == many._n
        assert (one.count, one.total, one.max, one.min) == (many.count, many.total, many.max, many.min)


def test_a_stretch_with_the_limiter_idle_leaves_it_alone_and_one_above_the_threshold_does_not() -> None:
    """The limiter is skipped for a stretch only when no block of it would move it: a NaN block
    among loud ones does not hide them (its peak is NaN, the largest of the others is not)."""
    bs, k = 64, 6
    for loud in (False, True):
        x = _signal(bs * k, 2, 9) * (1.0 if loud else 0.05)
        x[bs + 3, 0] = np.nan
        ref, mr = _pipeline(bs)
        got, mg = _pipeline(bs)
        out_ref = np.empty_like(x)
        for i in range(k):
            ref.callback(x[i * bs:(i + 1) * bs], out_ref[i * bs:(i + 1) * bs], bs, 0.0, StatusFlags())
        assert got.begin_stretch(x, k) is not None
        assert (got._stretch[2] is None) is (not loud)
        out = np.concatenate([got.stretch_block(j).copy() for j in range(k)])
        got.end_stretch(k)
        assert np.array_equal(out, out_ref, equal_nan=True)
        assert _state(got, mg) == _state(ref, mr) or np.isnan(ref.chain.stages[1].state).any()


def test_a_pipeline_with_a_chain_of_its_own_is_delivered_block_by_block() -> None:
    """A chain that is no ``DspChain`` (a test's, a user's) has no fused step: the device asks and
    delivers one callback a block."""

    class PassThrough:
        cost_s = 0.0

        def process(self, block: np.ndarray) -> np.ndarray:
            return block

    bs = 64
    config = load_config({"stream": {"block_size": bs, "sample_rate": SR, "latency_ms": 20.0},
                          "device": {"input_channels": 2, "output_channels": 2}, "dsp": []})
    m = MonitoringCoordinator()
    clock = VirtualClock()
    p = Pipeline(config, ResourceManager(clock), m, chain=PassThrough(), simulated=True)  # type: ignore[arg-type]
    p.capturing = True
    assert not p.stretch_ready()
    backend = SimulatedBackend(clock, seed=2)
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
    stream.start()
    clock.run_until(50.5 * stream.spec.block_seconds)
    assert m.value("callbacks") == 50 and m.value("frames_played") == 50 * bs


@pytest.mark.parametrize("callback", ["another object's method named callback", "a pipeline's other method"])
def test_only_a_pipeline_s_own_callback_is_delivered_in_stretches(callback: str) -> None:
    """A stream takes stretches only for ``Pipeline.callback`` itself: another object's method
    (even one named ``callback``, with no ``stretch_ready``) or another method of a pipeline (a
    wrapper around its callback) is called once a block, as every callback was before stretches."""
    bs = 64
    p, m = _pipeline(bs)
    called: list[int] = []

    class Player:
        def callback(self, indata, outdata, frames, stream_time, status) -> None:
            called.append(frames)
            outdata[:] = indata

    class Wrapped(Pipeline):
        def counted(self, indata, outdata, frames, stream_time, status) -> None:
            called.append(frames)
            self.callback(indata, outdata, frames, stream_time, status)

    if callback == "a pipeline's other method":
        p.__class__ = Wrapped
        fn = p.counted  # type: ignore[attr-defined]
    else:
        fn = Player().callback
    assert p.stretch_ready()
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=2)
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), fn, lambda e: None)
    stream.start()
    clock.run_until(50.5 * stream.spec.block_seconds)
    assert called == [bs] * 50
    if callback == "a pipeline's other method":
        assert m.value("callbacks") == 50


def _callbacks(p: Pipeline, x: np.ndarray, bs: int) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0] // bs):
        p.callback(x[i * bs:(i + 1) * bs], out[i * bs:(i + 1) * bs], bs, 0.0, StatusFlags())
    return out


def _stretch(p: Pipeline, x: np.ndarray, k: int, delivered: int) -> np.ndarray:
    assert p.begin_stretch(x, k) is not None
    out = np.concatenate([p.stretch_block(j).copy() for j in range(delivered)])
    p.end_stretch(delivered)
    return out


@pytest.mark.parametrize("held", [1, 64, 100])
def test_frames_left_in_the_output_ring_are_played_as_block_by_block_plays_them(held: int) -> None:
    """Frames still in the output ring with the input ring empty (measured: 919 of the 2906
    ``stretch_ready`` checks of six 20 s runs, default and hostile at seeds 1-3, on the compiled
    kernel) make each callback play them first: a pipeline offered a stretch there gives the
    samples, counters and rings that one callback a block gives (taking it, or refusing it and
    going block by block)."""
    bs, k = 64, 6
    x = _signal(bs * k, 2, 7)
    backlog = _signal(held, 2, 8)
    ref, mr = _pipeline(bs)
    got, mg = _pipeline(bs)
    for p in (ref, got):
        p.output_ring.write(backlog)
    out_ref = _callbacks(ref, x, bs)
    if got.begin_stretch(x, k) is None:
        out = _callbacks(got, x, bs)
    else:
        out = np.concatenate([got.stretch_block(j).copy() for j in range(k)])
        got.end_stretch(k)
    assert np.array_equal(out, out_ref)
    assert _state(got, mg) == _state(ref, mr)


@pytest.mark.parametrize(("held", "ring_blocks"), [(1, 8), (64, 8), (100, 8), (448, 8), (896, 32)])
@pytest.mark.parametrize("cut", [None, 0, 2])
def test_a_stretch_is_taken_with_frames_left_in_the_output_ring(held: int, ring_blocks: int, cut: int | None) -> None:
    """Frames the output ring holds with the input ring empty (after a late callback or an
    underrun, until a flush; 3 105 of the 5 123 stretches a 300 s default run on the compiled
    kernel could not start) are played first by every callback, which keeps as many: the stretch
    is taken there, all of it or its first ``cut`` blocks, and gives the samples, counters, ring
    positions and filter and limiter state one callback a block gives, also for the callbacks
    after it (the ring holds what they would have left in it). 448 frames: a block more fills
    the 512-frame ring; 896 in a ring of 2 048: a block more is the latency's 960, the most the
    ring keeps without dropping any."""
    bs, k = 64, 6
    x = _signal(bs * (k + 3), 2, 7)
    backlog = _signal(held, 2, 8)
    ref, mr = _pipeline(bs, ring_blocks=ring_blocks)
    got, mg = _pipeline(bs, ring_blocks=ring_blocks)
    for p in (ref, got):
        p.output_ring.write(backlog)
    out_ref = _callbacks(ref, x, bs)
    n = k if cut is None else cut
    assert got.begin_stretch(x[:k * bs], k) is not None
    out = [got.stretch_block(j).copy() for j in range(n)]
    got.end_stretch(n)
    out.append(_callbacks(got, x[n * bs:], bs))
    assert np.array_equal(np.concatenate(out), out_ref)
    assert _state(got, mg) == _state(ref, mr)
    assert mr.value("frames_dropped") == 0 and mr.value("frames_inserted") == 0


def test_a_stretch_is_refused_where_a_block_more_in_the_output_ring_would_be_dropped() -> None:
    """Past the latency's frames (960 at 20 ms) a callback drops the oldest of the output ring
    (``max_output_backlog``), and with no room for a block it processes none: not the steady
    callback, so no stretch (the edges themselves are taken: the test above)."""
    bs, k = 64, 4
    x = _signal(bs * k, 2, 9)
    for held, ring_blocks in ((897, 32), (449, 8)):
        p, _ = _pipeline(bs, ring_blocks=ring_blocks)
        assert p.output_ring.write(_signal(held, 2, 10)) == held
        assert not p.stretch_ready() and p.begin_stretch(x, k) is None
        assert p.output_ring.fill == held and p._stretch is None


def test_the_smallest_stretch_rings_and_pool_still_take_the_stretch() -> None:
    """Two blocks are a stretch; rings of exactly one block and a pool with one free buffer leave
    every callback the steady one, so they take it too, with the callbacks' numbers; a pool
    with no free buffer does not (its callback drops the block)."""
    bs = 64
    x = _signal(bs * 8, 2, 5)
    ref, mr = _pipeline(bs)
    got, mg = _pipeline(bs)
    for p in (ref, got):
        p.input_ring, p.output_ring = RingBuffer(bs, 2), RingBuffer(bs, 2)
        while p.pool.available > 1:
            assert p.pool.acquire() is not None
    assert got.stretch_ready()
    out_ref = _callbacks(ref, x, bs)
    out = np.concatenate([_stretch(got, x[i * 2 * bs:(i + 1) * 2 * bs], 2, 2) for i in range(4)])
    assert np.array_equal(out, out_ref)
    assert _state(got, mg) == _state(ref, mr)
    assert got.pool.acquire() is not None and got.pool.available == 0
    assert not got.stretch_ready() and got.begin_stretch(x[:2 * bs], 2) is None


def test_a_stretch_reuses_the_pipeline_s_buffer() -> None:
    """No allocation once the pipeline's stretch buffer is as long as a stretch: a stretch of as
    many or fewer frames is filtered in the same buffer; only a longer one gets a new one."""
    bs = 64
    x = _signal(bs * 6, 2, 6)
    p, _ = _pipeline(bs)
    first = p.begin_stretch(x[:4 * bs], 4)
    p.end_stretch(4)
    again = p.begin_stretch(x[:4 * bs], 4)
    p.end_stretch(4)
    shorter = p.begin_stretch(x[:2 * bs], 2)
    p.end_stretch(2)
    assert first is not None and again is not None and shorter is not None
    assert np.shares_memory(first, again) and np.shares_memory(first, shorter)
    longer = p.begin_stretch(x, 6)
    p.end_stretch(6)
    assert longer is not None and not np.shares_memory(first, longer)


def test_a_stretch_of_which_nothing_is_delivered_rewinds_to_before_it() -> None:
    """``end_stretch(0)``: the filter is back where it was before the stretch (a running state,
    not zeros), the rings and counters untouched: the next callbacks are what they would be."""
    bs = 64
    x = _signal(bs * 8, 2, 7)
    ref, mr = _pipeline(bs)
    got, mg = _pipeline(bs)
    _callbacks(ref, x[:2 * bs], bs)
    _callbacks(got, x[:2 * bs], bs)
    assert np.any(got.chain.stages[1].state != 0)
    assert got.begin_stretch(x[2 * bs:6 * bs], 4) is not None
    got.end_stretch(0)
    assert _state(got, mg) == _state(ref, mr)
    assert np.array_equal(_callbacks(got, x[2 * bs:], bs), _callbacks(ref, x[2 * bs:], bs))
    assert _state(got, mg) == _state(ref, mr)


@pytest.mark.parametrize("loud", [True, False])
@pytest.mark.parametrize("delivered", [5, 2])
def test_a_stretch_s_real_time_is_shared_evenly_among_its_delivered_blocks(
        delivered: int, loud: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The duration and load histograms get one observation per delivered block, each the
    stretch's real time over their number: the chain's call, and the limiter's work on each
    delivered block when the limiter acts in the stretch (loud); a stretch it leaves alone
    (quiet) reads the clock around the chain's call only (its blocks are a few counters each)."""
    from system_under_test import pipeline as pipeline_module

    tick = 2.0 ** -10  # exact in binary: the sums below are exact
    reads = [0]

    def fake() -> float:
        reads[0] += 1
        return 1024.0 + tick * reads[0]

    # a stretch runs on the virtual clock only, where a callback's real time is its thread's CPU time
    monkeypatch.setattr(pipeline_module, "_thread_cpu", fake)
    bs, k = 64, 5
    p, m = _pipeline(bs)
    x = _signal(bs * k, 2, 8) * (1.0 if loud else 0.05)  # quiet: peaks under the threshold, gain 1
    assert p.begin_stretch(x, k) is not None
    assert (p._stretch[2] is not None) is loud
    for j in range(delivered):
        p.stretch_block(j)
    p.end_stretch(delivered)
    timed = 1 + delivered if loud else 1  # begin_stretch's t0..end, then each block's limiter
    assert reads[0] == 2 * timed
    share = timed * tick / delivered
    for name, value in (("callback_duration_s", share), ("callback_load", share / p.budget_s)):
        h = m.histogram(name)
        assert h.count == delivered
        assert h.total == pytest.approx(value * delivered, rel=1e-12)
        assert h.max == pytest.approx(value, rel=1e-12) and h.min == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("held", [0, 5, 13])
@pytest.mark.parametrize("n", [0, 3, 14, 40])
def test_a_ring_passes_frames_through_as_its_writes_and_reads_would(held: int, n: int) -> None:
    """``pass_through(n, held)`` leaves a ring as ``n`` frames written and ``n`` read a block at a
    time leave it: the same read position and fill, and the frames it holds (those ``held``)
    read back alike, across the storage's wrap; ``peek`` gives them without reading them. A ring
    holding frames that is not given as many to hold is refused, saying why, and left as it was."""
    rng = np.random.default_rng(held * 100 + n)
    ring, ref = RingBuffer(16, 2), RingBuffer(16, 2)
    first = rng.standard_normal((held, 2)).astype(np.float32)
    for r in (ring, ref):  # the read position off zero, so that the frames wrap
        r.write(np.zeros((11, 2), np.float32))
        r.read(np.empty((11, 2), np.float32))
        r.write(first)
    before = np.empty((held, 2), np.float32)
    ring.peek(before)
    assert np.array_equal(before, first) and (ring.fill, ring._read) == (held, 11)
    written = rng.standard_normal((n, 2)).astype(np.float32)
    for i in range(0, n, 2):  # in pieces, as callbacks write and read
        piece = written[i:i + 2]
        assert ref.write(piece) == piece.shape[0]
        ref.read(np.empty_like(piece))
    if held:
        with pytest.raises(ValueError, match=rf"^a ring holding {held} frames must be given {held} frames to hold$"):
            ring.pass_through(n)
        assert (ring.fill, ring._read) == (held, 11)
    ring.pass_through(n, np.concatenate([before, written])[n:n + held] if held else None)
    assert (ring.fill, ring._read) == (ref.fill, ref._read)
    got, want = np.empty((held, 2), np.float32), np.empty((held, 2), np.float32)
    ring.peek(got)
    assert ring.fill == held
    assert ring.read(got) == ref.read(want) == held
    assert np.array_equal(got, want)


def _documented_plan(stream) -> tuple[int, int]:
    """The stretch ``_deliver_stretch`` documents for ``stream`` now: ``(blocks, most)``: as many
    blocks as fall one period apart before the running deadline and the first timer without a
    ``defer`` (``VirtualClock.quiet_until``), at most the whole blocks of ``_STRETCH_FRAMES`` (two
    at least) and none across the signal table's wrap."""
    from system_under_test.devices import simulated

    clock, period, bs = stream._clock, stream._period, stream._bs
    deadline, first = clock.quiet_until()
    most = min(max(2, simulated._STRETCH_FRAMES // bs), (stream._loop - 1 - stream._pos) // bs + 1)
    t, expected = clock.now(), 1
    while expected < most:
        t = t + period
        if t > deadline or t >= first:
            break
        expected += 1
    return expected, most


def test_a_stretch_is_planned_up_to_the_first_timer_that_would_not_move(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no deferral refused, every stretch is planned as long as ``_deliver_stretch`` says
    (up to ``_STRETCH_FRAMES``, the block where the signal wraps, the running ``run_until``'s
    deadline and the first timer without a ``defer``) and delivered whole."""
    plans: list[tuple[int, int]] = []
    original_begin, original_end = Pipeline.begin_stretch, Pipeline.end_stretch
    streams: list = []
    original_open = SimulatedBackend.open_stream

    def open_stream(self, *args, **kwargs):
        streams.append(original_open(self, *args, **kwargs))
        return streams[-1]

    def begin(self, indata, blocks):
        expected, _ = _documented_plan(streams[0])
        assert blocks == expected >= 2
        plans.append((blocks, -1))
        return original_begin(self, indata, blocks)

    def end(self, delivered):
        plans[-1] = (plans[-1][0], delivered)
        original_end(self, delivered)

    monkeypatch.setattr(SimulatedBackend, "open_stream", open_stream)
    monkeypatch.setattr(Pipeline, "begin_stretch", begin)
    monkeypatch.setattr(Pipeline, "end_stretch", end)
    _device_run(stretches=True, refuse_at=None, monkeypatch=monkeypatch)
    assert plans and all(planned == delivered for planned, delivered in plans)
    assert sum(d for _, d in plans) > 250 and len(set(plans)) > 2


def _tap_action_run(action: str, at: int, *, stretches: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """A simulated stream whose output tap, at block ``at``, stops it, kills it, delays or
    corrupts its next callback, stalls its device or removes it (with the loss reported, or
    silently: no timer of the report's then): what was heard and when."""
    bs = 64
    with monkeypatch.context() as mp:
        if not stretches:
            mp.setattr(Pipeline, "begin_stretch", lambda self, indata, blocks: None)
        clock = VirtualClock()
        backend = SimulatedBackend(clock, seed=7, amplitude=0.9)
        p, m = _pipeline(bs)
        heard: list[np.ndarray] = []
        times: list[float] = []
        period = bs / SR

        def tap(stream, out, t):
            heard.append(out.copy())
            times.append(t)
            if len(times) == at:
                if action == "stop":
                    stream.stop()
                elif action == "restart":  # a stop and start from the tap: a tick timer is set
                    stream.stop()
                    stream.start()
                elif action == "timer":
                    clock.call_at(t + 2.5 * period, lambda: None)
                elif action == "delay":
                    backend.delay_next_callback("sim-in", 0.3 * period)
                elif action == "corrupt":
                    backend.corrupt_next_callbacks("sim-in", 2)
                elif action == "stall":
                    backend.stall("sim-in")
                    clock.call_at(t + 5 * period, lambda: backend.unstall("sim-in"))
                elif action in ("remove", "remove silently"):  # the stream dies, its timer cancelled
                    backend.remove_device("sim-in", report=action == "remove")

        backend.add_output_tap(tap)
        stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
        stream.start()
        clock.run_until(80.2 * period)
        stream.stop()
        return np.concatenate(heard).tolist(), times, _state(p, m), stream.stats.callbacks, stream._pos


@pytest.mark.parametrize("action", ["stop", "restart", "timer", "delay", "corrupt", "stall", "remove",
                                    "remove silently"])
def test_a_tap_s_fault_or_stop_ends_the_stretch_where_it_ends_block_by_block(
        action: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tap (a fault hook) that stops (and restarts) the stream, sets a timer, delays or corrupts the next
    callback, stalls the device or removes it in the middle of a stretch: the blocks after it are what
    they are one by one (the stretch ends after the block whose tap did it; a removed device's
    stream plays nothing more)."""
    got = _tap_action_run(action, 7, stretches=True, monkeypatch=monkeypatch)
    ref = _tap_action_run(action, 7, stretches=False, monkeypatch=monkeypatch)
    assert got == ref
    assert len(got[1]) >= 7
    if action.startswith("remove"):
        assert len(got[1]) == 7


@pytest.mark.parametrize("change", ["gain float64", "gain cost", "biquad cost", "limiter cost", None])
def test_only_a_plain_fused_step_filters_blocks_together(change: str | None) -> None:
    """``DspChain.blockwise``: a gain that is no float32 scalar, or any stage of the fused step
    declaring a cost, leaves the chain to one call a block (``begin_stretch`` refuses)."""
    bs = 64
    p, _ = _pipeline(bs)
    gain, biquad, limiter = p.chain.stages
    if change == "gain float64":
        gain.gain = np.float64(gain.gain)
    elif change is not None:
        setattr({"gain cost": gain, "biquad cost": biquad, "limiter cost": limiter}[change], "cost_s", 1e-4)
    assert p.chain.fused_step is not None
    assert (p.chain.blockwise is None) is (change is not None)
    assert (p.begin_stretch(_signal(bs * 3, 2, 4), 3) is None) is (change is not None)


@pytest.mark.parametrize("loop", [None, 1000, 1001])
def test_a_stretch_is_planned_up_to_the_signal_s_wrap_its_length_and_the_next_timer(
        loop: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long runs with plain timers at seeded times between blocks, on the one-second sine (a
    stretch then reaches ``_STRETCH_FRAMES`` and the wrap at 48000 frames) or on a program of 1000
    or 1001 frames (wrapping inside a block every 15 or 16 blocks, at every offset for 1001): every stretch is planned as
    ``_deliver_stretch`` says, delivered whole, and the output is the one-by-one run's."""
    bs = 64
    period = bs / SR
    program = None if loop is None else (lambda rate: 0.8 * np.sin(2 * np.pi * 3 * np.arange(loop) / loop))

    def run(stretches: bool) -> tuple:
        plans: list[list[int]] = []
        original_begin, original_end = Pipeline.begin_stretch, Pipeline.end_stretch
        with monkeypatch.context() as mp:
            clock = VirtualClock()
            backend = SimulatedBackend(clock, seed=3, amplitude=0.9)
            backend.program = program
            stream_box: list = []

            def begin(self, indata, blocks):
                if not stretches:
                    return None
                expected, most = _documented_plan(stream_box[0])
                assert blocks == expected >= 2
                plans.append([blocks, -1, most])
                return original_begin(self, indata, blocks)

            def end(self, delivered):
                plans[-1][1] = delivered
                original_end(self, delivered)

            mp.setattr(Pipeline, "begin_stretch", begin)
            mp.setattr(Pipeline, "end_stretch", end)
            p, m = _pipeline(bs)
            heard: list[np.ndarray] = []
            backend.add_output_tap(lambda s, out, t: heard.append(out.copy()))
            stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
            stream_box.append(stream)
            events: list[float] = []

            def watch() -> None:  # deferrable, as the watchdog's quiet pass: runs only where refused
                events.append(clock.now())
                clock.call_at(clock.now() + 3.5 * period, watch).defer = lambda when: when + 3.5 * period

            clock.call_at(3.5 * period, watch).defer = lambda when: when + 3.5 * period
            rng = np.random.default_rng(11)
            at = 0.0
            for _ in range(40):  # plain timers between blocks, some 2 blocks apart
                at += period * (rng.integers(1, 4) if rng.random() < 0.5 else rng.integers(20, 80)) + 0.5 * period
                clock.call_at(at, lambda: None)
            stream.start()
            clock.run_until(900.3 * period)
            clock.run_until(1700.6 * period)
            stream.stop()
        return np.concatenate(heard).tolist(), _state(p, m), stream._pos, events, plans

    got, ref = run(True), run(False)
    assert got[:4] == ref[:4]
    plans = got[4]
    assert plans and all(planned == delivered for planned, delivered, _ in plans)
    assert 2 in {planned for planned, _, _ in plans}
    assert any(planned == most < 256 for planned, _, most in plans)  # cut at the wrap
    if loop is None:
        assert any(planned == 256 for planned, _, _ in plans)  # _STRETCH_FRAMES


def test_a_recording_stream_delivers_block_by_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream that records what it plays (``record_seconds``) never takes a stretch (its
    recording is written by ``_deliver``): nothing is asked of ``begin_stretch``, and the
    recording is every block played."""
    bs = 64
    asked: list[int] = []
    original = Pipeline.begin_stretch
    monkeypatch.setattr(Pipeline, "begin_stretch", lambda self, x, k: asked.append(k) or original(self, x, k))
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=4, amplitude=0.9, record_seconds=0.5)
    p, m = _pipeline(bs)
    heard: list[np.ndarray] = []
    backend.add_output_tap(lambda s, out, t: heard.append(out.copy()))
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
    stream.start()
    clock.run_until(100.5 * bs / SR)
    stream.stop()
    assert asked == [] and m.value("callbacks") == 100
    assert np.array_equal(stream.recording[:100 * bs], np.concatenate(heard))


@pytest.mark.parametrize("bs", [8192, 480])
def test_a_stretch_holds_the_whole_blocks_of_the_stretch_frames_and_at_least_two(
        bs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_STRETCH_FRAMES`` (16384) holds two blocks of 8192 frames, 34 of 480 (not 35: whole
    blocks only); a stretch is never fewer than two blocks nor more than the frames hold."""
    from system_under_test.devices import simulated

    most = {8192: 2, 480: 34}[bs]
    assert simulated._STRETCH_FRAMES // bs == most
    plans: list[int] = []
    original = Pipeline.begin_stretch
    monkeypatch.setattr(Pipeline, "begin_stretch", lambda self, x, k: plans.append(k) or original(self, x, k))
    config = load_config({"stream": {"block_size": bs, "sample_rate": SR, "latency_ms": 200.0},
                          "device": {"input_channels": 2, "output_channels": 2}, "dsp": CHAIN})
    m = MonitoringCoordinator()
    clock = VirtualClock()
    with use_kernel("compiled"):
        p = Pipeline(config, ResourceManager(clock), m, simulated=True)
    p.capturing = True
    backend = SimulatedBackend(clock, seed=6, amplitude=0.9)
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
    stream.start()
    clock.run_until(300.5 * bs / SR)
    stream.stop()
    assert m.value("callbacks") == 300 and plans and max(plans) == most
    assert set(plans) == {2} if bs == 8192 else len(set(plans)) > 1


def test_a_stretch_takes_the_block_at_the_deadline_and_stops_before_the_block_at_a_timer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 375 frames at 48 kHz last 1/128 s, a binary fraction, so the clock's sums of
    periods fall exactly on a ``run_until`` deadline and on a plain timer set at a whole number of
    periods: a block due at the deadline is in the stretch (``run_until`` runs what is due at its
    deadline), one due at a timer without a ``defer`` is not (the timer, scheduled first, runs
    before it). Every stretch is planned as ``_deliver_stretch`` documents, and the output, the
    timers' times and the pipeline's state are the one-by-one run's."""
    bs = 375
    period = bs / SR
    assert period == 1 / 128

    def run(stretches: bool) -> tuple:
        plans: list[tuple[int, float, float, float]] = []
        original_begin = Pipeline.begin_stretch
        with monkeypatch.context() as mp:
            clock = VirtualClock()
            backend = SimulatedBackend(clock, seed=8, amplitude=0.9)
            box: list = []

            def begin(self, indata, blocks):
                if not stretches:
                    return None
                expected, _ = _documented_plan(box[0])
                assert blocks == expected >= 2
                deadline, first = clock.quiet_until()
                plans.append((blocks, clock.now() + (blocks - 1) * period, deadline, first))
                return original_begin(self, indata, blocks)

            mp.setattr(Pipeline, "begin_stretch", begin)
            p, m = _pipeline(bs)
            heard: list[np.ndarray] = []
            times: list[float] = []
            events: list[tuple[float, int]] = []
            backend.add_output_tap(lambda s, out, t: (heard.append(out.copy()), times.append(t)))
            stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, bs), p.callback, lambda e: None)
            box.append(stream)
            for k in (9, 23, 24, 40):  # plain timers exactly at a block's time
                clock.call_at(k * period, lambda: events.append((clock.now(), len(times))))
            stream.start()
            for k in (6, 17, 30, 47, 60):  # deadlines exactly at a block's time
                clock.run_until(k * period)
            stream.stop()
        return np.concatenate(heard).tolist(), times, events, _state(p, m), stream._pos, plans

    got, ref = run(True), run(False)
    assert got[:5] == ref[:5] and len(got[1]) == 60
    assert got[2] == [(k * period, k - 1) for k in (9, 23, 24, 40)]  # each timer before its block
    plans = got[5]
    assert sum(blocks for blocks, *_ in plans) > 40
    assert any(last == deadline for _, last, deadline, _ in plans)  # the block at the deadline taken
    assert any(last + period == first for _, last, _, first in plans)  # the block at a timer left out
