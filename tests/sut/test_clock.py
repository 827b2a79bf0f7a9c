import contextlib
import gc
import weakref
from collections.abc import Iterator

import pytest

from system_under_test.clock import Clock, SystemClock, VirtualClock
from system_under_test.scheduler import ThreadScheduler, VirtualScheduler, scheduler_for


class _FixedClock(Clock):
    """A clock that never moves (a coarse clock, read twice in one tick)."""

    def __init__(self, t: float) -> None:
        self.t = t

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        pass


def test_virtual_clock_runs_timers_in_time_then_schedule_order():
    clock = VirtualClock()
    order = []
    clock.call_at(2.0, lambda: order.append(("b", clock.now())))
    clock.call_at(1.0, lambda: order.append(("a", clock.now())))
    clock.call_at(2.0, lambda: order.append(("c", clock.now())))
    h = clock.call_at(1.5, lambda: order.append("cancelled"))
    h.cancel()
    clock.advance(1.9)
    assert order == [("a", 1.0)] and clock.now() == 1.9
    clock.advance(0.1)
    assert order == [("a", 1.0), ("b", 2.0), ("c", 2.0)]


def test_virtual_clock_timers_can_schedule_timers():
    clock = VirtualClock()
    ticks = []

    def tick():
        ticks.append(clock.now())
        if len(ticks) < 5:
            clock.call_later(0.25, tick)

    clock.call_later(0.25, tick)
    clock.advance(10)
    assert ticks == [0.25, 0.5, 0.75, 1.0, 1.25]


def test_virtual_clock_refuses_to_go_backwards():
    with pytest.raises(ValueError, match="backwards"):
        VirtualClock().advance(-1)


def test_scheduler_for_picks_by_clock():
    assert isinstance(scheduler_for(VirtualClock()), VirtualScheduler)
    sched = scheduler_for(SystemClock())
    try:
        assert isinstance(sched, ThreadScheduler)
    finally:
        sched.close()


def test_thread_scheduler_runs_and_survives_a_raising_timer(caplog):
    import threading
    sched = ThreadScheduler(SystemClock())
    done = threading.Event()
    sched.call_later(0.0, lambda: 1 / 0)
    sched.call_later(0.001, done.set)
    try:
        assert done.wait(5)
    finally:
        sched.close()
    assert sched.thread_count == 0


def test_thread_scheduler_never_runs_a_cancelled_timer():
    """A timer cancelled before it is due never runs (the recovery back-off and the supervisor
    cancel theirs). The first timer holds the scheduler's thread until the second is cancelled, so
    the cancel surely comes first; the third marks the moment the cancelled one's turn has passed."""
    import threading
    sched = ThreadScheduler(SystemClock())
    gate, done = threading.Event(), threading.Event()
    ran: list[str] = []
    try:
        sched.call_later(0.0, lambda: gate.wait(5))
        sched.call_later(0.0, lambda: ran.append("cancelled")).cancel()
        sched.call_later(0.0, done.set)
        gate.set()
        assert done.wait(5)
    finally:
        sched.close()
    assert ran == []


def test_thread_scheduler_runs_a_timer_due_exactly_now():
    """A timer is due when the clock reads its time, not only after: on a clock that does not move
    between two reads (a coarse clock, a test's fixed one), a timer set for 'now' still runs."""
    import threading

    sched = ThreadScheduler(_FixedClock(12.5))
    done = threading.Event()
    try:
        sched.call_later(0.0, done.set)
        assert done.wait(5)
    finally:
        sched.close()


class _WatchedClock(_FixedClock):
    """A fixed clock that moves only when the test says, and tells when the scheduler's own thread
    has read it before a given time (it then decides on that reading: the timer is not due yet)."""

    def __init__(self, t: float, thread_name: str) -> None:
        super().__init__(t)
        import threading

        self.thread_name = thread_name
        self.read_early = threading.Event()

    def now(self) -> float:
        import threading

        if threading.current_thread().name == self.thread_name:
            self.read_early.set()
        return self.t


def test_thread_scheduler_runs_a_timer_when_its_time_comes_with_nothing_else_scheduled():
    """A timer found not due is waited for until its time, not until someone schedules another:
    the supervisor's tick reschedules itself from the timer thread and nothing else wakes it. The
    thread reads the clock before it moves (so it has decided to wait), then the clock passes the
    timer's time with no notify: the thread must wake by its own timeout (10 ms here) and run it."""
    import threading

    clock = _WatchedClock(100.0, "watched-scheduler")
    sched = ThreadScheduler(clock, name="watched-scheduler")
    done = threading.Event()
    try:
        sched.call_later(0.01, done.set)
        assert clock.read_early.wait(10)
        clock.t = 101.0
        assert done.wait(10), "the timer's time came and went: the thread is still waiting for a notify"
    finally:
        sched.close()


