"""``harness.rig.hold.held_thread`` on a parked thread and a child of this process, no JACK server.

The rig's held-delivery tests start jackd (``loopback``); what the hold itself promises is read
here from the kernel's own answers (``sched_getscheduler``, ``sched_getaffinity``), which are the
same on a loaded machine as on an idle one: within the block the held thread runs under
``SCHED_IDLE`` on the held CPU beside the busy loops, every other child of the process runs on the
spare CPU (the server must keep calling back); after it, the thread's policy and CPUs and the
child's CPUs are what they were, and the busy loops are gone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from harness.rig.hold import held_thread

pytestmark = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 or (os.cpu_count() or 1) < 2,
                                reason="holding a thread needs two CPUs")


@pytest.fixture
def parked_tid() -> Iterator[int]:
    """The thread id of a thread of this process that waits on an event (it wants no CPU)."""
    ready, stop = threading.Event(), threading.Event()
    box: dict[str, int] = {}

    def park() -> None:
        box["tid"] = threading.get_native_id()
        ready.set()
        stop.wait()

    thread = threading.Thread(target=park, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield box["tid"]
    stop.set()
    thread.join(10)


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """A child process that waits for its stdin to close (the server's stand-in)."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(30)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_held_thread_waits_beside_the_loops_while_the_other_children_run_on_the_spare_cpu(
        parked_tid: int, child: subprocess.Popen[bytes]) -> None:
    child_cpus = os.sched_getaffinity(child.pid)
    with held_thread(parked_tid, cpu=0, spare_cpu=1) as spins:
        assert os.sched_getscheduler(parked_tid) == os.SCHED_IDLE
        assert os.sched_getaffinity(parked_tid) == {0}
        assert os.sched_getaffinity(child.pid) == {1}  # the server keeps a CPU of its own
        assert spins and all(os.sched_getaffinity(pid) == {0} for pid in spins)
    assert os.sched_getaffinity(child.pid) == child_cpus
    assert not any(_alive(pid) for pid in spins)  # killed and reaped


@pytest.mark.parametrize("policy", [os.SCHED_OTHER, os.SCHED_BATCH])
def test_the_held_thread_gets_its_own_policy_and_cpus_back(parked_tid: int, policy: int) -> None:
    os.sched_setscheduler(parked_tid, policy, os.sched_param(0))
    os.sched_setaffinity(parked_tid, {1})
    with held_thread(parked_tid, cpu=0, spare_cpu=1):
        assert os.sched_getscheduler(parked_tid) == os.SCHED_IDLE
    assert os.sched_getscheduler(parked_tid) == policy
    assert os.sched_getaffinity(parked_tid) == {1}
