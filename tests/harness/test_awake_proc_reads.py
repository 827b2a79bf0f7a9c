"""What the awake-time waits read of ``/proc``, on a made-up ``/proc`` whose files a test writes:
the state and the parent taken after the *last* ``") "`` (a command name may hold one), the
asking thread never counted as progress wherever it is listed, and a wait's give-up test
(``AsleepBound``) spent by the tree's sleep or by its wall-clock guard, whichever comes first.

The real-``/proc`` tests of ``test_awake_waits.py`` run the wait on the waiter's own tree in a
child process (the only way to hang everything else), so they judge the module as installed,
never a changed copy of it in the test's own process: these judge it in place."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.rig.awake import AsleepBound, AsleepClock, any_runnable, process_tree, tree_state
from system_under_test.clock import VirtualClock


def _stat(name: str, state: str, parent: int) -> str:
    """A ``/proc/PID/stat`` line: pid, ``(name)``, state, parent pid, then fields the reads ignore."""
    return f"1 ({name}) {state} {parent} 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0\n"


class _Listed:
    """A ``/proc`` whose task folders list their threads in the order given (a real ``glob`` lists
    them in the directory's order, which no test can choose)."""

    def __init__(self, root: Path, order: dict[int, list[str]]) -> None:
        self.root, self.order = root, order

    def __truediv__(self, pid: str) -> _Listed._Pid:
        return _Listed._Pid(self, int(pid))

    class _Pid:
        def __init__(self, proc: _Listed, pid: int) -> None:
            self.proc, self.pid = proc, pid

        def __truediv__(self, _task: str) -> _Listed._Pid:
            return self

        def glob(self, _pattern: str) -> list[Path]:
            return [self.proc.root / str(self.pid) / "task" / tid / "stat" for tid in self.proc.order[self.pid]]


def _thread(proc: Path, pid: int, tid: str, text: str) -> None:
    path = proc / str(pid) / "task" / tid / "stat"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_state_is_read_after_the_last_parenthesis_of_a_name_holding_one(tmp_path: Path) -> None:
    """A thread named ``"a) b"`` running: read from the first ``") "`` its state would be ``"b)"``."""
    _thread(tmp_path, 40, "41", _stat("a) b", "R", 1))
    assert any_runnable([40], proc=tmp_path)
    _thread(tmp_path, 50, "51", _stat("a) R", "S", 1))
    assert not any_runnable([50], proc=tmp_path)


def test_the_parent_is_read_after_the_last_parenthesis_of_a_name_holding_one(tmp_path: Path) -> None:
    for pid, name, parent in ((10, "init", 1), (11, "x) 10 (y", 10), (12, "z) 99", 11)):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(_stat(name, "S", parent))
    assert process_tree(10, proc=tmp_path) == [10, 11, 12]
    assert process_tree(12, proc=tmp_path) == [12]


def test_the_asking_thread_running_is_no_progress_wherever_it_is_listed(tmp_path: Path) -> None:
    asking = str(threading.get_native_id())
    _thread(tmp_path, 7, asking, _stat("python", "R", 1))
    _thread(tmp_path, 7, "2", _stat("python", "S", 1))
    _thread(tmp_path, 8, "3", _stat("jackd", "S", 7))
    _thread(tmp_path, 8, "4", _stat("jackd", "R", 7))
    asleep = _Listed(tmp_path, {7: [asking, "2"], 8: ["3"]})
    assert not any_runnable([7, 8], proc=asleep)  # type: ignore[arg-type]
    # a thread listed after the asking one is still read
    _thread(tmp_path, 9, asking, _stat("python", "R", 1))
    _thread(tmp_path, 9, "5", _stat("python", "R", 1))
    assert any_runnable([9], proc=_Listed(tmp_path, {9: [asking, "5"]}))  # type: ignore[arg-type]


def test_a_thread_whose_stat_is_gone_is_not_runnable_and_a_process_gone_has_no_tree(tmp_path: Path) -> None:
    (tmp_path / "3" / "task" / "4").mkdir(parents=True)  # listed, its stat gone before it was read
    assert not any_runnable([3], proc=tmp_path)
    assert process_tree(3, proc=tmp_path) == []


def _asleep_noting(clock: VirtualClock, looks: list[float]) -> Callable[[int], tuple[bool, bool]]:
    """A tree alive and always asleep, each read noted at the clock's time in ``looks``."""

    def asleep(_pid: int) -> tuple[bool, bool]:
        looks.append(clock.now())
        return True, False

    return asleep


def test_a_bound_is_spent_by_the_trees_sleep_polled_at_most_every_poll_interval() -> None:
    clock = VirtualClock()
    polls: list[float] = []
    asleep = _asleep_noting(clock, polls)
    give_up = AsleepBound(1.0, hang_s=100.0, poll_s=0.25, pid=4321, clock=clock, state=asleep)
    assert give_up.asleep.pid == 4321
    spent_at = None
    while spent_at is None:
        clock.advance(0.1)
        if give_up():
            spent_at = clock.now()
    # polls at 0.3, 0.6, 0.9, 1.2 s (each at least 0.25 s after the last): 1.2 s asleep counted at 1.2 s
    assert polls == pytest.approx([0.3, 0.6, 0.9, 1.2])
    assert spent_at == pytest.approx(1.2)
    assert not give_up.busy_hang


def test_a_bound_at_exactly_its_sleep_is_spent() -> None:
    clock = VirtualClock()
    give_up = AsleepBound(1.0, hang_s=100.0, poll_s=0.5, pid=1, clock=clock, state=lambda pid: (True, False))
    clock.advance(0.5)
    assert not give_up()
    clock.advance(0.5)
    assert give_up()  # 1.0 s asleep: the bound, not past it


def test_a_bound_looks_again_once_exactly_its_poll_interval_has_passed() -> None:
    """The tree is read again at the poll interval, not only past it: called every 0.25 s with a
    0.25 s interval, each call reads it."""
    clock = VirtualClock()
    looks: list[float] = []
    give_up = AsleepBound(10.0, hang_s=100.0, poll_s=0.25, pid=1, clock=clock, state=_asleep_noting(clock, looks))
    for _ in range(4):
        clock.advance(0.25)
        give_up()
    assert looks == [0.25, 0.5, 0.75, 1.0]
    assert give_up.asleep.asleep_s == 1.0


def test_a_tree_kept_runnable_spends_the_bound_only_at_its_wall_clock_guard_and_says_so() -> None:
    clock = VirtualClock()
    give_up = AsleepBound(1.0, hang_s=30.0, poll_s=0.5, pid=1, clock=clock, state=lambda pid: (True, True))
    clock.advance(29.5)
    assert not give_up() and not give_up.busy_hang
    clock.advance(0.5)
    assert give_up() and give_up.busy_hang  # at the guard exactly
    assert give_up.asleep.asleep_s == 0.0


def test_a_tree_that_slept_its_bound_is_no_busy_hang_though_the_guard_s_time_has_come_too() -> None:
    """A bound spent by the tree's sleep at the very poll the wall-clock guard's time comes (a
    poll late on a loaded machine) is a hang asleep, a wedged server, not a busy one: the name
    says what the tree did, not which clock ran out last."""
    clock = VirtualClock()
    give_up = AsleepBound(1.0, hang_s=1.0, poll_s=0.5, pid=1, clock=clock, state=lambda pid: (True, False))
    clock.advance(1.0)
    assert give_up()
    assert give_up.asleep.asleep_s == 1.0 and not give_up.busy_hang


def test_a_bound_asks_this_process_s_tree_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.getpid", lambda: 2468)
    give_up = AsleepBound(1.0, hang_s=1.0, clock=VirtualClock())
    assert give_up.asleep.pid == 2468 and give_up.poll_s == 0.05 and give_up.limit_s == 1.0


def test_an_asleep_clock_counts_only_the_intervals_whose_closing_poll_finds_the_tree_asleep() -> None:
    clock = VirtualClock()
    clock.advance(5.0)  # counted from when the clock was made, not from zero
    states = iter([(True, False), (True, True), (True, False), (False, False)])
    seen: list[int] = []

    def state(pid: int) -> tuple[bool, bool]:
        seen.append(pid)
        return next(states)

    asleep = AsleepClock(99, clock=clock, state=state)
    for step, alive in ((1.0, True), (2.0, True), (4.0, True), (8.0, False)):
        clock.advance(step)
        assert asleep.poll() is alive
    assert asleep.asleep_s == pytest.approx(1.0 + 4.0 + 8.0)
    assert seen == [99] * 4


def test_the_tree_state_of_a_process_gone_is_neither_alive_nor_runnable() -> None:
    assert tree_state(2**22 + 12345) == (False, False)  # above the kernel's pid_max: no such process


def test_a_wait_polls_every_twentieth_of_a_second_and_names_its_condition_by_default() -> None:
    """A wait for a condition that comes 0.1 s in returns then, not a poll later; one that never
    comes says what it waited for even when not told."""
    from harness.rig.awake import wait_until_awake_for

    clock = VirtualClock()
    assert wait_until_awake_for(lambda: clock.now() >= 0.1 - 1e-9, 1, 30.0, clock=clock,
                                state=lambda pid: (True, True))
    assert clock.now() == pytest.approx(0.1)
    with pytest.raises(TimeoutError, match=r"^process 1's tree spent 1\.0 s with nothing runnable waiting for condition$"):
        wait_until_awake_for(lambda: False, 1, 1.0, clock=VirtualClock(), state=lambda pid: (True, False))


def test_a_wait_while_awake_asks_this_process_s_tree_with_what_it_was_given() -> None:
    """The rig's waits (``wait_while_awake``): this process's tree read, the bound, the poll
    interval, the clock and the condition's name passed on as given, and by default a poll every
    twentieth of a second, the condition named "condition"."""
    import os

    from harness.rig.awake import wait_while_awake

    clock = VirtualClock()
    asked: list[int] = []

    def asleep(pid: int) -> tuple[bool, bool]:
        asked.append(pid)
        return True, False

    with pytest.raises(TimeoutError, match=r"^process \d+'s tree spent 2\.0 s with nothing runnable waiting for the agent$"):
        wait_while_awake(lambda: False, 2.0, interval_s=0.5, what="the agent", clock=clock, state=asleep)
    assert clock.now() == pytest.approx(2.0) and asked == [os.getpid()] * 5  # at 0, 0.5, 1, 1.5 and 2 s
    clock = VirtualClock()
    assert wait_while_awake(lambda: clock.now() >= 0.1 - 1e-9 and "up", 30.0, clock=clock,
                            state=lambda pid: (True, True)) == "up"
    assert clock.now() == pytest.approx(0.1)
    with pytest.raises(TimeoutError, match=r"waiting for condition$"):
        wait_while_awake(lambda: False, 1.0, clock=VirtualClock(), state=lambda pid: (True, False))
