"""``DeferringLock``: work posted from another thread never waits for the lock's holder, and runs
under the lock, in order, between the holder's critical sections (never inside one)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from harness.deferring_lock import DeferringLock

#: a bound on a thread that must not block at all (reached only by a bug: the test then fails)
NEVER_S = 10.0


def _in_thread(fn: object) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)  # type: ignore[arg-type]
    t.start()
    return t


def _held(lock: DeferringLock, order: list[str], *, depth: int = 1) -> tuple[threading.Thread, threading.Event]:
    """A thread holding ``lock`` ``depth`` times over until the event returned is set; each hold
    notes its end in ``order`` ("hold 1 ends" is the outermost)."""
    inside, release = threading.Event(), threading.Event()

    def hold(level: int) -> None:
        with lock:
            if level < depth:
                hold(level + 1)
            else:
                inside.set()
                release.wait(NEVER_S)
            order.append(f"hold {level} ends")

    holder = _in_thread(lambda: hold(1))
    assert inside.wait(NEVER_S)
    return holder, release


def test_work_posted_to_a_free_lock_runs_at_once_under_it() -> None:
    lock = DeferringLock()
    seen: list[bool] = []
    lock.post(lambda: seen.append(lock._lock._is_owned()))  # type: ignore[attr-defined]
    assert seen == [True] and lock.posted == 0


def test_work_posted_while_another_thread_holds_it_returns_at_once_and_runs_before_that_holder_lets_go() -> None:
    lock = DeferringLock()
    order: list[str] = []
    h, release = _held(lock, order)
    poster = _in_thread(lambda: (lock.post(lambda: order.append("first")), lock.post(lambda: order.append("second"))))
    poster.join(NEVER_S)
    assert not poster.is_alive(), "post() waited for the holder"
    assert order == [] and lock.posted == 2  # nothing ran inside the holder's section
    release.set()
    h.join(NEVER_S)
    assert order == ["hold 1 ends", "first", "second"]
    assert lock.posted == 0


def test_work_posted_by_the_holder_itself_runs_where_a_reentrant_with_would() -> None:
    lock = DeferringLock()
    order: list[str] = []
    with lock:
        order.append("before")
        lock.post(lambda: order.append("posted"))
        order.append("after")
    assert order == ["before", "posted", "after"]


def test_work_posted_during_nested_holds_runs_at_the_outermost_end_only() -> None:
    lock = DeferringLock()
    order: list[str] = []
    h, release = _held(lock, order, depth=2)
    lock.post(lambda: order.append("posted"))
    release.set()
    h.join(NEVER_S)
    assert order == ["hold 2 ends", "hold 1 ends", "posted"]


def _boom() -> None:
    raise RuntimeError("boom")


def _posted_while_held(lock: DeferringLock, *works: Callable[[], None]) -> list[str]:
    """``works`` posted while another thread holds ``lock``; what that holder's exit raised (in its
    thread: the first raising work's error, the works after it left behind, posted)."""
    inside, release = threading.Event(), threading.Event()
    raised: list[str] = []

    def holder() -> None:
        try:
            with lock:
                inside.set()
                release.wait(NEVER_S)
        except RuntimeError as exc:  # the holder's exit raises the work's error in its thread
            raised.append(str(exc))

    h = _in_thread(holder)
    assert inside.wait(NEVER_S)
    for work in works:
        lock.post(work)
    release.set()
    h.join(NEVER_S)
    return raised


def test_a_posted_work_that_raises_leaves_the_lock_free() -> None:
    lock = DeferringLock()
    assert _posted_while_held(lock, _boom) == ["boom"]
    assert lock._lock.acquire(blocking=False)  # type: ignore[attr-defined]
    lock._lock.release()  # type: ignore[attr-defined]


def _raising_works_posted_while_held(lock: DeferringLock, then: Callable[[], None]) -> None:
    """Two works posted while another thread holds ``lock``, the first raising: that holder's exit
    raises it, and ``then`` is left behind, posted and not yet run."""
    assert _posted_while_held(lock, _boom, then) == ["boom"] and lock.posted == 1


def test_work_left_behind_by_a_raising_work_runs_at_the_next_hold_before_its_section() -> None:
    lock = DeferringLock()
    order: list[str] = []
    _raising_works_posted_while_held(lock, lambda: order.append("left behind"))
    with lock:
        order.append("next section")
    assert order == ["left behind", "next section"]  # posted before that section: run before it
    assert lock.posted == 0


def test_a_hold_whose_left_behind_work_raises_leaves_the_lock_as_it_was_before() -> None:
    lock = DeferringLock()

    def boom_again() -> None:
        raise RuntimeError("again")

    _raising_works_posted_while_held(lock, boom_again)
    entered: list[str] = []
    try:
        with lock:  # its hold runs the left-behind work first, which raises out of the ``with``
            entered.append("section")
    except RuntimeError as exc:
        assert str(exc) == "again"
    assert entered == [] and lock.posted == 0
    # the lock is as a fresh one: work posted while another thread holds it runs as that holder lets go
    order: list[str] = []
    h, release = _held(lock, order)
    lock.post(lambda: order.append("posted"))
    assert order == []
    release.set()
    h.join(NEVER_S)
    assert order == ["hold 1 ends", "posted"]


def test_work_posted_during_a_later_hold_runs_as_during_the_first() -> None:
    lock = DeferringLock()
    order: list[str] = []
    for hold in ("first", "second"):
        h, release = _held(lock, order)
        lock.post(lambda hold=hold: order.append(f"posted in the {hold}"))
        release.set()
        h.join(NEVER_S)
    assert order == ["hold 1 ends", "posted in the first", "hold 1 ends", "posted in the second"]
    assert lock.posted == 0


def _raising(text: str) -> Callable[[], None]:
    """A work that raises ``RuntimeError(text)``."""
    def work() -> None:
        raise RuntimeError(text)
    return work


def test_a_posted_work_that_raises_as_a_hold_begins_leaves_the_lock_free_for_another_thread() -> None:
    """Two works that raise, posted while another thread holds the lock: the holder's exit raises
    the first and leaves the second queued; the next ``with`` runs it as its hold begins and
    raises it. The lock is then free: another thread takes it at once (an RLock left held by this
    thread would still let this thread in, so the look is from another)."""
    lock = DeferringLock()
    order: list[str] = []
    raised = _posted_while_held(lock, _raising("first"), _raising("second"))
    assert raised == ["first"] and lock.posted == 1
    try:
        with lock:
            order.append("inside")  # never reached: the queued work raises as the hold begins
    except RuntimeError as exc:
        raised.append(str(exc))
    assert raised == ["first", "second"] and order == []
    taken: list[bool] = []
    other = _in_thread(lambda: taken.append(lock._lock.acquire(blocking=False)))  # type: ignore[attr-defined]
    other.join(NEVER_S)
    assert taken == [True], "a work that raised as a hold began left the lock held"


def test_a_work_posted_while_the_holder_runs_the_queue_runs_too() -> None:
    """A work that the holder is running posts another from a third thread (and waits for that
    thread): the new work is queued while the queue is being run, and runs before the holder lets
    go, never dropped with the ones already run."""
    lock = DeferringLock()
    order: list[str] = []
    h, release = _held(lock, order)

    def posts_from_another_thread() -> None:
        order.append("first")
        poster = _in_thread(lambda: lock.post(lambda: order.append("posted while running")))
        poster.join(NEVER_S)
        assert not poster.is_alive()

    lock.post(posts_from_another_thread)
    release.set()
    h.join(NEVER_S)
    assert order == ["hold 1 ends", "first", "posted while running"]
    assert lock.posted == 0
