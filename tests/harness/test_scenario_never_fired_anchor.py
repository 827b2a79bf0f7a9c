"""An expectation anchored on a step's end is judged three ways, by what became of the step:

- the step fired and ended: the expectation is judged from its end (met here);
- the step fired and had not ended when the timeline did: the harness could not judge what came
  after, and nothing was found against the system: ``CANNOT JUDGE`` (inconclusive);
- the step never fired (its ``when`` never came within its timeout): the timeline did not do what
  the scenario says, a failure, and so is every expectation anchored on that step: ``FAILED``,
  never read as a step that merely never ended.

Simulated, seeded, on the virtual clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.faults import injector as injector_module
from harness.scenarios import run_scenario
from harness.verdict import Outcome

HEAD = """format = 1

[scenario]
id = "anchor-on-a-step"
title = "an expectation anchored on a step's end"
reproduces = "risk: an expectation on a step that never fired read as one on a step that never ended"

[run]
backend = "sim"
seed = 3
settle = "500ms"
max_duration = "4s"

[[steps]]
op = "start"

[[steps]]
name = "gone"
fault = "dropout"
duration_s = "300ms"
{trigger}

[[expect]]
reach = "running"
after = "gone.end"
within = "1s"
"""

FIRES = 'at = "100ms"'
NEVER = 'when = "paused"\ntimeout = "200ms"'


def _run(tmp_path: Path, trigger: str) -> object:
    path = tmp_path / "anchor.toml"
    path.write_text(HEAD.format(trigger=trigger), encoding="utf-8")
    return run_scenario(path)


def _on_gone_end(result: object) -> list:
    return [f for f in result.failures if "after gone.end" in f.expectation]  # type: ignore[attr-defined]


def test_an_expectation_on_a_step_that_fired_and_ended_is_judged_and_met(tmp_path: Path) -> None:
    result = _run(tmp_path, FIRES)
    assert result.verdict.outcome is Outcome.PASS, [f.render() for f in result.failures]


def test_an_expectation_on_a_step_that_never_ended_cannot_be_judged(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(injector_module.FaultInjector, "_end", lambda self, fault_id: None)  # it never ends
    result = _run(tmp_path, FIRES)
    (failure,) = _on_gone_end(result)
    assert failure.inconclusive and "step 'gone' never ended" in failure.message
    assert result.verdict.outcome is Outcome.INCONCLUSIVE


def test_an_expectation_on_a_step_that_never_fired_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, NEVER)
    (failure,) = _on_gone_end(result)
    assert not failure.inconclusive, failure.render()
    assert "cannot judge: step 'gone' never fired" in failure.message  # not "never ended": it never began
    assert failure in result.failed_expectations()
    assert result.verdict.outcome is Outcome.FAIL
    assert any("never triggered" in f.message for f in result.failures)
