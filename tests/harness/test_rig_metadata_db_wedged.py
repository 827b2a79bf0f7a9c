"""A JACK2 metadata database wedged by a lock a dead process holds is found and repaired by ``start``.

JACK2 opens one Berkeley DB environment per uid (``/dev/shm/jack_db-<uid>``) in every server and
client, without a timeout and without the means to release a dead process's locks. A process
killed while it held a lock there leaves every later open waiting for ever in a futex: jackd hangs
in its start and the rig's readiness probe reads "not ready" (CI: ``jackd 'soundcheck-rig-1' not
ready after 10.0 s (killed by SIGKILL)``). ``harness.rig._jackdb wedge`` makes that state on purpose
(the handle lock of ``metadata.db`` taken for writing, then SIGKILL). The rig's own database path
is fixed by JACK2's build, so the test that starts a real jackd on a wedged one runs in a private
``/dev/shm`` (``unshare``), never touching the database other tests' servers use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from harness import RigError
from harness.rig import _jackdb, loopback
from harness.rig.loopback import LoopbackRig, metadata_db_folder
from harness.rig.metadata_db import DbCheck, check_metadata_db

from awake_waits import run_while_awake, wait_until_awake_for

ROOT = Path(__file__).resolve().parents[2]


def _jackdb_run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``_jackdb.py command folder`` run to its end, bounded by its time asleep (an open on a wedged
    database sleeps for ever), not wall time (a loaded machine keeps the interpreter waiting)."""
    return run_while_awake([sys.executable, "-P", _jackdb.__file__, command, str(folder)], 30.0,
                           what=f"_jackdb.py {command} {folder} to end")


def _database(folder: Path, *, wedged: bool) -> Path:
    """A metadata database made as JACK makes it in ``folder``; ``wedged``: and then wedged."""
    folder.mkdir(parents=True, exist_ok=True)
    made = _jackdb_run("open", folder)
    assert made.returncode == 0 and made.stdout.split() == ["opening", "opened"], made
    if wedged:
        held = _jackdb_run("wedge", folder)
        assert held.returncode == -9 and held.stdout.split() == ["held"], held
    return folder


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_the_check_tells_a_wedged_database_from_one_that_opens(tmp_path: Path) -> None:
    folder = tmp_path / f"jack_db-{os.getuid()}"
    assert check_metadata_db(folder).verdict == "absent"
    _database(folder, wedged=False)
    assert check_metadata_db(folder).verdict == "opens"
    assert check_metadata_db(folder).verdict == "opens"  # the check itself leaves no lock held
    _database(folder, wedged=True)
    found = check_metadata_db(folder)
    assert found.verdict == "wedged" and str(folder) in found.detail and "futex" in found.detail


def _runnable(pid: int) -> tuple[bool, bool]:
    """A reading of the check's child as a machine beside busy loops gives it: alive, waiting for a CPU."""
    return True, True


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the check's bounds count its child's sleep
def test_a_check_whose_child_waits_for_a_cpu_past_both_bounds_reads_a_healthy_database_as_opening(
        tmp_path: Path) -> None:
    """Both bounds spent in wall time before the child could answer (1 ms: as a starved machine
    spends 30 s and 3 s) while the child is read as waiting for a CPU: a wall-clock check said
    "undecided" here, and on a wedged database that kept the rig from repairing it. Counting the
    child's sleep, the check waits for its answer."""
    folder = _database(tmp_path / f"jack_db-{os.getuid()}", wedged=False)
    found = check_metadata_db(folder, start_timeout_s=0.001, open_timeout_s=0.001, state=_runnable)
    assert found.verdict == "opens", found


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the check's own guard is 0.5 s here
def test_a_check_whose_child_never_sleeps_gives_up_undecided_at_its_wall_clock_guard(tmp_path: Path) -> None:
    """A child read as runnable for ever (a busy hang) on a wedged database: the check ends at its
    wall-clock guard, undecided and saying so, and never calls a child that runs wedged."""
    folder = _database(tmp_path / f"jack_db-{os.getuid()}", wedged=True)
    found = check_metadata_db(folder, hang_s=0.5, state=_runnable)
    assert found.verdict == "undecided", found
    assert "ran or waited for a CPU for" in found.detail, found


