"""The swarm's own verdict (``swarm_verdict``: summary.json's ``verdict``) against an oracle over
every combination of what a swarm can end with: a pass only when every seed ran and passed, a
fail as soon as one seed failed, inconclusive for anything else (a seed that proved nothing, a
seed the cluster could not run, a swarm stopped before its end, a swarm that ran no seed)."""

from __future__ import annotations

import itertools

import pytest

from harness.swarm import swarm_verdict


def _oracle(passed: int, failed: int, unsure: int, errors: int, interrupted: bool) -> str:
    done = passed + failed + unsure
    if failed:
        return "fail"
    every_seed_ran_and_passed = done > 0 and unsure == 0 and errors == 0 and not interrupted
    return "pass" if every_seed_ran_and_passed else "inconclusive"


@pytest.mark.parametrize(("passed", "failed", "unsure", "errors", "interrupted"),
                         list(itertools.product((0, 1, 3), (0, 1), (0, 1), (0, 1, 2), (False, True))))
def test_the_swarm_verdict_is_the_oracles(passed: int, failed: int, unsure: int, errors: int,
                                          interrupted: bool) -> None:
    outcomes = {"pass": passed, "fail": failed, "inconclusive": unsure}
    got = swarm_verdict(outcomes, errors=errors, interrupted=interrupted, done=passed + failed + unsure)
    assert got == _oracle(passed, failed, unsure, errors, interrupted)


def test_seeds_the_cluster_could_not_run_keep_a_swarm_of_passes_from_passing() -> None:
    assert swarm_verdict({"pass": 9, "fail": 0, "inconclusive": 0}, errors=1, interrupted=False, done=9) \
        == "inconclusive"
    assert swarm_verdict({"pass": 9, "fail": 0, "inconclusive": 0}, errors=0, interrupted=False, done=9) == "pass"
