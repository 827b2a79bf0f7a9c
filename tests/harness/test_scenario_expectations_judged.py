"""Each kind of scenario expectation is judged on a short simulated timeline whose right answer is
known, both ways: met, failed, or (for one the rule cannot judge) inconclusive, never met.

A ``no_leak`` expectation over a timeline too short for the leak rule is a judgement that could
not be made: the scenario is inconclusive, not passed. A ``state`` expectation with
``healthy = false`` is judged against the system's health like ``healthy = true`` is (a falsy value
is still a value). An expectation that names two kinds is refused with the message that says an
expectation takes exactly one, not read as one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ScenarioFileError
from harness.scenarios.executor import run_scenario
from harness.scenarios.loader import parse_scenario
from harness.verdict import Outcome

HEAD = """format = 1

[scenario]
id = "expectation-table"
title = "one expectation judged on a short timeline"
reproduces = "an expectation met that was never judged"

[run]
seed = 7

[[steps]]
op = "start"

[[steps]]
at = "{at}"
wait = "100ms"
"""


def _scenario(expect: str, at: str = "1s") -> str:
    return HEAD.format(at=at) + expect


def _outcome(expect: str, at: str = "1s") -> tuple[Outcome, list[str]]:
    result = run_scenario(parse_scenario(_scenario(expect, at)))
    return result.verdict.outcome, [f"{f.expectation}: {f.message}" for f in result.failures]


#: (expectation, the outcome it must give on a healthy system RUNNING at the end of a 1 s timeline)
CASES = [
    ('[[expect]]\nstate = "running"\nhealthy = true\n', Outcome.PASS),
    ('[[expect]]\nstate = "running"\nhealthy = false\n', Outcome.FAIL),
    ('[[expect]]\nstate = "stopped"\n', Outcome.FAIL),
    # 1 s of samples every 0.5 s: far under the leak rule's samples and window, not judged
    ('[[expect]]\nno_leak = "sut_buffers"\n', Outcome.INCONCLUSIVE),
    # 11 samples of a flat series: judged, and no leak
    ('[[expect]]\nno_leak = "sut_live_allocations"\nevery = "100ms"\n', Outcome.PASS),
]


@pytest.mark.parametrize(("expect", "outcome"), CASES, ids=["healthy-true", "healthy-false", "state-stopped",
                                                           "no-leak-short", "no-leak-flat"])
def test_each_expectation_gives_the_outcome_its_timeline_calls_for(expect: str, outcome: Outcome) -> None:
    got, failures = _outcome(expect)
    assert got is outcome, failures


def test_healthy_false_on_a_healthy_system_names_its_health() -> None:
    got, failures = _outcome('[[expect]]\nstate = "running"\nhealthy = false\n')
    assert got is Outcome.FAIL
    assert any("healthy is True" in f for f in failures), failures


def test_a_no_leak_the_rule_cannot_judge_says_why_and_is_not_met() -> None:
    result = run_scenario(parse_scenario(_scenario('[[expect]]\nno_leak = "sut_buffers"\n')))
    assert not result.passed and not result.failed
    (unsure,) = [f for f in result.failures if f.inconclusive]
    assert "insufficient_data" in unsure.message or "inconclusive" in unsure.message, unsure.message


@pytest.mark.parametrize("pair", [('state = "running"', 'never = "failed"'),
                                  ('metric = "xruns"\nmax = 0', 'no_leak = "sut_buffers"'),
                                  ('invariant = "resources"', 'state = "running"')])
def test_an_expectation_of_two_kinds_is_refused_as_such(pair: tuple[str, str]) -> None:
    with pytest.raises(ScenarioFileError) as err:
        parse_scenario(_scenario("[[expect]]\n" + "\n".join(pair) + "\n"))
    assert "exactly one of" in str(err.value), str(err.value)


NEVER = """format = 1

[scenario]
id = "never-entered"
title = "A state the system must not enter, entered"
reproduces = "risk: a never expectation's failure says when and why"

[run]
backend = "sim"
seed = 3
settle = "500ms"
max_duration = "10s"

[[steps]]
op = "start"

[[steps]]
name = "hold"
op = "pause"
at = "500ms"

[[steps]]
name = "go"
op = "resume"
at = "1s"

[[steps]]
name = "again"
op = "pause"
at = "1500ms"

[[expect]]
never = "paused"

[[expect]]
never = "paused"
after = "go.start"
until = "again.start"

[[expect]]
never = "paused"
after = "hold.start"
until = "go.start"

[[expect]]
never = "failed"

[[expect]]
never = "paused"
after = "paused"

[[expect]]
never = "paused"
until = "paused"
"""


def test_a_never_entered_names_the_first_entry_with_its_cause_and_the_entries_around_it(tmp_path: Path) -> None:
    """Paused at 0.5 s and again at 1.5 s: ``never paused`` fails on the first entry, with the
    entries from 0.1 s before it to 0.05 s after; between the resume and the second pause's
    step it holds (an entry after ``until`` does not count), as ``never failed`` does. Anchored on
    entering the state itself, the entry that is the anchor is neither after it nor before it."""
    path = tmp_path / "never.toml"
    path.write_text(NEVER, encoding="utf-8")
    result = run_scenario(path)
    evidence = ["#28 t=0.500 step hold", "#30 t=0.500 transition running -> paused (pause)",
                "#31 t=0.500 pause -> ok (scenario)"]
    again = ["#36 t=1.500 step again", "#38 t=1.500 transition running -> paused (pause)",
             "#39 t=1.500 pause -> ok (scenario)"]
    assert [(f.expectation, f.message, f.inconclusive, f.evidence) for f in result.failures] == [
        ("expect[0]: never paused after start", "the system entered 'paused' at t=0.500 s (pause)", False, evidence),
        ("expect[2]: never paused after hold.start until go.start", "the system entered 'paused' at t=0.500 s (pause)",
         False, evidence),
        ("expect[4]: never paused after paused", "the system entered 'paused' at t=1.500 s (pause)", False, again),
    ]
    assert result.verdict.outcome == Outcome.FAIL
