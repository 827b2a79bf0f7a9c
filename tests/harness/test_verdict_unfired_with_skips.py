"""A completed run that injected faults but none of a kind its schedule drew is inconclusive,
whatever else it skipped: a skipped fault of one kind (the target could not act on it) says
nothing of another kind that never fired, so the skips are a note beside the doubt, never a
reason to drop it.

Judged on every combination of the four findings that decide the doubt (``judge_run``'s
``status``, ``faults_injected``, ``unfired``, ``faults_skipped``), each against the rule as the
verdict's docstring states it: a doubt exactly when the run completed, injected at least one
fault and names at least one unfired kind."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from harness.verdict import Outcome, judge_run

HELD = {"name": "legal_transitions", "ok": True, "message": "held"}
UNFIRED_HEAD = "fault kinds the schedule drew never fired: "

STATUSES = ("completed", "interrupted", "partial")
INJECTED = (0, 1, 5)
UNFIRED: tuple[dict[str, int], ...] = ({}, {"dropout": 1}, {"dropout": 2, "stall": 1})
SKIPPED: tuple[dict[str, dict[str, int]], ...] = (
    {},
    {"slow_dsp": {"the system has no pipeline": 3}},
    # a kind both skipped and unfired: its refusals were of some of its faults, the rest never came
    {"dropout": {"the target cannot unplug this device": 1}},
)


def _expected_doubt(status: str, injected: int, unfired: dict[str, int]) -> bool:
    return status == "completed" and injected > 0 and bool(unfired)


CASES = list(itertools.product(STATUSES, INJECTED, UNFIRED, SKIPPED))


@pytest.mark.parametrize(("status", "injected", "unfired", "skipped"), CASES)
def test_unfired_kinds_doubt_a_run_that_injected_others_whatever_it_skipped(
        status: str, injected: int, unfired: dict[str, int], skipped: dict[str, dict[str, int]]) -> None:
    v = judge_run([HELD], status=status, faults_wanted=True, faults_injected=injected, unfired=unfired,
                  faults_skipped=skipped)
    doubted = [d for d in v.doubts if d.startswith(UNFIRED_HEAD)]
    assert bool(doubted) is _expected_doubt(status, injected, unfired), (v.doubts, v.notes)
    if doubted:
        assert all(kind in doubted[0] for kind in unfired)
        assert v.outcome is Outcome.INCONCLUSIVE and v.exit_code == 3


def test_a_run_with_skips_of_one_kind_and_an_unfired_other_kind_never_passes() -> None:
    skipped: dict[str, Any] = {"slow_dsp": {"the system has no pipeline": 2}}
    v = judge_run([HELD], faults_wanted=True, faults_injected=4, unfired={"dropout": 1}, faults_skipped=skipped)
    assert v.outcome is Outcome.INCONCLUSIVE, v.headline()
    assert "dropout (1 drawn)" in v.headline()
    assert any("slow_dsp x2" in n for n in v.notes), v.notes  # the skips stay a note of their own
