"""A stretch of simulated blocks stands in for their callbacks only where those callbacks would be
the steady one: never for a pipeline whose block pool is empty (though not yet seen dry), never for
a pipeline whose class overrides ``callback``.

Why: ``Pipeline.stretch_ready`` is the one gate between ``callback`` and the stretch. A pool
drained since the last callback (the harness's buffer exhaustion takes its blocks between two
callbacks) is seen dry only by the next callback, which then processes nothing and plays silence;
a stretch taken there would filter and play every block. And a pipeline subclass with a callback
of its own (an instrumented pipeline, a mutant) is delivered by the simulated stream as any
pipeline is (the stream looks for a bound ``callback`` and a ``stretch_ready``), so only the gate
keeps the stretch from replacing the subclass's callback by ``Pipeline``'s.
"""

from __future__ import annotations

import numpy as np

from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.base import StatusFlags, StreamSpec
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.dsp import use_kernel
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import Pipeline
from system_under_test.resources import ResourceManager

BS, SR = 64, 48_000
CHAIN = [{"kind": "gain", "gain_db": 6.0}, {"kind": "biquad"}, {"kind": "limiter"}]
COUNTERS = ("callbacks", "frames_captured", "frames_played", "frames_dropped", "frames_inserted")


def _pipeline(cls: type[Pipeline] = Pipeline) -> tuple[Pipeline, MonitoringCoordinator]:
    """A compiled-chain pipeline of ``cls`` (its fused step can filter blocks together), capturing."""
    config = load_config({"stream": {"block_size": BS, "sample_rate": SR, "latency_ms": 20.0},
                          "device": {"input_channels": 2, "output_channels": 2}, "dsp": CHAIN})
    m = MonitoringCoordinator()
    with use_kernel("compiled"):
        p = cls(config, ResourceManager(VirtualClock()), m, simulated=True)
    p.capturing = True
    return p, m


def _drain(p: Pipeline) -> list[int]:
    """Every block of the pool taken, as the harness's buffer exhaustion takes them."""
    taken = []
    while (idx := p.pool.acquire()) is not None:
        taken.append(idx)
    return taken


def _signal(blocks: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    return (0.3 * rng.standard_normal((blocks * BS, 2))).astype(np.float32)


def test_a_pool_emptied_since_the_last_callback_takes_no_stretch() -> None:
    p, _ = _pipeline()
    assert p.stretch_ready() and not p.pool_dry
    _drain(p)
    assert not p.pool_dry  # no callback has seen it yet
    assert not p.stretch_ready()
    assert p.begin_stretch(_signal(4), 4) is None


def test_a_stream_on_an_emptied_pool_plays_what_its_callbacks_play() -> None:
    """The same drained pipeline, delivered by a simulated stream (stretches where it may) and by
    hand, one callback a block: the same counters, the same silence played."""
    def run(by_stream: bool) -> tuple[dict[str, int], bool, np.ndarray]:
        p, m = _pipeline()
        _drain(p)
        played: list[np.ndarray] = []
        if by_stream:
            clock = VirtualClock()
            backend = SimulatedBackend(clock, seed=4)
            backend.add_output_tap(lambda stream, out, t: played.append(out.copy()))
            stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), p.callback,
                                         lambda e: None)
            stream.start()
            clock.run_until(30.5 * stream.spec.block_seconds)
            stream.stop()
        else:
            x = SimulatedBackend(VirtualClock(), seed=4).test_signal(SR, 2)
            for i in range(30):
                out = np.empty((BS, 2), dtype=np.float32)
                p.callback(x[i * BS:(i + 1) * BS], out, BS, 0.0, StatusFlags())
                played.append(out)
        return {k: m.value(k) for k in COUNTERS}, p.pool_dry, np.concatenate(played)

    counters, dry, played = run(by_stream=True)
    ref_counters, ref_dry, ref_played = run(by_stream=False)
    assert ref_counters["callbacks"] == 30 and ref_dry and not ref_played.any()  # what a dry pool does
    assert (counters, dry) == (ref_counters, ref_dry)
    assert np.array_equal(played, ref_played)


def test_a_pipeline_whose_class_overrides_callback_is_called_once_a_block() -> None:
    called: list[int] = []

    class Counted(Pipeline):
        def callback(self, indata, outdata, frames, stream_time, status) -> None:  # type: ignore[override]
            called.append(frames)
            super().callback(indata, outdata, frames, stream_time, status)

    p, m = _pipeline(Counted)
    assert not p.stretch_ready()
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=2)
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), p.callback, lambda e: None)
    stream.start()
    clock.run_until(50.5 * stream.spec.block_seconds)
    stream.stop()
    assert called == [BS] * 50
    assert m.value("callbacks") == 50
