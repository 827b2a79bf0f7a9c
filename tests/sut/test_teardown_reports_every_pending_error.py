"""A pipeline torn down with callback errors the supervisor has not drained yet reports every one
of them (``AudioSystem._report_pending_errors``): each reaches the error log and the ``errors``
counter, however many are queued, and none is routed to recovery (the pipeline is going away)."""

from __future__ import annotations

import numpy as np
import pytest

from system_under_test import AudioSystem, State
from system_under_test.devices.base import StatusFlags


@pytest.mark.parametrize("queued", [1, 2, 3, 7])
@pytest.mark.parametrize("teardown", ["stop", "close"])
def test_every_queued_callback_error_is_reported_at_teardown(queued: int, teardown: str) -> None:
    system = AudioSystem({})
    system.initialize()
    system.start()
    system.run_for(0.02)
    pipeline = system.pipeline
    assert pipeline is not None
    before = system.monitoring.value("errors")
    logged = len(system.coordinator.errors())
    bs, ch = pipeline.block_size, pipeline.in_channels
    out = np.zeros((bs, pipeline.out_channels), dtype=np.float32)
    for _ in range(queued):  # malformed input, on this thread: no supervisor pass in between
        pipeline.callback(np.zeros((bs, ch + 1), dtype=np.float32), out, bs, 0.0, StatusFlags())
    assert len(pipeline.errors) == queued
    getattr(system, teardown)()
    assert system.state in (State.STOPPED, State.CLOSED)
    assert system.monitoring.value("errors") - before == queued
    new = system.coordinator.errors()[logged:]
    assert [r.error.type for r in new] == ["CallbackError"] * queued
    assert not any(r.requires_recovery for r in new)
