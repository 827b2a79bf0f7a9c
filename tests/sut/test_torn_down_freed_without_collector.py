"""A torn-down stream, its pipeline, a finished recovery run and a refused operation's frames are
freed by reference counting alone, the moment the last reference goes.

Why: each used to be a reference cycle (a stream kept a bound method of itself; a recovery run
kept its fired timer, whose callback closed over the run; a refusal's traceback reached, through
its frames' ``f_back``, the ``run_op`` frame that held the exception). Cycles wait for the
collector's oldest generation, every 7-9 simulated minutes of a soak, and the heap grows to
hold them meanwhile (bench/RESULTS.md, issue #11). Each test runs with the cyclic collector
switched off, so an object still alive after its teardown is one that only the collector would
free. All on the simulated device and its virtual clock: deterministic.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from harness.history import History, run_op
from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock
from system_under_test.errors import LifecycleError


def _running(config: dict | None = None, seed: int = 41) -> AudioSystem:
    system = AudioSystem(config or {}, seed=seed)
    system.initialize()
    system.start()
    system.run_for(0.05)
    assert system.state == State.RUNNING
    return system


def test_a_stopped_stream_and_its_pipeline_go_at_once(collector_off):
    system = _running()
    stream, pipeline = weakref.ref(system.stream), weakref.ref(system.pipeline)
    system.stop()
    system.run_for(0.05)  # the clock moves past the stream's cancelled block timer too
    assert system.stream is None and system.pipeline is None
    assert stream() is None, "the torn-down stream is alive: only the cycle collector would free it"
    assert pipeline() is None, "the torn-down pipeline is alive: only the cycle collector would free it"
    system.close()


def test_a_stopped_stream_goes_before_the_clock_moves(collector_off):
    """Its block timer, cancelled, stays in the clock's queue until its time: it must not hold
    the stream until then."""
    system = _running()
    stream = weakref.ref(system.stream)
    system.stop()
    assert stream() is None
    system.close()


def test_a_lost_stream_and_the_recovery_run_that_replaced_it_go_when_running_again(collector_off):
    system = _running({"recovery": {"deadline_ms": 2000, "max_attempts": 50}})
    lost = weakref.ref(system.stream)
    system.backend.remove_device("sim-in", report=True)
    system.run_for(0.05)
    assert system.state == State.RECOVERING
    run = system._recoverer.run
    assert run is not None and run.timer is not None  # waiting for a scheduled attempt
    recovery_run = weakref.ref(run)
    del run
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING and system._recoverer.run is None
    assert lost() is None, "the lost stream is alive after recovery"
    assert recovery_run() is None, "the finished recovery run is alive: its fired timer closes a cycle"
    system.close()


class _Marker:
    """Something a refused operation's frame holds (a weakref can watch it; a frame cannot be)."""


class _RefusingSystem:
    """Refuses ``start`` with a ``LifecycleError`` (a ``fail``), a marker in the refusing frame's
    locals, as the system's own methods hold ``self`` and their arguments."""

    def __init__(self) -> None:
        self.marker: weakref.ref[_Marker] | None = None

    def start(self) -> None:
        marker = _Marker()
        self.marker = weakref.ref(marker)
        raise LifecycleError("start refused", component="system")


def test_a_refused_operations_frames_go_once_recorded(collector_off):
    system = _RefusingSystem()
    history = History()
    result = run_op(history, system, "start", observe_state=False)
    assert result.outcome == "fail" and isinstance(result.error, LifecycleError)
    assert system.marker is not None
    assert system.marker() is None, "the refusing frame is alive: its traceback closes a cycle"
    assert result.error.__traceback__ is None


def test_a_recovery_run_that_gave_up_at_its_deadline_goes_at_once(collector_off):
    """The device gone for good: attempts at 0 and 60 ms fail, the next (180 ms) would come after
    the 100 ms deadline, so the run waits on a deadline timer (``Recoverer._expire``) and gives up
    when it fires. That fired timer's callback closes over the run, as an attempt's does."""
    system = _running({"recovery": {"deadline_ms": 100, "initial_backoff_ms": 60, "max_attempts": 50}})
    system.backend.remove_device("sim-in", report=True)
    system.run_for(0.08)
    assert system.state == State.RECOVERING
    run = system._recoverer.run
    assert run is not None and run.attempts == 2 and run.timer is not None  # waiting for the deadline
    recovery_run = weakref.ref(run)
    del run
    system.run_for(0.2)
    assert system.state == State.FAILED and system._recoverer.run is None
    assert recovery_run() is None, "the run that gave up is alive: its fired deadline timer closes a cycle"
    system.close()


def test_a_closed_system_is_let_go_by_the_clock_it_leaves_behind():
    """Closing cancels the supervisor's timer and the stream's block timer; both stay in the
    clock's queue until their time, and a clock outlives its system (a harness holds it for the
    next one). Cancelled, they must hold nothing of the system: its quiet-pass methods, set on
    the supervisor's timer as its deferrals, would keep the closed system and all it reaches alive
    through every collection until the clock passes them. The system holds cycles of its own,
    so the collector is run here; what it cannot free is what the clock still reaches."""
    clock = VirtualClock()
    system = AudioSystem({}, clock=clock, seed=3)
    system.initialize()
    system.start()
    system.run_for(0.05)
    system.close()
    assert clock.pending() == 0 and clock._timers  # cancelled, still queued
    closed = weakref.ref(system)
    del system
    gc.collect()
    assert closed() is None, "the closed system is alive: a cancelled timer in its clock's queue holds it"


def test_a_system_closed_while_its_recovery_waits_is_let_go_by_the_clock():
    """Closing during a recovery's back-off cancels the run's pending attempt. That attempt's
    timer stays in the clock's queue until its time and its callback closes over the recoverer
    and the run: cancelled, it must hold neither (nor run when its time comes), or the closed
    system stays alive through every collection until the clock passes the back-off."""
    clock = VirtualClock()
    system = AudioSystem({"recovery": {"initial_backoff_ms": 500, "deadline_ms": 5000}}, clock=clock, seed=3)
    system.initialize()
    system.start()
    system.run_for(0.05)
    system.backend.remove_device("sim-in", report=True)
    system.run_for(0.08)
    assert system.state == State.RECOVERING
    run = system._recoverer.run
    assert run is not None and run.attempts == 1 and run.timer is not None  # waiting for its next attempt
    del run
    system.close()
    assert clock.pending() == 0
    closed = weakref.ref(system)
    del system
    gc.collect()
    assert closed() is None, "the closed system is alive: its cancelled recovery's attempt timer holds it"