def test_the_check_s_child_refuses_a_bad_command_line_with_exit_2(tmp_path: Path) -> None:
    assert _jackdb_run("bogus", tmp_path).returncode == 2
    missing = _jackdb_run("open", tmp_path / "no-such")
    assert missing.returncode == 2 and "no-such" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_server_not_ready_on_a_healthy_database_is_raised_and_nothing_removed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A jackd that lives but never serves (a slow one, as far as the probe can tell) on a database
    that opens: the check says so, the start fails as before, the database stays."""
    monkeypatch.setattr(loopback, "JACK_SHM", tmp_path)
    folder = _database(metadata_db_folder(), wedged=False)
    monkeypatch.setattr(LoopbackRig, "command", lambda self: ["sleep", "120"])
    rig = LoopbackRig(rate=48000, period=256, ready_timeout_s=2.0)
    try:
        with pytest.raises(RigError, match="not ready after 2.0 s"):
            rig.start()
        assert rig.metadata_db_repairs == [] and (folder / "metadata.db").exists()
    finally:
        rig.close()


def _hangs_then_serves(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, checks: list[DbCheck]) -> list[int]:
    """``start`` without a server: each launch hangs (jackd alive, probe silent) while the
    database is there, and serves once it is gone; ``checks`` are the check's answers in turn."""
    monkeypatch.setattr(loopback, "JACK_SHM", tmp_path)
    monkeypatch.setattr(loopback, "server_pids", lambda name: [])
    launches: list[int] = []

    def launch(self: LoopbackRig, cmd: list[str], t0: float) -> None:
        launches.append(1)
        if metadata_db_folder().exists():
            self._exit_before_ready, self._hung_before_ready = None, True
            raise RigError(f"jackd {self.server_name!r} not ready after 10.0 s (killed by SIGKILL)")

    monkeypatch.setattr(LoopbackRig, "_launch_and_wait", launch)
    monkeypatch.setattr(loopback, "check_metadata_db", lambda folder: checks.pop(0))
    metadata_db_folder().mkdir()
    return launches


def test_a_hang_on_a_database_found_wedged_removes_it_and_starts_once_more(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    launches = _hangs_then_serves(monkeypatch, tmp_path, [DbCheck("wedged", "asleep in a futex")])
    rig = LoopbackRig(rate=48000, period=256)
    try:
        rig.start()
    finally:
        rig.close()
    assert len(launches) == 2 and not metadata_db_folder().exists()
    assert rig.metadata_db_repairs == [f"{metadata_db_folder()}: wedged (jackd {rig.server_name!r} not ready, "
                                       "still running): asleep in a futex"]


@pytest.mark.parametrize("verdict", ["opens", "undecided", "absent"])
def test_a_hang_on_a_database_not_found_wedged_is_raised_and_nothing_removed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, verdict: str) -> None:
    launches = _hangs_then_serves(monkeypatch, tmp_path, [DbCheck(verdict, "a loaded machine")])  # type: ignore[arg-type]
    rig = LoopbackRig(rate=48000, period=256)
    with pytest.raises(RigError, match="not ready after 10.0 s"):
        rig.start()
    rig.close()
    assert len(launches) == 1 and metadata_db_folder().exists() and rig.metadata_db_repairs == []


