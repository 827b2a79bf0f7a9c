"""The one way soundcheck writes into a run folder: never through a link, atomically, locked.

Run folders travel: they arrive as CI artifacts from other machines and are rebuilt with
``soundcheck report`` or continued with ``soak --resume``. A symlink planted inside one
(``figures -> /home/you``, ``report.json.tmp -> ~/.bashrc``, ``history.jsonl -> /etc/...``) must
never make soundcheck write outside the folder. So every write here:

- walks from the folder's own file descriptor, one component at a time, with ``O_NOFOLLOW``
  (sub-folders are opened with ``O_DIRECTORY | O_NOFOLLOW``): a link anywhere on the way is
  refused with a message naming it (``RunFolderError``, exit 2), never followed;
- replaces a file atomically: a fresh temporary (``O_CREAT | O_EXCL | O_NOFOLLOW``, a random
  name) written, fsync'ed and renamed over the target inside the folder (``rename`` replaces a
  link itself and never writes through it), so a crash leaves the old file or the new one;
- appends and updates through ``O_NOFOLLOW`` descriptors.

A kill mid-write leaves its temporary behind (``.report.html.p<pid>.<hex>.tmp``). The first write
into a folder (or sub-folder) by a ``RunFolder`` removes the stale ones (``remove_stale_temporaries``):
only regular files of this naming pattern, and only those no live process is writing: the writer's
pid (in the name) is gone, or, for a name without a pid (an older soundcheck's), the file is older
than this process. Readers that list a folder's files skip temporaries (``is_temporary``).

``lock()`` takes an exclusive ``fcntl.flock`` on ``.soundcheck.lock`` in the folder for as long as
the returned object lives, so two ``soak --resume`` of one folder cannot both run: the second is
refused at once (the kernel drops the lock when the holder dies, so a killed soak never leaves a
stale lock).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import InputFileError

__all__ = ["LOCK_NAME", "RunFolder", "RunFolderError", "RunFolderLock", "is_temporary", "refuse_a_folder_in_use",
           "remove_refused_run"]

LOCK_NAME = ".soundcheck.lock"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: ``write_bytes``'s temporaries: ``.<name>.p<pid>.<12 hex>.tmp`` (``.<name>.<12 hex>.tmp`` before the
#: writer's pid was kept in the name)
_TEMPORARY = re.compile(r"\.(?P<leaf>.+?)\.(?:p(?P<pid>[0-9]+)\.)?[0-9a-f]{12}\.tmp")


def is_temporary(name: str) -> bool:
    """Whether ``name`` is one of ``RunFolder.write_bytes``'s temporaries: never a run's output."""
    return _TEMPORARY.fullmatch(name) is not None


def _process_started() -> float:
    """When this process started (epoch seconds): a pid-less temporary older than that has no
    writer left in this process, and none of today's writers names its temporaries without a pid."""
    import psutil  # noqa: PLC0415

    return float(psutil.Process().create_time())


