"""The steady-state check speaks of what the run had: its faults, or its start and its end.

A run with no faults (``--faults none``, the rig's healthy runs) has no first fault to be before
and no last one to be after; its steady-state windows are at the run's start and at its end, and
every line about them (the verdict's doubts and failure, the windows' details, the HTML report's
table, the swarm's grouping of a doubt) says so. A run with faults keeps its words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.runner import ReliabilityRun, RunSpec
from harness.swarm import failure_signatures, inconclusive_reasons
from harness.verdict import FAULT_WINDOWS, PLAIN_WINDOWS, judge_run

#: any of the words that place a window by faults
FAULT_WORDS = re.compile(r"first fault|last fault|faults ended|after the faults|before the faults")


def _steady(faults: bool | None, before: str, after: str) -> dict[str, object]:
    d: dict[str, object] = {"window_s": 1.0, "before": before, "after": after,
                            "before_detail": "2 glitch(es) heard in the window", "after_detail": "no quiet window"}
    if faults is not None:
        d["faults"] = faults
    return d


@pytest.mark.parametrize("before, after", [("no", "not observed"), ("no", "no"), ("yes", "no")])
def test_a_run_with_no_faults_is_judged_in_words_of_its_start_and_end(before: str, after: str) -> None:
    v = judge_run([], steady=_steady(False, before, after))
    lines = [*v.doubts, *v.failures]
    assert lines and not any(FAULT_WORDS.search(x) for x in lines), lines
    assert any("at the run's start" in x or "at the run's end" in x for x in lines), lines
    faulted = judge_run([], steady=_steady(True, before, after))
    assert (v.outcome, len(v.doubts), len(v.failures)) == (faulted.outcome, len(faulted.doubts), len(faulted.failures))


def test_a_run_with_faults_and_an_older_summary_keep_the_faults_words() -> None:
    for faults in (True, None):  # None: a summary written before the field, read back by ``soundcheck report``
        v = judge_run([], steady=_steady(faults, "no", "not observed"))
        assert any(d.startswith(f"steady state {FAULT_WINDOWS[1]} could not be observed") for d in v.doubts)
        assert any(d.startswith(f"the system was not steady {FAULT_WINDOWS[0]}") for d in v.doubts)


def test_the_swarm_groups_a_no_fault_run_s_steady_state_lines_as_a_faulted_one_s() -> None:
    for before, after in (("no", "not observed"), ("no", "no"), ("yes", "no")):
        rows = []
        for faults in (False, True):
            v = judge_run([], steady=_steady(faults, before, after))
            rows.append({"outcome": v.outcome.value, "doubts": list(v.doubts), "failures": list(v.failures)})
        assert inconclusive_reasons(rows[0]) == inconclusive_reasons(rows[1])
        assert not any(r.startswith("other:") for r in inconclusive_reasons(rows[0]))
        assert failure_signatures(rows[0]) == failure_signatures(rows[1])


def test_a_simulated_run_with_no_faults_says_start_and_end_in_its_details_and_report(tmp_path: Path) -> None:
    """Fails on the old words: the details said "fault ... before the first fault"."""
    result = ReliabilityRun(RunSpec(duration_s=3.0, seed=2, faults="none", run_dir=tmp_path / "run")).execute()
    steady = result.summary["steady_state"]
    assert steady["faults"] is False and steady["before"] == "yes" and steady["after"] == "yes"
    assert steady["before_detail"].endswith(PLAIN_WINDOWS[0]) and PLAIN_WINDOWS[1] in steady["after_detail"]
    assert not FAULT_WORDS.search(steady["before_detail"] + steady["after_detail"])
    html = (tmp_path / "run" / "report.html").read_text()
    table = html[html.index('id="steady-table"'):].split("</table>", 1)[0]
    assert "at the run&#39;s start" in table and "at the run&#39;s end" in table
    assert not FAULT_WORDS.search(table)


def test_a_simulated_run_with_faults_keeps_the_faults_words(tmp_path: Path) -> None:
    result = ReliabilityRun(RunSpec(duration_s=5.0, seed=2, faults="default", run_dir=tmp_path / "run")).execute()
    steady = result.summary["steady_state"]
    assert steady["faults"] is True and result.summary["faults"]["total"] > 0
    assert steady["before_detail"].endswith(FAULT_WINDOWS[0])
    table = (tmp_path / "run" / "report.html").read_text().split('id="steady-table"', 1)[1].split("</table>", 1)[0]
    assert FAULT_WINDOWS[0] in table and FAULT_WINDOWS[1] in table
