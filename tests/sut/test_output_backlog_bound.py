"""The output ring holds at most the configured latency for output (``Pipeline.max_output_backlog``:
``stream.latency_ms`` of frames, never less than a block): what a callback finds queued beyond it
is dropped (counted) before it plays, so no callback plays audio older than the latency asks.
Driven directly with callbacks of every size from a block to the ring's capacity, at several
latencies, with a pass-through chain (the DSP is checked elsewhere)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from system_under_test.clock import VirtualClock
from system_under_test.config import load_config
from system_under_test.devices.base import StatusFlags
from system_under_test.monitoring import MonitoringCoordinator
from system_under_test.pipeline import Pipeline
from system_under_test.resources import ResourceManager

SR = 48_000


class _PassThrough:
    cost_s = 0.0

    def process(self, block: np.ndarray) -> np.ndarray:
        return block


@settings(max_examples=60, deadline=None, derandomize=True)
@given(block=st.sampled_from([16, 32, 64, 128]),
       latency_blocks=st.integers(1, 6),
       extra_frames=st.integers(0, 15),
       sizes=st.lists(st.integers(1, 8), min_size=1, max_size=12))
def test_no_callback_plays_more_than_the_latency_queued(block: int, latency_blocks: int, extra_frames: int,
                                                       sizes: list[int]) -> None:
    latency_ms = (latency_blocks * block + extra_frames) * 1000 / SR
    config = load_config({"stream": {"block_size": block, "latency_ms": latency_ms},
                          "buffers": {"ring_blocks": 8}, "device": {"input_channels": 1, "output_channels": 1},
                          "dsp": []})
    m = MonitoringCoordinator()
    p = Pipeline(config, ResourceManager(VirtualClock()), m, chain=_PassThrough(), simulated=True)  # type: ignore[arg-type]
    p.capturing = True
    bound = p.max_output_backlog
    assert bound == max(block, int(latency_ms / 1000 * SR))
    for n in sizes:
        frames = n * block
        indata = np.ones((frames, 1), dtype=np.float32)
        outdata = np.empty((frames, 1), dtype=np.float32)
        played = m.value("frames_played")
        p.callback(indata, outdata, frames, 0.0, StatusFlags())
        assert m.value("frames_played") - played <= bound, "a callback played more than the latency queued"
        assert p.output_ring.fill <= bound
        assert m.value("frames_captured") == (m.value("frames_played") + p.buffered()
                                              + m.value("frames_dropped"))
