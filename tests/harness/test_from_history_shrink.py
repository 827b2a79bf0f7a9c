"""``soundcheck scenario from-history HISTORY.jsonl --shrink``: a failing recorded history becomes
the fewest scenario steps that still fail the same way; a passing one has nothing to shrink."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.mutants import system_factory
from harness.runner import ReliabilityRun, RunSpec
from harness.scenarios import load_scenario, run_scenario
from harness.scenarios.executor import mutant_factory


def _history(tmp_path, mutant: str | None):
    spec = RunSpec(backend="sim", duration_s=8, seed=1, faults="hostile", run_dir=tmp_path / "run")
    kw = {"system_factory": system_factory(mutant)} if mutant else {}
    result = ReliabilityRun(spec, **kw).execute(reports=False)
    return tmp_path / "run" / "history.jsonl", result


def test_a_failing_history_shrinks_to_a_scenario_that_fails_on_the_broken_system_only(tmp_path, capsys):
    """half_reconfigure applies the valid sections of a rejected configuration (rejected_config)."""
    history, result = _history(tmp_path, "half_reconfigure")
    assert "rejected_config" in result.verdict.violated
    out = tmp_path / "shrunk.toml"
    assert main(["scenario", "from-history", str(history), "--shrink", "-o", str(out), "--max-runs", "60"]) == 0
    err = capsys.readouterr().err
    assert "on mutant half_reconfigure" in err  # the mutant the history was recorded on
    assert main(["scenario", "from-history", str(history), "-o", str(tmp_path / "full.toml")]) == 0
    full, shrunk = load_scenario(tmp_path / "full.toml"), load_scenario(out)
    assert len(shrunk.steps) < len(full.steps)
    broken = run_scenario(shrunk, system_factory=mutant_factory("half_reconfigure"))
    assert any(f.invariant == "rejected_config" for f in broken.failures)
    assert run_scenario(shrunk).passed  # the real system does not have the bug


def test_a_passing_history_has_nothing_to_shrink(tmp_path, capsys):
    history, result = _history(tmp_path, None)
    assert result.verdict.ok
    out = tmp_path / "shrunk.toml"
    assert main(["scenario", "from-history", str(history), "--shrink", "-o", str(out)]) == 2
    assert "violated no invariant: nothing to shrink" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("argv, words", [(["--mutant", "half_reconfigure"], "--mutant is for --shrink"),
                                         (["--shrink", "--max-runs", "0"], "--max-runs must be at least 1")])
def test_bad_options_exit_2(tmp_path, capsys, argv, words):
    history = tmp_path / "h.jsonl"
    history.write_text("")
    assert main(["scenario", "from-history", str(history), *argv]) == 2
    assert words in capsys.readouterr().err
