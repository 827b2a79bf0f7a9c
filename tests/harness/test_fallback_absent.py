"""A fallback device that names no device the backend has at the start of a run is said at once,
not found at the first dropout: a warning on stderr as the run begins, a line of the CLI's summary,
``summary.json``'s ``config_warnings``, a note of the verdict and a ``config_warning`` note in the
history, naming the name, the devices present and the nearest of them. Warned, not refused (a
device unplugged at the start may be plugged in before it is needed): the run runs and its outcome
is the system's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.runner import absent_fallbacks
from harness.soak import SoakRunner, SoakSpec
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend

TYPO = ("fallback device 'sim-bakup' (device.fallback_devices) is not among the devices the sim backend has at "
        "the start (sim-backup, sim-duplex, sim-in, sim-out): a recovery finds no fallback there unless it is "
        "plugged in by then; did you mean 'sim-backup'?")


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str], fallbacks: str) -> tuple[int, str, str, dict]:
    (tmp_path / "system.toml").write_text(f"[device]\nfallback_devices = {fallbacks}\n")
    rc = main(["run", "--backend", "sim", "--duration", "2", "--seed", "1", "--faults", "none",
               "--config", str(tmp_path / "system.toml"), "--report-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    (folder,) = (tmp_path / "runs").iterdir()
    return rc, out, err, json.loads((folder / "summary.json").read_text())


def test_a_fallback_the_backend_does_not_have_is_said_at_the_start_and_in_the_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    rc, out, err, summary = _run(tmp_path, capsys, "['sim-bakup', 'sim-backup']")
    assert rc == 0  # the system ran healthy: a warning, not a verdict on it
    assert err.splitlines()[0] == f"soundcheck: warning: {TYPO}"
    assert f"  warning: {TYPO}" in out.splitlines()
    assert summary["config_warnings"] == [TYPO]
    assert TYPO in summary["verdict"]["notes"]
    (folder,) = (tmp_path / "runs").iterdir()
    history = [json.loads(line) for line in (folder / "history.jsonl").read_text().splitlines()]
    (note,) = [e for e in history if e.get("type") == "note" and e.get("value") == "config_warning"]
    assert note["data"]["warning"] == TYPO


def test_fallbacks_that_are_all_there_say_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    rc, out, err, summary = _run(tmp_path, capsys, "['sim-backup', 'sim-duplex']")
    assert rc == 0 and "warning" not in err and "warning" not in out
    assert summary["config_warnings"] == []


def test_a_name_nothing_is_near_is_named_with_the_devices_present_and_no_guess():
    backend = SimulatedBackend(VirtualClock())
    (warning,) = absent_fallbacks({"device": {"fallback_devices": ["usb-headset"]}}, backend, "sim")
    assert warning == ("fallback device 'usb-headset' (device.fallback_devices) is not among the devices the sim "
                       "backend has at the start (sim-backup, sim-duplex, sim-in, sim-out): a recovery finds no "
                       "fallback there unless it is plugged in by then")
    assert absent_fallbacks({"device": {}}, backend, "sim") == []


def test_a_runs_reports_and_its_rebuilt_report_carry_the_warning_as_its_summary_does(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    rc, _, _, summary = _run(tmp_path, capsys, "['sim-bakup', 'sim-backup']")
    (folder,) = (tmp_path / "runs").iterdir()
    report = json.loads((folder / "report.json").read_text())
    assert report["verdict"]["notes"] == summary["verdict"]["notes"] and TYPO in report["verdict"]["notes"]
    assert report["run"]["config_warnings"] == [TYPO]
    (folder / "report.json").unlink()
    assert main(["report", str(folder), "--no-history"]) == rc == 0
    rebuilt = json.loads((folder / "report.json").read_text())
    assert TYPO in rebuilt["verdict"]["notes"] and rebuilt["run"]["config_warnings"] == [TYPO]


def test_a_soaks_report_rebuilt_from_its_journal_carries_the_warnings_its_live_summary_had(tmp_path, monkeypatch):
    """The soak's reports are built from its journal alone: at its end, by ``soundcheck report``,
    and for a soak killed before its end record; each says what its live summary said."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    said: list[str] = []
    run_dir = tmp_path / "soak"
    runner = SoakRunner(SoakSpec(duration_s=12.0, seed=1, faults="none", checkpoint_s=2.0, run_dir=run_dir,
                                 config={"device": {"fallback_devices": ["sim-bakup", "sim-backup"]}}))
    runner.on_warning = said.append
    result = runner.start()
    assert said == [TYPO] and result.summary["config_warnings"] == [TYPO]
    live = json.loads((run_dir / "summary.json").read_text())
    assert live["config_warnings"] == [TYPO] and TYPO in live["verdict"]["notes"]
    assert TYPO in result.verdict.notes
    assert result.verdict.exit_code == 0  # a healthy soak: the warning is a note, not a verdict
    # rebuilt by `soundcheck report` it is the same verdict; cut before its end, a partial one (3)
    exits = {"by soundcheck report": 0, "cut before its end record": 3}
    for how in ("at the end", *exits):
        if how == "cut before its end record":  # a soak killed after its last checkpoint
            journal = run_dir / "journal.jsonl"
            lines = journal.read_bytes().splitlines(keepends=True)
            assert b'"type":"end"' in lines[-1].replace(b" ", b"")
            journal.write_bytes(b"".join(lines[:-1]))
        if how != "at the end":
            (run_dir / "report.json").unlink()
            assert main(["report", str(run_dir), "--no-history"]) == exits[how], how
        report = json.loads((run_dir / "report.json").read_text())
        assert TYPO in report["verdict"]["notes"], (how, report["verdict"])
        assert report["run"]["config_warnings"] == [TYPO], how
