"""A scenario's verdict-deciding checks at their edges, on short simulated timelines whose answer
is known: a metric's bounds at equality, an operation's expected outcome and error (a base class
counts), a ``when`` trigger's timeout and delay, and the one ``expectations`` check the verdict
reads with its message.

Each timeline is seeded and runs on the virtual clock: the system's metrics are whole counts,
so a bound at exactly the value is met and one a hair past it is not.
"""

from __future__ import annotations

import pytest

from harness.scenarios.executor import Failure, ScenarioResult, run_scenario
from harness.scenarios.loader import parse_scenario
from harness.verdict import Outcome

HEAD = """format = 1

[scenario]
id = "checks-at-their-edges"
title = "a check judged at its edge"
reproduces = "a verdict moved by a bound off by one"

[run]
seed = 3
settle = "100ms"

[[steps]]
op = "start"
"""


def _run(body: str) -> ScenarioResult:
    return run_scenario(parse_scenario(HEAD + body))


def _failures(result: ScenarioResult) -> list[tuple[str, str]]:
    return [(f.expectation, f.message) for f in result.failures]


WAIT = '\n[[steps]]\nat = "500ms"\nwait = "100ms"\n'
#: an expectation every timeline here meets: a file needs one
ALWAYS = '\n[[expect]]\nmetric = "xruns"\nmax = 1000000.0\n'


@pytest.mark.parametrize(("bounds", "text", "met"), [
    ("min = 0.0", ">= 0", True), ("max = 0.0", "<= 0", True), ("min = 0.0\nmax = 0.0", ">= 0 and <= 0", True),
    ("min = 0.5", ">= 0.5", False), ("max = -0.5", "<= -0.5", False), ("min = -1.0\nmax = -0.5", ">= -1 and <= -0.5", False),
], ids=["min-at-value", "max-at-value", "both-at-value", "min-over", "max-under", "both-under"])
def test_a_metric_bound_at_the_value_is_met_and_past_it_is_not(bounds: str, text: str, met: bool) -> None:
    result = _run(WAIT + f'\n[[expect]]\nmetric = "xruns"\n{bounds}\n')
    if met:
        assert result.failures == [] and result.verdict.outcome is Outcome.PASS
    else:
        assert _failures(result) == [(f"expect[0]: metric xruns {text}", "xruns = 0")]
        assert result.failed and result.failures[0].evidence == []  # no fault, no error in the history


def test_a_gauge_a_histogram_count_and_a_histogram_statistic_are_each_read() -> None:
    # a running system's stream played frames: the counter is positive; a gauge and a
    # histogram's count are read by name, one of its statistics by "name.stat"
    result = _run(WAIT + '\n[[expect]]\nmetric = "frames_played"\nmin = 1.0\n'
                  '\n[[expect]]\nmetric = "callback_duration_s"\nmin = 1.0\n'
                  '\n[[expect]]\nmetric = "callback_duration_s.count"\nmin = 1.0\n'
                  '\n[[expect]]\nmetric = "cpu_load"\nmax = 1000.0\n')
    assert result.failures == [], _failures(result)
    result = _run(WAIT + '\n[[expect]]\nmetric = "callback_duration_s"\nmax = 0.0\n'
                  '\n[[expect]]\nmetric = "callback_duration_s.count"\nmax = 0.0\n')
    assert [e for e, _ in _failures(result)] == ["expect[0]: metric callback_duration_s <= 0",
                                                 "expect[1]: metric callback_duration_s.count <= 0"]
    counts = [float(m.split(" = ")[1]) for _, m in _failures(result)]
    assert counts[0] == counts[1] > 0


def test_a_metric_the_system_has_not_is_a_failure_naming_every_one_it_has() -> None:
    result = _run(WAIT + '\n[[expect]]\nmetric = "nope"\nmin = 0.0\n'
                  '\n[[expect]]\nmetric = "callback_duration_s.nope"\nmin = 0.0\n'
                  '\n[[expect]]\nmetric = "nope.count"\nmin = 0.0\n')
    assert result.failed and len(result.failures) == 3
    for f, name in zip(result.failures, ("nope", "callback_duration_s.nope", "nope.count"), strict=True):
        head, _, known = f.message.partition(" (it has: ")
        assert head == f"the system has no metric {name!r}"
        names = known.rstrip(")").split(", ")
        assert names == sorted(names) and {"xruns", "cpu_load", "callback_duration_s"} <= set(names)