def test_advancing_a_virtual_clock_by_nothing_runs_what_is_due_now():
    """``advance(0)`` is legal (``run_for(0)``: 'let what is due now happen'): it runs the timers
    due at the current time and moves nothing; only a negative step is refused."""
    clock = VirtualClock(3.0)
    ran: list[float] = []
    clock.call_later(0.0, lambda: ran.append(clock.now()))
    clock.call_later(0.5, lambda: ran.append(clock.now()))
    clock.advance(0)
    assert ran == [3.0] and clock.now() == 3.0
    clock.sleep(0.0)
    assert ran == [3.0] and clock.now() == 3.0
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1e-9)


def test_thread_scheduler_runs_timers_due_together_in_the_order_they_were_set():
    """Timers due at one moment run in scheduling order, as on the virtual clock: the supervisor
    and a recovery's back-off may fall due together, and which runs first must not depend on the
    heap's layout. A fixed clock makes every timer due at the same instant; the first timer holds
    the scheduler's thread until all the others are queued."""
    import threading

    sched = ThreadScheduler(_FixedClock(7.0))
    gate, done = threading.Event(), threading.Event()
    order: list[int] = []
    try:
        sched.call_later(0.0, lambda: gate.wait(5))
        for i in range(12):
            sched.call_later(0.0, lambda i=i: order.append(i))
        sched.call_later(0.0, done.set)
        gate.set()
        assert done.wait(5)
    finally:
        sched.close()
    assert order == list(range(12))


def test_a_timer_set_for_a_time_already_past_runs_now_after_the_timers_already_due_now():
    """``call_at`` with a time already gone means 'now': the timer is due at the clock's time, so
    it runs after the timers already set for that time (time, then scheduling order), and the next
    deadline is the clock's time, never a moment already gone (the scenario driver advances to
    ``next_deadline()`` timer by timer)."""
    clock = VirtualClock(5.0)
    order: list[tuple[str, float]] = []
    clock.call_at(5.0, lambda: order.append(("now", clock.now())))
    late = clock.call_at(4.0, lambda: order.append(("past", clock.now())))
    assert late.when == 5.0
    assert clock.next_deadline() == 5.0
    clock.advance(0)
    assert order == [("now", 5.0), ("past", 5.0)] and clock.now() == 5.0


def test_time_never_goes_back_after_a_timer_sleeps_past_the_deadline_of_the_advance_running_it():
    """A timer's callback may sleep on the virtual clock (a nested ``run_until``) past the deadline
    of the ``advance`` that runs it: the clock then reads the later time, and the outer advance
    ends there, never back at its own deadline. A deadline already passed moves nothing."""
    clock = VirtualClock()
    seen: list[float] = []
    clock.call_at(1.0, lambda: clock.sleep(2.0))
    clock.call_at(2.5, lambda: seen.append(clock.now()))
    clock.advance(1.5)
    assert seen == [2.5] and clock.now() == 3.0
    clock.run_until(2.0)
    assert clock.now() == 3.0


def test_a_cancelled_timer_is_not_pending():
    """``pending()`` counts the timers that will still run: a cancelled one is not among them,
    though its heap entry stays until the clock passes it."""
    clock = VirtualClock()
    first = clock.call_later(1.0, lambda: None)
    clock.call_later(2.0, lambda: None)
    assert clock.pending() == 2
    first.cancel()
    assert clock.pending() == 1
    clock.advance(1.5)
    assert clock.pending() == 1
    clock.advance(1.0)
    assert clock.pending() == 0


def test_the_next_deadline_is_the_first_live_timers_never_a_cancelled_ones():
    """``next_deadline()`` is when the next timer that will run falls due: the scenario driver
    advances to it and checks its stop condition there, so a cancelled timer's time is not one."""
    clock = VirtualClock()
    first = clock.call_at(1.0, lambda: None)
    second = clock.call_at(2.0, lambda: None)
    first.cancel()
    assert clock.next_deadline() == 2.0
    second.cancel()
    assert clock.next_deadline() is None


def test_the_live_timers_are_the_queued_ones_not_cancelled():
    """``live_timers()`` is what an owner still holds on the clock (the harness asks it whether a
    closed system or a cancelled recovery let go of every timer it armed): a cancelled timer,
    though its heap entry stays until the clock passes it, is not one, and a timer that ran is
    gone."""
    clock = VirtualClock()
    first = clock.call_at(1.0, lambda: None)
    second = clock.call_at(2.0, lambda: None)
    third = clock.call_at(3.0, lambda: None)
    second.cancel()
    assert sorted(clock.live_timers(), key=lambda t: t.when) == [first, third]
    clock.advance(1.5)
    assert clock.live_timers() == [third]
    third.cancel()
    assert clock.live_timers() == []


