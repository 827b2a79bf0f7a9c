"""``soundcheck history`` exits 1 when the latest run regressed against the runs like it, and 0
when it did not, whatever the output's form: a CI step that asks for ``--json`` reads the same
exit status as one that reads the text. A table of the latest run and the form, each with the
exit status expected, and the JSON's regressions agreeing with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.reports.history_db import HistoryDB
from tests.harness.test_history_db import _report

#: (the latest run, the output's form, the exit status expected)
CASES = [
    ("like the others", [], 0),
    ("like the others", ["--json"], 0),
    ("regressed", [], 1),
    ("regressed", ["--json"], 1),
]


def _db(tmp_path: Path, latest: str) -> Path:
    db_path = tmp_path / "history.sqlite"
    with HistoryDB(db_path) as db:
        for i, x in enumerate([10, 11, 9, 10, 12]):
            db.record(_report(xruns_per_hour=x, i=i), run_dir=tmp_path / f"r{i}")
        bad = latest == "regressed"
        db.record(_report(xruns_per_hour=40 if bad else 11, i=9, failures=2 if bad else 0), run_dir=tmp_path / "last")
    return db_path


@pytest.mark.parametrize(("latest", "form", "code"), CASES)
def test_a_regression_exits_1_in_every_output_form(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    latest: str, form: list[str], code: int) -> None:
    db_path = _db(tmp_path, latest)
    assert main(["history", "--db", str(db_path), *form]) == code
    out = capsys.readouterr().out
    if form:
        assert bool(json.loads(out)["regressions"]) == (code == 1), out
    else:
        assert ("REGRESSION" in out) == (code == 1), out


@pytest.mark.parametrize("before", [0, 1, 2])
@pytest.mark.parametrize("form", [[], ["--json"]])
def test_a_run_with_too_few_like_runs_before_it_is_not_judged(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               before: int, form: list[str]) -> None:
    """With fewer than 3 like runs before it no figure of the latest run is compared, so the
    history says it was not judged (exit 3), never "no regression" (exit 0)."""
    db_path = tmp_path / "history.sqlite"
    with HistoryDB(db_path) as db:
        for i in range(before + 1):
            db.record(_report(xruns_per_hour=10, i=i), run_dir=tmp_path / f"r{i}")
    assert main(["history", "--db", str(db_path), *form]) == 3
    out = capsys.readouterr().out
    if form:
        assert json.loads(out)["like_runs_before"] == before, out
    else:
        assert "no regression" not in out, out
        assert f"not judged: run {before + 1} has {before} run(s) like it before it, 3 needed" in out, out


@pytest.mark.parametrize("form", [[], ["--json"]])
def test_runs_like_it_that_recorded_no_figure_leave_the_latest_not_judged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], form: list[str]) -> None:
    """Four like runs whose reports kept no figure (a swarm seed's row holds none): enough runs,
    but nothing compared, so not judged (exit 3), never "no regression"."""
    db_path = tmp_path / "history.sqlite"
    with HistoryDB(db_path) as db:
        for i in range(4):
            db.record({"kind": "swarm", "verdict": {"ok": True},
                       "run": {"run_id": f"s{i}", "backend": "sim", "profile": "swarm", "seed": i}},
                      run_dir=tmp_path / f"s{i}")
    assert main(["history", "--db", str(db_path), *form]) == 3
    out = capsys.readouterr().out
    if form:
        result = json.loads(out)
        assert (result["like_runs_before"], result["judged"]) == (3, []), out
    else:
        assert "no regression" not in out, out
        assert "not judged: no figure of run 4 could be compared with the 3 runs like it before it" in out, out


@pytest.mark.parametrize(("option", "value", "named"), [
    ("--profile", "gentel", "default"),
    ("--backend", "jak", "sim"),
])
def test_a_filter_no_recorded_run_has_is_refused_naming_what_was_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, named: str) -> None:
    """A misspelled filter listed "0 shown" and exited 0: a history that looked empty."""
    db_path = _db(tmp_path, "like the others")
    assert main(["history", "--db", str(db_path), option, value]) == 2
    captured = capsys.readouterr()
    message = captured.err + captured.out
    assert f"{option} {value!r}" in message and named in message and "Traceback" not in message


def test_a_recorded_filter_value_matching_nothing_with_the_others_is_an_empty_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = _db(tmp_path, "like the others")
    assert main(["history", "--db", str(db_path), "--profile", "default", "--kind", "swarm"]) == 0
    assert "(0 shown)" in capsys.readouterr().out


def test_a_named_database_that_does_not_exist_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--db`` with a misspelled path said "no runs recorded yet" and exited 0."""
    missing = tmp_path / "histroy.sqlite"
    assert main(["history", "--db", str(missing)]) == 2
    captured = capsys.readouterr()
    assert str(missing) in captured.err + captured.out and not missing.exists()


def test_a_refused_filter_names_only_the_values_runs_recorded(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run recorded without a profile has none: the refusal's list of what was recorded names the
    profiles runs have, never a missing one as the value "None"."""
    db_path = tmp_path / "history.sqlite"
    with HistoryDB(db_path) as db:
        db.record({"kind": "swarm", "verdict": {"ok": True},
                   "run": {"run_id": "s0", "backend": "sim", "profile": "swarm", "seed": 0}}, run_dir=tmp_path / "s0")
        db.record({"kind": "swarm", "verdict": {"ok": True}, "run": {"run_id": "s1", "backend": "sim", "seed": 1}},
                  run_dir=tmp_path / "s1")
    assert main(["history", "--db", str(db_path), "--profile", "gentel"]) == 2
    captured = capsys.readouterr()
    message = captured.err + captured.out
    assert "--profile 'gentel': no run in the history database has it; recorded: swarm (check its spelling)" \
        in message, message


#: (where the filter is asked: no database, an empty one; the filter; what the refusal names)
MISSPELT_WITHOUT_RUNS = [
    ("no database", ["--profile", "hostle"], "did you mean 'hostile'?"),
    ("empty database", ["--profile", "hostle"], "did you mean 'hostile'?"),
    ("no database", ["--backend", "simm"], "did you mean 'sim'?"),
    ("empty database", ["--backend", "jak"], "did you mean 'jack'?"),
    ("no database", ["--profile", "xyzzy"], "give one of none, gentle, default, hostile, outages, swarm"),
]


@pytest.mark.parametrize("where, given, fix", MISSPELT_WITHOUT_RUNS,
                         ids=[f"{w}-{' '.join(g)}" for w, g, _ in MISSPELT_WITHOUT_RUNS])
def test_a_misspelt_filter_is_refused_with_no_runs_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        where: str, given: list[str], fix: str) -> None:
    """With no database (or one without runs) a misspelt ``--profile hostle`` said "no runs
    recorded yet" and exited 0, the same as a right name: the name is checked against what any run
    can record, the closest named, and nothing is created."""
    db_path = tmp_path / "history.sqlite"
    if where == "empty database":
        HistoryDB(db_path).close()
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(db_path))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["history", *given]) == 2
    err = capsys.readouterr().err
    assert f"{given[0]} {given[1]!r}: no run can have it" in err and fix in err and str(db_path) in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("given", [["--profile", "hostile"], ["--profile", "swarm"], ["--backend", "jack"],
                                   ["--profile", "faults/mine.toml"], ["--profile", "scenario:xrun-storm"]])
def test_a_valid_filter_with_no_runs_recorded_is_an_empty_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: list[str]) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    assert main(["history", *given]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out


def test_an_empty_default_database_reads_as_no_runs_and_is_left_empty(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``$SOUNDCHECK_HISTORY_DB`` naming an empty file: no run was recorded there (a recording
    writes its table first). Shown, it was opened writable and a database written into the file."""
    empty = tmp_path / "history.sqlite"
    empty.write_bytes(b"")
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(empty))
    assert main(["history"]) == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite"]
