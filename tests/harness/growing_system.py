"""A system under test that holds one more buffer after every recovery while it runs and gives
them all back when it closes: the invariants, which read what it holds at the end, find nothing;
the slopes of what it holds over the run (``harness.leaks``) find the growth. For tests that
every surface of a run tells the same verdict (``--system growing_system:make``)."""

from __future__ import annotations

from typing import Any

from system_under_test import AudioSystem
from system_under_test.resources import ResourceType


class GrowingWhileRunning(AudioSystem):
    """One buffer more per recovery, all released at ``close``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grown: list[Any] = []

    def _finish_recovery(self, run: Any) -> None:
        super()._finish_recovery(run)
        self.grown.append(self.resources.allocate("dsp", ResourceType.BUFFERS, 1, "cache"))

    def close(self) -> None:
        for allocation in self.grown:
            self.resources.release(allocation)
        self.grown.clear()
        super().close()


def make(config: Any, *, backend: Any, clock: Any, seed: int) -> GrowingWhileRunning:
    return GrowingWhileRunning(config, backend=backend, clock=clock, seed=seed)