def test_the_timers_queued_after_a_look_are_the_live_ones_newest_first():
    """``timers_queued_after(seq)`` is how a reader that looks again and again (the harness's
    ``timers_let_go``) learns what was armed since its last look: the timers queued after ``seq``
    that an owner still holds. A timer cancelled since, though its entry stays queued until the
    clock passes it, is held by no one; listing it would read as a timer its owner kept."""
    clock = VirtualClock()
    first = clock.call_at(1.0, lambda: None)
    newest, found = clock.timers_queued_after(-1)
    assert (newest, found) == (0, [(0, first)])
    second = clock.call_later(2.0, lambda: None)
    third = clock.call_at(3.0, lambda: None)
    second.cancel()
    newest, found = clock.timers_queued_after(newest)
    assert newest == 2
    assert found == [(2, third)]
    third.cancel()
    assert clock.timers_queued_after(-1) == (2, [(0, first)])
    first.cancel()
    assert clock.timers_queued_after(-1) == (2, [])


def test_the_system_clock_sleeps_no_time_for_a_deadline_already_past():
    """A real run's loop sleeps ``end - now`` with ``now`` read after its check, which on a real
    clock may be just below zero: ``sleep`` of nothing or less returns at once, never raises."""
    clock = SystemClock()
    clock.sleep(0.0)
    clock.sleep(-1e-9)
    clock.sleep(-0.25)


def test_a_timer_set_for_a_time_that_is_not_a_number_runs_now_and_leaves_the_others_in_order():
    """``call_at(nan)`` is "now", as ``call_later(nan)`` is: a NaN in the timer heap compares false
    with everything and would put the timers after it out of order."""
    clock = VirtualClock()
    ran = []
    for when in (3.0, 1.0, float("nan"), 2.0, 0.5):
        clock.call_at(when, lambda when=when: ran.append(when))
    assert clock.next_deadline() == 0.0
    clock.advance(5.0)
    assert ran[0] != ran[0] and ran[1:] == [0.5, 1.0, 2.0, 3.0]


def test_the_system_clock_lets_the_time_asked_for_pass():
    """``sleep`` on the machine's clock waits at least what it was asked (a lower bound only: a
    loaded machine may wake it later, never sooner)."""
    clock = SystemClock()
    t0 = clock.now()
    clock.sleep(0.02)
    assert clock.now() - t0 >= 0.02


def test_a_timer_cancelled_on_the_way_is_skipped_and_the_timers_after_it_still_run():
    clock = VirtualClock()
    ran = []
    clock.call_at(1.0, lambda: ran.append(1.0))
    clock.call_at(1.5, lambda: ran.append(1.5)).cancel()
    clock.call_at(2.0, lambda: ran.append(2.0))
    clock.advance(3.0)
    assert ran == [1.0, 2.0] and clock.now() == 3.0


def test_a_negative_or_nan_delay_is_now_and_runs_after_the_timers_already_due_now():
    """``call_later`` with a delay of nothing or less is due at the clock's time (its handle says
    so: the supervisor reads ``when``), after the timers already set for that time."""
    clock = VirtualClock(5.0)
    ran = []
    clock.call_later(0.0, lambda: ran.append("now"))
    past = clock.call_later(-1.0, lambda: ran.append("negative"))
    nan = clock.call_later(float("nan"), lambda: ran.append("nan"))
    later = clock.call_later(0.5, lambda: ran.append("later"))
    assert past.when == 5.0 and nan.when == 5.0 and later.when == 5.5
    assert clock.next_deadline() == 5.0
    clock.advance(1.0)
    assert ran == ["now", "negative", "nan", "later"]


def test_advance_to_next_moves_the_clock_only_where_the_event_loop_would_go_next():
    """``advance_to_next(when)``: only from inside a timer's callback (a running ``run_until``),
    only to a time within that run's deadline and not before now, and only when no live timer is
    due at or before ``when`` (cancelled ones at the head do not count); then the clock reads
    ``when``. Outside any run, before one and after one, it never moves the clock."""
    clock = VirtualClock()
    assert clock.advance_to_next(0.5) is False and clock.now() == 0.0
    seen = []

    def step():
        seen.append(("beyond the deadline", clock.advance_to_next(2.5), clock.now()))
        seen.append(("backwards", clock.advance_to_next(0.5), clock.now()))
        seen.append(("past a live timer", clock.advance_to_next(1.6), clock.now()))
        seen.append(("at a live timer", clock.advance_to_next(1.5), clock.now()))  # it was set first
        seen.append(("to now", clock.advance_to_next(1.0), clock.now()))
        seen.append(("up to it", clock.advance_to_next(1.4), clock.now()))

    def last() -> None:
        seen.append(("to the deadline", clock.advance_to_next(2.0), clock.now()))

    clock.call_at(1.0, step)
    clock.call_at(1.2, lambda: None).cancel()
    clock.call_at(1.5, lambda: seen.append(("timer", clock.now())))
    clock.call_at(1.8, last)
    clock.advance(2.0)
    assert seen == [("beyond the deadline", False, 1.0), ("backwards", False, 1.0),
                    ("past a live timer", False, 1.0), ("at a live timer", False, 1.0), ("to now", True, 1.0),
                    ("up to it", True, 1.4), ("timer", 1.5), ("to the deadline", True, 2.0)]
    assert clock.now() == 2.0
    assert clock.advance_to_next(2.5) is False and clock.now() == 2.0  # after the run: outside again


