"""A fault step's end can come later than its duration says: on the rig, ending a server kill
starts jackd again, which takes seconds on a loaded machine. An expectation anchored on the
step's end is judged from the real end (the timeline waits for it, up to ``max_duration``), and
a step that fired and never ended within the timeline leaves that expectation inconclusive: the
harness could not judge it, and nothing was found against the system.

The late end is made on the simulated device by deferring the injector's end of the fault on the
virtual clock, as a slow restart defers it on the rig: deterministic, no wall time."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.faults import injector as injector_module
from harness.scenarios import run_scenario

SCENARIO = """format = 1

[scenario]
id = "late-fault-end"
title = "A dropout whose end comes later than its duration"
reproduces = "risk: a server that takes long to restart made 'reach running after its end' unjudgeable"

[run]
backend = "sim"
seed = 3
settle = "1s"
max_duration = "MAX"

[[steps]]
op = "start"

[[steps]]
name = "gone"
fault = "dropout"
at = "100ms"
duration_s = "300ms"

[[expect]]
reach = "running"
after = "gone.end"
within = "1s"

[[expect]]
invariant = "legal_transitions"
"""


def _defer_fault_ends(monkeypatch: pytest.MonkeyPatch, late_s: float) -> None:
    """Each fault's end, when due, runs ``late_s`` later on the system's clock."""
    real_end = injector_module.FaultInjector._end
    deferred: set[str] = set()

    def late_end(self: injector_module.FaultInjector, fault_id: str) -> None:
        if fault_id not in deferred:
            deferred.add(fault_id)
            self.system.clock.call_later(late_s, lambda: real_end(self, fault_id))
            return
        real_end(self, fault_id)

    monkeypatch.setattr(injector_module.FaultInjector, "_end", late_end)


def _scenario(tmp_path: Path, max_duration: str) -> Path:
    path = tmp_path / "late.toml"
    path.write_text(SCENARIO.replace("MAX", max_duration), encoding="utf-8")
    return path


def test_a_deadline_after_a_late_fault_end_is_judged_from_the_real_end(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _defer_fault_ends(monkeypatch, late_s=2.0)
    result = run_scenario(_scenario(tmp_path, "20s"))
    assert result.verdict.outcome == "pass", [f.render() for f in result.failures]
    ends = [e for e in result.history.entries if e.type == "fault_end"]
    assert len(ends) == 1 and ends[0].time - result.history.entries[0].time > 2.0
    # the timeline waited for the end and then the settle time, not up to its max_duration
    assert result.sim_seconds < 5.0, result.sim_seconds


def test_a_step_that_never_ends_within_the_timeline_leaves_its_deadline_inconclusive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _defer_fault_ends(monkeypatch, late_s=100.0)
    result = run_scenario(_scenario(tmp_path, "5s"))
    (failure,) = result.failures
    assert "step 'gone' never ended" in failure.message and failure.inconclusive
    assert result.verdict.outcome == "inconclusive"


def test_without_a_late_end_the_timeline_is_as_before(tmp_path: Path) -> None:
    result = run_scenario(_scenario(tmp_path, "20s"))
    assert result.verdict.outcome == "pass"
    assert result.sim_seconds < 2.0


def test_only_an_anchor_on_the_end_of_a_step_that_fired_is_left_inconclusive(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``gone`` fires and never ends within the timeline: every expectation anchored on its end,
    a deadline's and a ``never``'s (as ``after`` and as ``until``), is inconclusive. ``later`` is
    due after the timeline's end and never fires: an expectation anchored on either of its edges
    is a failure, as any anchor that never happened is."""
    _defer_fault_ends(monkeypatch, late_s=100.0)
    text = SCENARIO.replace("MAX", "5s").replace('[[expect]]\ninvariant = "legal_transitions"\n', "") + """
[[steps]]
name = "later"
fault = "dropout"
at = "30s"
duration_s = "100ms"

[[expect]]
never = "closed"
after = "gone.end"

[[expect]]
never = "closed"
until = "gone.end"

[[expect]]
reach = "running"
after = "later.end"
within = "1s"

[[expect]]
reach = "running"
after = "later.start"
within = "1s"

[[expect]]
never = "closed"
after = "later.end"
"""
    path = tmp_path / "anchors.toml"
    path.write_text(text, encoding="utf-8")
    result = run_scenario(path)
    got = [(f.expectation, f.message, f.inconclusive) for f in result.failures]
    assert got == [
        ("step later (fault:dropout, when = None)",
         "never triggered: 'None' did not happen within 10s (system is failed at t=5.000 s)", False),
        ("expect[0]: reach running within 1s after gone.end", "cannot judge: step 'gone' never ended", True),
        ("expect[1]: never closed after gone.end", "cannot judge: step 'gone' never ended", True),
        ("expect[2]: never closed until gone.end", "cannot judge: step 'gone' never ended", True),
        ("expect[3]: reach running within 1s after later.end", "cannot judge: step 'later' never fired", False),
        ("expect[4]: reach running within 1s after later.start", "cannot judge: step 'later' never fired", False),
        ("expect[5]: never closed after later.end", "cannot judge: step 'later' never fired", False),
    ], got
    assert len(result.failures[0].evidence) == 12  # the step's failure shows the timeline's last 12 entries
    assert result.verdict.outcome == "fail"


def test_a_fault_due_to_end_exactly_as_the_settle_time_ends_is_waited_for(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No settle time: the timeline reaches the dropout's due end (0.1 s + 0.3 s) and stops there,
    the end itself 2 s late. A fault due at that very moment and not ended is late like one due
    before it: the timeline waits for its end, and the deadline after it is judged (with no time
    left to settle, the system is still recovering at its deadline), not left without its anchor."""
    _defer_fault_ends(monkeypatch, late_s=2.0)
    path = tmp_path / "no-settle.toml"
    path.write_text(SCENARIO.replace("MAX", "20s").replace('settle = "1s"', 'settle = "0s"'), encoding="utf-8")
    result = run_scenario(path)
    assert [(f.expectation, f.message, f.inconclusive) for f in result.failures] == [
        ("expect[0]: reach running within 1s after gone.end",
         "anchor gone.end at t=2.400 s; never reached 'running' (still 'recovering' at the deadline)", False)]
    assert result.sim_seconds == pytest.approx(2.4)
