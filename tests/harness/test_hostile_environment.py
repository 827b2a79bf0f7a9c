"""A hostile environment: a disk that fills up while soundcheck writes, a run-history database of
another program or of a newer soundcheck, a database that cannot be written.

The contract (README): exit 2 with one message naming the file and the fix, never a traceback or
an "internal error" (which blames soundcheck for the disk), never a PASS beside reports that were
not written, and never a file left cut mid-line for a later ``report`` or ``scenario from-history``
to choke on. A full disk is made real for a child process with ``RLIMIT_FSIZE`` (a write past the
limit stops part-way, then fails with EFBIG, as a full disk fails with ENOSPC), or in-process by
an ``fsync`` that reports ENOSPC (what a delayed-allocation file system does on a full disk).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness import runfolder
from cli_capture import cli
from harness.cli import main
from harness.reports import history_db
from harness.history import History
from harness.reports.history_db import HistoryDB
from harness.runfolder import RunFolder, RunFolderError

ROOT = Path(__file__).resolve().parents[2]
#: a run-history layout no soundcheck has written yet
A_LATER_SCHEMA = 1000


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in its own folder, with its own run-history database and crash-log folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.setenv("SOUNDCHECK_LOG_DIR", str(tmp_path / "crash-logs"))


def refused(code: int, err: str, *needles: str) -> None:
    assert code == 2, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)


#: a child soundcheck whose files may not grow past argv[1] bytes (SIGXFSZ ignored, so the write
#: that crosses the limit stops there and the next one fails with EFBIG)
_LIMITED = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_FSIZE, (n, n)); "
            "from harness.cli import main; sys.exit(main(sys.argv[2:]))")


def _run_with_file_limit(tmp_path: Path, limit: int, *argv: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child whose files may not grow past ``limit`` bytes, with a temporary folder
    of its own (so caches kept there, jinja2's compiled templates, start empty every time)."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "TMPDIR": str(tmp_path / "tmp")}
    return subprocess.run([sys.executable, "-c", _LIMITED, str(limit), *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


# -- a disk that fills up -----------------------------------------------------------------------

def test_a_run_whose_history_cannot_be_written_stops_with_exit_2_and_leaves_whole_lines(tmp_path):
    """main: ``internal error (a bug in soundcheck ...): OSError: [Errno 27] File too large``,
    exit 1, and history.jsonl cut in the middle of a line, which ``scenario from-history`` then
    refused ("not valid JSON")."""
    done = _run_with_file_limit(tmp_path, 12_000, "run", "--duration", "5", "--seed", "1",
                                "--report-dir", str(tmp_path / "reports"))
    refused(done.returncode, done.stderr, "history.jsonl", "cannot write the run's history", "File too large",
            "free space")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "crash-logs").exists()
    (run_dir,) = (tmp_path / "reports").iterdir()
    data = (run_dir / "history.jsonl").read_bytes()
    assert data and data.endswith(b"\n") and len(data) <= 12_000
    assert not (run_dir / "summary.json").exists()  # no verdict was judged on the part kept
    history = History.read_jsonl(run_dir / "history.jsonl")  # every line kept is whole
    assert len(history) == data.count(b"\n")


def test_a_run_whose_reports_cannot_be_written_is_exit_2_not_a_pass(tmp_path, monkeypatch):
    """main: exit 0 and "PASS" on the console, with report-error.txt in the folder the only trace
    that report.html (and the report's leak verdict) never came."""
    real = RunFolder.write_bytes

    def full_at_report_html(self: RunFolder, name: str, data: bytes) -> Path:
        if name != "report.html":
            return real(self, name, data)

        def no_space(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(runfolder.os, "fsync", no_space)
            return real(self, name, data)

    monkeypatch.setattr(RunFolder, "write_bytes", full_at_report_html)
    code, out, err = cli("run", "--duration", "3", "--seed", "1", "--report-dir", tmp_path / "reports")
    refused(code, err, "reports could not be written", "report.html", "No space left on device",
            "soundcheck report")
    assert "PASS" not in out
    (run_dir,) = (tmp_path / "reports").iterdir()
    assert (run_dir / "summary.json").is_file() and (run_dir / "history.jsonl").is_file()
    assert not (run_dir / "report.html").exists()
    assert not [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setattr(RunFolder, "write_bytes", real)  # the disk has room again: nothing was lost
    code, _out, err = cli("report", run_dir)
    assert code == _verdict_code(run_dir, "summary.json") == _verdict_code(run_dir, "report.json"), err
    assert "error" not in err, err
    assert (run_dir / "report.html").is_file()


def test_a_file_the_disk_has_no_room_for_keeps_its_old_content_and_is_named(tmp_path, monkeypatch):
    """main: a raw ``OSError: [Errno 28]`` without a file name (the CLI's "internal error")."""
    folder = RunFolder(tmp_path / "run", create=True)
    folder.write_text("summary.json", '{"old": true}\n')

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runfolder.os, "fsync", no_space)
    with pytest.raises(RunFolderError) as caught:
        folder.write_text("summary.json", '{"new": true}\n')
    assert "summary.json: cannot write: No space left on device" in str(caught.value)
    assert str(caught.value).endswith("; the file was left as it was (free space on that disk, or write elsewhere)")
    assert ".tmp" not in str(caught.value)
    assert (tmp_path / "run" / "summary.json").read_text() == '{"old": true}\n'
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["summary.json"]


# -- the run-history database -------------------------------------------------------------------

def _another_programs_db(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    db.execute("INSERT INTO contacts VALUES ('a', '1')")
    db.commit()
    db.close()
    return path


def _tables(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    finally:
        db.close()


@pytest.mark.parametrize("argv", [("history", "--db", "{db}"), ("report", "{run}", "--db", "{db}")])
def test_another_programs_database_is_refused_and_left_untouched(tmp_path, argv):
    """main: ``history`` and ``report`` added soundcheck's ``runs`` table (and its index) to it."""
    db = _another_programs_db(tmp_path / "contacts.sqlite")
    before = db.read_bytes()
    run = _a_run(tmp_path)
    code, _out, err = cli(*(a.format(db=db, run=run) for a in argv))
    if argv[0] == "history":
        refused(code, err, "contacts.sqlite", "another program", "contacts", "--db")
    else:  # a report is still written; the run is not recorded, and the warning says why
        assert code == _verdict_code(run, "report.json"), err
        assert "NOT recorded" in err and "another program" in err, err
    assert _tables(db) == ["contacts"]
    assert db.read_bytes() == before


def test_a_database_of_a_newer_soundcheck_is_refused_not_written(tmp_path):
    """main: read and written as its own (``user_version`` was never set nor read)."""
    path = tmp_path / "h.sqlite"
    with HistoryDB(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {A_LATER_SCHEMA}")
    db.commit()
    db.close()
    code, _out, err = cli("history", "--db", path)
    refused(code, err, "h.sqlite", "newer soundcheck", f"schema {A_LATER_SCHEMA}", "PRAGMA user_version")
    code, _out, err = cli("report", _a_run(tmp_path), "--db", path)
    assert "NOT recorded" in err and "newer soundcheck" in err, err
    assert _rows(path) == 0


def test_a_new_database_carries_its_schema_version(tmp_path):
    with HistoryDB(tmp_path / "h.sqlite"):
        pass
    db = sqlite3.connect(tmp_path / "h.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == history_db.SCHEMA_VERSION >= 1
    db.close()


def test_a_database_opened_read_only_is_shown_and_never_written(tmp_path):
    """``soundcheck history`` of a database it cannot write (a read-only disk: main said "not a
    usable run-history database (unable to open database file); move it aside")."""
    path = tmp_path / "h.sqlite"
    with HistoryDB(path) as db:
        db.record({"kind": "run", "run": {"run_id": "r1", "backend": "sim"}, "verdict": {"ok": True}},
                  run_dir=tmp_path / "r1")
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with HistoryDB(path, readonly=True) as db:
        assert [r["run_id"] for r in db.runs()] == ["r1"]
    assert path.read_bytes() == before
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with HistoryDB(empty, readonly=True) as db:
        assert db.runs() == []
    assert empty.stat().st_size == 0  # no table made in it


def _rows(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        db.close()


def _a_run(tmp_path: Path) -> Path:
    """A finished run folder (recorded in no database)."""
    code, _out, err = cli("run", "--duration", "2", "--seed", "3", "--report-dir", tmp_path / "runs")
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert code == _verdict_code(run_dir, "summary.json") == _verdict_code(run_dir, "report.json"), err
    return run_dir


def _verdict_code(run_dir: Path, name: str) -> int:
    """The exit code the run's own verdict gives, as ``name`` (summary.json, report.json) holds it:
    what a command that judged or reported the run must exit with."""
    return int(json.loads((run_dir / name).read_text())["verdict"]["exit_code"])


_SWARM_OUTPUTS = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
                  "resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000)); "
                  "from pathlib import Path; from harness.swarm import SwarmResult, write_outputs; "
                  "result = SwarmResult(Path(sys.argv[1]), [], {}, 0.0, 1, summary={'padding': 'x' * 50_000})\n"
                  "try:\n    write_outputs(result)\n"
                  "except Exception as exc:\n    print(type(exc).__name__, exc)")


def test_a_swarm_summary_the_disk_has_no_room_for_keeps_the_previous_one(tmp_path):
    """main: ``summary.json`` truncated in place to the 20 000 bytes that fitted (the previous
    summary lost, a half-written JSON left for the next reader) and a raw ``OSError`` without a
    file name."""
    out = tmp_path / "swarm"
    out.mkdir()
    (out / "summary.json").write_text('{"previous": true}\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", _SWARM_OUTPUTS, str(out)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.stdout.startswith("RunFolderError "), (done.stdout, done.stderr)
    assert "summary.json: cannot write: File too large" in done.stdout
    assert (out / "summary.json").read_text() == '{"previous": true}\n'
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]


def test_the_history_is_shown_while_another_process_holds_the_database(tmp_path):
    """A writer's open ``BEGIN EXCLUSIVE`` (WAL: readers still read): ``soundcheck history`` shows
    the runs at once instead of waiting for the lock and giving up."""
    path = tmp_path / "h.sqlite"
    with HistoryDB(path) as db:
        db.record({"kind": "run", "run": {"run_id": "r1", "backend": "sim"}, "verdict": {"ok": True}},
                  run_dir=tmp_path / "r1")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("INSERT INTO runs (recorded_at) VALUES ('now')")
        code, out, err = cli("history", "--db", path)
    finally:
        writer.close()
    assert code == 3, err  # one run: shown, not judged
    assert "(1 shown)" in out


def test_a_comparison_the_disk_has_no_room_for_keeps_the_previous_html(tmp_path):
    """main: with jinja2's bytecode cache already written, ``compare --html`` truncated the
    previous page in place and left the part of the new one that fitted (exit 2)."""
    run = _a_run(tmp_path)
    warm = _run_with_file_limit(tmp_path, 2**40, "compare", str(run), str(run), "--html", str(tmp_path / "w.html"))
    assert warm.returncode == 0, warm.stderr
    page = tmp_path / "compare.html"
    page.write_text("<p>the previous comparison</p>\n")
    done = _run_with_file_limit(tmp_path, 2_000, "compare", str(run), str(run), "--html", str(page))
    refused(done.returncode, done.stderr, "compare.html", "cannot write", "File too large")
    assert page.read_text() == "<p>the previous comparison</p>\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_report_is_written_when_the_template_cache_cannot_be(tmp_path):
    """jinja2 keeps its compiled templates on the temporary disk; a report whose cache entry does
    not fit there (a full /tmp) is still written. main: ``internal error ... OSError: [Errno 27]
    File too large`` from jinja2's ``dump_bytecode``, and no report."""
    run = _a_run(tmp_path)
    sizing = tmp_path / "sizing"
    shutil.copytree(run, sizing)
    done = _run_with_file_limit(tmp_path, 2**40, "report", str(sizing), "--no-history")
    assert done.returncode == _verdict_code(sizing, "report.json"), done.stderr
    largest = max(p.stat().st_size for p in sizing.rglob("*") if p.is_file())
    limit = largest + 16_384  # room for every file the report writes, and the note it appends
    entries = list((tmp_path / "tmp").glob("_jinja2-cache-*/*.cache"))
    assert entries and max(p.stat().st_size for p in entries) > limit  # the premise: the cache does not fit
    shutil.rmtree(tmp_path / "tmp")  # a cold cache
    done = _run_with_file_limit(tmp_path, limit, "report", str(run), "--no-history")
    assert done.returncode == _verdict_code(run, "report.json"), done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert (run / "report.html").stat().st_size > 0
    json.loads((run / "report.json").read_text())


def test_report_on_a_run_stopped_before_its_end_is_inconclusive_where_its_history_stops(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A `soundcheck run` killed mid-way leaves its history.jsonl and nothing judged: `report`
    reports it INCONCLUSIVE, cut off where its history stops, instead of asking for a soak's
    journal (the killed runs' own cases: ``test_hostile_killed.py``)."""
    folder = tmp_path / "run-stopped"
    folder.mkdir()
    (folder / "history.jsonl").write_text('{"index": 0, "type": "meta", "time": 2.0, "data": {}}\n'
                                          '{"index": 1, "type": "note", "time": 7.5, "value": "x"}\n',
                                          encoding="utf-8")
    assert main(["report", str(folder), "--no-history"]) == 3
    captured = capsys.readouterr()
    assert "INCONCLUSIVE" in captured.out and "cut off at t=5.500 s" in captured.out
    assert "journal" not in captured.err and "Traceback" not in captured.err
    assert (folder / "history.jsonl").read_text(encoding="utf-8").count("\n") == 2
