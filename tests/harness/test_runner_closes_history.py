"""A run's history file is closed on every path, set-ups that raise included.

The history opens its ``history.jsonl`` inside ``compose`` (the composition root attaches it to the
new system before the injector exists). A step that raises after that, in ``compose`` itself or
in the runner's set-up before its own clean-up is armed, must not leave the file open: a
long-lived caller (the swarm, a scenario batch, a test session) would hold one descriptor per
refused run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kept_instances import kept_instances

from harness import runner
from harness.rig import rig_target


class _Refused(RuntimeError):
    """The set-up step's failure, raised on purpose."""


def _histories(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every history the runner makes, kept to look at once the run has raised."""
    return kept_instances(monkeypatch, runner, "History")


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise _Refused("a set-up step refused")


@pytest.mark.parametrize("where", ["compose, after the history", "the runner, after compose"])
def test_a_set_up_step_that_raises_after_the_history_opened_closes_its_file(
        where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fails without ``ReliabilityRun.execute`` closing the history: the file stays open."""
    made = _histories(monkeypatch)
    if where.startswith("compose"):
        monkeypatch.setattr(rig_target, "target_for", _refuse)  # compose's step after ``history(system)``
    else:
        monkeypatch.setattr(runner, "absent_fallbacks", _refuse)  # the runner's first step after compose
    run = runner.ReliabilityRun(runner.RunSpec(duration_s=1.0, seed=1, faults="none", run_dir=tmp_path / "run"))
    with pytest.raises(_Refused):
        run.execute(reports=False)
    assert len(made) == 1
    stream = made[0]._stream
    assert stream is None, f"the history's file is still open after {where} raised: {stream}"
    assert (tmp_path / "run" / "history.jsonl").exists()  # the file was opened: the check above means something


def test_a_run_that_ends_normally_closes_its_history_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The clean-up added for the raising paths leaves a finished run's history as before: closed,
    every line written, readable again."""
    made = _histories(monkeypatch)
    run = runner.ReliabilityRun(runner.RunSpec(duration_s=2.0, seed=1, faults="none", run_dir=tmp_path / "run"))
    result = run.execute(reports=False)
    assert len(made) == 1 and made[0]._stream is None
    lines = (tmp_path / "run" / "history.jsonl").read_text().splitlines()
    assert lines and len(lines) >= len(result.history)
