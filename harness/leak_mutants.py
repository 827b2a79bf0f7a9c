"""Systems that leak memory at a set rate: what the soak's memory judge must catch.

A healthy system's process grows for a while and levels off (its bounded logs fill, its pools
reach size); a leak keeps growing. Each system here is the default ``AudioSystem`` that, on
every supervisor pass (a hot path: the pass runs many times a second of the system's clock),
keeps ``rate`` bytes per hour of its clock in a list it never empties: memory the process
holds that none of the system's books (``ResourceManager``) account, so only the process's
RSS shows it. The rate is per hour of the system's clock, which is the clock the judge's
slopes are per hour of (``harness.leaks``), so the planted rate and the judged slope compare
directly on the simulated device.

They are ``--system`` factories (``soundcheck soak --system harness.leak_mutants:leaks_20mb_per_hour``),
not entries of ``harness.mutants.MUTANTS``: a leak of a few MB an hour shows only over a soak
of an hour, which none of the mutant registry's detectors runs.
"""

from __future__ import annotations

from typing import Any

from system_under_test import AudioSystem
from system_under_test.pipeline import Pipeline

__all__ = ["LEAK_RATES", "LeakingSystem", "leaks_2mb_per_hour", "leaks_5mb_per_hour", "leaks_20mb_per_hour"]

MB = 1_000_000
#: the size of each kept piece: large enough that its own object header is noise (< 1 %), small
#: enough that the kept memory follows the rate within a few kB
PIECE_BYTES = 4096
#: each factory's rate, bytes per hour of the system's clock
LEAK_RATES: dict[str, float] = {"leaks_2mb_per_hour": 2 * MB, "leaks_5mb_per_hour": 5 * MB,
                                "leaks_20mb_per_hour": 20 * MB}


class LeakingSystem(AudioSystem):
    """The default system keeping ``rate_per_hour`` bytes an hour of its clock, never given back
    (not even at ``close``: a leak of the process, not of the system's books)."""

    def __init__(self, *args: Any, rate_per_hour: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rate_per_hour = float(rate_per_hour)
        self.kept: list[bytearray] = []
        self._owed = 0.0
        self._since: float | None = None

    def _set_gauges(self, pipeline: Pipeline) -> None:
        super()._set_gauges(pipeline)
        now = float(self.clock.now())
        if self._since is not None and now > self._since:
            self._owed += self.rate_per_hour * (now - self._since) / 3600.0
            while self._owed >= PIECE_BYTES:
                self.kept.append(bytearray(PIECE_BYTES))  # zero-filled: its pages are touched, so resident
                self._owed -= PIECE_BYTES
        self._since = now

    @property
    def kept_bytes(self) -> int:
        return len(self.kept) * PIECE_BYTES


def _factory(rate: float) -> Any:
    def make(config: Any = None, **kw: Any) -> LeakingSystem:
        return LeakingSystem(config, rate_per_hour=rate, **kw)
    return make


leaks_2mb_per_hour = _factory(LEAK_RATES["leaks_2mb_per_hour"])
leaks_5mb_per_hour = _factory(LEAK_RATES["leaks_5mb_per_hour"])
leaks_20mb_per_hour = _factory(LEAK_RATES["leaks_20mb_per_hour"])
