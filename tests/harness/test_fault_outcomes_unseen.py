"""A firing whose outcome the run could not see, told from one the device never served (issue #11).

Both read ``not_observed`` once: a firing whose window outlasts the history's metrics samples (it
acted, its outcome unknown) and one whose request the device took back whole (it never acted).
Only the first is a doubt of the run: a judged kind whose firings were none of them judged and one
not observed is ``path_unseen``, and the run inconclusive on it; a never served firing is
``never_served`` and judges nothing, neither missed nor unseen. A run passed silently with its
only xrun not observed (nothing judged it), and a report could not tell the two apart.

Histories are crafted as the injector records them (``test_fault_outcome_windows``' entries).
"""

from __future__ import annotations

from typing import Any

from harness.fault_outcomes import (
    FaultOutcomeFold, describe_outcome, never_served_count, path_missed, path_unseen,
)
from harness.verdict import judge_run

from test_fault_outcome_windows import PERIOD, _instant, _metrics

#: an invariant that held: a verdict with nothing else would pass
HELD = [{"name": "legal_transitions", "ok": True, "status": "held"}]


def _fold(entries: list[dict[str, Any]]) -> FaultOutcomeFold:
    fold = FaultOutcomeFold(period=PERIOD)
    for e in entries:
        fold.feed(e)
    return fold


def _named(kind: str, t: float, fault_id: str, **params: Any) -> list[dict[str, Any]]:
    """An instantaneous firing of ``fault_id`` at ``t``."""
    start, end = _instant(kind, t, **params)
    start["data"]["fault_id"] = fault_id
    return [start, end]


def _taken_back(t: float, fault_id: str, window_end: float, **amounts: Any) -> dict[str, Any]:
    """The injector's note of what the device dropped of ``fault_id``'s request."""
    return {"type": "note", "time": t, "value": "fault_taken_back",
            "data": {"device": "sim-in", "fault_id": fault_id, "window_end": window_end, **amounts}}


def test_an_xrun_whose_window_outlasts_the_samples_is_unseen_and_the_run_inconclusive() -> None:
    """The run's only xrun fired 0.25 s before its last sample, its window running past it: it
    acted and the run cannot say whether its block was late. The verdict passed; it is now
    inconclusive, naming the kind and why."""
    fold = _fold([_metrics(0.5, 0), *_named("xrun", 1.0, "xrun#0", delay_s=0.0078125), _metrics(1.0625, 0)])
    assert fold.by_kind() == {"xrun": {"not_observed": 1}}
    assert fold.path_missed() == {}
    assert fold.path_unseen() == {"xrun": {"path": "xrun", "fired": 1, "not_observed": 1,
                                           "became": {"not_observed": 1}}}
    verdict = judge_run(HELD, faults_wanted=True, faults_injected=1, path_missed=fold.path_missed(),
                        path_unseen=fold.path_unseen())
    assert verdict.outcome.value == "inconclusive"
    (doubt,) = verdict.doubts
    assert doubt == ("fault kinds whose firings' outcomes the run could not see: xrun (1 fired, none seen as "
                     "xrun: 1 not observed (no sample showed its outcome)): whether the run tested those paths "
                     "is not known"), doubt


def test_a_firing_the_device_never_served_is_its_own_outcome_and_no_doubt() -> None:
    """The same xrun, its delay taken back whole before a block came: never served, no path
    missed nor unseen; beside one that acted, the run passes."""
    taken = [_metrics(0.5, 0), *_named("xrun", 1.0, "xrun#1", delay_s=0.0078125),
             _taken_back(1.0, "xrun#1", 1.0578125, delay_s=0.0078125), _metrics(1.0625, 0)]
    fold = _fold(taken)
    assert fold.by_kind() == {"xrun": {"never_served": 1}}
    assert fold.path_missed() == fold.path_unseen() == {}
    acted = _fold([_metrics(0.25, 0), *_named("xrun", 0.5, "xrun#0", delay_s=0.0078125), _metrics(0.875, 1),
                   *taken[1:-1], _metrics(1.0625, 1)])
    assert acted.by_kind() == {"xrun": {"xrun": 1, "never_served": 1}}
    verdict = judge_run(HELD, faults_wanted=True, faults_injected=2, path_missed=acted.path_missed(),
                        path_unseen=acted.path_unseen(), faults_never_served=never_served_count(acted.by_kind()))
    assert verdict.outcome.value == "pass", verdict.doubts


def test_a_run_whose_every_firing_was_never_served_injected_nothing_the_system_met() -> None:
    """Never a silent pass: as a run that asked for faults and injected none."""
    verdict = judge_run(HELD, faults_wanted=True, faults_injected=2,
                        faults_never_served=never_served_count({"xrun": {"never_served": 1},
                                                                "callback_raises": {"never_served": 1}}))
    assert verdict.outcome.value == "inconclusive"
    (doubt,) = verdict.doubts
    assert doubt == ("the fault profile asked for faults but none was injected that the system met: the 2 that "
                     "fired were taken back whole before a block took any (never served): nothing was tested "
                     "under faults"), doubt
    # one of them served: the run tested something, and passes
    assert judge_run(HELD, faults_wanted=True, faults_injected=2, faults_never_served=1).outcome.value == "pass"


def test_a_kind_judged_by_another_firing_is_not_unseen() -> None:
    fold = _fold([_metrics(0.5, 0), *_named("xrun", 0.75, "xrun#0", delay_s=0.0078125), _metrics(0.875, 1),
                  *_named("xrun", 1.0, "xrun#1", delay_s=0.0078125), _metrics(1.0625, 1)])
    assert fold.by_kind() == {"xrun": {"xrun": 1, "not_observed": 1}}
    assert fold.path_unseen() == fold.path_missed() == {}


def test_a_summary_s_outcomes_alone_tell_unseen_from_never_served() -> None:
    """A report rebuilt from a summary that kept no ``path_unseen`` reads it from the outcomes:
    a kind all of whose firings are unjudged, one not observed, is unseen; one never served only,
    or one with a judged firing, is not (the latter is ``path_missed``'s to say)."""
    assert path_unseen({"xrun": {"not_observed": 1, "never_served": 2}}) == {
        "xrun": {"path": "xrun", "fired": 3, "not_observed": 1, "became": {"not_observed": 1, "never_served": 2}}}
    assert path_unseen({"xrun": {"never_served": 1}}) == {}
    assert path_unseen({"xrun": {"nothing_seen": 1, "not_observed": 1}}) == {}
    assert path_missed({"xrun": {"nothing_seen": 1, "not_observed": 1}})["xrun"]["became"] == {"nothing_seen": 1}
    assert path_missed({"xrun": {"never_served": 1}}) == {}
    assert path_unseen({"stall": {"not_observed": 1}}) == {}  # judged only where the run says (its fold)
    assert never_served_count({"xrun": {"never_served": 2, "xrun": 1}, "dropout": {"error": 1}}) == 2


def test_the_two_are_said_apart_where_a_person_reads_them() -> None:
    assert describe_outcome("not_observed") == "not observed (no sample showed its outcome)"
    assert describe_outcome("never_served") == "never served (taken back whole)"
    assert describe_outcome("nothing_seen") == "nothing seen"
