"""The count of Dask's errors the swarm's terminal line gives, read from ``dask.log``.

The file is appended to by a resumed swarm and holds what Dask logs as the cluster closes: the
count is of one session's records before the close, each record once however many lines its
traceback has. The routing itself is tested on a real cluster in ``test_swarm.py`` (a worker-killing
seed) and ``test_hostile.py`` (a worker logging as it closes)."""

from __future__ import annotations

import logging
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
