"""A short simulated soak's samples and the check that one held column is taken out of the judged
RSS whole: shared by the tests of each bounded structure a soak counts (the fault injector's
records, the harness's caches)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import SoakRunner, SoakSpec
from harness.journal import read_journal
from harness.reports.build import _leaks


def short_soak_samples(run_dir: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The samples of a 40-second simulated soak (checkpoints every 10 s) at ``seed``, recorded in a
    run-history database of its own beside ``run_dir`` (never the user's)."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(run_dir.parent / "history.sqlite"))
    SoakRunner(SoakSpec(duration_s=40.0, seed=seed, checkpoint_s=10.0, run_dir=run_dir)).start()
    samples = [smp for cp in read_journal(run_dir).checkpoints for smp in cp.get("samples") or []]
    assert len(samples) >= 30
    return samples


def assert_column_taken_out(samples: list[dict[str, Any]], column: str) -> Any:
    """``column`` is in every sample as an int, and the judged RSS's held bytes at its last sample
    are that column's more than without it; returns the RSS verdict."""
    values = [s.get(column) for s in samples]
    assert all(isinstance(b, int) for b in values), values[:3]
    v = _leaks(samples)["rss_bytes"]
    without = _leaks([{k: x for k, x in s.items() if k != column} for s in samples])["rss_bytes"]
    assert v.held_last is not None and without.held_last is not None
    assert v.held_last - without.held_last == samples[-1][column]
    return v
