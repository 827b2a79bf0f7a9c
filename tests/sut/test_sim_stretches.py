"""A stretch of simulated blocks with nothing else due runs without a timer per block, and in the
order a timer per block gives (``VirtualClock.advance_to_next``, ``SimulatedStream._tick``)."""

from __future__ import annotations

import numpy as np
import pytest

from system_under_test.clock import VirtualClock
from system_under_test.devices.base import StreamSpec
from system_under_test.devices.simulated import SimulatedBackend

BS, SR = 64, 48_000


def _run(monkeypatch: pytest.MonkeyPatch | None, *, stretches: bool) -> tuple[list[tuple[float, str]], int, np.ndarray]:
    """A stream and two other timers (one at a block's own time, one between blocks) run for 40
    blocks in 7 calls of ``run_until``: what happened, in order, and how many timers were made."""
    clock = VirtualClock()
    if not stretches:
        assert monkeypatch is not None
        monkeypatch.setattr(clock, "advance_to_next", lambda when: False)
    made = [0]
    real_call_later = clock.call_later

    def counting_call_later(delay, callback):
        made[0] += 1
        return real_call_later(delay, callback)

    clock.call_later = counting_call_later  # type: ignore[method-assign]
    backend = SimulatedBackend(clock, seed=3)
    log: list[tuple[float, str]] = []
    outs: list[np.ndarray] = []

    def callback(indata, outdata, frames, stream_time, status):
        log.append((clock.now(), f"block {stream_time!r}"))
        outdata[:] = indata

    backend.add_output_tap(lambda stream, out, t: outs.append(out.copy()))
    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", 2, 2, SR, BS), callback, lambda e: None)
    period = stream.spec.block_seconds
    stream.start()
    t = 0.0
    for _ in range(10):  # the clock's own sums: the very times the blocks fall at
        t = t + period
    clock.call_at(t, lambda: log.append((clock.now(), "timer at block 10")))
    clock.call_at(23.5 * period, lambda: log.append((clock.now(), "timer between blocks 23 and 24")))
    cancelled = clock.call_at(30.5 * period, lambda: log.append((clock.now(), "cancelled")))
    cancelled.cancel()
    for deadline in (3 * period, 10 * period, 11.5 * period, 20 * period, 25 * period, 33 * period, 40.2 * period):
        clock.run_until(deadline)
        log.append((clock.now(), f"run_until {deadline!r} returned"))
    stream.stop()
    return log, made[0], np.concatenate(outs)


def test_a_stretch_of_blocks_happens_in_the_order_and_at_the_times_a_timer_per_block_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    log, made, out = _run(None, stretches=True)
    ref_log, ref_made, ref_out = _run(monkeypatch, stretches=False)
    assert log == ref_log  # every block and timer at the same time, in the same order
    assert sum(1 for _, what in log if what.startswith("block")) == 40
    assert np.array_equal(out, ref_out)
    # a timer a block (and the start's) without stretches; with them, the start's and one a
    # stretch, which ends at each run_until's deadline and before each other timer (8 here)
    assert ref_made == 41
    assert made == 9


def test_advance_to_next_refuses_past_the_deadline_a_due_timer_or_backwards() -> None:
    clock = VirtualClock()
    seen: list[bool] = []
    clock.call_at(1.0, lambda: seen.append(clock.advance_to_next(1.5)))   # ok: nothing due, in the deadline
    clock.call_at(1.6, lambda: seen.append(clock.advance_to_next(2.0)))   # a timer due at 2.0 runs first
    clock.call_at(2.0, lambda: seen.append(clock.advance_to_next(2.5)))   # past run_until's deadline
    clock.call_at(2.1, lambda: None)
    clock.run_until(2.2)
    assert seen == [True, False, False]
    assert clock.now() == 2.2
    assert clock.advance_to_next(3.0) is False  # outside run_until: never
    assert clock.advance_to_next(1.0) is False  # backwards: never
    assert clock.now() == 2.2


def test_advance_to_next_stops_at_the_deadline_of_the_innermost_run_until() -> None:
    clock = VirtualClock()
    seen: list[tuple[str, bool]] = []

    def outer() -> None:
        clock.run_until(1.2)  # a callback that sleeps on the clock
        seen.append(("after inner", clock.advance_to_next(1.9)))

    clock.call_at(1.0, outer)
    clock.call_at(1.1, lambda: seen.append(("inner", clock.advance_to_next(1.3))))
    clock.run_until(2.0)
    assert seen == [("inner", False), ("after inner", True)]


def test_advance_to_next_moves_a_timer_its_owner_defers_and_keeps_one_it_does_not() -> None:
    """``TimerHandle.defer``: asked with the timer's time when the timer is in the way; a later
    time moves the timer there (the same handle: it can still be cancelled), None keeps it where it
    was, in its place among timers due at the same time, and the clock does not move."""
    clock = VirtualClock()
    ran: list[tuple[float, str]] = []
    asked: list[float] = []
    moving = clock.call_at(1.2, lambda: ran.append((clock.now(), "moving")))
    moving.defer = lambda when: (asked.append(when), when + 1.0)[1]
    clock.call_at(1.0, lambda: ran.append((clock.now(), f"to 1.5: {clock.advance_to_next(1.5)}")))
    clock.run_until(2.5)
    assert asked == [1.2]  # asked once, with its own time; then it is at 2.2, past 1.5
    assert ran == [(1.0, "to 1.5: True"), (2.2, "moving")]  # not asked by the event loop itself

    clock = VirtualClock()
    ran.clear()
    kept = clock.call_at(1.2, lambda: ran.append((clock.now(), "kept")))
    kept.defer = lambda when: None
    clock.call_at(1.2, lambda: ran.append((clock.now(), "second at 1.2")))
    clock.call_at(1.0, lambda: ran.append((clock.now(), f"to 1.5: {clock.advance_to_next(1.5)}")))
    clock.run_until(2.0)
    assert ran == [(1.0, "to 1.5: False"), (1.2, "kept"), (1.2, "second at 1.2")]

    clock = VirtualClock()
    ran.clear()
    cancelled = clock.call_at(1.2, lambda: ran.append((clock.now(), "cancelled")))
    cancelled.defer = lambda when: when + 0.5
    clock.call_at(1.0, lambda: clock.advance_to_next(1.5))
    clock.call_at(1.6, cancelled.cancel)
    clock.run_until(3.0)
    assert ran == []  # moved to 1.7, cancelled at 1.6: a moved timer is the same handle


def test_advance_to_next_refuses_a_timer_deferred_to_a_time_not_later_than_its_own() -> None:
    clock = VirtualClock()
    ran: list[float] = []
    stuck = clock.call_at(1.2, lambda: ran.append(clock.now()))
    stuck.defer = lambda when: when  # not later: the timer keeps its time and runs
    seen: list[bool] = []
    clock.call_at(1.0, lambda: seen.append(clock.advance_to_next(1.5)))
    clock.run_until(2.0)
    assert seen == [False] and ran == [1.2]
