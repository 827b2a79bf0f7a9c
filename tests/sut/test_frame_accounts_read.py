"""Which pipeline's seqlock ``AudioSystem.frame_accounts`` reads through, and what it adds up.

On a real clock the audio callback runs on the device's thread, so the books are read between two
of its callbacks (``Pipeline.read_between_callbacks``): through the live pipeline, else through the
first torn-down one whose held callback has not left yet (the callback counters are the system's,
shared by every pipeline). With nothing to read through, or on a virtual clock, where callbacks
run on the reader's thread, the read is a plain one. Stand-in pipelines record which of them was
asked, so each answer is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from system_under_test import AudioSystem
from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.pipeline import FrameAccounts

_T = TypeVar("_T")


class _Books:
    """A pipeline as the books see it: its frames in the rings and in flight, whether its callback
    is under way, and the reads made through its seqlock (``asked``)."""

    def __init__(self, buffered: int, in_flight: int, *, in_callback: bool = True) -> None:
        self._buffered, self.in_flight, self.in_callback = buffered, in_flight, in_callback
        self.asked = 0

    def buffered(self) -> int:
        return self._buffered

    def read_between_callbacks(self, read: Callable[[], _T]) -> _T:
        self.asked += 1
        return read()


def _system(clock: Any) -> AudioSystem:
    s = AudioSystem(backend=SimulatedBackend(VirtualClock(), seed=0), clock=clock)
    s.monitoring.counter("frames_captured").inc(1000)
    s.monitoring.counter("frames_played").inc(700)
    s.monitoring.counter("frames_dropped").inc(20)
    s.monitoring.counter("frames_inserted").inc(5)
    return s


def test_on_a_real_clock_the_live_pipeline_s_seqlock_is_read_through_with_the_draining_ones_added() -> None:
    s = _system(SystemClock())
    live, draining = _Books(200, 64), _Books(16, 48)
    s._pipeline, s._draining = live, [draining]  # type: ignore[assignment]
    assert s.frame_accounts() == FrameAccounts(1000, 700, 20, 5, 216, 112)
    assert (live.asked, draining.asked) == (1, 0)


def test_on_a_real_clock_without_a_live_pipeline_the_first_draining_one_s_seqlock_is_read_through() -> None:
    s = _system(SystemClock())
    first, second = _Books(16, 48), _Books(8, 24)
    s._draining = [first, second]  # type: ignore[list-item]
    assert s.frame_accounts() == FrameAccounts(1000, 700, 20, 5, 24, 72)
    assert (first.asked, second.asked) == (1, 0)


def test_a_draining_pipeline_whose_callback_left_is_out_of_the_books() -> None:
    s = _system(SystemClock())
    gone, held = _Books(16, 48, in_callback=False), _Books(8, 24)
    s._draining = [gone, held]  # type: ignore[list-item]
    assert s.frame_accounts() == FrameAccounts(1000, 700, 20, 5, 8, 24)
    assert (gone.asked, held.asked) == (0, 1)
    assert s._draining == [held]


@pytest.mark.parametrize("clock", [SystemClock(), VirtualClock()], ids=["nothing to read through", "virtual clock"])
def test_a_plain_read_with_nothing_to_read_through_or_on_a_virtual_clock(clock: Any) -> None:
    s = _system(clock)
    if isinstance(clock, VirtualClock):
        live, draining = _Books(200, 0), _Books(8, 0)
        s._pipeline, s._draining = live, [draining]  # type: ignore[assignment]
        assert s.frame_accounts() == FrameAccounts(1000, 700, 20, 5, 208, 0)
        assert (live.asked, draining.asked) == (0, 0)
    else:
        assert s.frame_accounts() == FrameAccounts(1000, 700, 20, 5, 0, 0)
