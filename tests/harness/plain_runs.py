"""A plain run, as a user's first check makes it: 60 simulated seconds of the default profile,
judged without writing reports, and the verdict of the one invariant a test is about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import ReliabilityRun, RunSpec
from harness.invariants import Verdict


def plain_run_verdict(tmp_path: Path, seed: int, invariant: str, *, duration_s: float = 60.0,
                      **run_kw: Any) -> tuple[Any, Verdict]:
    """The run's result and its ``invariant`` verdict; ``run_kw`` go to ``ReliabilityRun`` (e.g. a
    ``system_factory`` with a planted bug). ``duration_s``: shorter only where a test shows its
    planted bug is caught well inside it (a bug that makes every simulated second after it costly,
    run on for a minute, only pays for seconds that judge nothing new)."""
    spec = RunSpec(duration_s=duration_s, seed=seed, faults="default", report_root=tmp_path, label=invariant)
    result = ReliabilityRun(spec, **run_kw).execute(reports=False)
    (verdict,) = [v for v in result.verdicts if v.name == invariant]
    return result, verdict