def test_a_database_wedged_again_after_the_repair_is_raised_naming_it_and_the_fix(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    checks = [DbCheck("wedged", "asleep in a futex"), DbCheck("wedged", "asleep in a futex again")]
    launches = _hangs_then_serves(monkeypatch, tmp_path, checks)
    real = LoopbackRig._remove_metadata_db

    def remove_and_wedge_again(self: LoopbackRig, folder: Path, why: str) -> None:
        real(self, folder, why)
        folder.mkdir()  # some process of the user re-creates and wedges it at once

    monkeypatch.setattr(LoopbackRig, "_remove_metadata_db", remove_and_wedge_again)
    rig = LoopbackRig(rate=48000, period=256)
    with pytest.raises(RigError) as raised:
        rig.start()
    rig.close()
    message = str(raised.value)
    folder = metadata_db_folder()
    assert len(launches) == 2 and len(rig.metadata_db_repairs) == 1 and checks == []
    assert f"{folder} is wedged again" in message and "asleep in a futex again" in message
    assert f"remove {folder}" in message and "not ready after 10.0 s" in message


_IN_PRIVATE_SHM = textwrap.dedent("""
    import json, subprocess, sys
    from harness.rig import _jackdb
    from harness.rig.loopback import LoopbackRig, metadata_db_folder
    folder = metadata_db_folder()
    folder.mkdir()
    for command in ("open", "wedge"):
        subprocess.run([sys.executable, "-P", _jackdb.__file__, command, str(folder)], timeout=30)
    with LoopbackRig(rate=48000, period=256) as rig:
        print(json.dumps({"ports": rig.ports(), "repairs": rig.metadata_db_repairs}))
""")


def _private_shm_permitted() -> None:
    """``unshare`` with a mount namespace of our own, or skip. With CI set a missing ``unshare`` or
    any other failure fails the test (it must run there); only a kernel that refuses the namespace
    to this process ("Operation not permitted": a container without CAP_SYS_ADMIN) skips it, as
    nothing the project can install gives it one. The check and the repair are tried without a
    namespace by this file's other tests (a database in a temporary folder, a planted wedge)."""
    try:
        probe = run_while_awake(["unshare", "--mount", "--propagation", "private", "true"], 30.0,
                                what="unshare's probe to end")
        reason = None if probe.returncode == 0 else probe.stderr.strip()
    except FileNotFoundError:
        reason = "unshare is not installed (util-linux)"
    if reason is not None:
        if os.environ.get("CI") and "Operation not permitted" not in reason:
            pytest.fail(f"CI is set, so the wedged-database test must run, but unshare failed: {reason}",
                        pytrace=False)
        pytest.skip(f"needs a private /dev/shm (unshare --mount, as root): {reason}")


def _in_private_shm(code: str) -> dict[str, Any]:
    """Run ``code`` (which prints one JSON line last) in a private, empty ``/dev/shm`` (or skip, as
    ``_private_shm_permitted`` says): the database it wedges is never the one other tests' servers use."""
    _private_shm_permitted()
    script = f"mount -t tmpfs tmpfs /dev/shm && exec {sys.executable} -c \"$0\""
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, code],
                          capture_output=True, text=True, timeout=280, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_rig_whose_jack_database_is_wedged_repairs_it_and_becomes_ready() -> None:
    """A real jackd on a wedged database, in a private /dev/shm: it hangs, the check finds the
    database wedged, the rig removes it and its second jackd serves (main's rig raised "not
    ready" here, as in CI)."""
    found = _in_private_shm(_IN_PRIVATE_SHM)
    assert "system:capture_1" in found["ports"]
    assert len(found["repairs"]) == 1 and "wedged" in found["repairs"][0] and "futex" in found["repairs"][0]


