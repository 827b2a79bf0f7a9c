"""The wait on a subprocess's progress: a loaded machine's scheduling delay never uses up its bound,
a tree asleep does, a process gone ends it at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from awake_waits import any_runnable, process_tree, wait_until_awake_for
from harness.rig.loopback import wait_until
from system_under_test.clock import VirtualClock


def test_a_tree_kept_waiting_for_a_cpu_far_past_the_bound_is_still_waited_for() -> None:
    """The load's case: 120 virtual seconds runnable (waiting for a CPU), then the condition; a
    30 s bound that counted wall time gave up at 30 s."""
    clock = VirtualClock()
    got = wait_until_awake_for(lambda: clock.now() >= 120.0 and "running", 1234, 30.0, clock=clock,
                               state=lambda pid: (True, True))
    assert got == "running" and clock.now() >= 120.0


def test_a_tree_asleep_uses_up_the_bound() -> None:
    clock = VirtualClock()
    with pytest.raises(TimeoutError, match="spent 30.0 s with nothing runnable waiting for RUNNING"):
        wait_until_awake_for(lambda: False, 1234, 30.0, interval_s=0.5, clock=clock, what="RUNNING",
                             state=lambda pid: (True, False))
    assert clock.now() == pytest.approx(30.0)


def test_only_the_asleep_stretches_count() -> None:
    """Asleep and runnable alternating by 10 s: the bound of 30 s asleep is spent at 60 s."""
    clock = VirtualClock()
    with pytest.raises(TimeoutError):
        wait_until_awake_for(lambda: False, 1234, 30.0, interval_s=1.0, clock=clock,
                             state=lambda pid: (True, int(clock.now()) % 20 >= 10))
    assert 55.0 <= clock.now() <= 61.0


def test_a_process_gone_ends_the_wait_at_once() -> None:
    clock = VirtualClock()
    with pytest.raises(TimeoutError, match="process 1234 ended before RUNNING"):
        wait_until_awake_for(lambda: False, 1234, 30.0, clock=clock, what="RUNNING",
                             state=lambda pid: (False, False))
    assert clock.now() == 0.0


def test_the_tree_and_its_states_are_read_from_this_machine_s_proc() -> None:
    """A child asleep in ``sleep`` is in this process's tree and not runnable; a spinning one is."""
    sleeper = subprocess.Popen(["sleep", "30"])
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        tree = process_tree(os.getpid())
        assert {os.getpid(), sleeper.pid, spinner.pid} <= set(tree)
        # asleep once it has been given the CPU to exec and start its sleep
        wait_until(lambda: not any_runnable([sleeper.pid]), 60.0, what="sleep asleep")
        # a spinner is running or waiting for a CPU at nearly every look
        assert sum(any_runnable([spinner.pid]) for _ in range(20)) >= 15
    finally:
        for p in (sleeper, spinner):
            p.kill()
            p.wait()
    assert process_tree(sleeper.pid) == []


@pytest.mark.timeout(120)  # the bound below is 1 s asleep; this only stops a wait that never counts
def test_a_real_process_that_sleeps_for_ever_uses_up_the_bound() -> None:
    """A hang that sleeps (a process blocked for ever) still fails the wait, after its bound."""
    sleeper = subprocess.Popen(["sleep", "1000"])
    try:
        with pytest.raises(TimeoutError, match=r"spent \d+\.\d s with nothing runnable waiting for the hang"):
            wait_until_awake_for(lambda: False, sleeper.pid, 1.0, what="the hang")
    finally:
        sleeper.kill()
        sleeper.wait()


_WAIT_ON_OWN_TREE = """
import subprocess, sys
sys.path.insert(0, sys.argv[1])
from awake_waits import wait_until_awake_for
import os
child = subprocess.Popen(["sleep", "1000"])
try:
    wait_until_awake_for(lambda: False, os.getpid(), 1.0, what="the killed child to be gone")
except TimeoutError as e:
    print("timed out:", e)
finally:
    child.kill()
"""


@pytest.mark.timeout(120)
def test_a_wait_on_the_waiters_own_tree_does_not_count_the_waiting_thread_as_progress() -> None:
    """A test waiting on its own process's tree (the jackd it started) reads its own thread as
    running at every look: counted, a hang of everything else would never use up the bound."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", _WAIT_ON_OWN_TREE, here], capture_output=True, text=True,
                         timeout=90)
    assert "timed out:" in out.stdout and "nothing runnable" in out.stdout, (out.stdout, out.stderr[-2000:])
