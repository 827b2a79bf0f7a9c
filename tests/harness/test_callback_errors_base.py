"""``callback_errors`` on a history attached to a system already used.

The system's ``callback_errors`` counter counts from its start, the history's reports from its
attach. ``History.attach`` records the counter and the pipeline's queue of errors counted but not
yet reported, read before and after it (``pending_callback_errors``); the invariant judges what is
counted after the attach against what is reported after it (``_callback_error_base``). Judged on
the raw counter, a used system's earlier, reported errors read as "counted but never reported".

Known answers on the shipped system (simulated device, virtual clock) and on histories written
as a real clock's attach can leave them: the used system that counts right passes, one that
counts an error it never reports fails, an error queued at the attach is accounted for, and a
used system's history that records its counters but not the queue at its attach is inconclusive,
never failed.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.history import History
from harness.invariants import CALLBACK_ERRORS_NO_BASE, _callback_error_base, check_all, check_callback_errors
from system_under_test import AudioSystem
from system_under_test.pipeline import _callback_error_info


def _used_system() -> AudioSystem:
    """A running system whose callback raised three times, each error reported, before any history."""
    system = AudioSystem({}, seed=5)
    system.initialize()
    system.start()
    system.run_for(0.1)
    system.backend.corrupt_next_callbacks("sim-in", 3)
    system.run_for(0.2)
    assert system.monitoring.value("callback_errors") == 3 and not system.pipeline.errors
    return system


def _both(h: History, system: AudioSystem):
    offline, live = check_callback_errors(h), check_callback_errors(h, system)
    assert check_all(h, system, only=["callback_errors"])[0].to_dict() == live.to_dict()
    return offline, live


def test_a_used_system_that_reports_every_error_passes() -> None:
    system = _used_system()
    h = History().attach(system)
    assert h.initial["counters"]["callback_errors"] == 3 and h.initial["pending_callback_errors"] == [0, 0]
    system.backend.corrupt_next_callbacks("sim-in", 2)
    system.run_for(0.3)
    h.snapshot(system)
    assert system.monitoring.value("callback_errors") == 5
    for v in _both(h, system):
        assert v.ok and not v.inconclusive, v
        assert "2 callback errors all accounted for" in v.message, v.message


def test_a_used_system_that_counts_an_error_it_never_reports_fails() -> None:
    """The base does not blind the check: one error counted after the attach and never reported."""
    system = _used_system()
    h = History().attach(system)
    system.monitoring.counter("callback_errors").inc()
    system.run_for(0.1)
    h.snapshot(system)
    for v in _both(h, system):
        assert not v.ok, v
        assert v.evidence[0]["why"] in ("callback errors counted but never reported",
                                        "live: callback errors counted != reported + queued"), v.evidence
        assert v.evidence[0]["counted"] == 1 and v.evidence[0]["reported"] == 0, v.evidence


def test_an_error_queued_at_the_attach_is_reported_after_it_and_accounted_for() -> None:
    """The callback's two steps (count, then queue) done before the attach, the supervisor's
    report after it: the counter holds the error before the history began, the report comes
    after. Taken as reported before (the counter alone as base), the report reads as one more
    than counted."""
    system = _used_system()
    pipeline = system.pipeline
    system.monitoring.counter("callback_errors").inc()
    pipeline.errors.append(_callback_error_info(ValueError("a stage failed")))
    h = History().attach(system)
    assert h.initial["pending_callback_errors"] == [1, 1]
    system.run_for(0.1)
    h.snapshot(system)
    reported = [e for e in h.entries if e.type == "error"]
    assert len(reported) == 1, reported
    for v in _both(h, system):
        assert v.ok and not v.inconclusive, v


def test_a_used_systems_history_without_the_queue_at_its_attach_is_inconclusive(tmp_path: Path) -> None:
    """Its counters recorded, the queue not (a history written before it was): how many of the
    counted errors were reported before the attach is not known."""
    system = _used_system()
    h = History().attach(system)
    system.backend.corrupt_next_callbacks("sim-in", 1)
    system.run_for(0.2)
    h.snapshot(system)
    path = h.write_jsonl(tmp_path / "history.jsonl")
    lines = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("type") == "attach":
            del entry["data"]["pending_callback_errors"]
        lines.append(json.dumps(entry))
    old = tmp_path / "old.jsonl"
    old.write_text("\n".join(lines) + "\n")
    v = check_callback_errors(History.read_jsonl(old))
    assert v.ok and v.inconclusive, v
    assert CALLBACK_ERRORS_NO_BASE in v.message, v.message


def _real_clock_history(pending: list[int], counted_at_attach: int, reported_after: int, counted_now: int) -> History:
    h = History()
    h.record("attach", data={"state": "running", "clock": "real", "counters": {"callback_errors": counted_at_attach},
                             "pending_callback_errors": pending})
    for _ in range(reported_after):
        h.record("error", value="error", data={"error": {"type": "CallbackError", "message": "dsp stage failed"}})
    h.record("metrics", data={"counters": {"callback_errors": counted_now}, "pending_callback_errors": 0})
    return h


def test_a_real_clocks_error_counted_but_not_yet_queued_at_the_attach_is_no_failure() -> None:
    """On a real clock the callback may have counted its fifth error and not yet queued it when the
    attach read the counter (5) and the queue (0, 0): that error is reported after the attach. Its
    base is 4 to 5, and one error reported against none counted since is within it."""
    assert _callback_error_base({"state": "running", "clock": "real", "counters": {"callback_errors": 5},
                                 "pending_callback_errors": [0, 0]}) == (4, 5)
    v = check_callback_errors(_real_clock_history([0, 0], 5, 1, 5))
    assert v.ok and not v.inconclusive, v
    # two reported against none counted since: wrong for every base in the range
    v = check_callback_errors(_real_clock_history([0, 0], 5, 2, 5))
    assert not v.ok and v.evidence[0]["why"] == "more callback errors reported than counted", v


def test_the_base_range() -> None:
    assert _callback_error_base({}) == (0, 0)  # a crafted history: its counters are its own
    assert _callback_error_base({"state": "initialized", "clock": "real"}) == (0, 0)
    assert _callback_error_base({"state": "running", "clock": "virtual", "counters": {"callback_errors": 5},
                                 "pending_callback_errors": [2, 2]}) == (3, 3)
    assert _callback_error_base({"state": "running", "clock": "real", "counters": {"callback_errors": 5},
                                 "pending_callback_errors": [1, 3]}) == (1, 4)
    assert _callback_error_base({"state": "running", "clock": "real", "counters": {"callback_errors": 5}}) is None
    # no counters at the attach (a crafted history, an older file): its counts are its own, as before
    assert _callback_error_base({"state": "running", "clock": "virtual"}) == (0, 0)
