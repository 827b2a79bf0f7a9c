"""A command-line usage error, on every command, is exit 2 and ONE line on stderr that names the
argument and the fix (never argparse's usage block before it, never a traceback); ``--help``
still prints the whole usage."""

from __future__ import annotations

import pytest

from harness.cli import main

#: (argv, what the one line must name: the argument, and the fix or the help to read)
CASES = [
    (["run", "--profile"], ["'--profile'", "soundcheck run", "--faults", "soundcheck run --help"]),
    (["run", "--seed", "abc"], ["--seed", "'abc'", "not a whole number", "soundcheck run --help"]),
    (["run", "--faults"], ["--faults needs a value", "--faults FAULTS", "fault profile"]),
    (["run", "--duration"], ["--duration needs a value", "--duration DURATION"]),
    (["soak", "--duration", "-1h"], ["--duration needs a value", "'-1h'", "write --duration=-1h"]),
    (["run", "--duration", "--seed", "3"], ["--duration needs a value", "give --duration DURATION"]),
    (["run", "--backend", "sin"], ["--backend", "'sin'", "did you mean 'sim'?"]),
    (["run", "--sed", "3"], ["'--sed'", "did you mean --seed?"]),
    (["run", "extra"], ["unexpected argument 'extra'", "soundcheck run", "remove it"]),
    (["rnu"], ["COMMAND", "'rnu'", "did you mean 'run'?", "soundcheck --help"]),
    ([], ["COMMAND missing", "give one of analyze", "soundcheck --help"]),
    (["scenario"], ["soundcheck scenario: ACTION missing", "give one of run, check"]),
    (["scenario", "run"], ["soundcheck scenario run: PATH missing", "give PATH"]),
    (["scenario", "run", "x.toml", "--bogus"], ["'--bogus'", "soundcheck scenario run", "--report-dir"]),
    (["soak", "--chunk"], ["--chunk needs a value", "soundcheck soak --help"]),
    (["swarm", "--seeds"], ["--seeds needs a value", "--seeds SEEDS"]),
    (["history", "--last", "x"], ["--last", "'x'", "soundcheck history --help"]),
    (["report"], ["soundcheck report: RUN_DIR missing"]),
    (["compare", "a"], ["soundcheck compare: RUN_B missing"]),
    (["analyze"], ["soundcheck analyze: ANALYSIS missing", "glitches"]),
    (["analyze", "signal", "--kind", "square"], ["--kind", "'square'", "soundcheck analyze signal --help"]),
    (["loopback", "sideways"], ["ACTION", "'sideways'", "up", "soundcheck loopback --help"]),
    (["devices", "--all"], ["'--all'", "soundcheck devices"]),
    (["--bogus", "run"], ["'--bogus'", "before the command", "soundcheck --help"]),
]


@pytest.mark.parametrize("argv, needles", CASES, ids=[" ".join(c[0]) or "(nothing)" for c in CASES])
def test_a_usage_error_is_one_line_naming_the_argument_and_the_fix(
        argv: list[str], needles: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("soundcheck: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["scenario", "run", "--help"], ["analyze", "-h"]])
def test_help_still_prints_the_whole_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: soundcheck") and err == ""
    assert "options:" in out
