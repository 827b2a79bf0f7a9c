"""A run killed part-way: what its folder holds is still read, reported and turned into a scenario.

A kill (SIGKILL, the machine going down) is the failure a reliability harness exists to meet, so it
must not be the harness's own crash. A ``soundcheck run`` killed before its end leaves history.jsonl
alone, possibly cut part-way through its last line. Every whole line is read; the cut line is
dropped and named in a warning; the run is INCONCLUSIVE ("cut off at t=..."), never PASS; and the
history file is left byte for byte as the kill left it. A line damaged in the *middle* of a history
(whole lines after it) is no kill's doing: exit 2 naming the file and the line, nothing written.

Writers of whole files (a scenario, a WAV, a shrunk schedule, a history) replace the file atomically:
a write that fails part-way leaves the old file whole.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from harness import runfolder
from harness.analysis import read_wav, write_wav
from harness.errors import InputFileError
from harness.faults import Schedule
from harness.history import History, HistoryFormatError
from harness.scenarios import write_scenario
from harness.shrink import ShrinkResult, export

from cli_capture import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The history.jsonl of a finished 3 s simulated run (seed 1), without its final verdict note:
    what a run killed at its end leaves."""
    out = tmp_path_factory.mktemp("recorded")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOUNDCHECK_HISTORY_DB", str(out / "h.sqlite"))
        code, _, err = cli("run", "--backend", "sim", "--duration", "3", "--seed", "1", "--faults", "default",
                           "--report-dir", out / "r")
    assert code == 0, err
    (run_dir,) = (out / "r").iterdir()
    lines = (run_dir / "history.jsonl").read_bytes().splitlines(keepends=True)
    assert json.loads(lines[-1])["value"] == "summary"
    return b"".join(lines[:-1])


