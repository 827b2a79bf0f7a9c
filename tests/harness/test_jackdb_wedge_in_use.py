"""``_jackdb.py wedge-in-use`` makes the wedge a JACK process killed inside a property write leaves,
with the database held open by another process, as a running server holds it.

The mid-run wedge is the lock on ``metadata.db``'s metadata page: a process that holds the
database open holds its handle lock (shared), so a wedge that takes the handle lock for writing
(``wedge``'s) waits behind it for ever and the mid-run wedge is never made. Here the holder is a
child process that opens the environment and the database with JACK2's flags in a temporary
folder (libdb only: no jackd, nothing in /dev/shm), and ``wedge-in-use`` must take its lock at
once beside it. The bound on its wait is the guard of a wait that would never end, not a
measure: it holds the lock in milliseconds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.rig import _jackdb

_HOLD_OPEN = textwrap.dedent("""
    import ctypes, os, sys
    from pathlib import Path
    sys.path.insert(0, os.path.dirname(sys.argv[1]))
    import _jackdb as j
    folder = Path(sys.argv[2])
    lib = j._libdb()
    env = j._open_environment(lib, folder)
    db = ctypes.c_void_p()
    j._check("db_create", lib.db_create(ctypes.byref(db), env, 0))
    j._check("DB->open", lib.__db_open_pp(db, None, os.fsencode(folder / j.DATABASE), None, j.DB_HASH,
                                          j.DB_CREATE | j.DB_THREAD, 0o666))
    print("open", flush=True)
    sys.stdin.read()  # held open until the test closes this pipe or kills the process
""")


def _jackdb_run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-P", _jackdb.__file__, command, str(folder)],
                          capture_output=True, text=True, timeout=60)


def test_wedge_in_use_holds_its_lock_beside_a_process_that_holds_the_database_open(tmp_path: Path) -> None:
    try:
        _jackdb._libdb()
    except OSError as exc:
        pytest.skip(f"no libdb 5.3 here: {exc}")
    made = _jackdb_run("open", tmp_path)
    assert made.returncode == 0 and made.stdout.split() == ["opening", "opened"], made
    with subprocess.Popen([sys.executable, "-P", "-c", _HOLD_OPEN, _jackdb.__file__, str(tmp_path)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
            try:
                held = _jackdb_run("wedge-in-use", tmp_path)
            except subprocess.TimeoutExpired:
                pytest.fail("wedge-in-use waited behind the database's holder: it took the handle lock, "
                            "which a process holding the database open holds too")
            assert held.returncode == -9 and held.stdout.split() == ["held"], held
        finally:
            holder.kill()
