"""A system under test that holds one more buffer after every recovery while it runs and gives
them all back when it closes, and lets go of them while each recovery ends: the invariants, which
read what it holds at close and as each recovery ends (``resources``), find nothing; the slopes of
what it holds over the run (``harness.leaks``) find the growth. For tests that every surface of a
run tells the report's verdict where the report alone changes it (``--system
growing_system:make``). The shipped mutant ``holds_buffer_per_recovery`` keeps its buffers through
each recovery's end, and ``resources`` catches it."""

from __future__ import annotations

from typing import Any

from system_under_test import AudioSystem
from system_under_test.resources import ResourceType


class GrowingWhileRunning(AudioSystem):
    """One buffer more per recovery, all released at ``close``, and released while each recovery
    ends (``recovery_succeeded`` is emitted inside ``_finish_recovery``), then taken again with one
    more."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grown: list[Any] = []

    def _finish_recovery(self, run: Any) -> None:
        count = len(self.grown) + 1
        for allocation in self.grown:
            self.resources.release(allocation)
        self.grown.clear()
        super()._finish_recovery(run)
        self.grown = [self.resources.allocate("dsp", ResourceType.BUFFERS, 1, "cache") for _ in range(count)]

    def close(self) -> None:
        for allocation in self.grown:
            self.resources.release(allocation)
        self.grown.clear()
        super().close()


def make(config: Any, *, backend: Any, clock: Any, seed: int) -> GrowingWhileRunning:
    return GrowingWhileRunning(config, backend=backend, clock=clock, seed=seed)