def _killed_folder(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "run-killed"
    folder.mkdir()
    (folder / "history.jsonl").write_bytes(data)
    return folder


def _cuts(data: bytes) -> list[int]:
    """Offsets inside the last line (the first byte, its middle, one byte short of its end)."""
    start = data.rstrip(b"\n").rfind(b"\n") + 1
    end = len(data) - 1  # without the newline
    return [start + 1, (start + end) // 2, end - 1]


@pytest.mark.parametrize("where", range(3))
def test_report_on_a_history_cut_mid_line_is_inconclusive_and_names_the_cut(
        tmp_path: Path, recorded: bytes, where: int) -> None:
    """main: exit 2, "holds history.jsonl but no summary.json: ... no report to rebuild"."""
    cut = recorded[: _cuts(recorded)[where]]
    folder = _killed_folder(tmp_path, cut)
    code, out, err = cli("report", folder, "--no-history")
    assert code == 3, (code, out, err)
    assert "Traceback" not in err and "internal error" not in err
    assert "INCONCLUSIVE" in out and "cut off at t=" in out and "PASS" not in out
    warning = [line for line in err.splitlines() if line.startswith("soundcheck: warning:")]
    assert len(warning) == 1 and str(folder / "history.jsonl") in warning[0], err
    dropped = len(cut) - (cut.rfind(b"\n") + 1)
    line = cut.count(b"\n") + 1
    assert f"the last {dropped} byte(s)" in warning[0] and f"line {line}," in warning[0]
    assert (folder / "history.jsonl").read_bytes() == cut  # nothing lost, nothing rewritten
    report = json.loads((folder / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive"


@pytest.mark.parametrize("share, phrase", [(0.2, "s of 3 s"), (1.0, "s, after its 3 s had run but before it was judged")])
def test_report_on_a_history_cut_at_a_line_end_is_inconclusive_without_a_warning(
        tmp_path: Path, recorded: bytes, share: float, phrase: str) -> None:
    """main: exit 2 (no summary.json). A kill between two writes leaves whole lines only: early in
    the run, or after its time was over but before it was judged."""
    lines = recorded.splitlines(keepends=True)
    folder = _killed_folder(tmp_path, b"".join(lines[: int(len(lines) * share)]))
    code, out, err = cli("report", folder, "--no-history")
    assert code == 3, (code, out, err)
    assert "warning" not in err, err
    history = History.read_jsonl(folder / "history.jsonl")
    at = history.end_time - history.entries[0].time
    assert f"the run was cut off at t={at:.3f} {phrase}" in out, out
    assert (at < 3.0) == (share < 1.0)


@pytest.mark.parametrize("where", range(3))
def test_scenario_from_history_reads_a_history_cut_mid_line_and_warns(
        tmp_path: Path, recorded: bytes, where: int) -> None:
    """main: exit 2, "line N: not valid JSON"."""
    cut = recorded[: _cuts(recorded)[where]]
    path = tmp_path / "history.jsonl"
    path.write_bytes(cut)
    code, out, err = cli("scenario", "from-history", path, "-o", tmp_path / "s.toml")
    assert code == 0, (code, out, err)
    warnings = [line for line in err.splitlines() if line.startswith("soundcheck: warning:")]
    assert len(warnings) == 2 and all(str(path) in w for w in warnings), err
    assert "cut part-way" in warnings[0] and "the run was cut off at t=" in warnings[1]
    assert (tmp_path / "s.toml").is_file() and path.read_bytes() == cut


def test_scenario_from_history_of_a_finished_run_says_nothing_of_a_cut(tmp_path: Path, recorded: bytes) -> None:
    path = tmp_path / "history.jsonl"
    note = {"index": recorded.count(b"\n"), "type": "note", "time": 0.0, "value": "summary", "data": {}}
    path.write_bytes(recorded + json.dumps(note).encode() + b"\n")
    code, _, err = cli("scenario", "from-history", path, "-o", tmp_path / "s.toml")
    assert code == 0 and "warning" not in err, err


def test_scenario_from_history_of_a_run_killed_after_its_summary_says_nothing_of_a_cut(
        tmp_path: Path, recorded: bytes) -> None:
    """A kill between summary.json and the history's summary note leaves a judged run: its
    folder's summary.json says it finished (the kill matrix's false warning before this)."""
    folder = _killed_folder(tmp_path, recorded)
    (folder / "summary.json").write_text("{}", encoding="utf-8")
    code, _, err = cli("scenario", "from-history", folder / "history.jsonl", "-o", tmp_path / "s.toml")
    assert code == 0 and "warning" not in err, err


def test_compare_with_a_killed_run_says_first_that_it_did_not_finish() -> None:
    """main: a killed run's partial report compared with a finished one flags its short totals
    ("faults injected: N -> 0") as the system's regression, the runs called alike."""
    from harness.reports.compare import compare_reports

    whole = {"kind": "run", "run": {"status": "completed"}, "verdict": {"outcome": "pass"}}
    cut = {"kind": "run", "run": {"status": "partial"}, "verdict": {"outcome": "inconclusive"}}
    assert compare_reports(whole, cut).like_for_like == [
        "status: completed vs partial (a run that did not finish counts only what it reached)"]
    assert compare_reports(whole, whole).like_for_like == []


@pytest.mark.parametrize("command", ["report", "from-history"])
def test_a_history_damaged_in_the_middle_is_exit_2_naming_the_file_and_line(
        tmp_path: Path, recorded: bytes, command: str) -> None:
    lines = recorded.splitlines(keepends=True)
    lines[5] = b"\x7bgarbage that is not json\n"
    folder = _killed_folder(tmp_path, b"".join(lines))
    path = folder / "history.jsonl"
    if command == "report":
        code, _, err = cli("report", folder, "--no-history")
    else:
        code, _, err = cli("scenario", "from-history", path, "-o", tmp_path / "s.toml")
    assert code == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and f"{path}: line 6:" in err and "restore" in err, err
    assert sorted(p.name for p in folder.iterdir()) == ["history.jsonl"]
    assert not (tmp_path / "s.toml").exists()


def test_every_cut_of_a_history_keeps_exactly_its_whole_lines(recorded: bytes, tmp_path: Path) -> None:
    """Both readers (loading and streaming) at every offset of the last three lines, and inside a
    multi-byte character: every whole line before the cut is kept, the cut line named."""
    tail = (b'{"index":%d,"type":"note","time":1.0,"value":"caf\xc3\xa9 \xe2\x82\xac","data":{}}\n'
            % recorded.count(b"\n"))
    data = recorded + tail
    start = len(b"".join(data.splitlines(keepends=True)[:-3]))
    path = tmp_path / "h.jsonl"
    for n in range(start, len(data) + 1):
        path.write_bytes(data[:n])
        whole = data[:n].count(b"\n")
        rest = n - (data[:n].rfind(b"\n") + 1)
        if rest and data[n:n + 1] == b"\n":  # all of a line but its newline: whole, kept
            whole, rest = whole + 1, 0
        for history in (History.read_jsonl(path), History.open_jsonl(path)):
            assert len(history) == whole, n
            if rest:
                assert history.cut_tail is not None and history.cut_tail.nbytes == rest
                assert history.cut_tail.line == whole + 1
            else:
                assert history.cut_tail is None


def test_a_last_line_that_is_whole_but_lacks_its_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"index":0,"type":"meta","time":0}\n{"index":1,"type":"note","time":1,"value":"x"}')
    for history in (History.read_jsonl(path), History.open_jsonl(path)):
        assert len(history) == 2 and history.cut_tail is None


def test_a_last_whole_line_of_garbage_is_still_an_error(tmp_path: Path) -> None:
    """Only a line without its newline is a kill's cut: a whole bad line is damage, named."""
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"index":0,"type":"meta","time":0}\nnot json\n')
    with pytest.raises(HistoryFormatError, match="line 2"):
        History.read_jsonl(path)
    with pytest.raises(HistoryFormatError, match="line 2"):
        History.open_jsonl(path)


def test_a_run_killed_for_real_is_reported_inconclusive(tmp_path: Path) -> None:
    """SIGKILL to a long simulated run once its history holds a whole line: whenever the kill
    lands after that, the folder reports INCONCLUSIVE (exit 3), never PASS and never a traceback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOUNDCHECK_HISTORY_DB": str(tmp_path / "h.sqlite"),
           "SOUNDCHECK_LOG_DIR": str(tmp_path / "logs"), "OPENBLAS_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", "600",
                              "--report-dir", str(tmp_path / "r")], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240  # a bound for a loaded machine, not a pace
        while time.monotonic() < deadline:
            found = list((tmp_path / "r").glob("run-*/history.jsonl"))
            if found and b"\n" in found[0].read_bytes():
                break
            assert child.poll() is None, "the 600 s run ended before it was killed"
            time.sleep(0.05)
        else:
            pytest.fail("the run recorded no whole history line within 240 s")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    folder = found[0].parent
    kept = found[0].read_bytes()
    code, out, err = cli("report", folder, "--no-history")
    assert code == 3 and "INCONCLUSIVE" in out and "cut off at t=" in out, (code, out, err)
    assert "Traceback" not in err and found[0].read_bytes() == kept


# -- whole files replaced atomically ----------------------------------------------------------

@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fsync of a file being written fails as on a full disk (after the bytes were handed
    to the kernel, as a delayed-allocation file system reports it)."""
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runfolder.os, "fsync", no_space)


def test_a_scenario_written_over_an_old_one_on_a_full_disk_leaves_the_old_one(tmp_path: Path, full_disk) -> None:
    """main wrote it with ``Path.write_text``, which empties the old file before writing, so a
    write that failed part-way left a torn scenario; the atomic path is what is checked here."""
    path = tmp_path / "old.toml"
    path.write_text("format = 1\n# the old scenario\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="No space left"):
        write_scenario({"format": 1, "scenario": {"id": "x", "title": "x"}, "steps": []}, path)
    assert path.read_text(encoding="utf-8") == "format = 1\n# the old scenario\n"
    assert [p.name for p in tmp_path.iterdir()] == ["old.toml"]


def test_a_wav_written_over_an_old_one_on_a_full_disk_leaves_the_old_one(tmp_path: Path, full_disk) -> None:
    path = tmp_path / "take.wav"
    old = np.zeros(480, dtype=np.float32)
    path.write_bytes(b"RIFF-old")
    with pytest.raises(InputFileError, match="No space left"):
        write_wav(path, old, 48000)
    assert path.read_bytes() == b"RIFF-old"
    assert [p.name for p in tmp_path.iterdir()] == ["take.wav"]


def test_a_wav_is_written_whole(tmp_path: Path) -> None:
    x = np.sin(np.arange(4800) / 10.0) * 0.5
    for fmt in ("int16", "int24", "int32", "float32"):
        path = write_wav(tmp_path / f"{fmt}.wav", x, 48000, sample_format=fmt)
        back = read_wav(path)
        assert back.sample_rate == 48000 and len(back.samples) == 4800


def test_a_history_written_over_an_old_one_on_a_full_disk_leaves_the_old_one(tmp_path: Path, full_disk) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"index":0,"type":"meta","time":0}\n')
    history = History()
    history.note("x")
    with pytest.raises(InputFileError, match="No space left"):
        history.write_jsonl(path)
    assert path.read_bytes() == b'{"index":0,"type":"meta","time":0}\n'


def test_a_shrunk_schedule_written_over_an_old_one_on_a_full_disk_leaves_the_old_one(
        tmp_path: Path, full_disk) -> None:
    """main wrote it with ``Path.write_text`` (the old ``*.schedule.json`` emptied before the write);
    the atomic path is what is checked here."""
    result = ShrinkResult(seed=7, invariant="resources", mutant=None, faults="default", before=Schedule(),
                          after=Schedule(), duration_before=1.0, duration_after=1.0, runs=0, exhausted=False,
                          reproduced=False)
    path = tmp_path / "seed7-resources.schedule.json"
    path.write_text('{"old": true}\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="No space left"):
        export(result, tmp_path)
    assert path.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_shrunk_schedule_is_never_written_through_a_link(tmp_path: Path) -> None:
    """main: ``write_text`` followed a link planted at the schedule's name and wrote its target."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "seed7-resources.schedule.json").symlink_to(outside)
    result = ShrinkResult(seed=7, invariant="resources", mutant=None, faults="default", before=Schedule(),
                          after=Schedule(), duration_before=1.0, duration_after=1.0, runs=0, exhausted=False,
                          reproduced=False)
    info = export(result, out)
    assert outside.read_text(encoding="utf-8") == "keep me\n"
    assert json.loads(Path(info["schedule"]).read_text())["seed"] == 7