def test_each_scheduler_runs_on_the_clock_it_was_made_for():
    virtual, machine = VirtualClock(), SystemClock()
    assert scheduler_for(virtual).clock is virtual
    sched = scheduler_for(machine)
    try:
        assert sched.clock is machine
    finally:
        sched.close()


def test_the_supervisor_thread_is_a_named_daemon_and_gone_after_close():
    """One thread, named for a reader of a thread dump, a daemon (a system its user forgot to close
    never keeps the interpreter from exiting), and gone once ``close`` returns."""
    import threading
    sched = ThreadScheduler(SystemClock())
    try:
        (thread,) = [t for t in threading.enumerate() if t.name == "soundcheck-supervisor" and t.is_alive()
                     and t is sched._thread]
        assert thread.daemon and sched.thread_count == 1
        named = ThreadScheduler(SystemClock(), name="soundcheck-other")
        named.close()
        assert named._thread.name == "soundcheck-other"
    finally:
        sched.close()
    assert sched.thread_count == 0 and not thread.is_alive()


def test_a_thread_timer_waits_its_delay_and_runs_alone():
    """A single timer with a delay runs once that delay has passed (never sooner), with nothing
    else scheduled to wake the thread: the thread sleeps until the timer is due, not forever."""
    import threading
    clock = SystemClock()
    sched = ThreadScheduler(clock)
    ran_at: list[float] = []
    done = threading.Event()
    try:
        t0 = clock.now()
        timer = sched.call_later(0.05, lambda: (ran_at.append(clock.now()), done.set()))
        assert timer.when >= t0 + 0.05
        assert done.wait(10)
    finally:
        sched.close()
    assert ran_at[0] >= t0 + 0.05


def test_a_raising_thread_timer_is_logged_as_such(caplog):
    import logging
    import threading
    sched = ThreadScheduler(SystemClock())
    done = threading.Event()
    try:
        with caplog.at_level(logging.ERROR, logger="system_under_test.scheduler"):
            sched.call_later(0.0, lambda: 1 / 0)
            sched.call_later(0.0, done.set)
            assert done.wait(5)
    finally:
        sched.close()
    (record,) = [r for r in caplog.records if r.name == "system_under_test.scheduler"]
    assert record.getMessage() == "scheduled callback raised" and record.exc_info[0] is ZeroDivisionError


def test_a_timer_in_the_way_is_moved_by_its_defer_and_run_where_it_says():
    """``TimerHandle.defer``: None by default. ``advance_to_next(when)`` asks each live timer due
    at or before ``when`` whose ``defer`` is set, with the timer's own time; a later time moves
    the timer there (its ``when`` too), behind any timer already due at that time, and the clock
    goes on to ``when``; None, the same time or an earlier one leaves it in its place, and the
    clock does not move. A cancelled timer at the head is never asked."""
    clock = VirtualClock()
    assert clock.call_at(9.0, lambda: None).defer is None
    asked, ran, seen = [], [], []

    def mover(to):
        return lambda t: asked.append(t) or to

    a = clock.call_at(1.1, lambda: ran.append(("a", clock.now())))
    a.defer = mover(1.7)
    b = clock.call_at(1.2, lambda: ran.append(("b", clock.now())))
    b.defer = mover(1.6)
    gone = clock.call_at(1.25, lambda: ran.append(("gone", clock.now())))
    gone.defer = mover(3.0)
    gone.cancel()
    clock.call_at(1.6, lambda: ran.append(("c", clock.now())))  # set before b moves to 1.6: first
    stay = clock.call_at(1.3, lambda: ran.append(("stay", clock.now())))

    def step() -> None:
        seen.append(clock.advance_to_next(1.25))  # a and b moved past it, the cancelled one skipped
        seen.append((a.when, b.when, clock.now()))
        for to in (None, 1.3, 1.2):  # stays: none, the same time, an earlier one
            stay.defer = mover(to)
            seen.append((clock.advance_to_next(1.35), stay.when, clock.now()))

    clock.call_at(1.0, step)
    clock.run_until(2.0)
    assert asked == [1.1, 1.2, 1.3, 1.3, 1.3]
    assert seen == [True, (1.7, 1.6, 1.25), (False, 1.3, 1.25), (False, 1.3, 1.25), (False, 1.3, 1.25)]
    assert ran == [("stay", 1.3), ("c", 1.6), ("b", 1.6), ("a", 1.7)]
    assert clock.now() == 2.0


