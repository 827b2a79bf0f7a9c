"""``harness.rig.hold.held_thread`` without a JACK server: a thread of this process is held (pinned
to CPU 0 under ``SCHED_IDLE`` behind busy loops), this process's other children move to CPU 1, and
everything is given back on the way out, on an error too.

What is checked is the kernel's own word on each thread and process (``sched_getscheduler``,
``sched_getaffinity``), read inside and after the block; nothing is timed, so the machine's load
cannot change an answer. The busy loops spin only while a block runs (a few reads of /proc).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.rig import hold
from harness.rig.hold import held_thread

pytestmark = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 or (os.cpu_count() or 1) < 2,
                                reason="holding a thread needs two CPUs")

#: a tid no thread can have: one over the kernel's largest pid
NO_SUCH_TID = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


class _Parked:
    """A thread of this process waiting on an event, and its kernel tid."""

    def __init__(self) -> None:
        self._go = threading.Event()
        self._ready = threading.Event()
        self.tid = 0
        self._thread = threading.Thread(target=self._run, name="parked", daemon=True)
        self._thread.start()
        assert self._ready.wait(30)

    def _run(self) -> None:
        self.tid = threading.get_native_id()
        self._ready.set()
        self._go.wait()

    def stop(self) -> None:
        self._go.set()
        self._thread.join(30)


@pytest.fixture
def parked() -> Iterator[_Parked]:
    p = _Parked()
    yield p
    p.stop()


@pytest.fixture
def child() -> Iterator[subprocess.Popen[bytes]]:
    """A child process of this one (as the rig's jackd is), waiting on its stdin."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    yield proc
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(30)


def _gone(pid: int) -> bool:
    """``pid`` is no process of ours any more (killed and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_thread_waits_behind_busy_loops_and_everything_is_given_back(
        parked: _Parked, child: subprocess.Popen[bytes]) -> None:
    all_cpus = os.sched_getaffinity(0)
    before_policy = os.sched_getscheduler(parked.tid)
    before_thread_cpus = os.sched_getaffinity(parked.tid)
    before_child_cpus = os.sched_getaffinity(child.pid)
    with held_thread(parked.tid) as spins:
        assert len(spins) == 2 and spins == sorted(spins) and child.pid not in spins
        assert os.sched_getscheduler(parked.tid) == os.SCHED_IDLE
        assert os.sched_getparam(parked.tid).sched_priority == 0
        assert os.sched_getaffinity(parked.tid) == {0}
        assert os.sched_getaffinity(child.pid) == {1}
        for pid in spins:
            assert os.sched_getaffinity(pid) == {0}  # pinned by the loop itself, never moved to the spare CPU
            assert not _gone(pid)
        assert os.sched_getaffinity(0) == all_cpus  # the caller's own thread is left alone
    assert os.sched_getscheduler(parked.tid) == before_policy != os.SCHED_IDLE
    assert os.sched_getaffinity(parked.tid) == before_thread_cpus
    assert os.sched_getaffinity(child.pid) == before_child_cpus
    assert all(_gone(pid) for pid in spins)


def test_the_cpus_and_the_number_of_loops_are_the_caller_s(parked: _Parked, child: subprocess.Popen[bytes]) -> None:
    with held_thread(parked.tid, loops=1, cpu=1, spare_cpu=0) as spins:
        assert len(spins) == 1
        assert os.sched_getaffinity(parked.tid) == {1}
        assert os.sched_getaffinity(child.pid) == {0}
        assert os.sched_getaffinity(spins[0]) == {1}
    assert _gone(spins[0])


def test_an_error_in_the_block_gives_everything_back(parked: _Parked, child: subprocess.Popen[bytes]) -> None:
    before = (os.sched_getscheduler(parked.tid), os.sched_getaffinity(parked.tid), os.sched_getaffinity(child.pid))
    with pytest.raises(KeyError, match="inside"), held_thread(parked.tid) as spins:
        raise KeyError("inside")
    assert (os.sched_getscheduler(parked.tid), os.sched_getaffinity(parked.tid),
            os.sched_getaffinity(child.pid)) == before
    assert all(_gone(pid) for pid in spins)


def test_a_busy_loop_that_does_not_start_is_refused_and_nothing_is_left_held(
        parked: _Parked, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hold, "_SPIN", "print('late %d')")  # says something else, then ends
    children = set(hold._children())
    before = (os.sched_getscheduler(parked.tid), os.sched_getaffinity(parked.tid))
    with pytest.raises(RuntimeError, match=r"^busy loop \d+ did not start \(said b'late 0\\n'\)$"), \
            held_thread(parked.tid, loops=1):
        pytest.fail("the block ran without its busy loop")
    assert (os.sched_getscheduler(parked.tid), os.sched_getaffinity(parked.tid)) == before
    assert set(hold._children()) <= children  # the loop that said the wrong thing was reaped


def test_a_cpu_the_machine_does_not_have_is_refused_before_anything_starts(parked: _Parked) -> None:
    n = os.cpu_count()
    children = set(hold._children())
    for cpu, spare in ((0, n), (n, 0), (n + 3, 1)):
        with pytest.raises(RuntimeError) as err, held_thread(parked.tid, cpu=cpu, spare_cpu=spare):
            pytest.fail("held on a CPU the machine does not have")
        assert str(err.value) == f"holding a thread needs CPUs {cpu} and {spare}; this machine has {n}"
    assert set(hold._children()) <= children  # no busy loop was started


def test_the_proc_readers(child: subprocess.Popen[bytes]) -> None:
    assert child.pid in hold._children()
    assert threading.get_native_id() in hold._tasks(os.getpid())
    assert hold._tasks(child.pid) == [child.pid]  # one thread: its main
    assert hold._tasks(NO_SUCH_TID) == []


def test_cpus_set_and_given_back_skip_a_thread_that_is_gone(parked: _Parked) -> None:
    was = os.sched_getaffinity(parked.tid)
    before = hold._set_cpus([NO_SUCH_TID, parked.tid], {1})
    assert before == {parked.tid: was}
    assert os.sched_getaffinity(parked.tid) == {1}
    hold._restore({NO_SUCH_TID: {0}, **before})
    assert os.sched_getaffinity(parked.tid) == was


class _Task:
    """A /proc task folder whose ``children`` file says ``text``, or is gone (None)."""

    def __init__(self, text: str | None) -> None:
        self._text = text

    def __truediv__(self, name: str) -> "_Task":
        assert name == "children"
        return self

    def read_text(self) -> str:
        if self._text is None:
            raise FileNotFoundError("the thread ended")
        return self._text


class _ProcTask:
    def __init__(self, path: str) -> None:
        assert path == "/proc/self/task"

    def iterdir(self) -> Iterator[_Task]:
        return iter([_Task("12 34\n"), _Task(None), _Task("34 7")])


def test_a_thread_that_ends_while_its_children_are_read_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hold, "Path", _ProcTask)
    assert hold._children() == [7, 12, 34]


def test_a_caller_allowed_one_cpu_or_a_machine_that_does_not_say_is_refused(
        parked: _Parked, monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's CPUs are read two ways: those this process may run on (``sched_getaffinity``)
    and those it has (``cpu_count``, None where it cannot tell: taken as one)."""
    children = set(hold._children())
    mine = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0})
    try:
        with pytest.raises(RuntimeError, match="^holding a thread needs CPUs 0 and 1"), held_thread(parked.tid):
            pytest.fail("held with one CPU allowed")
    finally:
        os.sched_setaffinity(0, mine)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    with pytest.raises(RuntimeError, match=r"^holding a thread needs CPUs 0 and 1; this machine has None$"), \
            held_thread(parked.tid):
        pytest.fail("held on a machine that does not say its CPUs")
    assert set(hold._children()) <= children


@pytest.mark.parametrize("policy", [os.SCHED_OTHER, os.SCHED_BATCH])
def test_the_held_thread_gets_its_own_policy_and_cpus_back(parked: _Parked, policy: int) -> None:
    """Whatever policy and CPUs the thread had before (not only the default ones) it has after."""
    os.sched_setscheduler(parked.tid, policy, os.sched_param(0))
    os.sched_setaffinity(parked.tid, {1})
    with held_thread(parked.tid, cpu=0, spare_cpu=1):
        assert os.sched_getscheduler(parked.tid) == os.SCHED_IDLE
    assert os.sched_getscheduler(parked.tid) == policy
    assert os.sched_getaffinity(parked.tid) == {1}
