"""The count of Dask's errors the swarm's terminal line gives, read from ``dask.log``.

The file is appended to by a resumed swarm and holds what Dask logs as the cluster closes: the
count is of one session's records before the close, each record once however many lines its
traceback has. The routing itself is tested on a real cluster in ``test_swarm.py`` (a worker-killing
seed) and ``test_hostile.py`` (a worker logging as it closes); several processes appending at once
here, with real processes."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from harness.dask_log import count_errors, route_driver_logs, size_of

_RECORD = "2026-12-07 12:21:01,134 {level} MainProcess[1] distributed.scheduler: {text}\n"
_TRACEBACK = "Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nOSError: 2026-12-07 12:00:00,000 ERROR\n"


def test_each_error_record_counts_once_within_the_sessions_bytes(tmp_path: Path) -> None:
    log = tmp_path / "dask.log"
    earlier = _RECORD.format(level="ERROR", text="an earlier session's")
    log.write_text(earlier)
    start = size_of(log)
    with log.open("a") as f:
        f.write(_RECORD.format(level="ERROR", text="marked as failed") + _TRACEBACK)
        f.write(_RECORD.format(level="CRITICAL", text="lost") + _RECORD.format(level="WARNING", text="slow"))
    end = size_of(log)
    with log.open("a") as f:
        f.write(_RECORD.format(level="ERROR", text="as the cluster closed"))
    assert count_errors(log, start, end) == 2
    assert count_errors(log, 0, size_of(log)) == 4
    assert count_errors(tmp_path / "none.log", 0, 10) == 0 and size_of(tmp_path / "none.log") == 0


def test_the_drivers_dask_records_go_to_the_file_and_the_terminal_handler_comes_back(tmp_path: Path) -> None:
    import distributed  # noqa: F401  - Dask's own handler set up as it is imported

    dask_logger = logging.getLogger("distributed")
    before = (list(dask_logger.handlers), dask_logger.propagate)
    with route_driver_logs(tmp_path / "dask.log"):
        assert not [h for h in dask_logger.handlers if type(h) is logging.StreamHandler]
        logging.getLogger("distributed.scheduler").error("a task marked as failed")
    assert (list(dask_logger.handlers), dask_logger.propagate) == before
    assert "ERROR MainProcess" in (tmp_path / "dask.log").read_text()
    assert "a task marked as failed" in (tmp_path / "dask.log").read_text()


#: one worker process's share: its records routed as ``DaskLogToFile`` routes a worker's, then,
#: told to go, ``argv[3]`` records of ``argv[4]`` letters each (its own letter) logged at ERROR
_WRITER = """
import logging, sys
from pathlib import Path
from harness.dask_log import DaskLogToFile
DaskLogToFile(Path(sys.argv[1])).setup(None)
writer, records, size = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
log = logging.getLogger("distributed.worker")
print("ready", flush=True)
sys.stdin.readline()
for k in range(records):
    log.error("writer %d record %d %s end", writer, k, chr(ord("a") + writer) * size)
"""
_WRITTEN = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR MainProcess\[\d+\] distributed\.worker: "
                      r"writer (\d) record (\d+) ([a-z]+) end$")


def _kill_unfinished(procs: list[subprocess.Popen]) -> None:
    """A writer still running when the test leaves (it failed or hung) is killed, not left behind."""
    for p in procs:
        if p.poll() is None:
            p.kill()


def test_worker_processes_appending_at_once_write_whole_records_one_a_line(tmp_path: Path) -> None:
    """Three worker processes log to one ``dask.log`` at once, each record 70 000 letters (far
    past any write buffer, so a record written in pieces would let another's fall between them).
    Each line of the file is one whole record of one writer, and every record is there once."""
    log, writers, records, size = tmp_path / "dask.log", 3, 60, 70_000
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    with contextlib.ExitStack() as stack:
        procs = [stack.enter_context(subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(log), str(w), str(records), str(size)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)) for w in range(writers)]
        stack.callback(_kill_unfinished, procs)  # before each Popen's exit closes its pipes and waits
        for p in procs:  # every writer's routing set up before any writes
            assert p.stdout is not None and p.stdout.readline() == "ready\n"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        assert [p.wait(timeout=120) for p in procs] == [0] * writers  # the bound only guards a hang
    lines = log.read_text().split("\n")
    assert lines.pop() == ""  # the last record ends its line
    seen = []
    for line in lines:
        match = _WRITTEN.match(line)
        assert match, line[:120]
        writer, record, letters = int(match[1]), int(match[2]), match[3]
        assert letters == chr(ord("a") + writer) * size, (writer, record)
        seen.append((writer, record))
    assert sorted(seen) == [(w, k) for w in range(writers) for k in range(records)]


def _waits_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` is blocked waiting for a file lock (a ``->`` line of /proc/locks)."""
    return any(line.split()[1] == "->" and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines() if len(line.split()) > 5)


def test_a_record_another_process_is_writing_in_pieces_is_not_broken_into(tmp_path: Path) -> None:
    """A writer whose record the kernel takes in two writes holds the file's lock across both
    (here the test itself, halfway through a record). A worker process told to log meanwhile
    blocks on the lock until the record is whole, and its own record comes after it: it never
    falls between the pieces. Deterministic: the second piece is written only once the worker is
    seen waiting on the lock (or has exited, which a worker that takes no lock does at once)."""
    log = tmp_path / "dask.log"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    first, second = "2026-12-07 14:00:00,000 ERROR MainProcess[1] distributed.scheduler: half", " and half\n"
    with contextlib.ExitStack() as stack:
        worker = stack.enter_context(subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(log), "1", "1", "10"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env))
        stack.callback(_kill_unfinished, [worker])
        assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        stack.callback(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, first.encode())
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
        deadline = time.monotonic() + 120  # guards a hang only: the loop ends on what it sees
        while worker.poll() is None and not _waits_for_a_lock(worker.pid):
            assert time.monotonic() < deadline, "the worker neither logged nor waited on the lock"
            time.sleep(0.01)
        os.write(fd, second.encode())
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert worker.wait(timeout=120) == 0
    whole, theirs, end = log.read_text().split("\n")
    assert whole + "\n" == first + second and end == ""
    assert _WRITTEN.match(theirs) and theirs.endswith(" writer 1 record 0 bbbbbbbbbb end")


def test_a_record_the_kernel_takes_in_pieces_is_written_whole(tmp_path: Path, monkeypatch) -> None:
    """``os.write`` may take fewer bytes than it is given (a signal, a pipe, a full disk's last
    blocks): the handler writes the rest until the record is whole, and the next record starts on
    its own line, where the error count sees it."""
    import harness.dask_log as dask_log

    real_os = os

    class ShortWrites:
        """``os`` whose ``write`` takes at most 7 bytes a call."""

        def __getattr__(self, name: str) -> object:
            return getattr(real_os, name)

        @staticmethod
        def write(fd: int, data: bytes) -> int:
            return real_os.write(fd, bytes(data[:7]))

    monkeypatch.setattr(dask_log, "os", ShortWrites())
    log = tmp_path / "dask.log"
    handler = dask_log.AppendRecords(log)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    try:
        for n in range(2):
            handler.emit(logging.LogRecord("distributed.scheduler", logging.ERROR, __file__, 1,
                                           f"record {n} of some length", None, None))
    finally:
        handler.close()
    assert log.read_text() == ("ERROR distributed.scheduler: record 0 of some length\n"
                               "ERROR distributed.scheduler: record 1 of some length\n")