def test_close_waits_a_bounded_time_for_a_timer_stuck_in_its_callback():
    """``close`` joins the supervisor thread for at most 5 s: a timer whose callback never returns
    (a device call hung in its driver) must not hang the system's ``close`` with it, and the thread
    still leaves once the callback does. The wait's bound is read off the join (a join that really
    waited 5 s would be a slow test whose upper bound no loaded machine keeps)."""
    import threading
    sched = ThreadScheduler(SystemClock())
    entered, release = threading.Event(), threading.Event()
    sched.call_later(0.0, lambda: (entered.set(), release.wait(30)))
    for _ in range(200):  # up to 10 s on a loaded machine, but no longer than the thread lives
        if entered.wait(0.05) or not sched._thread.is_alive():
            break
    assert entered.is_set()
    thread, real_join = sched._thread, sched._thread.join
    bounds: list[float | None] = []

    def join(timeout: float | None = None) -> None:
        bounds.append(timeout)
        real_join(timeout=0.0)  # the callback is still stuck: the join comes back unfinished

    thread.join = join  # type: ignore[method-assign]
    try:
        sched.close()
        assert len(bounds) == 1 and bounds[0] is not None and 0 < bounds[0] <= 5
        assert sched.thread_count == 1  # still in the stuck callback
    finally:
        release.set()
    real_join(timeout=10)
    assert sched.thread_count == 0


def test_quiet_until_is_the_earliest_live_timer_without_a_defer() -> None:
    """``quiet_until``'s ``first`` against every timer looked at: the earliest live one with no
    ``defer`` (inf if none), whatever the heap's shape; the deferrable and cancelled ones before
    it (with times shared among them: ties) do not count."""
    import math
    import random

    rng = random.Random(12)
    seen_inf = seen_deep = 0
    for trial in range(400):
        clock = VirtualClock()
        handles = []
        for _ in range(rng.randint(1, 24)):
            h = clock.call_at(float(rng.randint(1, 12)), lambda: None)
            kind = rng.random()
            if kind < 0.45:
                h.defer = lambda when: None
            elif kind < 0.7:
                h.cancel()
            handles.append(h)
        live = [h.when for h in handles if h.defer is None and not h.cancelled]
        deadline, first = clock.quiet_until()
        assert deadline == -math.inf
        assert first == (min(live) if live else math.inf), trial
        seen_inf += not live
        seen_deep += bool(live) and sum(h.when < min(live) for h in handles) >= 3
    assert seen_inf and seen_deep > 50  # both ends of the walk were taken


def test_advance_along_moves_as_far_as_advance_to_next_would_time_after_time():
    """``advance_along(times, i)``, from inside a timer's callback with the clock at ``times[i]``:
    the clock moves to the last of ``times[i + 1:]`` that ``advance_to_next`` would move to one
    after another without meeting a live timer (a cancelled one at the head does not count; a
    live one at a time in the list, or before it, does; nor past the running deadline), and
    returns the index after it. A deferrable timer in the way is not asked here."""
    times = [1.0, 1.125, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875, 2.0, 2.125]

    def first_move(step_by_step: bool, timers: list[tuple[float, bool, bool]]) -> tuple:
        clock = VirtualClock()
        got: list = []
        asked: list[float] = []

        def step() -> None:
            if step_by_step:
                j = 1
                while j < len(times) and clock.advance_to_next(times[j]):
                    j += 1
            else:
                j = clock.advance_along(times, 0)
                got.append(tuple(asked))  # nothing asked by advance_along itself
            got.append((j, clock.now()))

        clock.call_at(times[0], step)  # first: a timer at the same time set after it runs after it
        for when, cancelled, deferrable in timers:
            handle = clock.call_at(when, lambda: None)
            if cancelled:
                handle.cancel()
            if deferrable:
                handle.defer = lambda w: asked.append(w) or None
        clock.run_until(2.0)
        return tuple(got)

    cases = {  # timers (when, cancelled, deferrable) -> (j, the clock's time after the move)
        (): (9, 2.0),                                       # up to the deadline: 2.0, not 2.125
        ((1.5, False, False),): (4, 1.375),                 # a live timer at a time of the list
        ((1.3, False, False),): (3, 1.25),                  # between two times
        ((1.3, True, False),): (9, 2.0),                    # cancelled: not in the way
        ((1.375, True, False), (1.5, False, True)): (4, 1.375),  # deferrable: in the way
        ((1.0, False, False),): (1, 1.0),                   # due now: no move at all
    }
    for timers, expected in cases.items():
        along = first_move(False, list(timers))
        assert along == ((), expected), timers
        # advance_to_next time after time stops at the same block (it would ask the deferrable
        # timer at 1.5, which refuses here)
        assert first_move(True, list(timers)) == (expected,), timers


