"""A report rebuilt from a run's recorded verdicts says why a check was inconclusive as the run
did: the check's ``reason`` is kept by ``normalize_verdicts`` (the reports' one shape of a verdict),
so the rebuilt headline names it, not the first clause of the check's message."""

from __future__ import annotations

from harness.invariants import Verdict
from harness.reports.model import normalize_verdicts
from harness.verdict import judge_run

#: a check whose message's first clause is not its reason
UNJUDGED = Verdict("stalls_counted", True, [],
                   "the system keeps no device_stalls counter (none given live, none in a snapshot): its stalls' "
                   "count cannot be judged", inconclusive=True, reason="no device_stalls counter")
HELD = Verdict("legal_transitions", True, [], "every transition legal")


def test_the_rebuilt_headline_names_the_inconclusive_checks_reason_as_the_run_did() -> None:
    run = judge_run([UNJUDGED.to_dict(), HELD.to_dict()])
    items = normalize_verdicts([UNJUDGED, HELD])
    rebuilt = judge_run(items)
    assert "stalls_counted (no device_stalls counter)" in run.headline(), run.headline()
    assert rebuilt.headline() == run.headline()
    assert [i.get("reason") for i in items] == ["no device_stalls counter", None]
    # and the reason is its own field, not one of the details
    assert "reason" not in items[0]["details"]


def test_a_verdict_read_back_as_a_dict_keeps_its_reason_too() -> None:
    """The journal's end record holds the verdicts as dicts (``Verdict.to_dict``)."""
    (item,) = normalize_verdicts([UNJUDGED.to_dict()])
    assert (item["inconclusive"], item["reason"]) == (True, "no device_stalls counter")
