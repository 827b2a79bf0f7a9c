import numpy as np
import pytest
from scipy import signal

from system_under_test.buffers import BufferPool, RingBuffer
from system_under_test.config import load_config
from system_under_test.dsp import Biquad, DspChain, Gain, Limiter, Mixer


def test_ring_buffer_is_fifo_across_wraparound():
    rb = RingBuffer(10, 1)
    data = np.arange(100, dtype=np.float32)[:, None]
    out = np.zeros((3, 1), dtype=np.float32)
    got = []
    pos = 0
    for _ in range(30):
        pos += rb.write(data[pos:pos + 4])
        n = rb.read(out)
        got.extend(out[:n, 0])
    while rb.fill:
        n = rb.read(out)
        got.extend(out[:n, 0])
    assert got == list(range(pos))


def test_ring_buffer_reports_what_did_not_fit():
    rb = RingBuffer(5, 2)
    assert rb.write(np.ones((8, 2), np.float32)) == 5
    assert rb.space == 0
    assert rb.discard(2) == 2 and rb.fill == 3
    assert rb.clear() == 3 and rb.fill == 0


def test_pool_runs_dry_and_release_is_idempotent():
    pool = BufferPool(2, 4, 1)
    a, b = pool.acquire(), pool.acquire()
    assert pool.acquire() is None
    assert pool.release(a) and not pool.release(a)
    assert pool.available == 1 and pool.in_use == 1
    assert pool.release(b)


def test_gain_and_mixer():
    x = np.ones((4, 2), np.float32)
    assert np.allclose(Gain(-6.0206).process(x.copy()), 0.5, atol=1e-4)
    y = Mixer([[0.5, 0.5]]).process(np.array([[1, 3]], np.float32))
    assert y.shape == (1, 1) and y[0, 0] == 2


def test_biquad_block_processing_equals_one_shot_filtering():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1024, 2)).astype(np.float32)
    bq = Biquad("lowpass", 1000, 0.707, 0, 48_000, 2)
    blocks = np.concatenate([bq.process(x[i:i + 256].copy()) for i in range(0, 1024, 256)])
    ref = signal.lfilter(bq.b, bq.a, x, axis=0)
    assert np.allclose(blocks, ref, atol=1e-5)
    w, h = signal.freqz(bq.b, bq.a, worN=[100, 1000, 10_000], fs=48_000)
    assert abs(h[0]) > 0.99 and abs(abs(h[1]) - 0.707) < 0.01 and abs(h[2]) < 0.02


def test_limiter_never_lets_a_sample_over_threshold():
    lim = Limiter(-6, 50, 48_000, 256)
    rng = np.random.default_rng(1)
    thr = 10 ** (-6 / 20)
    for _ in range(50):
        block = (rng.uniform(0.1, 2.0) * rng.standard_normal((256, 2))).astype(np.float32)
        out = lim.process(block)
        assert np.max(np.abs(out)) <= thr * 1.0001


def test_chain_from_config_follows_channel_changes():
    cfg = load_config({"device": {"output_channels": 1},
                       "dsp": [{"kind": "gain", "gain_db": 0},
                               {"kind": "mixer", "matrix": [[1, 1]]},
                               {"kind": "biquad", "cutoff_hz": 2000}]})
    chain = DspChain.from_config(cfg.dsp, 48_000, 256, 2)
    out = chain.process(np.ones((256, 2), np.float32))
    assert out.shape == (256, 1)


def test_chain_stage_swap():
    chain = DspChain([Gain(0)])
    g = Gain(-6)
    chain.add_stage(g)
    assert len(chain.stages) == 2 and chain.remove_stage(g) and not chain.remove_stage(g)


def test_limiters_share_one_read_only_ramp_per_block_size_equal_to_linspace():
    import numpy as np

    from system_under_test.dsp import Limiter

    a, b = Limiter(-1.0, 50.0, 48_000, 256), Limiter(-3.0, 10.0, 44_100, 256)
    assert a._ramp is b._ramp
    np.testing.assert_array_equal(a._ramp, np.linspace(0.0, 1.0, 256, dtype=np.float32)[:, None])
    assert a._ramp.dtype == np.float32 and a._ramp.shape == (256, 1)
    with pytest.raises(ValueError):
        a._ramp[0, 0] = 0.5  # shared: no limiter may change another's
    loud = np.full((100, 2), 4.0, dtype=np.float32)
    a.process(loud)  # a block of another size: that size's ramp
    np.testing.assert_array_equal(a._ramp, np.linspace(0.0, 1.0, 100, dtype=np.float32)[:, None])
    assert not a._ramp.flags.writeable


def test_peek_copies_the_frames_held_oldest_first_across_the_wrap_and_refuses_another_length():
    ring = RingBuffer(4, 1)
    ring.write(np.arange(3, dtype=np.float32).reshape(-1, 1))
    ring.read(np.empty((2, 1), dtype=np.float32))
    ring.write(np.array([[3.0], [4.0]], dtype=np.float32))  # held: 2, 3, 4, wrapping at the end
    out = np.zeros((3, 1), dtype=np.float32)
    ring.peek(out)
    assert out[:, 0].tolist() == [2.0, 3.0, 4.0] and ring.fill == 3
    for rows in (2, 4):
        with pytest.raises(ValueError) as refused:
            ring.peek(np.zeros((rows, 1), dtype=np.float32))
        assert str(refused.value) == "peek needs room for exactly the 3 frames held"
    assert ring.fill == 3