def test_advance_along_deferring_is_the_steps_a_caller_would_take_one_by_one():
    """``advance_along_deferring(times, i, ready)`` past a deferrable timer that moves on from
    each time it is asked at (as the watchdog's quiet pass moves on from the last callback): the
    same stop, the same clock, the same deferrals asked at the same clock readings, and ``ready``
    called before each of them with the index the caller's own loop has there; a refusal, a
    ``ready`` that stops, a plain timer and the list's end each end it where the loop ends."""
    times = [1.0 + k / 8 for k in range(40)]  # exact sums: 1.0, 1.125, ...

    def run(folded: bool, refuse_after: int | None, stop_at: int | None, plain: float | None) -> tuple:
        clock = VirtualClock()
        log: list = []

        def defer(when: float) -> float | None:
            log.append(("asked", when, clock.now()))
            if refuse_after is not None and sum(e[0] == "asked" for e in log) > refuse_after:
                return None
            return clock.now() + 0.3

        def ready(j: int) -> bool:
            log.append(("ready", j, clock.now()))
            return j != stop_at

        def step() -> None:
            if folded:
                log.append(clock.advance_along_deferring(times, 0, ready))
            else:
                j, moved = clock.advance_along(times, 0), True
                while j < len(times) and ready(j):
                    if not clock.advance_to_next(times[j]):
                        moved = False
                        break
                    j = clock.advance_along(times, j)
                log.append((j, moved))
            log.append(clock.now())

        clock.call_at(times[0], step)
        clock.call_at(1.2, lambda: None).defer = defer
        if plain is not None:
            clock.call_at(plain, lambda: None)
        clock.run_until(6.5)
        return tuple(log)

    seen = set()
    for refuse_after in (None, 3):
        for stop_at in (None, 16):
            for plain in (None, 3.3):
                case = (refuse_after, stop_at, plain)
                got = run(True, *case)
                assert got == run(False, *case), case
                assert sum(e[0] == "asked" for e in got if isinstance(e, tuple) and isinstance(e[0], str)) >= 4, case
                seen.add(got[-2])
    # every way to stop was taken: the list's end, the plain timer in the way (after 3.25), a
    # ready that stops (asked before every second time), a refusal (the fourth deferral)
    assert seen == {(40, True), (19, False), (16, True), (8, False)}, seen


def test_a_timer_that_answers_for_its_deferrals_along_the_times_gives_what_asking_each_gives():
    """``advance_along_deferring(times, i, ready, source)`` with a deferrable timer whose owner
    answers for a run of its deferrals at once (``TimerHandle.defer_along``): the same stop, the
    same clock, the same timer time and the same deferrals (asked at the same clock readings)
    as asking ``defer`` one deferral at a time, with ``ready`` asked before the first of each run
    only; the owner is told how far the clock may go with nothing else due (``end``: before a
    plain timer, within ``run_until``'s deadline, the list's end), and one that cannot answer
    (None) leaves it to ``defer``. A plain timer due at the very time of a block (3.25) is in the
    way of that block as one due between two blocks is (timers due at one time run in the order
    they were scheduled): the owner's run ends before it, and it runs at the same clock reading,
    after the same deferrals, as when each deferral is asked on its own."""
    times = [1.0 + k / 8 for k in range(40)]  # exact sums: 1.0, 1.125, ...

    def run(along: bool, refuse_after: int | None, plain: float | None, deadline: float,
            decline: bool) -> tuple:
        clock = VirtualClock()
        asked: list = []
        readies: list = []
        ends: list = []
        out: list = []
        ran: list = []  # the plain timer: the clock's reading and the deferrals asked when it ran

        def gives(when: float, last: float) -> float | None:
            asked.append((when, last))
            if refuse_after is not None and len(asked) > refuse_after:
                return None
            return last + 0.3

        def defer(when: float) -> float | None:
            return gives(when, clock.now())

        def defer_along(when: float, ts, j: int, end: int, source: object) -> tuple[float, int] | None:
            assert source is marker
            ends.append((j, end))
            if decline:
                return None
            k = j
            while True:
                if refuse_after is not None and len(asked) >= refuse_after:
                    break  # the next deferral would be refused: left to ``defer``
                later = gives(when, ts[k - 1])
                assert later is not None and later > ts[k]
                when = later
                k += 1
                while k < end and ts[k] < when:
                    k += 1
                if k >= end:
                    break
            return None if k == j else (when, k)

        def ready(j: int) -> bool:
            readies.append(j)
            return True

        def step() -> None:
            out.append(clock.advance_along_deferring(times, 0, ready, marker if along else None))
            out.append(clock.now())
            out.append(timer.when)

        marker = object()
        clock.call_at(times[0], step)
        timer = clock.call_at(1.2, lambda: None)
        timer.defer = defer
        timer.defer_along = defer_along
        if plain is not None:
            clock.call_at(plain, lambda: ran.append((clock.now(), len(asked))))
        clock.run_until(deadline)
        return tuple(out), tuple(asked), readies, ends, tuple(ran)

    seen = set()
    for refuse_after in (None, 5):
        for plain in (None, 3.3, times[18]):
            for deadline in (6.5, 4.0):
                case = (refuse_after, plain, deadline)
                one_by_one, asked, readies, ends, ran = run(False, *case, decline=False)
                assert ends == []
                declined = run(True, *case, decline=True)
                assert declined[:3] == (one_by_one, asked, readies) and declined[4] == ran, case
                got, got_asked, got_readies, got_ends, got_ran = run(True, *case, decline=False)
                assert (got, got_asked, got_ran) == (one_by_one, asked, ran), case
                assert len(asked) >= 5 and len(got_readies) < len(readies), case
                assert len(ran) == (plain is not None), case
                seen.add((got[0], tuple(got_ends)))
    # the owner is told the list's end (40), the plain timer's (times before 3.3: 19; before 3.25,
    # itself a time of the list: 18) and the deadline's (times up to 4.0: 25), the first time at
    # the timer (1.2: index 2); a refusal at the sixth deferral (after 12) is left to ``defer``:
    # the owner is asked there and declines
    assert seen == {((40, True), ((2, 40),)), ((19, False), ((2, 19),)), ((18, False), ((2, 18),)),
                    ((25, False), ((2, 25),)), ((12, False), ((2, 40), (12, 40))),
                    ((12, False), ((2, 19), (12, 19))), ((12, False), ((2, 18), (12, 18))),
                    ((12, False), ((2, 25), (12, 25)))}, seen


