"""A scenario's verdict is one object (``ScenarioResult.verdict``, from ``harness.verdict``): the
first word of its CLI line, the exit code of ``soundcheck scenario run``, the ``verdict`` block of
its folder's ``summary.json`` (with the old top-level ``ok`` / ``outcome`` beside it), its
``report.json``, its row in the run-history database and a rebuilt report all say the same, for a
passing, a failing and an inconclusive scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSING = ROOT / "scenarios" / "sim" / "xrun-is-counted-not-fatal.toml"

#: a DSP fault on the example player, which has no soundcheck pipeline: the step is skipped, so the
#: scenario cannot vouch for anything (inconclusive), though every other expectation holds
UNJUDGED = """format = 1

[scenario]
id = "slow-dsp-on-a-player"
title = "A slow DSP stage on a system without a DSP chain"
reproduces = "risk: a fault step that could not act was reported as a pass or as a failure"

[run]
seed = 5

[[steps]]
op = "start"

[[steps]]
name = "slow"
fault = "slow_dsp"
at = "100ms"
factor = 1.5
duration_s = "200ms"

[[expect]]
never = "failed"

[[expect]]
state = "running"
"""


@pytest.fixture(autouse=True)
def _on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))  # examples.simple_player


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: Path, *extra: str
         ) -> tuple[int, str, dict, dict, Path]:
    db = tmp_path / "h.sqlite"
    rc = main(["scenario", "run", str(scenario), "--report-dir", str(tmp_path / "r"), "--db", str(db), *extra])
    out = capsys.readouterr().out
    (folder,) = [p for p in (tmp_path / "r").iterdir() if p.is_dir()]
    summary = json.loads((folder / "summary.json").read_text())
    report = json.loads((folder / "report.json").read_text())
    return rc, out, summary, report, folder


def _agree(tmp_path: Path, capsys: pytest.CaptureFixture[str], rc: int, out: str, summary: dict,
           report: dict, folder: Path, scenario_id: str, outcome: str, exit_code: int) -> dict:
    verdict = summary["verdict"]
    assert (rc, verdict["outcome"], verdict["exit_code"]) == (exit_code, outcome, exit_code)
    (line,) = [x for x in out.splitlines() if f" {scenario_id} (" in x]
    assert line.split()[0] == outcome.upper(), line
    assert summary["outcome"] == outcome and summary["ok"] is verdict["ok"] is (outcome == "pass")
    assert report["verdict"] == verdict
    main(["history", "--db", str(tmp_path / "h.sqlite"), "--kind", "scenario", "--json"])
    (row,) = json.loads(capsys.readouterr().out)["runs"]
    assert row["ok"] == int(outcome == "pass")
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == exit_code
    capsys.readouterr()
    assert json.loads((folder / "report.json").read_text())["verdict"] == verdict
    return verdict


def test_a_passing_scenario_says_pass_everywhere(tmp_path, capsys):
    rc, out, summary, report, folder = _run(tmp_path, capsys, PASSING)
    verdict = _agree(tmp_path, capsys, rc, out, summary, report, folder, "xrun-is-counted-not-fatal", "pass", 0)
    # a scenario's checks are its expectations: the headline counts those, not "invariants"
    assert verdict["headline"] == "PASS: every one of its expectations held" and summary["invariants"] == {"expectations": True}
    assert "all 1 scenario(s) passed" in out


def test_a_failing_scenario_says_fail_everywhere(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(PASSING.read_text().replace("min = 2\nmax = 2", "min = 3\nmax = 3"))
    rc, out, summary, report, folder = _run(tmp_path, capsys, bad)
    verdict = _agree(tmp_path, capsys, rc, out, summary, report, folder, "xrun-is-counted-not-fatal", "fail", 1)
    assert verdict["violated"] == ["expectations", "expect[0]: metric xruns >= 3 and <= 3"]
    assert verdict["headline"] == "FAIL: expectations not met: expect[0]: metric xruns >= 3 and <= 3"
    assert not verdict["doubts"]
    assert "FAILED expect[0]: metric xruns" in out and "0 of 1 scenario(s) passed, 1 failed" in out


def test_a_scenario_that_could_not_judge_a_step_says_inconclusive_everywhere(tmp_path, capsys):
    path = tmp_path / "unjudged.toml"
    path.write_text(UNJUDGED)
    rc, out, summary, report, folder = _run(tmp_path, capsys, path, "--system", "examples.simple_player:make_system")
    verdict = _agree(tmp_path, capsys, rc, out, summary, report, folder, "slow-dsp-on-a-player", "inconclusive", 3)
    assert verdict["inconclusive"] == ["step slow (fault slow_dsp)"] and not verdict["failures"]
    assert summary["invariant_status"] == {"expectations": "held", "step slow (fault slow_dsp)": "inconclusive"}
    assert [f["inconclusive"] for f in summary["failures"]] == [True]
    assert "CANNOT JUDGE step slow (fault slow_dsp)" in out and "no pipeline" in out
    assert "0 of 1 scenario(s) passed, 1 inconclusive" in out


def test_a_failure_outweighs_a_doubt_in_one_scenario_and_across_files(tmp_path, capsys):
    path = tmp_path / "unjudged.toml"
    path.write_text(UNJUDGED.replace('state = "running"', 'state = "stopped"'))
    rc, out, summary, report, folder = _run(tmp_path, capsys, path, "--system", "examples.simple_player:make_system")
    assert rc == 1 and summary["verdict"]["outcome"] == "fail" and report["verdict"] == summary["verdict"]
    assert summary["verdict"]["violated"] == ["expectations", "expect[1]: state stopped"]
    assert summary["verdict"]["inconclusive"] == ["step slow (fault slow_dsp)"]
    assert out.startswith("FAIL slow-dsp-on-a-player")
    both = tmp_path / "both"
    both.mkdir()
    (both / "a.toml").write_text(UNJUDGED)
    (both / "b.toml").write_text(PASSING.read_text())
    assert main(["scenario", "run", str(both), "--system", "examples.simple_player:make_system"]) == 3
    assert "1 of 2 scenario(s) passed, 1 inconclusive" in capsys.readouterr().out


def test_a_skipped_scenario_is_counted_as_skipped_not_as_passed(tmp_path, capsys):
    rig = ROOT / "scenarios" / "loopback" / "alsa-jack-pcm-server-dies.toml"
    assert main(["scenario", "run", str(rig), str(PASSING), "--skip-rig"]) == 0
    out = capsys.readouterr().out
    assert "SKIP alsa-jack-pcm-server-dies" in out and "PASS xrun-is-counted-not-fatal" in out
    assert out.rstrip().endswith("1 of 2 scenario(s) passed, 1 skipped")
