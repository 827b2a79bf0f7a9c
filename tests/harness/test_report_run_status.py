"""The report of a run is judged by the status its journal or history ended with, as the run was:
``completed`` passes when every invariant held, ``interrupted`` and ``partial`` (a journal cut
short) are inconclusive, and ``failed`` (the run crashed: a journal's ``end`` says ``failed``) is a
failure, never a pass because the invariants it reached held.

Every status against the outcome ``harness.verdict``'s table gives it, with the invariants held,
and with one violated (a failure whatever the status)."""

from __future__ import annotations

import pytest

from harness.reports.build import build_report
from harness.reports.model import RunData
from harness.verdict import EXIT_CODES, Outcome

HELD = {"name": "legal_transitions", "ok": True, "message": "held", "evidence": []}
VIOLATED = {"name": "frames_accounted", "ok": False, "message": "12 frames unaccounted", "evidence": []}

#: (status, the outcome with every invariant held, what its reasons must say)
STATUSES = [("completed", Outcome.PASS, None), ("interrupted", Outcome.INCONCLUSIVE, "did not finish"),
            ("partial", Outcome.INCONCLUSIVE, "did not finish"), ("failed", Outcome.FAIL, "crashed")]


@pytest.mark.parametrize(("status", "outcome", "said"), STATUSES)
@pytest.mark.parametrize("kind", ["run", "soak"])
def test_a_reports_verdict_follows_the_status_its_run_ended_with(kind: str, status: str, outcome: Outcome,
                                                                  said: str | None) -> None:
    report = build_report(RunData(kind=kind, verdicts=[HELD], status=status, sim_time_s=1.0))
    v = report["verdict"]
    if kind == "soak" and outcome is Outcome.PASS:
        outcome = Outcome.INCONCLUSIVE  # a soak with no resource sample has no leak judgement
    assert v["outcome"] == outcome.value and v["exit_code"] == EXIT_CODES[outcome], v
    if said is not None:
        assert any(said in r for r in v["reasons"]), v["reasons"]


@pytest.mark.parametrize("status", [s for s, _, _ in STATUSES])
def test_a_violated_invariant_fails_the_report_whatever_the_status(status: str) -> None:
    v = build_report(RunData(kind="run", verdicts=[HELD, VIOLATED], status=status, sim_time_s=1.0))["verdict"]
    assert v["outcome"] == "fail" and v["exit_code"] == 1 and v["violated"] == ["frames_accounted"], v
