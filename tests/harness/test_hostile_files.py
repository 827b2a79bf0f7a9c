"""Hostile scenario and profile files, and folders that are not what they seem: exit 2, one message
naming the file, the field and the fix, and nothing written (the cwd, $HOME and the history
database left as they were).

A profile that injects nothing is refused as an empty configuration is: a run under it would pass
untested under the file's name. A misspelt key of an operation or an expectation is named with the
key meant. A symbolic link loop and a folder without scenarios are called what they are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_capture import cli

SCENARIO = 'format = 1\n[scenario]\nid = "x"\ntitle = "x"\nreproduces = "x"\n'


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory, $HOME and history database of the test's own, empty."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(work))
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(work / "db" / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(work / "logs"))
    return work


def _refused(sandbox: Path, argv: list[object], *needles: str) -> None:
    code, out, err = cli(*argv)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert sorted(os.listdir(sandbox)) == [p for p in ("in",) if (sandbox / p).exists()], os.listdir(sandbox)


@pytest.mark.parametrize("text", [
    "[probabilities]\nxrun = 0\n",
    "[probabilities]\nxrun = 0.0\ndropout = 0\n",
    "name = \"quiet\"\n[probabilities]\n",
])
def test_a_profile_that_injects_nothing_is_refused(sandbox: Path, text: str) -> None:
    """main: exit 0, PASS, a run folder and a history entry for a run that injected nothing."""
    (sandbox / "in").mkdir()
    profile = sandbox / "in" / "p.toml"
    profile.write_text(text, encoding="utf-8")
    _refused(sandbox, ["run", "--duration", "2", "--faults", profile],
             str(profile), "probabilities", "--faults none", "above 0")


def test_a_profile_with_gates_and_no_fault_is_a_clean_run_gated(sandbox: Path) -> None:
    """Gates on a run without faults are a purpose of their own: read, not refused."""
    from harness.faults.profiles import load_profile

    path = sandbox / "p.toml"
    path.write_text("[probabilities]\n[gates]\nxruns_per_hour_max = 10\n", encoding="utf-8")
    profile = load_profile(path)
    assert not profile.probabilities and profile.gates is not None


@pytest.mark.parametrize("step, needle", [
    ('[[steps]]\nop = "start"\nnmae = "a"\n', "steps[0].nmae: unknown field; did you mean 'name'?"),
    ('[[steps]]\nop = "start"\noutcom = "ok"\n', "steps[0].outcom: unknown field; did you mean 'outcome'?"),
    ('[[steps]]\nwait = "1s"\ndelya = "1s"\n', "steps[0].delya: unknown field; did you mean 'delay'?"),
    ('[[steps]]\nop = "start"\n[[expect]]\nreach = "running"\nafter = "start"\nwithn = "1s"\n',
     "expect[0].withn: unknown field; did you mean 'within'?"),
    ('[[steps]]\nop = "start"\n[[expect]]\nmetric = "xruns"\nmaxx = 1\n', "expect[0].maxx: unknown field; did you mean 'max'?"),
])
def test_a_misspelt_key_of_a_step_or_expectation_names_the_key_meant(sandbox: Path, step: str, needle: str) -> None:
    """main: "unknown field (check the spelling; ...)", the key meant left to guess."""
    (sandbox / "in").mkdir()
    path = sandbox / "in" / "s.toml"
    path.write_text(SCENARIO + step, encoding="utf-8")
    for command in ("check", "run"):
        _refused(sandbox, ["scenario", command, path], str(path), needle)


def test_a_symbolic_link_loop_given_as_a_scenario_is_called_one(sandbox: Path) -> None:
    """main: "no such file or folder", for a name that is there."""
    (sandbox / "in").mkdir()
    a, b = sandbox / "in" / "a.toml", sandbox / "in" / "b.toml"
    a.symlink_to(b)
    b.symlink_to(a)
    _refused(sandbox, ["scenario", "check", a], str(a), "symbolic link", "loop")


def test_a_folder_without_scenarios_is_called_a_folder(sandbox: Path) -> None:
    """main: "no scenario files (*.toml) found", not saying the name is a folder."""
    (sandbox / "in").mkdir()
    folder = sandbox / "in" / "x.toml"
    folder.mkdir()
    _refused(sandbox, ["scenario", "run", folder], str(folder), "is a folder holding no scenario file")


def test_report_on_an_empty_folder_says_it_is_empty(sandbox: Path) -> None:
    """A run killed between making its folder and opening its history leaves it empty. main:
    "journal.jsonl: no journal here", naming a file the folder was never meant to hold."""
    (sandbox / "in").mkdir()
    folder = sandbox / "in" / "run-20261205T000000Z-seed1"
    folder.mkdir()
    _refused(sandbox, ["report", folder], str(folder), "an empty folder", "nothing to report")
    assert not any(folder.iterdir())