def _writer_gone(pid: int) -> bool:
    """Whether no process ``pid`` exists (a live one, even another user's, may still be writing)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class RunFolderError(InputFileError):
    """The run folder cannot be written safely (a link inside it, not a folder, busy)."""


class RunFolderLock:
    """An exclusive lock on a run folder; release with ``release()`` or as a context manager."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> "RunFolderLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class RunFolder:
    """A run folder, written only through the safe operations below (names are relative to it)."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        self.path = Path(path)
        if create:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise RunFolderError(self.path, "exists and is not a folder; give a run folder") from None
            except OSError as exc:
                raise RunFolderError(self.path, f"cannot create the run folder: {exc.strerror or exc}") from None
        if not self.path.is_dir():
            raise RunFolderError(self.path, "no such run folder (deleted or moved while soundcheck was "
                                            "using it? its results could not be written)"
                                 if not self.path.exists() else "is not a folder; give a run folder")
        self._swept: set[str] = set()  # the (sub-)folders whose stale temporaries were looked for

    # -- descriptors ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _parent(self, name: str, *, create: bool) -> Iterator[tuple[int, str]]:
        """(fd of the folder holding ``name``, ``name``'s last component), walked without links."""
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or any(p in ("..", ".") for p in parts):
            raise RunFolderError(self.path / name, "not a plain name inside the run folder")
        fds = [os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
        try:
            for sub in parts[:-1]:
                if create:
                    try:
                        os.mkdir(sub, 0o777, dir_fd=fds[-1])
                    except FileExistsError:
                        pass
                try:
                    fds.append(os.open(sub, _DIR_FLAGS, dir_fd=fds[-1]))
                except OSError as exc:
                    raise self._refusal(Path(*parts[: len(fds)]), exc) from None
            yield fds[-1], parts[-1]
        finally:
            for fd in fds:
                os.close(fd)

    def _refusal(self, rel: Path, exc: OSError) -> RunFolderError:
        where = self.path / rel
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) or os.path.islink(where):
            return RunFolderError(where, "is a symbolic link (or not a folder) inside the run folder; "
                                         "soundcheck never writes through links; remove it and retry")
        return RunFolderError(where, f"cannot write: {exc.strerror or exc}")

    def _open(self, name: str, flags: int, *, create_dirs: bool = False) -> int:
        with self._parent(name, create=create_dirs) as (dfd, leaf):
            try:
                return os.open(leaf, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666, dir_fd=dfd)
            except OSError as exc:
                if exc.errno == errno.ENOENT and not flags & os.O_CREAT:
                    raise
                raise self._refusal(Path(name), exc) from None

    # -- writing --------------------------------------------------------------------------------
    def write_bytes(self, name: str, data: bytes) -> Path:
        """Replace ``name`` with ``data`` atomically (temp + fsync + rename, all inside the folder)."""
        with self._parent(name, create=True) as (dfd, leaf):
            where = str(Path(name).parent)
            if where not in self._swept:
                self._swept.add(where)
                self._remove_stale(dfd)
            tmp = f".{leaf}.p{os.getpid()}.{secrets.token_hex(6)}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666,
                             dir_fd=dfd)
            except OSError as exc:  # the file's name, not the temporary's: that is what the user knows
                raise self._refusal(Path(name), exc) from None
            try:
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                        fh.flush()
                        os.fsync(fh.fileno())
                except OSError as exc:  # a full disk, an I/O error: the old file stays as it was
                    raise RunFolderError(self.path / name, f"cannot write: {exc.strerror or exc}; the file "
                                                           "was left as it was (free space on that disk, "
                                                           "or write elsewhere)") from None
                try:
                    os.replace(tmp, leaf, src_dir_fd=dfd, dst_dir_fd=dfd)
                except IsADirectoryError:  # a folder where the file goes: named, not ".x.tmp -> x"
                    raise RunFolderError(self.path / name, "is a folder where soundcheck writes a file; move "
                                                           "it aside and retry") from None
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dfd)
                raise
        return self.path / name

    def remove_stale_temporaries(self) -> list[str]:
        """Remove the temporaries a killed writer left in the folder itself (``write_bytes`` does
        so in each sub-folder it writes into); returns their names. Which ones are stale: see the
        module docstring."""
        fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            self._swept.add(".")
            return self._remove_stale(fd)
        finally:
            os.close(fd)

    def _remove_stale(self, dfd: int) -> list[str]:
        removed: list[str] = []
        started: float | None = None
        for name in os.listdir(dfd):
            m = _TEMPORARY.fullmatch(name)
            if m is None:
                continue
            try:
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if m["pid"] is not None:
                stale = _writer_gone(int(m["pid"]))
            else:
                started = _process_started() if started is None else started
                stale = st.st_mtime < started
            if stale:
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=dfd)
                    removed.append(name)
        return removed

    def write_text(self, name: str, text: str) -> Path:
        return self.write_bytes(name, text.encode("utf-8"))

    def open_append(self, name: str, *, text: bool = True) -> IO[Any]:
        """``name`` opened for appending (created if missing); refused if it is a link."""
        fd = self._open(name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, create_dirs=True)
        return os.fdopen(fd, "a" if text else "ab", **({"encoding": "utf-8"} if text else {}))

    def open_update(self, name: str) -> IO[bytes]:
        """An existing ``name`` opened read-write (``r+b``); refused if it is a link."""
        return os.fdopen(self._open(name, os.O_RDWR), "r+b")

    def open_read(self, name: str) -> IO[bytes]:
        """An existing ``name`` opened for reading; refused if it is a link."""
        return os.fdopen(self._open(name, os.O_RDONLY), "rb")

    def create_exclusive(self, name: str) -> IO[bytes]:
        """A new ``name`` (refused if anything, a link included, is already there)."""
        fd = self._open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_dirs=True)
        return os.fdopen(fd, "wb")

    def rename(self, old: str, new: str) -> None:
        """Rename inside the folder (a link is moved as a link, never followed)."""
        with self._parent(old, create=False) as (sfd, sleaf), self._parent(new, create=True) as (dfd, dleaf):
            os.rename(sleaf, dleaf, src_dir_fd=sfd, dst_dir_fd=dfd)

    def is_link(self, name: str) -> bool:
        return os.path.islink(self.path / name)

    # -- locking --------------------------------------------------------------------------------
    def lock(self, what: str = "this run") -> RunFolderLock:
        """Hold the folder exclusively (non-blocking): a second holder is refused at once."""
        fd = self._open(LOCK_NAME, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunFolderError(self.path, f"another soundcheck process is using this run folder ({what}); "
                                            "wait for it to finish, or stop it first") from None
        return RunFolderLock(fd)


def refuse_a_folder_in_use(folder: Path, option: str, writes: str) -> None:
    """Refuse (exit 2) a new run's folder that already holds files (its lock and ``write_bytes``'s
    temporaries aside): the run's ``writes`` would land among the user's files and overwrite those
    of the same names (a ``summary.json``, a ``report.md``). A folder that does not exist yet, or an
    empty one, is taken."""
    from .errors import UsageError

    others = sorted(p.name for p in folder.iterdir()
                    if p.name != LOCK_NAME and not is_temporary(p.name)) if folder.is_dir() else []
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise UsageError(f"{option} {folder}: the folder is not empty ({shown}); a new {writes} there and would "
                         "overwrite files of the same names: give a new or empty folder")


def remove_refused_run(run_dir: Path, names: tuple[str, ...], *, made: bool) -> None:
    """Undo what a run or soak refused at its start (exit 2) wrote: the files ``names`` (plain
    files only, never through a link), then the folder itself when the refused command made it
    and nothing else is there. The refusal names the problem; a folder left with a history and no
    summary or report reads as a half-written run that ``history``, ``report`` and ``--resume``
    could only stumble on."""
    for name in names:
        path = run_dir / name
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
    if made:
        with contextlib.suppress(OSError):
            run_dir.rmdir()