_WEDGED_MID_RUN = textwrap.dedent("""
    import json, subprocess, sys, tempfile
    from pathlib import Path
    from harness.rig import _jackdb
    from harness.rig.loopback import LoopbackRig, metadata_db_folder
    from harness.rig.rig_audio import RigCapture
    with LoopbackRig(rate=48000, period=256) as rig:
        subprocess.run([sys.executable, "-P", _jackdb.__file__, "wedge-in-use", str(metadata_db_folder())],
                       timeout=120)
        capture = RigCapture(rig.server_name, Path(tempfile.mkdtemp())).start()
        opened = capture.wait_ready(3.0)
        found = {"opened": opened, "failure": capture.start_failure, "outage": capture.start_outage}
        capture.fail("the test is over")
        print(json.dumps(found))
""")


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the capture's bound counts the rig's sleep
def test_a_database_wedged_after_the_rig_started_is_named_when_a_client_s_open_never_returns() -> None:
    """A real jackd serving, then the database wedged under it (a dead process's write lock on
    metadata.db's metadata page, which a server holding the database open does not prevent), in a
    private /dev/shm: a new client's open (the run's capture) waits for ever in libjack, and the
    capture's failure names the wedged database and the fix instead of "did not open"."""
    found = _in_private_shm(_WEDGED_MID_RUN)
    assert found["opened"] is False and found["outage"] is None, found
    assert "JACK's metadata database /dev/shm/jack_db-" in found["failure"] and "is wedged" in found["failure"], found
    assert "futex" in found["failure"] and "remove /dev/shm/jack_db-" in found["failure"], found


