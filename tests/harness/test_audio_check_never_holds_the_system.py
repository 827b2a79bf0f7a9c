"""The audio check's transition observer runs on the system's thread, which holds the system's
lock and may be a recovery whose deadline runs: it must never wait for the check's own lock.

On the JACK rig beside two busy loops a recovery's ``enter`` spent 18.5-19.0 s in its transition's
observers while the run's loop, which feeds this check under its lock, was busy, and the healthy
system FAILED its 10 s recovery deadline before its first attempt (bench/RESULTS.md, issue #11). Here the run's
loop is held inside the check's lock for as long as the test likes (a stand-in for a long feed),
and the system enters RECOVERING on another thread: the transition must come back at once, and be
booked when the loop lets go, as it would have been had it waited its turn."""

from __future__ import annotations

import threading
from typing import Any

from system_under_test.lifecycle import State

from scripted_capture import FS, started_with_scripted_capture, tone_block

#: a bound on a thread that must not block at all (reached only by the bug: the test then fails)
NEVER_S = 10.0
N = 256
STALL = "DeviceStalledError: no callback for 0.311 s (4 periods of 5.33 ms, the stream's floor 250 ms)"


def _held_poll(check: Any) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """The run's loop polling the capture, held inside the check's lock until ``release`` is set."""
    inside, release = threading.Event(), threading.Event()
    read_counters = check._read_counters

    def held_read() -> None:  # called under the check's lock, first thing in ``poll``
        inside.set()
        release.wait(NEVER_S)
        read_counters()

    check._read_counters = held_read
    loop = threading.Thread(target=check.poll, name="run-loop", daemon=True)
    loop.start()
    assert inside.wait(NEVER_S)
    return loop, inside, release


def test_a_recovery_entered_while_the_run_loop_feeds_the_check_is_not_held_and_is_booked_after() -> None:
    system, cap, check, t0 = started_with_scripted_capture()
    for i in range(int(1.0 * FS / N)):  # a second of the tone, heard
        cap.pending.append(("feed", (type("Spec", (), {"sample_rate": FS}), tone_block(i * N, N), t0 + i * N / FS, 0)))
    system.run_for(2.0)
    loop, _, release = _held_poll(check)
    try:
        entered = threading.Thread(
            target=lambda: system.coordinator.transition("system", State.RECOVERING, STALL),
            name="recovery-enter", daemon=True)
        entered.start()
        entered.join(NEVER_S)
        assert not entered.is_alive(), "the system's transition waited for the check's lock"
        assert not any(c.startswith("recovering") for ep in check._episodes for c in ep.causes)
    finally:
        release.set()
        loop.join(NEVER_S)
    assert not loop.is_alive()
    booked = [ep for ep in check._episodes if any(c.startswith("recovering: DeviceStalledError") for c in ep.causes)]
    assert len(booked) == 1, [ep.causes for ep in check._episodes]
    assert check._state_span is not None  # held open until the system runs again, as before


def test_a_transition_with_the_check_free_is_booked_at_once() -> None:
    system, _, check, _ = started_with_scripted_capture()
    system.coordinator.transition("system", State.RECOVERING, STALL)
    assert any(c.startswith("recovering: DeviceStalledError") for ep in check._episodes for c in ep.causes)
