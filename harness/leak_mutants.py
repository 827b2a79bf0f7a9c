"""Systems that leak memory at a set rate: what the soak's memory judge must catch.

A healthy system's process grows for a while and levels off (its bounded logs fill, its pools
reach size); a leak keeps growing. Each system here is the default ``AudioSystem`` that, on
every supervisor pass (a hot path: the pass runs many times a second of the system's clock),
keeps ``rate`` bytes per hour of its clock in a list it never empties: memory the process
holds that none of the system's books (``ResourceManager``) account, so only the process's
RSS shows it. The rate is per hour of the system's clock, which is the clock the judge's
slopes are per hour of (``harness.leaks``), so the planted rate and the judged slope compare
directly on the simulated device.

``leaks_small_objects_5mb_per_hour`` keeps its bytes as CPython's small objects instead (a chain of
pairs, each a 2-tuple and a 200-byte ``bytes``: both within pymalloc's 512-byte limit, and no list
whose array ``malloc`` would grow), the leak the C allocator's bytes in use do not see and
pymalloc's do (``harness.allocator``); ``fills_30mb_buffer_leaks_small_objects`` keeps such a leak
beside a bounded buffer still filling, the case where the buffer's slowing must not clear the leak.

``drops_cycles_5mb_per_hour`` leaks nothing: it makes 5 MB an hour of reference cycles, holds each
a minute of its clock (long enough to age into the collector's oldest generation) and drops it, so
only a full collection of the cyclic garbage collector frees it. A healthy system the judge must
pass, and the one that shows whether the process's full collections come often enough for that
(the collector's thresholds are the process's, ``harness.cli``).

They are ``--system`` factories (``soundcheck soak --system harness.leak_mutants:leaks_20mb_per_hour``),
not entries of ``harness.mutants.MUTANTS``: a leak of a few MB an hour shows only over a soak
of an hour, which none of the mutant registry's detectors runs.
"""

from __future__ import annotations

import collections
import math
import sys
from typing import Any

from system_under_test import AudioSystem
from system_under_test.pipeline import Pipeline

__all__ = ["BUFFER_BYTES", "BUFFER_TAU_S", "FillingBufferSystem", "LEAK_RATES", "LeakingSystem",
           "SMALL_LEAK_RATE", "FillingBufferSmallLeakSystem", "SmallObjectLeak", "SmallObjectLeakingSystem",
           "CYCLE_GARBAGE_RATE", "CYCLE_HOLD_S", "CyclicGarbage", "CyclicGarbageSystem", "drops_cycles_5mb_per_hour",
           "fills_30mb_buffer", "fills_30mb_buffer_leaks_small_objects",
           "leaks_2mb_per_hour", "leaks_5mb_per_hour", "leaks_20mb_per_hour", "leaks_small_objects_5mb_per_hour"]

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

#: ``fills_30mb_buffer``'s bound and the time constant it fills with: at the end of a 1-h soak it
#: holds 26 MB and still grows 8 MB/h, twice the RSS threshold, and slows by a third a quarter hour
BUFFER_BYTES = 30 * MB
BUFFER_TAU_S = 1800.0


