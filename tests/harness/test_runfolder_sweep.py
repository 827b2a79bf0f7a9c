"""Which temporaries a write's sweep removes (``RunFolder._remove_stale``), each writer's state
given and the answer known: a temporary whose writer's pid exists is kept whoever owns that
process (``os.kill(pid, 0)`` refused with EPERM: another user's live writer), one whose pid is gone
is removed; a pid-less one (an older soundcheck's) is removed only when older than this process.
The process table is stood in for (``os.kill``), so the answer does not depend on who runs the
test (root may signal every process) or on which pids happen to exist."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import harness.runfolder as runfolder
from harness.runfolder import RunFolder

#: pid -> what os.kill(pid, 0) does: None (it exists, ours), or the error it raises
_PROCESSES: dict[int, int | None] = {4101: None, 4102: errno.EPERM, 4103: errno.ESRCH}


def _kill(pid: int, sig: int) -> None:
    assert sig == 0
    err = _PROCESSES.get(pid, errno.ESRCH)
    if err == errno.EPERM:
        raise PermissionError(err, os.strerror(err))
    if err == errno.ESRCH:
        raise ProcessLookupError(err, os.strerror(err))


@pytest.mark.parametrize("pid, kept", [(4101, True), (4102, True), (4103, False)],
                         ids=["our-live-writer", "another-users-live-writer", "writer-gone"])
def test_a_temporary_is_removed_only_when_its_writer_is_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             pid: int, kept: bool) -> None:
    monkeypatch.setattr(runfolder.os, "kill", _kill)
    tmp = tmp_path / f".report.json.p{pid}.0123456789ab.tmp"
    tmp.write_text("half a file")
    RunFolder(tmp_path).write_text("summary.json", "{}")
    assert tmp.exists() is kept
    assert (tmp_path / "summary.json").read_text() == "{}"


@pytest.mark.parametrize("age_s, kept", [(-3600.0, False), (+3600.0, True)],
                         ids=["older-than-this-process", "newer-than-this-process"])
def test_a_pidless_temporary_is_removed_only_when_older_than_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_s: float, kept: bool) -> None:
    started = 1_700_000_000.0
    monkeypatch.setattr(runfolder, "_process_started", lambda: started)
    tmp = tmp_path / ".report.html.4dd2ce240add.tmp"
    tmp.write_text("half")
    os.utime(tmp, (started + age_s, started + age_s))
    assert RunFolder(tmp_path).remove_stale_temporaries() == ([] if kept else [tmp.name])
    assert tmp.exists() is kept