def test_a_metric_failure_shows_the_faults_and_errors_of_the_history() -> None:
    result = _run('\n[[steps]]\nat = "200ms"\nfault = "callback_raises"\ncount = 1\n'
                  + WAIT + '\n[[expect]]\nmetric = "callback_errors"\nmax = 0.0\n')
    ((expectation, message),) = _failures(result)
    assert (expectation, message) == ("expect[0]: metric callback_errors <= 0", "callback_errors = 1")
    # each fault's start and end and each error, in order, as the history has them
    assert [e.split()[2] for e in result.failures[0].evidence] == ["fault_start", "fault_end", "error"]


def test_a_metric_failure_shows_the_last_twelve_faults_and_errors() -> None:
    result = _run('\n[[steps]]\nat = "200ms"\nfault = "callback_raises"\ncount = 14\n'
                  + WAIT + '\n[[expect]]\nmetric = "callback_errors"\nmax = 0.0\n')
    ((_, message),) = _failures(result)
    assert message == "callback_errors = 14"
    evidence = result.failures[0].evidence
    assert len(evidence) == 12 and all(e.split()[2] == "error" for e in evidence)  # of 16: start, end, 14 errors


OPS = """
[[steps]]
at = "200ms"
op = "{op}"
outcome = "{outcome}"
{error}
"""


@pytest.mark.parametrize(("op", "outcome", "error", "message"), [
    ("start", "ok", "", "start() did not succeed: fail IllegalTransitionError: "),
    ("stop", "fail", "", "stop() succeeded but was expected to fail"),
    ("start", "fail", 'error = "DeviceError"', "start() raised IllegalTransitionError: "),
], ids=["ok-but-failed", "fail-but-succeeded", "fail-with-another-error"])
def test_an_operation_that_did_not_do_what_its_step_said_fails_the_step(
        op: str, outcome: str, error: str, message: str) -> None:
    result = _run(OPS.format(op=op, outcome=outcome, error=error) + ALWAYS)
    ((expectation, got),) = _failures(result)
    assert expectation == f"step step2 (op {op}) outcome {outcome}" + (" DeviceError" if error else "")
    assert got.startswith(message), got
    if error:
        assert got.endswith("(expected DeviceError)")
    assert result.failures[0].step == "step2" and result.failed
    # the history from 50 ms before the step: its note first, not the start step before it
    evidence = result.failures[0].evidence
    assert evidence[0].split()[1:] == ["t=0.200", "step", "step2"] and len(evidence) >= 2


@pytest.mark.parametrize("error", ["IllegalTransitionError", "LifecycleError", "AudioSystemError", "Exception", ""])
def test_an_expected_failure_is_met_by_its_error_or_any_base_class_of_it(error: str) -> None:
    result = _run(OPS.format(op="start", outcome="fail", error=f'error = "{error}"' if error else "") + ALWAYS)
    assert result.failures == [] and result.verdict.outcome is Outcome.PASS


@pytest.mark.parametrize("op", ["start", "stop"])
def test_an_operation_with_any_outcome_is_never_a_failure(op: str) -> None:
    assert _run(OPS.format(op=op, outcome="any", error="") + ALWAYS).failures == []


WHEN = """
[[steps]]
name = "{name}"
when = "{when}"
timeout = "{timeout}"
delay = "{delay}"
op = "stop"
"""


def test_a_when_that_never_comes_true_fails_at_its_timeout_and_ends_the_timeline() -> None:
    result = _run(WHEN.format(name="halt", when="failed", timeout="300ms", delay="0ms") + WAIT + ALWAYS)
    ((expectation, message),) = _failures(result)
    assert expectation == "step halt (op:stop, when = 'failed')"
    assert message == "never triggered: 'failed' did not happen within 300ms (system is running at t=0.300 s)"
    assert result.steps_fired == ["step1"] and result.failed


def test_a_when_already_true_fires_at_once_and_its_delay_counts_from_then() -> None:
    result = _run(WHEN.format(name="halt", when="running", timeout="1ms", delay="250ms")
                  + '\n[[expect]]\nnever = "stopped"\nuntil = "halt.start"\n'
                  '\n[[expect]]\nreach = "stopped"\nafter = "start"\nwithin = "250ms"\n'
                  '\n[[expect]]\nreach = "stopped"\nafter = "start"\nwithin = "249ms"\n')
    assert result.steps_fired == ["step1", "halt"]
    assert [e for e, _ in _failures(result)] == ["expect[2]: reach stopped within 249ms after start"]
