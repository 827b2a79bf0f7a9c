"""Frame accounting holds on every path that drops, trims, inserts or discards audio.

The ring buffer and the block pool are checked against plain Python models; the pipeline's audio
callback is driven through generated sequences that take each path (input overflow, pool dry,
output backlog trimmed, underflow filled with silence, a DSP stage raising mid-block, not
capturing, teardown flush) and the books must balance after every single callback:
``captured == played + buffered + dropped + in flight``, read as the system reads them
(``FrameAccounts``), with nothing in flight between two callbacks (a block is in flight only while
a callback holds it), every output frame of a clean callback is either played or inserted silence,
and what is played is the captured audio in order, never twice.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.buffers import BufferPool, RingBuffer
from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.base import StatusFlags
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import FrameAccounts, Pipeline
from system_under_test.resources import ResourceManager

# -- the ring buffer against a deque --------------------------------------------------------------
RING_OPS = st.lists(st.one_of(
    st.tuples(st.just("write"), st.integers(0, 23)),
    st.tuples(st.just("read"), st.integers(0, 23)),
    st.tuples(st.just("discard"), st.integers(0, 23)),
    st.tuples(st.just("clear"), st.just(0)),
), max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 17), st.integers(1, 3), RING_OPS)
def test_ring_buffer_behaves_like_a_bounded_fifo(capacity, channels, ops):
    rb = RingBuffer(capacity, channels)
    model: deque[float] = deque()
    next_id = 0.0
    written = read = discarded = 0
    for op, n in ops:
        if op == "write":
            frames = (np.arange(n, dtype=np.float32) + next_id)[:, None].repeat(channels, axis=1)
            got = rb.write(frames)
            assert got == min(n, capacity - len(model))
            model.extend(frames[:got, 0].tolist())
            next_id += n
            written += got
        elif op == "read":
            out = np.full((n, channels), -1.0, dtype=np.float32)
            got = rb.read(out)
            want = [model.popleft() for _ in range(min(n, len(model)))]
            assert got == len(want)
            assert out[:got, 0].tolist() == want
            assert (out[:got] == out[:got, :1]).all()  # every channel of a frame moved together
            assert (out[got:] == -1.0).all()  # nothing past what was read is touched
            read += got
        elif op == "discard":
            got = rb.discard(n)
            assert got == min(n, len(model))
            for _ in range(got):
                model.popleft()
            discarded += got
        else:
            got = rb.clear()
            assert got == len(model)
            model.clear()
            discarded += got
        assert rb.fill == len(model) and rb.space == capacity - len(model)
        assert written == read + discarded + rb.fill


def test_ring_buffer_refuses_an_empty_shape():
    for cap, ch in ((0, 1), (1, 0), (-1, 2)):
        with pytest.raises(ValueError, match="^a ring buffer needs a positive capacity and channel count$"):
            RingBuffer(cap, ch)


def test_buffers_hold_float32_frames_as_the_resource_accounting_assumes():
    """The pipeline books ``frames * channels * 4`` bytes per ring and pool block."""
    rb = RingBuffer(7, 3)
    assert (rb.capacity, rb.channels) == (7, 3)
    assert rb._data.dtype == np.float32 and rb._data.nbytes == 7 * 3 * 4
    pool = BufferPool(2, 16, 3)
    assert pool.blocks.dtype == np.float32 and pool.blocks.nbytes == 2 * 16 * 3 * 4
    assert pool.block(1).shape == (16, 3)


def test_a_short_read_into_a_larger_block_when_fill_equals_the_channel_count():
    rb = RingBuffer(8, 2)
    rb.write(np.array([[1, 1], [2, 2]], dtype=np.float32))
    out = np.full((5, 2), -1.0, dtype=np.float32)
    assert rb.read(out) == 2
    assert out[:, 0].tolist() == [1.0, 2.0, -1.0, -1.0, -1.0]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.lists(st.one_of(st.just(("acquire", -1)), st.tuples(st.just("release"),
                                                                               st.integers(-1, 7))),
                                   max_size=40))
def test_block_pool_hands_out_each_block_once(n_blocks, ops):
    pool = BufferPool(n_blocks, 4, 2)
    held: set[int] = set()
    for op, idx in ops:
        if op == "acquire":
            got = pool.acquire()
            if len(held) == n_blocks:
                assert got is None
            else:
                assert got is not None and got not in held and 0 <= got < n_blocks
                held.add(got)
        else:
            assert pool.release(idx) == (idx in held)
            held.discard(idx)
        assert pool.in_use == len(held) and pool.available == n_blocks - len(held)
        assert pool.size == n_blocks
    for idx in held:
        assert pool.block(idx).shape == (4, 2)


# -- the pipeline callback --------------------------------------------------------------------
class _Chain:
    """A pass-through DSP chain that raises on request (a stage failing mid-block)."""

    cost_s = 0.0

    def __init__(self) -> None:
        self.fail_next = False

    def process(self, block: np.ndarray) -> np.ndarray:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("stage failed")
        return block


CALLBACKS = st.lists(st.fixed_dictionaries({
    "frames": st.sampled_from([16, 8, 32, 53, 1]),
    "capturing": st.booleans() | st.just(True),
    "pool_dry": st.booleans(),
    "raise": st.booleans(),
    "flush": st.integers(0, 9).map(lambda v: v == 0),
}), min_size=1, max_size=40)


@settings(max_examples=120, deadline=None)
@given(st.integers(2, 4), st.integers(1, 2), st.sampled_from([0.34, 0.5, 1.0, 2.0]), CALLBACKS)
def test_every_callback_keeps_the_books_balanced(ring_blocks, pool_blocks, latency_ms, callbacks):
    config = load_config({"stream": {"block_size": 16, "latency_ms": latency_ms},
                          "buffers": {"ring_blocks": ring_blocks, "pool_blocks": pool_blocks},
                          "device": {"input_channels": 1, "output_channels": 1}, "dsp": []})
    m = MonitoringCoordinator()
    chain = _Chain()
    p = Pipeline(config, ResourceManager(VirtualClock()), m, chain=chain, simulated=True)
    next_id = 1.0
    played_ids: list[float] = []
    clean_output = 0
    for cb in callbacks:
        p.capturing = cb["capturing"]
        chain.fail_next = cb["raise"]
        taken = [p.pool.acquire() for _ in range(pool_blocks)] if cb["pool_dry"] else []
        n = cb["frames"]
        indata = (np.arange(n, dtype=np.float32) + next_id)[:, None]
        outdata = np.full((n, 1), -1.0, dtype=np.float32)
        errors_before = len(p.errors)
        p.callback(indata, outdata, n, 0.0, StatusFlags())
        for idx in taken:
            p.pool.release(idx)
        # every block a callback takes goes back, a stage that raised or not: a block kept would
        # run the pool dry for good after pool_blocks errors
        assert p.pool.in_use == 0 and p.pool.available == pool_blocks, cb
        raised = len(p.errors) > errors_before
        if p.capturing:
            next_id += n
            if not raised:
                clean_output += n
                played_ids += [v for v in outdata[:, 0].tolist() if v != 0.0]
        assert not (outdata == -1.0).any()  # every output frame was written (audio or silence)
        if cb["flush"]:
            p.flush()
        c = m.snapshot(0.0).counters
        books = FrameAccounts(c["frames_captured"], c["frames_played"], c["frames_dropped"],
                              c["frames_inserted"], p.buffered(), p.in_flight)
        # between two callbacks no block is held between the rings: whatever path the last one
        # took (a stage that raised included), its block is played, buffered or dropped, once
        assert books.in_flight == 0 and books.balanced(), (cb, books)
        assert c["frames_played"] + c["frames_inserted"] == clean_output
    assert played_ids == sorted(set(played_ids))  # in order, never twice
    assert len(played_ids) == m.value("frames_played")
    p.flush()
    c = m.snapshot(0.0).counters
    assert p.buffered() == 0 and c["frames_captured"] == c["frames_played"] + c["frames_dropped"]
    p.release()
    assert p.resources.is_cleaned_up()