def test_a_virtual_scheduler_runs_no_thread_and_counts_it_as_the_number_zero():
    """A simulated system's scheduler starts no thread (its timers are the virtual clock's), so the
    system allocates no supervisor thread for it: ``thread_count`` is the int 0, as a caller
    adding up threads reads it."""
    sched = scheduler_for(VirtualClock())
    assert isinstance(sched, VirtualScheduler)
    assert type(sched.thread_count) is int and sched.thread_count == 0


def _fold_run(times: list[float], *, timer_at: float, deadline: float,
              cancel_in_ready: tuple[float, ...] = ()) -> dict[str, object]:
    """One ``advance_along_deferring(times, 0, ready, source)`` from a timer at ``times[0]``, with a
    deferrable timer at ``timer_at`` whose owner answers for the whole run it is offered
    (``defer_along``: the clock to the run's last time, the timer 0.3 s after it) and plain timers
    at ``cancel_in_ready``, which the first ``ready`` cancels (as another owner cancels its timer
    while the caller brings its stream up). What the owner and ``defer`` were asked; what ran (a
    plain timer its own time, the deferrable one the clock's reading when it ran)."""
    clock = VirtualClock()
    along: list[tuple[float, int, int]] = []
    deferred: list[float] = []
    ran: list[float] = []
    out: dict[str, object] = {}
    marker = object()

    def defer_along(when: float, ts, j: int, end: int, source: object) -> tuple[float, int] | None:
        assert source is marker
        along.append((when, j, end))
        return ts[end - 1] + 0.3, end

    def defer(when: float) -> float | None:
        deferred.append(when)
        return clock.now() + 0.3

    plain = [clock.call_at(t, lambda t=t: ran.append(t)) for t in cancel_in_ready]

    def ready(j: int) -> bool:
        for handle in plain:
            handle.cancel()
        return True

    def step() -> None:
        out["result"] = clock.advance_along_deferring(times, 0, ready, marker)
        out["now"] = clock.now()
        out["timer_at"] = timer.when

    clock.call_at(times[0], step)
    timer = clock.call_at(timer_at, lambda: ran.append(clock.now()))
    timer.defer, timer.defer_along = defer, defer_along
    clock.run_until(deadline)
    return {**out, "along": along, "deferred": deferred, "ran": ran}


def test_the_owner_answers_for_a_timer_due_at_the_very_time_of_a_block():
    """The deferrable timer in the way is the first live one due at or before ``times[j]``: one due
    at exactly a block's time (1.25) is answered for by its owner along the rest of the list, not
    asked one deferral at a time."""
    times = [1.0 + k / 8 for k in range(8)]  # exact: 1.0, 1.125, ..., 1.875
    got = _fold_run(times, timer_at=1.25, deadline=10.0)
    assert got["along"] == [(1.25, 2, 8)] and got["deferred"] == []
    assert got["result"] == (8, True) and got["now"] == 1.875 and got["timer_at"] == 1.875 + 0.3
    assert got["ran"] == [1.875 + 0.3]  # the deferrable timer, once, where its owner put it


def test_the_owner_answers_for_a_block_at_the_very_deadline_of_the_run():
    """A block at exactly the running ``run_until``'s deadline is a move ``advance_to_next``
    makes, so the owner answers for it (``end`` 3: that block only); the block after the
    deadline is refused, and the timer is where the owner put it."""
    times = [1.0 + k / 8 for k in range(8)]
    got = _fold_run(times, timer_at=1.2, deadline=1.25)
    assert got["along"] == [(1.2, 2, 3)] and got["deferred"] == []
    assert got["result"] == (3, False) and got["now"] == 1.25 and got["timer_at"] == 1.25 + 0.3


