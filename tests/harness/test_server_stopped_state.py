"""A server's stopped state read from its ``/proc/PID/stat`` line (``harness.rig.server_runs``):
the state follows the command name's *last* closing parenthesis, since a name may hold its own.
A fake ``/proc`` stands in, so no process is stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.rig.server_runs import process_stopped, read_server


def _proc(tmp: Path, name: bytes, state: bytes, pid: int = 4242) -> str:
    (tmp / str(pid) / "task" / str(pid)).mkdir(parents=True)
    (tmp / str(pid) / "stat").write_bytes(b"%d (%s) %s 1 %d 0 0 -1 4194560 0 0 0\n" % (pid, name, state, pid))
    (tmp / str(pid) / "task" / str(pid) / "schedstat").write_bytes(b"1000 200 3\n")
    return str(tmp)


@pytest.mark.parametrize("name, state, stopped", [
    (b"jackd", b"T", True), (b"jackd", b"S", False), (b"jackd", b"t", True),
    (b"a) R (b", b"T", True), (b"jack) T (d", b"S", False)])
def test_the_state_after_the_name_s_last_parenthesis_says_whether_it_is_stopped(
        tmp_path: Path, name: bytes, state: bytes, stopped: bool) -> None:
    proc = _proc(tmp_path, name, state)
    assert process_stopped(4242, proc) is stopped
    sample = read_server(4242, proc)
    assert sample is not None and sample[4] is stopped and sample[1:4] == (1000, 3, 200)


def test_a_process_gone_is_neither(tmp_path: Path) -> None:
    assert process_stopped(4242, str(tmp_path)) is None
