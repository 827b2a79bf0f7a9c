"""A path with a NUL byte in it, given on the command line, is the user's input: exit 2, one line
naming the fault, no traceback and no crash log; never reported as a bug in soundcheck (exit 1).

Python's ``os`` functions refuse such a path with ``ValueError: embedded null byte``, which
``harness.cli.main`` tells from the ``ValueError`` of a bug by its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main


def test_a_report_folder_with_a_nul_byte_is_exit_2_naming_it_with_no_crash_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(logs))
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    code = main(["run", "--duration", "1s", "--seed", "97251", "--report-dir", f"{tmp_path}/a\x00b"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "NUL byte" in err and "give a real path" in err and "internal error" not in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not logs.exists() or not any(logs.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == (["logs"] if logs.exists() else [])