def test_the_fold_skips_timers_cancelled_in_front_of_and_behind_the_deferrable_one():
    """Timers cancelled after ``advance_along`` looked (by ``ready``) are skipped by the fold as the
    event loop skips them: one in front of the deferrable timer (1.1) and the one right behind it
    (2.0) change nothing but where the first stretch stops; neither runs, and the owner is
    offered the whole list past the deferrable timer (nothing else due). Only the deferrable
    timer runs, once, at the time its owner gave it."""
    times = [1.0 + k / 8 for k in range(8)]
    got = _fold_run(times, timer_at=1.2, deadline=10.0, cancel_in_ready=(1.1, 2.0))
    assert got["along"] == [(1.2, 2, 8)] and got["deferred"] == []
    assert got["result"] == (8, True) and got["now"] == 1.875 and got["timer_at"] == 1.875 + 0.3
    assert got["ran"] == [1.875 + 0.3]  # the deferrable timer, once, where its owner put it


class _Owner:
    """A timer's owner (a stream, a system): what its bound methods on a timer would keep alive."""

    def tick(self) -> None:
        pass

    def defer(self, when: float) -> float | None:
        return None

    def defer_along(self, when: float, times: object, j: int, end: int, source: object) -> None:
        return None


@pytest.mark.parametrize("held_by", ["callback", "defer", "defer_along"])
def test_a_cancelled_timer_lets_go_of_its_owner_while_it_waits_in_the_queue(held_by: str) -> None:
    """A cancelled timer stays in the clock's queue until its time; its callback and its deferrals
    are bound methods of its owner (the supervisor's quiet passes, a stream's tick). Cancelled,
    it must hold none of them, or a closed owner and all it reaches stay alive until the clock
    passes the timer. Reference counting alone frees the owner here (no cycle is involved)."""
    clock = VirtualClock()
    owner = _Owner()
    other = _Owner()
    timer = clock.call_later(1.0, owner.tick if held_by == "callback" else other.tick)
    timer.defer = owner.defer if held_by == "defer" else other.defer
    timer.defer_along = owner.defer_along if held_by == "defer_along" else other.defer_along
    owned = weakref.ref(owner)
    del owner
    assert owned() is not None  # the live timer holds it
    timer.cancel()
    assert clock.pending() == 0 and clock._timers  # cancelled, still queued
    assert owned() is None, f"the cancelled timer still holds its owner through its {held_by}"

class _TickOwner:
    """A timer's owner: its bound method is the callback a scheduler must let go of."""

    def tick(self) -> None:
        pass


@contextlib.contextmanager
def _no_collector() -> Iterator[None]:
    """Reference counting alone: the collector off for the block, restored after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def test_thread_scheduler_lets_go_of_a_cancelled_timers_callback():
    """A cancelled timer stays in the heap until its time; its callback (a bound method of its
    owner) must not keep the owner alive until then, as the virtual clock's cancel lets go of it
    (tests/sut/test_torn_down_freed_without_collector.py). Reference counting alone: no collector."""
    sched = ThreadScheduler(SystemClock())
    with _no_collector():
        try:
            owner = _TickOwner()
            alive = weakref.ref(owner)
            timer = sched.call_later(3600.0, owner.tick)
            timer.cancel()
            del owner
            assert alive() is None
            assert len(sched._heap) == 1  # still queued until its time: the callback was let go, not the timer
        finally:
            sched.close()


def test_a_closed_thread_scheduler_lets_go_of_the_timers_it_never_ran():
    """``close()`` ends the supervisor thread: a timer still queued then never runs, and its
    callback (a bound method of its owner, a system the owner just closed) must not stay held for
    as long as the scheduler object lives. Reference counting alone: no collector."""
    sched = ThreadScheduler(SystemClock())
    with _no_collector():
        try:
            owner = _TickOwner()
            alive = weakref.ref(owner)
            sched.call_later(3600.0, owner.tick)
            del owner
            assert alive() is not None  # the queued timer holds it
            sched.close()
            assert alive() is None, "the closed scheduler still holds a timer it will never run"
        finally:
            sched.close()


def test_thread_scheduler_runs_timers_that_fell_due_together_in_time_order():
    """Timers that all fell due while the scheduler's thread was busy run earliest first, however
    they were scheduled: the thread takes the heap's least each time. Five timers are scheduled
    (due at 5, 1, 4, 2, 3) while a first timer holds the thread, the clock then passes them all
    and the first lets go: their order is 1, 2, 3, 4, 5. (Taking the list's front without
    restoring the heap runs 4 before 3 here.) Deterministic: the clock moves only when the test
    says, and the five are scheduled only once the thread is inside the first timer."""
    import threading

    clock = _FixedClock(0.0)
    sched = ThreadScheduler(clock)
    inside, gate, done = threading.Event(), threading.Event(), threading.Event()
    ran: list[float] = []

    def hold() -> None:
        inside.set()
        gate.wait(5)

    def record(when: float) -> None:
        ran.append(when)
        if len(ran) == 5:
            done.set()

    try:
        sched.call_later(0.0, hold)
        assert inside.wait(5)
        for when in (5.0, 1.0, 4.0, 2.0, 3.0):
            sched.call_later(when, lambda when=when: record(when))
        clock.t = 10.0
        gate.set()
        assert done.wait(5)
    finally:
        sched.close()
    assert ran == [1.0, 2.0, 3.0, 4.0, 5.0]
