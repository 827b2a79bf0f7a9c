"""Check-then-act, made deterministic: every public operation does all its work under the
system's operation lock, as system.py's concurrency model says ("every public operation runs
under one re-entrant operation lock").

A storm finds a lock released between a check and its act only when the scheduler happens to
switch threads in that gap. Here the gap is probed instead: at every point where an operation
calls out (each transition observer, each event listener, each call into the device backend)
another thread tries the operation lock without waiting. Held, it must be; an operation that
checked the state under the lock and then acted after releasing it is found on the first call,
whatever the load of the machine. (The probe never waits: an RLock owned by one thread is
refused at once to another, so the answer is exact.)
"""

from __future__ import annotations

from typing import Any

import pytest

from lock_probe import held_elsewhere
from system_under_test import AudioSystem
from system_under_test.system import SYSTEM
from system_under_test.lifecycle import State

pytestmark = pytest.mark.timeout(60)


class _Probe:
    """Tries the system's operation lock at every call-out and records the ones made without it."""

    def __init__(self, system: AudioSystem) -> None:
        self.system = system
        self.current = "construction"
        self.calls = 0
        self.unlocked: list[str] = []
        system.add_observer(lambda rec: self.check(f"transition {rec.component} -> {rec.to_state.value}"))
        system.add_event_listener(lambda ev: self.check(f"event {ev.kind}"))
        backend = system.backend
        for name in ("devices", "open_stream"):
            original = getattr(backend, name)

            def wrapped(*a: Any, _original: Any = original, _name: str = name, **kw: Any) -> Any:
                self.check(f"backend.{_name}()")
                return _original(*a, **kw)

            setattr(backend, name, wrapped)

    def check(self, where: str) -> None:
        self.calls += 1
        if not held_elsewhere(self.system._op_lock):
            self.unlocked.append(f"{self.current}: {where}")

    def op(self, name: str, *args: Any) -> Any:
        self.current = name
        try:
            return getattr(self.system, name)(*args)
        finally:
            self.current = "between operations"


def _every_operation(p: _Probe, system: AudioSystem) -> None:
    """Each public operation, from each state it acts in, through a run with a recovery."""
    p.op("initialize")
    p.op("configure", {})
    p.op("configure", {"buffers": {"ring_blocks": 6}})  # CONFIGURED stays CONFIGURED
    p.op("start")
    system.run_for(0.05)
    p.op("pause")
    p.op("reconfigure", {"buffers": {"ring_blocks": 6}, "dsp": []})  # DSP only, while PAUSED
    p.op("resume")
    p.op("reconfigure", {"buffers": {"ring_blocks": 8}, "dsp": []})  # reopens the stream
    system.run_for(0.05)
    with pytest.raises(Exception):
        p.op("simulate_error", "input")
    assert system.state == State.FAILED
    assert p.op("recover") is True
    system.backend.remove_device("sim-in")
    system.run_for(0.05)  # the supervisor's recovery, on the scheduler
    system.backend.restore_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING
    p.op("stop")
    p.op("configure", {})
    p.op("start")
    p.op("close")
    p.op("close")  # closed already: the check that makes close() idempotent


def test_every_public_operation_calls_out_only_under_the_operation_lock():
    system = AudioSystem(None, seed=3)
    p = _Probe(system)
    _every_operation(p, system)
    assert p.calls > 50  # the probes did run, at every kind of call-out
    assert p.unlocked == []


def test_every_public_operation_reads_the_systems_state_only_under_the_operation_lock():
    """The check of check-then-act: an operation that reads the state before it holds the lock
    decides on an answer another thread may change before it acts. Two ``close()`` calls at once
    both see RUNNING outside the lock; the second then waits, finds CLOSED and asks CLOSED ->
    CLOSED, raising from a close that promises to be idempotent. So every read of the system's
    state made inside an operation is probed as the call-outs are (a read between operations,
    by the test itself, is no operation's check)."""
    system = AudioSystem(None, seed=3)
    p = _Probe(system)
    reads = _probe_state_reads(p, system)
    _every_operation(p, system)
    assert reads[0] > 30  # every operation checks the state it acts in
    assert p.unlocked == []


def test_entering_a_with_block_checks_the_state_under_the_operation_lock():
    """``with system:`` initialises a new system: two threads entering it at once both saw
    UNINITIALIZED outside the lock, and the second's ``initialize()`` then raised
    IllegalTransitionError from a context manager that promises to leave an initialised
    system initialised."""
    system = AudioSystem(None, seed=3)
    p = _Probe(system)
    reads = _probe_state_reads(p, system)
    assert p.op("__enter__") is system
    assert system.state == State.INITIALIZED
    p.op("__enter__")  # entered again: already initialised, nothing to do
    assert reads[0] >= 2 and p.unlocked == []
    p.op("__exit__", None, None, None)
    assert system.state == State.CLOSED and p.unlocked == []


def _probe_state_reads(p: _Probe, system: AudioSystem) -> list[int]:
    """Every read of the system's state made inside an operation probed for the lock; the count
    of probed reads (a one-item list the caller reads after the operations)."""
    read = system.coordinator.state
    reads = [0]

    def probed(name: str) -> State:
        if name == SYSTEM and p.current not in ("construction", "between operations"):
            reads[0] += 1
            p.check("a read of the system's state")
        return read(name)

    system.coordinator.state = probed  # type: ignore[method-assign]
    return reads


def test_the_probe_finds_a_call_out_made_without_the_lock():
    """The check above can fail: a call-out made by a thread that does not hold the lock is
    reported, one made under it is not."""
    system = AudioSystem({}, seed=3)
    p = _Probe(system)
    p.check("outside any operation")
    with system._op_lock:
        p.check("inside")
    assert p.unlocked == ["construction: outside any operation"]


def test_an_error_reported_from_outside_any_operation_is_routed_under_the_operation_lock():
    """The error observer (``_route_error``) takes the operation lock itself: an error reported
    straight to the coordinator by a thread that holds no lock (the harness's buffer-exhaustion
    fault reports its ``ResourceLimitError`` so, from its timer) has its ``error`` event and the
    action the policy takes (a restart's transitions) under the lock, as one step that no other
    thread's stop or reconfiguration can split. The probe sees every call-out of that routing."""
    from system_under_test.errors import DeviceLostError

    system = AudioSystem(None, seed=3)
    p = _Probe(system)
    p.op("initialize")
    p.op("configure", {})
    p.op("start")
    system.run_for(0.05)
    before = p.calls
    system.coordinator.handle_error("device", DeviceLostError("gone", component="device"))
    assert p.calls >= before + 2  # the error event and the restart's first transition, at least
    assert p.unlocked == []
    system.close()
