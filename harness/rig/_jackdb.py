"""JACK2's metadata database opened as JACK2 opens it, in a child process: the rig's check of it.

JACK2 (1.9.21, ``JackMetadata::PropertyInit``) opens one Berkeley DB environment per uid,
``/dev/shm/jack_db-<uid>``, in every server and every client (``jack_client_open``): the
environment with ``DB_CREATE | DB_INIT_LOCK | DB_INIT_MPOOL | DB_THREAD``, then ``metadata.db`` in
it as a hash database. Neither has a timeout, and the environment is opened without
``DB_REGISTER``/``DB_FAILCHK``, so a lock held by a process that died holding it is never released:
every later open waits for it for ever, in a futex, with no error. A lock in Berkeley DB's lock
table outlives its process; killing a process that holds one is how the environment gets wedged.

Run as a script, ``python -P harness/rig/_jackdb.py COMMAND FOLDER`` (standard library only; libdb
through ctypes, by the exported names of the methods JACK2 calls, as this process has no ``db.h``):

``open``
    Open the environment and ``metadata.db`` exactly as JACK2 does, then close both (a handle left
    open would keep its handle lock in the table). Prints ``opening`` before the open and
    ``opened`` after the close: the parent times the open alone, not this interpreter's start.
``wedge``
    Take the lock JACK2's open of ``metadata.db`` waits on (the file's handle lock, in write mode)
    and die by SIGKILL holding it: the wedged state a killed JACK process leaves, made on purpose
    for tests and for the bench. The database must exist (``open`` makes it).
``wedge-in-use``
    Take the lock every open, read and write of ``metadata.db`` waits on while other processes
    hold it open (its hash metadata page's lock, in write mode) and die by SIGKILL holding it: what
    a JACK process killed inside a property write leaves, a wedge that can arise mid-run, where
    ``wedge``'s handle lock cannot be had while a server holds the database open.

Exit status 0 when done, 2 with a message for a bad command line, 3 when libdb refused.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from pathlib import Path

#: libdb 5.3's flags and constants that JACK2's open uses (db.h of Berkeley DB 5.3).
DB_CREATE = 0x00000001
DB_THREAD = 0x00000020
DB_INIT_LOCK = 0x00000100
DB_INIT_MPOOL = 0x00000400
DB_HASH = 2
DB_LOCK_WRITE = 2
#: ``DB_LOCK_ILOCK.type`` of a database handle's lock and of a page's, and the length of a file's unique id.
DB_HANDLE_LOCK = 1
DB_PAGE_LOCK = 3
DB_FILE_ID_LEN = 20
#: Where a Berkeley DB file keeps its unique id in its metadata page (``DBMETA.uid``).
META_UID_OFFSET = 52

ENV_FLAGS = DB_CREATE | DB_INIT_LOCK | DB_INIT_MPOOL | DB_THREAD
DATABASE = "metadata.db"


class _Dbt(ctypes.Structure):
    """Berkeley DB's ``DBT`` (5.3): the key/object descriptor every call takes."""

    _fields_ = [("data", ctypes.c_void_p), ("size", ctypes.c_uint32), ("ulen", ctypes.c_uint32),
                ("dlen", ctypes.c_uint32), ("doff", ctypes.c_uint32), ("app_data", ctypes.c_void_p),
                ("flags", ctypes.c_uint32)]


def _libdb() -> ctypes.CDLL:
    """The libdb JACK2 links (5.3); by its soname first, since ``find_library`` wants a linker."""
    for name in ("libdb-5.3.so", ctypes.util.find_library("db-5.3"), ctypes.util.find_library("db")):
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
    raise OSError("libdb 5.3 is not installed (apt-get install libdb5.3)")


def _check(what: str, code: int) -> None:
    if code != 0:
        raise OSError(f"{what}: libdb error {code}")


def _open_environment(lib: ctypes.CDLL, folder: Path) -> ctypes.c_void_p:
    env = ctypes.c_void_p()
    _check("db_env_create", lib.db_env_create(ctypes.byref(env), 0))
    _check("DB_ENV->open", lib.__env_open_pp(env, os.fsencode(folder), ENV_FLAGS, 0))
    return env


def open_as_jack_does(folder: Path) -> None:
    """Open and close the environment and ``metadata.db`` in ``folder`` with JACK2's flags."""
    lib = _libdb()
    print("opening", flush=True)
    env = _open_environment(lib, folder)
    db = ctypes.c_void_p()
    _check("db_create", lib.db_create(ctypes.byref(db), env, 0))
    _check("DB->open", lib.__db_open_pp(db, None, os.fsencode(folder / DATABASE), None, DB_HASH,
                                        DB_CREATE | DB_THREAD, 0o666))
    _check("DB->close", lib.__db_close_pp(db, 0))
    _check("DB_ENV->close", lib.__env_close_pp(env, 0))
    print("opened", flush=True)


def _hold_and_die(folder: Path, lock_type: int) -> None:
    """Hold the lock of ``lock_type`` on ``metadata.db``'s metadata page (page 0) for writing and die
    by SIGKILL: a lock in the table whose owner is gone, which nothing releases."""
    meta = (folder / DATABASE).read_bytes()[:META_UID_OFFSET + DB_FILE_ID_LEN]
    if len(meta) < META_UID_OFFSET + DB_FILE_ID_LEN:
        raise OSError(f"{folder / DATABASE} has no metadata page")
    lib = _libdb()
    env = _open_environment(lib, folder)
    # DB_LOCK_ILOCK {pgno (the metadata page, 0); fileid; type}: the object the lock names
    ilock = ((0).to_bytes(4, sys.byteorder) + meta[META_UID_OFFSET:]
             + lock_type.to_bytes(4, sys.byteorder))
    obj_bytes = ctypes.create_string_buffer(ilock, len(ilock))
    obj = _Dbt(ctypes.cast(obj_bytes, ctypes.c_void_p), len(ilock), 0, 0, 0, None, 0)
    locker = ctypes.c_uint32()
    _check("DB_ENV->lock_id", lib.__lock_id_pp(env, ctypes.byref(locker)))
    lock = ctypes.create_string_buffer(64)  # DB_LOCK, larger than libdb's
    _check("DB_ENV->lock_get", lib.__lock_get_pp(env, locker.value, 0, ctypes.byref(obj), DB_LOCK_WRITE, lock))
    print("held", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def wedge(folder: Path) -> None:
    """Hold ``metadata.db``'s handle lock for writing and die by SIGKILL: every open then waits.
    Waits itself while any process holds the database open (a server's handle lock is shared)."""
    _hold_and_die(folder, DB_HANDLE_LOCK)


def wedge_in_use(folder: Path) -> None:
    """Hold ``metadata.db``'s metadata page lock for writing and die by SIGKILL: every open, read
    and write of the hash database locks that page first, so each then waits, including those of a
    server that holds the database open (its handle lock is another lock, so this one is had at once)."""
    _hold_and_die(folder, DB_PAGE_LOCK)


COMMANDS = {"open": open_as_jack_does, "wedge": wedge, "wedge-in-use": wedge_in_use}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in COMMANDS:
        print(f"usage: _jackdb.py {{{'|'.join(COMMANDS)}}} FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if not folder.is_dir():
        print(f"{folder}: no such folder (JACK2's metadata database lives in /dev/shm/jack_db-<uid>)",
              file=sys.stderr)
        return 2
    try:
        COMMANDS[argv[0]](folder)
    except OSError as exc:
        print(f"{folder}: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
