"""The watchdog's quiet passes along a stretch (``AudioSystem._quiet_passes`` with ``times``), asked
directly with crafted block times and judged against the answer worked out by hand: the pass due
at a deadline finds the stream's last callback at the block before it, so with blocks ``g`` apart
and a stall limit of ``2.5 g`` each quiet pass moves the deadline two blocks on; the fold stops at
the end the clock gives it, and at the first pass that would find a stall (a block that comes at
or after the deadline, which the pass asked then must report). A fold for a timer that is no
longer the live one, or for another caller's times, answers nothing and changes nothing.

``test_sim_watchdog_along.py`` holds the fold to the passes asked one by one over a whole run; this
file pins the fold's own answer (its new deadline and how far along the times it went), which a
run only shows as speed."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from system_under_test import AudioSystem


@contextmanager
def _running() -> Iterator[AudioSystem]:
    """A simulated system running on its virtual clock, its watchdog's timer live and quiet."""
    s = AudioSystem({"stream": {"block_size": 256}}, seed=3)
    try:
        s.initialize()
        s.start()
        s.run_for(0.1)
        yield s
    finally:
        s.close()


def _span(s: AudioSystem) -> float:
    """How long after a callback the stream is stalled (``_stall_limit`` from 0)."""
    assert s.stream is not None and s.config is not None
    return s._stall_limit(s.stream, s.config, 0.0)


def _steady(asked: float, span: float, n: int) -> list[float]:
    """``n`` block times ``span / 2.5`` apart, the first half a limit before the pass asked."""
    g = span / 2.5
    t0 = asked - span / 2
    return [t0 + i * g for i in range(n)]


def _after(t: float) -> float:
    return math.nextafter(t, math.inf)


def test_the_passes_along_a_steady_stretch_are_answered_to_its_end() -> None:
    with _running() as s:
        timer = s._supervisor_timer
        assert timer is not None
        span = _span(s)
        times = _steady(timer.when, span, 10)
        # deadlines from the blocks 0, 2, 4, 6, 8: each one's pass finds the block before it two
        # blocks later; the last new deadline lies past the stretch's end
        answer = s._quiet_passes(timer.when, times, 1, 10, s.stream)
        assert answer == (_after(times[8] + span), 10)
        assert s._watchdog_due == answer[0]


def test_the_fold_stops_at_the_end_the_clock_gave_it() -> None:
    with _running() as s:
        timer = s._supervisor_timer
        assert timer is not None
        span = _span(s)
        times = _steady(timer.when, span, 10)
        # another timer falls due before times[8]: the deadline from block 6 is the last answered
        assert s._quiet_passes(timer.when, times, 1, 8, s.stream) == (_after(times[6] + span), 8)


@pytest.mark.parametrize("late", [0.0, 0.2], ids=["at-the-deadline", "past-the-deadline"])
def test_the_fold_stops_before_the_pass_that_finds_a_stall(late: float) -> None:
    with _running() as s:
        timer = s._supervisor_timer
        assert timer is not None
        span = _span(s)
        g = span / 2.5
        times = _steady(timer.when, span, 5)
        # block 5 comes at the deadline block 4 sets, or after it: the pass due then runs first
        # and finds the stream silent past its limit, so it is left to run (a stall to report)
        gap = _after(times[4] + span) + late * g
        times += [gap + i * g for i in range(5)]
        answer = s._quiet_passes(timer.when, times, 1, 10, s.stream)
        assert answer == (_after(times[2] + span), 5)
        assert s._watchdog_due == answer[0]


@pytest.mark.parametrize("how", ["cancelled", "moved", "other-source"])
def test_a_fold_for_a_timer_no_longer_live_or_for_another_caller_answers_nothing(how: str) -> None:
    with _running() as s:
        timer = s._supervisor_timer
        assert timer is not None
        span = _span(s)
        asked = timer.when
        times = _steady(asked, span, 10)
        source: object = s.stream
        if how == "cancelled":  # a wake-up cancelled it between the clock's pop and the fold
            timer.cancel()
        elif how == "moved":  # the live timer is due at another time than the one asked
            asked -= span / 25
        else:
            source = object()
        due_before = s._watchdog_due
        assert s._quiet_passes(asked, times, 1, 10, source) is None
        assert s._watchdog_due == due_before
