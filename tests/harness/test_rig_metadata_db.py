"""A JACK2 metadata database left broken (an empty region file) is repaired by the rig's start.

JACK2 keeps one metadata database per uid (``/dev/shm/jack_db-<uid>``, a Berkeley DB environment
every server and client maps as it opens). A process killed while it created the environment
leaves a region file of 0 bytes, and from then on every jackd of the uid dies by SIGBUS before it
is ready, whatever its name: measured after a suite's kills, every later rig test failed with
"jackd exited with status -7 before it was ready". The rig reads that death with an empty region
file as the database broken, removes it, and starts once more; a SIGBUS with the database whole
is not that and fails as before. The folder is a test's own (``JACK_SHM`` moved): the machine's
database is shared with every other test's server."""

from __future__ import annotations

import os
import shlex
import signal
from pathlib import Path

import pytest

from harness import RigError
from harness.rig import loopback
from harness.rig.loopback import LoopbackRig, broken_metadata_db


def _database(shm: Path, sizes: dict[str, int]) -> Path:
    folder = shm / f"jack_db-{os.getuid()}"
    folder.mkdir(parents=True)
    for name, size in sizes.items():
        (folder / name).write_bytes(b"\0" * size)
    return folder


def test_only_empty_region_files_are_a_broken_database(tmp_path: Path) -> None:
    assert broken_metadata_db(tmp_path) == []  # no database yet: nothing broken
    folder = _database(tmp_path, {"__db.001": 4096, "__db.002": 4096, "__db.003": 0, "metadata.db": 0})
    assert broken_metadata_db(tmp_path) == [folder / "__db.003"]  # the database file itself is no region
    (folder / "__db.003").write_bytes(b"\0" * 4096)
    assert broken_metadata_db(tmp_path) == []
    assert broken_metadata_db(tmp_path, uid=os.getuid() + 1) == []  # another uid's folder



def test_the_default_folder_is_jacks_shared_memory_and_the_default_uid_this_process_s(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked with no argument, as the rig asks after a jackd's SIGBUS: the database of this uid
    in ``JACK_SHM``."""
    monkeypatch.setattr(loopback, "JACK_SHM", tmp_path)
    folder = _database(tmp_path, {"__db.001": 0, "__db.002": 4096})
    assert broken_metadata_db() == [folder / "__db.001"]



def test_a_uid_asked_for_is_read_in_its_own_folder_alone(tmp_path: Path) -> None:
    """Each uid's database is its own: asked for another uid, its folder is read and this
    process's broken one is not reported."""
    _database(tmp_path, {"__db.001": 0})
    other = tmp_path / f"jack_db-{os.getuid() + 1}"
    other.mkdir()
    (other / "__db.002").write_bytes(b"")
    assert broken_metadata_db(tmp_path, uid=os.getuid() + 1) == [other / "__db.002"]

def test_a_region_file_removed_while_read_is_skipped_and_the_rest_still_read(tmp_path: Path) -> None:
    """A region file gone between the listing and its size (a clean exit removing the database)
    is no broken file, and the files after it are still read: a dangling link stands for it."""
    folder = _database(tmp_path, {"__db.002": 4096, "__db.003": 0})
    (folder / "__db.001").symlink_to(folder / "gone")
    assert broken_metadata_db(tmp_path) == [folder / "__db.003"]

def _jackd_dying_by_sigbus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, while_empty: Path | None) -> None:
    """The rig's jackd command wrapped: it dies by SIGBUS (as jackd does mapping an empty region
    file) while ``while_empty`` is an empty file (always, for None), else it is jackd itself."""
    real = LoopbackRig.command
    monkeypatch.setattr(loopback, "JACK_SHM", tmp_path)

    def command(self: LoopbackRig) -> list[str]:
        jackd = shlex.join(real(self))
        if while_empty is None:
            return ["sh", "-c", "kill -BUS $$"]
        test = shlex.quote(str(while_empty))
        return ["sh", "-c", f"if [ -e {test} ] && [ ! -s {test} ]; then kill -BUS $$; fi; exec {jackd}"]

    monkeypatch.setattr(LoopbackRig, "command", command)


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_jackd_killed_by_a_broken_database_starts_once_it_is_removed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = _database(tmp_path, {"__db.001": 4096, "__db.003": 0})
    _jackd_dying_by_sigbus(monkeypatch, tmp_path, while_empty=folder / "__db.003")
    rig = LoopbackRig(rate=48000, period=256)
    try:
        rig.start()
        assert rig.running and "system:capture_1" in rig.ports()
        assert not folder.exists()
        assert len(rig.metadata_db_repairs) == 1
        assert rig.metadata_db_repairs[0].startswith(f"{folder}: __db.003 empty (jackd ")
    finally:
        rig.close()


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_sigbus_with_the_database_whole_is_raised_and_nothing_is_removed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = _database(tmp_path, {"__db.001": 4096, "__db.003": 4096})
    _jackd_dying_by_sigbus(monkeypatch, tmp_path, while_empty=None)
    rig = LoopbackRig(rate=48000, period=256)
    try:
        with pytest.raises(RigError, match="status -7 before it was ready"):
            rig.start()
        assert not rig.running and rig.metadata_db_repairs == []
        assert sorted(p.name for p in folder.iterdir()) == ["__db.001", "__db.003"]
    finally:
        rig.close()


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_database_still_broken_after_the_repair_is_raised_not_repaired_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One repair a start: a jackd that dies by SIGBUS again is raised (the database is not what
    kills it, or something breaks it again at once)."""
    _database(tmp_path, {"__db.003": 0})
    _jackd_dying_by_sigbus(monkeypatch, tmp_path, while_empty=None)
    monkeypatch.setattr(loopback, "broken_metadata_db", lambda: [tmp_path / "jack_db-x" / "__db.003"])
    rig = LoopbackRig(rate=48000, period=256)
    try:
        with pytest.raises(RigError, match="status -7 before it was ready"):
            rig.start()
        assert len(rig.metadata_db_repairs) == 1 and not rig.running
    finally:
        rig.close()



def test_start_repairs_the_database_after_a_death_by_sigbus_as_popen_tells_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``start``'s repair without a server: the launch is one that fails as jackd's does while the
    region file is empty (``Popen`` tells a death by a signal as the signal's negative, SIGBUS -7)
    and succeeds once the database is gone. The rig removes the database once and starts; an exit
    status of 7 (no signal) or a death by another signal is not the broken database, and is
    raised with the database left as it was."""
    monkeypatch.setattr(loopback, "JACK_SHM", tmp_path)
    monkeypatch.setattr(loopback, "server_pids", lambda name: [])
    region = _database(tmp_path, {"__db.001": 4096, "__db.003": 0}) / "__db.003"
    died_with: list[int] = []

    def launch(self: LoopbackRig, cmd: list[str], t0: float) -> None:
        if region.exists() and region.stat().st_size == 0:
            self._exit_before_ready = died_with[0]
            raise RigError(f"jackd exited with status {died_with[0]} before it was ready")

    monkeypatch.setattr(LoopbackRig, "_launch_and_wait", launch)
    for status in (signal.SIGBUS, -signal.SIGSEGV):
        died_with[:] = [status]
        rig = LoopbackRig(rate=48000, period=256)
        with pytest.raises(RigError, match=f"status {status} before"):
            rig.start()
        assert rig.metadata_db_repairs == [] and region.exists(), status
    died_with[:] = [-signal.SIGBUS]
    rig = LoopbackRig(rate=48000, period=256)
    rig.start()
    assert not region.parent.exists() and len(rig.metadata_db_repairs) == 1, rig.metadata_db_repairs
