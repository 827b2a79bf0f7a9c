"""Two realistic counting bugs planted in the real system, for the tests of the invariants that
judge the system's own counts and announcements: ``recoveries_counted`` (a recovery announced but
not counted) and ``degraded_alternates`` (a degraded episode announced again at each report)."""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test import AudioSystem
from system_under_test.recoverer import Recoverer


class DegradedEveryReport(AudioSystem):
    """``degraded`` announced again at each report of exhaustion while the system already is."""

    #: the error types whose report announces the episode again
    EXHAUSTION_TYPES: tuple[str, ...] = ("BufferPoolExhaustedError",)

    def _route_error(self, record: Any) -> None:
        was = self.degraded
        super()._route_error(record)
        if was and self.degraded and record.error.type in self.EXHAUSTION_TYPES:
            self._emit("degraded", reason=record.error.message)


def lose_the_recoveries_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Recoverer.finish`` with its counter line lost: the recovery announced, the count as before."""
    finish = Recoverer.finish

    def uncounted(self: Recoverer, run: Any) -> None:
        counter = self.system.monitoring.counter("recoveries")
        before = counter.value
        finish(self, run)
        counter.value = before

    monkeypatch.setattr(Recoverer, "finish", uncounted)
