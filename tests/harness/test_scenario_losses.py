"""The device-loss rule in scenarios (``harness.device_losses`` through ``run_scenario``): a device
lost with no fault step to explain it makes the scenario inconclusive (exit 3), naming the device
and when, in its CLI line, the ``verdict`` block of its ``summary.json`` and its report; a loss a
fault step provoked, or one the scenario itself expects (a ``metric = "device_losses"``
expectation with ``min`` of 1 or more that held), leaves a pass a pass. Simulated device, virtual
clock, fixed seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.scenarios import load_scenario, run_scenario
from harness.scenarios.loader import parse_scenario
from harness.verdict import Outcome
from lossy_system import SOURCE, LosesItsDevice, runs_a_while

ROOT = Path(__file__).resolve().parents[2]


def test_a_device_lost_with_no_fault_step_makes_the_scenario_inconclusive_naming_it() -> None:
    result = run_scenario(parse_scenario(runs_a_while()), system_factory=LosesItsDevice)
    assert not result.failures  # every expectation held: the system recovered
    verdict = result.verdict
    assert verdict.outcome is Outcome.INCONCLUSIVE and verdict.exit_code == 3
    assert result.device_losses is not None and result.device_losses["unexplained_count"] == 1
    (doubt,) = verdict.doubts
    assert "1 device loss(es) with nothing to explain them" in doubt
    assert "device 'sim-in' lost at t=0.305 s" in doubt, doubt
    assert not result.passed and not result.failed
    report = result.report()
    assert report.splitlines()[0].startswith("INCONCLUSIVE runs-a-while")
    assert "CANNOT JUDGE: a device was lost" in report and doubt in report


def test_the_cli_exits_3_and_the_summary_names_the_device_and_when(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lossy_system.py").write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "runs-a-while.toml"
    path.write_text(runs_a_while())
    rc = main(["scenario", "run", str(path), "--system", "lossy_system:LosesItsDevice",
               "--report-dir", str(tmp_path / "r"), "--db", str(tmp_path / "h.sqlite")])
    out = capsys.readouterr().out
    assert rc == 3, out
    assert out.splitlines()[0].startswith("INCONCLUSIVE runs-a-while"), out
    (folder,) = [p for p in (tmp_path / "r").iterdir() if p.is_dir()]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["verdict"]["outcome"] == "inconclusive" and summary["verdict"]["exit_code"] == 3
    (doubt,) = summary["verdict"]["doubts"]
    assert "device 'sim-in' lost at t=0.305 s" in doubt
    assert summary["device_losses"]["unexplained_count"] == 1
    assert json.loads((folder / "report.json").read_text())["verdict"] == summary["verdict"]
    (folder / "report.json").unlink()  # rebuilt from the folder, it still doubts the loss
    assert main(["report", str(folder), "--no-history"]) == 3
    assert json.loads((folder / "report.json").read_text())["verdict"]["doubts"] == [doubt]


def test_a_scenario_that_expects_the_loss_by_its_count_passes_and_says_why() -> None:
    expect = '\n[[expect]]\nname = "lost-once"\nmetric = "device_losses"\nmin = 1\n'
    result = run_scenario(parse_scenario(runs_a_while(expect)), system_factory=LosesItsDevice)
    assert result.verdict.outcome is Outcome.PASS, result.report()
    (note,) = result.verdict.notes
    assert "1 device loss(es), each explained" in note
    assert "expect[2] lost-once (metric device_losses >= 1, held)" in note


def test_a_count_of_losses_that_did_not_hold_explains_nothing() -> None:
    expect = '\n[[expect]]\nmetric = "device_losses"\nmin = 3\n'
    result = run_scenario(parse_scenario(runs_a_while(expect)), system_factory=LosesItsDevice)
    assert result.verdict.outcome is Outcome.FAIL
    assert any("nothing to explain" in d for d in result.verdict.doubts)


def test_a_loss_the_scenarios_own_dropout_step_provoked_is_explained() -> None:
    step = '\n[[steps]]\nname = "drop"\nfault = "dropout"\nat = "300ms"\nduration_s = "200ms"\n'
    result = run_scenario(parse_scenario(runs_a_while(steps=step)))
    assert result.verdict.outcome is Outcome.PASS, result.report()
    assert result.device_losses is not None and result.device_losses["count"] == 1
    assert result.device_losses["injected"] == 1  # the step's own doing: counted, no note
    assert not any("device loss" in n for n in result.verdict.notes)


@pytest.mark.parametrize("name", ["dropout-while-paused", "dropout-falls-back", "recovery-deadline-fails-cleanly",
                                  "transition-storm-during-recovery"])
def test_the_library_scenarios_that_lose_their_device_by_a_step_still_pass(name: str) -> None:
    result = run_scenario(load_scenario(ROOT / "scenarios" / "sim" / f"{name}.toml"))
    assert result.verdict.outcome is Outcome.PASS, result.report()
    assert result.device_losses is not None and result.device_losses["injected"] >= 1
    assert not any("device loss" in n for n in result.verdict.notes)
