"""A mutant run the false-alarm bench does not see fail is set beside its healthy twin (the shipped
system, same profile, seed and duration; bench/bench_false_alarms.py): the same history entry for
entry is a seed that never reached the bug (``not shown``), a history of its own that passed is a
blind spot (``missed``). The matrix's "caught 1/3" for ``silent_give_up`` could not tell the two
apart; these tests pin each side of the line and the digest that draws it."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec, system_factory
from harness.commands.run import reveal_mutant
from bench_scripts import load_bench_script


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench_script("bench_false_alarms.py", "bench_false_alarms_twins_test")


def _row(outcome: str, digest: str, mutant: str | None = "silent_give_up") -> dict[str, Any]:
    return {"mutant": mutant, "seed": 7, "outcome": outcome, "history_digest": digest}


def test_a_failed_mutant_run_is_caught_without_a_twin(bench: ModuleType) -> None:
    assert bench.shown(_row("fail", "a"), None) == bench.CAUGHT


def test_a_passing_mutant_run_with_its_twins_history_was_not_shown(bench: ModuleType) -> None:
    assert bench.shown(_row("pass", "a"), _row("pass", "a", None)) == bench.NOT_SHOWN


@pytest.mark.parametrize("outcome", ["pass", "inconclusive"])
def test_a_mutant_run_not_failed_with_a_history_of_its_own_was_missed(bench: ModuleType, outcome: str) -> None:
    assert bench.shown(_row(outcome, "a"), _row("pass", "b", None)) == bench.MISSED


@pytest.mark.parametrize("twin_outcome", ["fail", "inconclusive"])
def test_a_twin_that_does_not_pass_judges_nothing_of_the_mutant(bench: ModuleType, twin_outcome: str) -> None:
    assert bench.shown(_row("pass", "a"), _row(twin_outcome, "a", None)) == bench.TWIN_NOT_PASSING


def test_a_mutant_run_not_caught_needs_its_twin(bench: ModuleType) -> None:
    with pytest.raises(ValueError, match="no twin run"):
        bench.shown(_row("pass", "a"), None)


def _digest(bench: ModuleType, tmp_path: Path, mutant: str | None, profile: str, seed: int, duration_s: float) -> str:
    spec = RunSpec(duration_s=duration_s, seed=seed, faults=profile, report_root=tmp_path, label="twin")
    run = ReliabilityRun(spec, **({"system_factory": system_factory(mutant)} if mutant else {}))
    if mutant:
        reveal_mutant(run, mutant)
    return bench.history_digest(run.execute(reports=False).history)


def test_the_digest_tells_a_give_up_left_silent_from_the_healthy_one(bench: ModuleType, tmp_path: Path) -> None:
    """Under ``outages`` seed 1 reaches a give-up: the mutant drops its event, so the two histories
    differ; and the digest is the history's, not the run's: two healthy runs of that seed agree."""
    healthy = _digest(bench, tmp_path, None, "outages", 1, 30.0)
    assert _digest(bench, tmp_path, None, "outages", 1, 30.0) == healthy
    assert _digest(bench, tmp_path, "silent_give_up", "outages", 1, 30.0) != healthy


def test_the_bench_says_which_seeds_never_reached_the_give_up(bench: ModuleType, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Two 5 s runs reach no give-up (under ``outages`` too: a run has one outage per 30 s): neither
    is caught and both are the healthy system's history, so the matrix reports them as not shown,
    none missed; the healthy table is left out when no healthy seed was asked for."""
    out = tmp_path / "rows.json"
    assert bench.main(["--seeds", "0", "--duration", "5", "--mutants", "--mutant-names", "silent_give_up",
                       "--mutant-seeds", "2", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [(r["mutant"], r["seed"], r["outcome"], r["shown"]) for r in rows] == [
        ("silent_give_up", 1, "pass", bench.NOT_SHOWN), ("silent_give_up", 2, "pass", bench.NOT_SHOWN)]
    assert all(r["twin"]["history_digest"] == r["history_digest"] for r in rows)
    printed = capsys.readouterr().out
    assert "healthy system" not in printed
    assert "silent_give_up               0/2           2      0         0" in printed


def test_the_default_table_runs_silent_give_up_under_the_outages_profile_and_catches_it_at_every_seed(
        bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The mutant names ``outages`` as the profile that shows it: in the default table its runs and
    their twins run under it, and every 30 s run reaches a give-up the mutant leaves silent. Under
    ``default`` itself seeds 2 and 3 reached none (not shown): its rows said nothing of the mutant."""
    out = tmp_path / "rows.json"
    assert bench.main(["--seeds", "0", "--duration", "30", "--mutants", "--mutant-names", "silent_give_up",
                       "--mutant-seeds", "3", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [(r["table"], r["profile"], r["seed"], r["outcome"], r["shown"]) for r in rows] == [
        ("default", "outages", seed, "fail", bench.CAUGHT) for seed in (1, 2, 3)]
    assert all("give_ups_announced" in r["violated"] for r in rows)
    printed = capsys.readouterr().out
    assert "silent_give_up               3/3           0      0         0" in printed
    assert "(run under outages: the profile that shows it)" in printed


def test_a_mutant_that_names_no_profile_runs_under_the_table_s_and_a_table_with_outages_keeps_its_own(
        bench: ModuleType) -> None:
    assert bench.mutant_profile("output_overdrive", "default") == "default"
    assert bench.mutant_profile("silent_give_up", "gentle") == "outages"
    assert bench.mutant_profile("silent_give_up", "outages") == "outages"


def test_the_bench_refuses_an_unknown_mutant_by_its_option(bench: ModuleType,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.main(["--mutants", "--mutant-names", "silent_give_up,loud_give_up"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--mutant-names: unknown mutant(s) 'loud_give_up'" in err and "silent_give_up" in err
    assert "Traceback" not in err
