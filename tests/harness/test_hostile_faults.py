"""Hostile fault input as a new user writes it: each case exits 2 naming the file, the field and the
fix, before any run folder exists. Each gave a message that named neither the misspelling nor the
fix before it was fixed (a misspelt fault kind in a scenario was "each step needs exactly one of
'op', 'wait' or 'fault'"; a scenario given as ``--faults`` listed every one of its tables as an
unknown key)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "sim" / "buffer-exhaustion-under-load.toml"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))


def refused(*argv: object, needles: tuple[str, ...]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    text = err.getvalue()
    assert code == 2, (code, text, out.getvalue())
    assert "Traceback" not in text, text
    for needle in needles:
        assert needle in text, (needle, text)
    return text


def _scenario(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "scenario.toml"
    text = SCENARIO.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_misspelt_fault_kind_in_a_scenario_is_named_with_the_closest_kind(tmp_path):
    path = _scenario(tmp_path, 'fault = "slow_dsp"', 'fault = "slow_dps"')
    for action in ("run", "check"):
        refused("scenario", action, path,
                needles=("scenario.toml", "steps[1].fault", "unknown fault kind 'slow_dps'", "did you mean 'slow_dsp'"))


def test_a_fault_kind_of_the_wrong_type_is_named(tmp_path):
    path = _scenario(tmp_path, 'fault = "slow_dsp"', "fault = 7")
    refused("scenario", "check", path, needles=("steps[1].fault", "unknown fault kind 7", "write one of:"))


def test_a_misspelt_table_of_a_scenario_is_named_with_the_closest_table(tmp_path):
    path = _scenario(tmp_path, "[[expect]]", "[[expects]]")
    refused("scenario", "check", path, needles=("expects: unknown field", "did you mean 'expect'"))


@pytest.mark.parametrize("command", ["run", "soak"])
def test_a_scenario_given_as_a_fault_profile_says_what_it_is(tmp_path, command):
    text = refused(command, "--duration", "2s", "--faults", SCENARIO, "--report-dir", tmp_path / "reports",
                   needles=("buffer-exhaustion-under-load.toml", "is a scenario file", "soundcheck scenario run",
                            "[probabilities]"))
    assert "unknown key" not in text
    assert not (tmp_path / "reports").exists()  # refused before a run folder exists