class FillingBufferSystem(AudioSystem):
    """The default system with a bounded buffer filling up: it holds ``bound * (1 - exp(-t / tau))``
    bytes ``t`` seconds of its clock after its first supervisor pass, kept as a leak's pieces are
    (none of the system's books account them). What the judge must not call a leak, however fast it
    still grows: it slows (bench/RESULTS.md, issue #11: such a buffer drawn as a staircase read
    "leak" at 4 of 30 seeds on the RSS alone)."""

    def __init__(self, *args: Any, bound: float, tau_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bound = float(bound)
        self.tau_s = float(tau_s)
        self.kept: list[bytearray] = []
        self._t0: float | None = None

    def _set_gauges(self, pipeline: Pipeline) -> None:
        super()._set_gauges(pipeline)
        now = float(self.clock.now())
        if self._t0 is None:
            self._t0 = now
        due = self.bound * -math.expm1(-(now - self._t0) / self.tau_s)
        while (len(self.kept) + 1) * PIECE_BYTES <= due:
            self.kept.append(bytearray(PIECE_BYTES))

    @property
    def kept_bytes(self) -> int:
        return len(self.kept) * PIECE_BYTES


def fills_30mb_buffer(config: Any = None, **kw: Any) -> FillingBufferSystem:
    """The default system filling a 30 MB bounded buffer with a 30-min time constant."""
    return FillingBufferSystem(config, bound=BUFFER_BYTES, tau_s=BUFFER_TAU_S, **kw)


#: ``leaks_small_objects_5mb_per_hour``'s rate, bytes per hour of the system's clock
SMALL_LEAK_RATE = 5 * MB
#: the payload of each small object kept: its ``bytes`` object (33 B of header) stays under
#: pymalloc's 512-byte limit
SMALL_PAYLOAD = 200


class SmallObjectLeak:
    """Keeps ``rate_per_hour`` bytes an hour of a clock as CPython's small objects, never given back:
    each piece a ``(previous piece, bytes(SMALL_PAYLOAD))`` pair, so the pieces hang from one
    another and nothing ``malloc`` hands out grows with them (a list's pointer array would)."""

    def __init__(self, rate_per_hour: float) -> None:
        self.rate_per_hour = float(rate_per_hour)
        self.head: tuple[Any, bytes] | None = None
        self.pieces = 0
        self.piece_bytes = sys.getsizeof((None, b"")) + sys.getsizeof(bytes(SMALL_PAYLOAD))
        self._owed = 0.0
        self._since: float | None = None

    def advance(self, now: float) -> None:
        """Keep what is owed up to ``now`` (seconds of the clock)."""
        if self._since is not None and now > self._since:
            self._owed += self.rate_per_hour * (now - self._since) / 3600.0
            while self._owed >= self.piece_bytes:
                self.head = (self.head, bytes(SMALL_PAYLOAD))
                self.pieces += 1
                self._owed -= self.piece_bytes
        self._since = now

    @property
    def kept_bytes(self) -> int:
        return self.pieces * self.piece_bytes


class _KeepsSmallObjects:
    """Mixed in before a system class: CPython's small objects kept at ``rate_per_hour`` of its
    clock, advanced wherever the system sets its gauges (once a block)."""

    def __init__(self, *args: Any, rate_per_hour: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.small = SmallObjectLeak(rate_per_hour)

    def _set_gauges(self, pipeline: Pipeline) -> None:
        super()._set_gauges(pipeline)  # type: ignore[misc]
        self.small.advance(float(self.clock.now()))  # type: ignore[attr-defined]


class SmallObjectLeakingSystem(_KeepsSmallObjects, AudioSystem):
    """The default system leaking CPython's small objects at ``rate_per_hour`` of its clock."""


class FillingBufferSmallLeakSystem(_KeepsSmallObjects, FillingBufferSystem):
    """A bounded buffer filling (``FillingBufferSystem``) and, beside it, a leak of small objects."""


def leaks_small_objects_5mb_per_hour(config: Any = None, **kw: Any) -> SmallObjectLeakingSystem:
    """The default system keeping 5 MB an hour of CPython's small objects."""
    return SmallObjectLeakingSystem(config, rate_per_hour=SMALL_LEAK_RATE, **kw)


def fills_30mb_buffer_leaks_small_objects(config: Any = None, **kw: Any) -> FillingBufferSmallLeakSystem:
    """``fills_30mb_buffer`` with a 5 MB/h leak of small objects beside the buffer."""
    return FillingBufferSmallLeakSystem(config, bound=BUFFER_BYTES, tau_s=BUFFER_TAU_S,
                                        rate_per_hour=SMALL_LEAK_RATE, **kw)


#: ``drops_cycles_5mb_per_hour``'s rate of cyclic garbage, bytes an hour of the system's clock
CYCLE_GARBAGE_RATE = 5 * MB
#: how long each cycle is held before it is dropped, seconds of the clock: a soak's young
#: collections come many times a second, so a piece held this long has aged into generation 2,
#: which only a full collection walks
CYCLE_HOLD_S = 60.0


class CyclicGarbage:
    """Makes ``rate_per_hour`` bytes an hour of a clock as reference cycles, each held ``hold_s`` of
    the clock and then dropped: a piece is a list holding a ``PIECE_BYTES`` bytearray and itself, so
    its reference count never reaches zero and only the cyclic collector gives its bytes back."""

    def __init__(self, rate_per_hour: float, hold_s: float = CYCLE_HOLD_S) -> None:
        self.rate_per_hour = float(rate_per_hour)
        self.hold_s = float(hold_s)
        self.held: collections.deque[tuple[float, list[Any]]] = collections.deque()
        self.made = 0
        self._owed = 0.0
        self._since: float | None = None

    def advance(self, now: float) -> None:
        """Make what is owed up to ``now`` (seconds of the clock); drop what has been held ``hold_s``."""
        if self._since is not None and now > self._since:
            self._owed += self.rate_per_hour * (now - self._since) / 3600.0
            while self._owed >= PIECE_BYTES:
                piece: list[Any] = [bytearray(PIECE_BYTES)]
                piece.append(piece)
                self.held.append((now + self.hold_s, piece))
                self.made += 1
                self._owed -= PIECE_BYTES
        self._since = now
        while self.held and self.held[0][0] <= now:
            self.held.popleft()

    @property
    def dropped_bytes(self) -> int:
        """Bytes made and dropped so far: cyclic garbage, freed or not yet."""
        return (self.made - len(self.held)) * PIECE_BYTES


class CyclicGarbageSystem(AudioSystem):
    """The default system making cyclic garbage (``CyclicGarbage``), advanced wherever the system
    sets its gauges (once a block)."""

    def __init__(self, *args: Any, rate_per_hour: float, hold_s: float = CYCLE_HOLD_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.garbage = CyclicGarbage(rate_per_hour, hold_s)

    def _set_gauges(self, pipeline: Pipeline) -> None:
        super()._set_gauges(pipeline)
        self.garbage.advance(float(self.clock.now()))


def drops_cycles_5mb_per_hour(config: Any = None, **kw: Any) -> CyclicGarbageSystem:
    """The default system dropping 5 MB an hour of cycles a minute old: healthy, as long as the
    collector's full collections come."""
    return CyclicGarbageSystem(config, rate_per_hour=CYCLE_GARBAGE_RATE, **kw)
