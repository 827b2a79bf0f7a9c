"""The quick part of the false-alarm matrix: the healthy system must pass under every built-in
profile at many seeds (a false alarm is as serious a defect as a missed bug). The long part, with
hundreds of seeds, is bench/bench_false_alarms.py."""

from __future__ import annotations

import pytest

from harness import PROFILES
from harness import ReliabilityRun, RunSpec


@pytest.mark.parametrize("profile", sorted(set(PROFILES) - {"none"}))
@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_the_healthy_system_passes_under_every_profile(tmp_path, profile, seed):
    result = ReliabilityRun(RunSpec(duration_s=30, seed=seed, faults=profile, report_root=tmp_path)
                            ).execute(reports=False)
    assert result.summary["faults"]["total"] > 0
    assert result.verdict.outcome.value == "pass", result.verdict.reasons