@pytest.mark.parametrize("state", ["busy", "asleep", "stopped"])
def test_a_process_that_runs_sleeps_or_is_stopped_is_never_read_as_stuck_on_a_lock(state: str) -> None:
    """What a slow machine does to the check's child (it runs, waits for the CPU, sleeps in a
    timer or is stopped) is never a wedge: only a futex wait that spends no CPU is."""
    from harness.rig.metadata_db import _stuck_for_good

    code = "while True: pass" if state == "busy" else "import time; time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        if state == "stopped":
            os.kill(proc.pid, signal.SIGSTOP)
        assert not _stuck_for_good(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def _wait_asleep(pid: int, bound_s: float = 30.0) -> None:
    """Until ``pid``'s one thread sleeps (its ``stat`` state ``S``): after its ``held`` line the
    only sleep left to it is the second acquire, which it reaches when the loaded machine runs it.
    Bounded by the child's time asleep elsewhere, never by the time it waits for a CPU."""
    wait_until_awake_for(lambda: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S",
                         pid, bound_s, interval_s=0.01, what=f"the child {pid} asleep in its second acquire")


def test_a_process_waiting_for_ever_on_a_lock_it_holds_is_read_stuck_for_good() -> None:
    """The one reading that makes the rig remove a database: a child asleep in a futex, spending
    no CPU. Without it read as such, a wedged database is never repaired (every later jackd hangs)."""
    from harness.rig.metadata_db import _in_futex_wait, _stuck_for_good

    code = "import threading; held = threading.Lock(); held.acquire(); print('held', flush=True); held.acquire()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"held\n"
        _wait_asleep(proc.pid)
        assert _in_futex_wait(proc.pid)
        assert _stuck_for_good(proc.pid)
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    assert not _in_futex_wait(proc.pid) and not _stuck_for_good(proc.pid)  # gone: no thread to read


def test_the_cpu_read_is_user_plus_system_time_and_none_once_the_process_is_gone() -> None:
    """``_stuck_for_good`` compares two of these readings: a wrong field or sum reads a process
    that spends CPU as one that spends none."""
    from harness.rig.metadata_db import _cpu_ticks

    while os.times().user < 0.05 or os.times().system < 0.05:  # CPU time spent both ways, not wall time
        os.stat(ROOT)
    before, ticks, after = os.times(), _cpu_ticks(os.getpid()), os.times()
    per_second = os.sysconf("SC_CLK_TCK")
    assert ticks is not None
    assert (before.user + before.system) * per_second - 2 <= ticks <= (after.user + after.system) * per_second + 2
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert _cpu_ticks(proc.pid) is None


def _fake_tasks(root: Path, *threads: tuple[str, str, str]) -> Path:
    """A ``/proc/<pid>`` under ``root`` whose threads have the given (state, wchan, syscall line)."""
    for i, (state, wchan, syscall) in enumerate(threads, start=100):
        task = root / "proc" / "7" / "task" / str(i)
        task.mkdir(parents=True)
        (task / "stat").write_text(f"{i} (a (b) c) {state} 1 2 3\n")
        (task / "wchan").write_text(wchan)
        (task / "syscall").write_text(syscall)
    return root


@pytest.mark.parametrize("threads, asleep", [
    ([("S", "futex_wait_queue", "202 0x1 0x2")], True),
    ([("S", "0", "202 0x1 0x2"), ("S", "0", "202 0x3 0x4")], True),  # wchan hidden: the syscall decides
    ([("S", "futex_do_wait", "7 0x1"), ("S", "0", "202 0x1")], True),
    ([("S", "0", "202 0x1"), ("S", "0", "7 0x1")], False),  # one thread in another call (poll)
    ([("S", "0", "202 0x1"), ("R", "futex_do_wait", "202 0x1")], False),  # one thread runs
    ([("D", "futex_do_wait", "202 0x1")], False),
    ([("S", "0", "")], False),
    ([("S", "0", "2020 0x1")], False),
    ([], False),
])
def test_every_thread_asleep_in_a_futex_by_wchan_or_by_syscall_is_a_futex_wait(
        threads: list[tuple[str, str, str]], asleep: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the kernel hides ``wchan`` (it reads ``0``, as in containers) the futex is told by the
    system call's number: a check that read only ``wchan`` there would call a wedged database
    undecided and never repair it; one that read any sleep as a futex would remove a healthy one."""
    from harness.rig import metadata_db

    root = _fake_tasks(tmp_path, *threads)
    if not threads:
        (root / "proc" / "7" / "task").mkdir(parents=True)
    monkeypatch.setattr(metadata_db, "Path", lambda p: root / str(p).lstrip("/"))
    monkeypatch.setattr(metadata_db.platform, "machine", lambda: "x86_64")
    assert metadata_db._in_futex_wait(7) is asleep


def test_a_thread_whose_files_cannot_be_read_is_no_futex_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.rig import metadata_db

    root = _fake_tasks(tmp_path, ("S", "futex_do_wait", "202 0x1"), ("S", "futex_do_wait", "202 0x1"))
    (root / "proc" / "7" / "task" / "101" / "syscall").unlink()
    monkeypatch.setattr(metadata_db, "Path", lambda p: root / str(p).lstrip("/"))
    assert metadata_db._in_futex_wait(7) is False
    (root / "proc" / "7" / "task" / "101" / "syscall").write_text("202 0x1")
    assert metadata_db._in_futex_wait(7) is True


def test_the_cpu_read_takes_its_fields_after_the_last_parenthesis_of_the_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process's name may hold ``)`` and spaces (``/proc/<pid>/stat`` does not escape it): the
    fields are those after the last one, or the CPU read is another field."""
    from harness.rig import metadata_db

    stat = tmp_path / "proc" / "7" / "stat"
    stat.parent.mkdir(parents=True)
    stat.write_text("7 (a) (b) c) S 1 7 7 0 -1 4194304 90 0 0 0 30 12 0 0 20 0 1 0 5 1000 50\n")
    monkeypatch.setattr(metadata_db, "Path", lambda p: tmp_path / str(p).lstrip("/"))
    assert metadata_db._cpu_ticks(7) == 42


@pytest.mark.parametrize("futex, ticks", [
    ([False, True], [10, 10, 10]),  # not in a futex at the first look: a slow machine's child, never stuck
    ([True, True], [10, 12, 12]),  # in a futex at both looks but spending CPU between them: alive
])
def test_a_wait_is_stuck_for_good_only_in_a_futex_at_both_looks_and_spending_nothing(
        futex: list[bool], ticks: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from harness.rig import metadata_db

    monkeypatch.setattr(metadata_db, "_in_futex_wait", lambda pid: futex.pop(0))
    monkeypatch.setattr(metadata_db, "_cpu_ticks", lambda pid: ticks.pop(0))
    monkeypatch.setattr(metadata_db, "time", SimpleNamespace(sleep=lambda s: None))
    assert metadata_db._stuck_for_good(7) is False
