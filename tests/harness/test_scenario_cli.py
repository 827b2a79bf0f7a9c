"""``soundcheck scenario run|check|from-history``: exit codes and what is printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.history import History, run_op
from system_under_test import AudioSystem

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "scenarios" / "sim"

PASSING = """\
format = 1

[scenario]
id = "{id}"
title = "an xrun is counted"
reproduces = "a test"

[[steps]]
op = "start"

[[steps]]
fault = "xrun"
at = "100ms"

[[expect]]
metric = "xruns"
max = {max}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_run_passing_files_and_folders_exit_0(tmp_path, capsys):
    write(tmp_path, "a/one.toml", PASSING.format(id="one", max=1))
    write(tmp_path, "a/b/two.toml", PASSING.format(id="two", max=1))
    assert main(["scenario", "run", str(tmp_path / "a"), str(SIM / "xrun-is-counted-not-fatal.toml")]) == 0
    out = capsys.readouterr().out
    assert "PASS one" in out and "PASS two" in out and "all 3 scenario(s) passed" in out


def test_run_failing_exit_1_names_expectation_and_evidence(tmp_path, capsys):
    write(tmp_path, "ok.toml", PASSING.format(id="ok", max=1))
    bad = write(tmp_path, "strict.toml", PASSING.format(id="strict", max=0))
    assert main(["scenario", "run", str(tmp_path), "--history-dir", str(tmp_path / "h")]) == 1
    out = capsys.readouterr().out
    assert f"FAIL strict ({bad})" in out
    assert "FAILED expect[0]: metric xruns <= 0" in out and "xruns = 1" in out
    assert "evidence (history):" in out and "fault_start xrun" in out
    assert "1 of 2 scenario(s) passed" in out
    assert History.read_jsonl(tmp_path / "h" / "strict.jsonl").faults()


def test_invalid_file_exit_2_lists_every_problem_and_runs_nothing(tmp_path, capsys):
    write(tmp_path, "good.toml", PASSING.format(id="good", max=1))
    write(tmp_path, "bad.toml", PASSING.format(id="bad", max=1).replace('op = "start"', 'op = "strat"')
          .replace('at = "100ms"', 'at = "soon"'))
    write(tmp_path, "worse.toml", "format = 7\n")
    assert main(["scenario", "run", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert "2 invalid scenario files (nothing was run)" in err
    assert "bad.toml: 2 problems" in err and "line 9: steps[0].op" in err and "line 13: steps[1].at" in err
    assert "worse.toml: line 1: format: unknown format 7" in err
    assert "Traceback" not in err and "PASS" not in captured.out


def test_check_validates_without_running(tmp_path, capsys):
    assert main(["scenario", "check", str(ROOT / "scenarios")]) == 0
    out = capsys.readouterr().out
    assert "ok " in out and "jack-host-api-server-dies" in out
    assert main(["scenario", "check", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_toml_syntax_error_is_a_clear_exit_2(tmp_path, capsys):
    write(tmp_path, "broken.toml", "format = 1\n[scenario\n")
    assert main(["scenario", "check", str(tmp_path / "broken.toml")]) == 2
    err = capsys.readouterr().err
    assert "broken.toml: not valid TOML" in err and "line 2" in err


def test_from_history_writes_a_scenario_that_checks(tmp_path, capsys):
    system = AudioSystem({}, seed=5)
    history = History(meta={"seed": 5}).attach(system)
    run_op(history, system, "initialize")
    run_op(history, system, "start")
    system.run_for(0.2)
    system.backend.remove_device("sim-in")
    system.run_for(0.1)
    system.backend.restore_device("sim-in")
    system.run_for(0.5)
    run_op(history, system, "stop")
    run_op(history, system, "close")
    recorded = history.write_jsonl(tmp_path / "field-run.jsonl")
    out = tmp_path / "out" / "replay.toml"
    assert main(["scenario", "from-history", str(recorded), "-o", str(out)]) == 0
    assert main(["scenario", "check", str(out)]) == 0
    assert main(["scenario", "run", str(out)]) == 0
    assert "seed = 5" in out.read_text()
    assert main(["scenario", "from-history", str(recorded)]) == 0
    assert "op = \"start\"" in capsys.readouterr().out


def test_from_history_bad_file_is_exit_2(tmp_path, capsys):
    p = write(tmp_path, "h.jsonl", "{not json\n")
    assert main(["scenario", "from-history", str(p)]) == 2
    assert "h.jsonl: line 1" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["scenario"], ["scenario", "run"], ["scenario", "frobnicate"]])
def test_usage_errors_exit_2(args):
    assert main(args) == 2
