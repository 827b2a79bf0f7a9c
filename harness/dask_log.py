"""Dask's own log records of a swarm's local cluster written to a file in the swarm's folder.

Why: a seed that ends its worker's process makes Dask log at ERROR ("Task ... marked as failed
because N workers died" from the scheduler, a restarted worker's "Failed to communicate with
scheduler during heartbeat" with a ``CommClosedError`` traceback). On the user's terminal a
traceback reads as the harness crashing, while the swarm's verdict already names the seed and how
to replay it. Silencing those loggers would hide a worker's real errors too, so every record goes
to ``<swarm folder>/dask.log`` instead, and the terminal gets one line saying how many errors Dask
logged and where.

The records come from three kinds of process: the scheduler and the nannies run in the driver
(``route_driver_logs``), each worker in a process of its own (``DaskLogToFile``, a worker plugin,
set up on every worker that joins, including one a nanny restarts after its worker died). All
append to the one file at once, each record (its traceback's lines with it) in one ``write`` under
an exclusive ``flock`` on the file (``AppendRecords``), so no process's record falls inside
another's; the level each handler keeps is what reached the terminal before (Dask's
``silence_logs`` level, ERROR for the swarm's cluster).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

#: the file in the swarm's folder that holds Dask's log records
DASK_LOG_FILE = "dask.log"

#: the loggers Dask's own logging set-up gives a handler to the terminal (and their children)
DASK_LOGGER_ROOTS = ("distributed", "tornado", "bokeh")

#: the level of what is written: what the swarm's cluster (``silence_logs=logging.ERROR``) let
#: through to the terminal before
DASK_LOG_LEVEL = logging.ERROR

_FORMAT = "%(asctime)s %(levelname)s %(processName)s[%(process)d] %(name)s: %(message)s"
#: the first line of one record at ERROR or above (a traceback's lines never start so)
_ERROR_RECORD = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:ERROR|CRITICAL) ", re.MULTILINE)


class AppendRecords(logging.Handler):
    """Each record appended to ``path`` whole: formatted (a traceback's lines included), encoded,
    and written by ``os.write`` on a descriptor opened ``O_APPEND``, under an exclusive ``flock``
    held for the record's writes.

    Why not ``logging.FileHandler``: its record reaches the file in one ``write`` only as long as
    the text and buffered layers hand it over in one piece, which nothing promises; several
    processes append to one file at once, and a record written in two pieces could have another
    process's record fall between them, mid-line. The lock keeps a record whole even when the
    kernel takes it in more than one write; the file is opened at the first record (no record,
    no file), so a swarm whose cluster logged nothing leaves none."""

    def __init__(self, path: Path) -> None:
        super().__init__(DASK_LOG_LEVEL)
        self.path = path
        self._fd: int | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = memoryview((self.format(record) + "\n").encode("utf-8", "backslashreplace"))
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                while data:
                    data = data[os.write(self._fd, data):]
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        except Exception:  # noqa: BLE001 - logging's own rule: a handler's failure never raises
            self.handleError(record)

    def close(self) -> None:
        with self.lock:  # type: ignore[union-attr]  - set by createLock in Handler.__init__
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        super().close()


def _file_handler(path: Path) -> logging.Handler:
    handler = AppendRecords(path)
    handler.setFormatter(logging.Formatter(_FORMAT))
    return handler


def _dask_loggers() -> list[logging.Logger]:
    """Every logger under ``DASK_LOGGER_ROOTS`` that exists in this process, the roots first."""
    names = set(DASK_LOGGER_ROOTS) | {n for n in logging.root.manager.loggerDict
                                      if n.split(".")[0] in DASK_LOGGER_ROOTS}
    return [logging.getLogger(n) for n in sorted(names, key=lambda n: (n.count("."), n))]


def _records_to(path: Path) -> Callable[[], None]:
    """Dask's records in this process go to ``path``, not to the terminal: each terminal handler
    Dask gave a logger is swapped for the file, and each root stops passing its records up to the
    root logger (which may have a terminal handler of its own). Returns what puts it back."""
    handler = _file_handler(path)
    swapped: list[tuple[logging.Logger, list[logging.Handler], bool]] = []
    for lg in _dask_loggers():
        to_terminal = [h for h in lg.handlers if type(h) is logging.StreamHandler]
        if not to_terminal and lg.name not in DASK_LOGGER_ROOTS:
            continue
        swapped.append((lg, to_terminal, lg.propagate))
        for h in to_terminal:
            lg.removeHandler(h)
        lg.addHandler(handler)
        lg.propagate = False

    def put_back() -> None:
        for lg, to_terminal, propagate in swapped:
            lg.removeHandler(handler)
            for h in to_terminal:
                lg.addHandler(h)
            lg.propagate = propagate
        handler.close()

    return put_back


@contextlib.contextmanager
def route_driver_logs(path: Path) -> Iterator[None]:
    """The driver's share: the local cluster's scheduler and nannies log in this process, which
    goes on after the swarm (the shrinker, the report, another swarm in the same process)."""
    put_back = _records_to(path)
    try:
        yield
    finally:
        put_back()


class DaskLogToFile(WorkerPlugin):
    """The workers' share: set up in each worker process as it joins the cluster, never put back.
    The process ends with the cluster, and its last records (other plugins' teardowns, a heartbeat
    meeting the scheduler gone) come after its plugins are dropped: they go to the file too."""

    name = "soundcheck-dask-log"

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def setup(self, worker: object) -> None:
        _records_to(Path(self.path))


def count_errors(path: Path, start: int, end: int) -> int:
    """The records at ERROR or above written to ``path`` between byte offsets ``start`` and ``end``
    (one swarm session's, before its cluster began to close)."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            return len(_ERROR_RECORD.findall(f.read(max(0, end - start))))
    except OSError:
        return 0


def size_of(path: Path) -> int:
    """The file's size now: where this session's records begin (a resumed swarm appends)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


__all__ = ["DASK_LOG_FILE", "DASK_LOGGER_ROOTS", "AppendRecords", "DaskLogToFile", "count_errors", "route_driver_logs", "size_of"]
