"""``RunFolder``, the one way soundcheck writes into a run folder, judged in a temporary folder
without leaving it (no CLI run, no change of the working folder), so that every write can be
checked byte for byte and every refusal word for word.

What a user relies on: a file is replaced whole or not at all (a write failing half-way leaves the
old file as it was and no temporary behind); the temporary lives beside its file under a hidden
random name, never written through a link; a name that climbs out of the folder, or a link on the
way, is refused with a message naming the path and the fix; the folder is held by one process at a
time. ``remove_refused_run`` takes back what a refused start wrote, and nothing else.
"""

from __future__ import annotations

import codecs
import errno
import locale
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import runfolder
from harness.errors import InputFileError
from harness.runfolder import LOCK_NAME, RunFolder, RunFolderError, RunFolderLock, remove_refused_run

LINK_REFUSAL = ("is a symbolic link (or not a folder) inside the run folder; soundcheck never writes "
                "through links; remove it and retry")


@pytest.fixture
def no_umask() -> Iterator[None]:
    """The process's umask cleared while a test runs, so a file's mode is the one it was made with."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _listing(folder: Path) -> list[str]:
    """Every entry under ``folder``, relative, sorted: temporaries left behind show up here."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _refusal(err: pytest.ExceptionInfo[RunFolderError]) -> str:
    return str(err.value)


# -- opening the folder ------------------------------------------------------------------------
def test_a_folder_is_made_with_its_parents_when_asked(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "a" / "b", create=True)
    assert folder.path == tmp_path / "a" / "b" and folder.path.is_dir()


def test_an_existing_folder_is_taken_as_it_is_when_create_is_asked(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "history.jsonl").write_text("h")
    assert RunFolder(tmp_path / "run", create=True).path == tmp_path / "run"
    assert _listing(tmp_path) == ["run", "run/history.jsonl"]


def test_a_missing_folder_is_refused_without_create(tmp_path: Path) -> None:
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path / "gone")
    assert _refusal(err) == (f"{tmp_path / 'gone'}: no such run folder (deleted or moved while soundcheck was "
                             "using it? its results could not be written)")
    assert isinstance(err.value, InputFileError) and err.value.path == str(tmp_path / "gone")


@pytest.mark.parametrize("create", [False, True])
def test_a_file_where_the_folder_goes_is_refused(tmp_path: Path, create: bool) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path / "f", create=create)
    why = "exists and is not a folder; give a run folder" if create else "is not a folder; give a run folder"
    assert _refusal(err) == f"{tmp_path / 'f'}: {why}"


def test_a_folder_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path / "f" / "sub", create=True)
    assert _refusal(err) == f"{tmp_path / 'f' / 'sub'}: cannot create the run folder: Not a directory"


# -- atomic replacement ------------------------------------------------------------------------
def test_write_bytes_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    assert folder.write_bytes("report.json", b"old") == tmp_path / "report.json"
    assert folder.write_text("report.json", "n\u00e9w") == tmp_path / "report.json"
    assert (tmp_path / "report.json").read_bytes() == "n\u00e9w".encode()
    assert _listing(tmp_path) == ["report.json"]


def test_write_bytes_makes_the_sub_folders_on_the_way(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    folder.write_bytes("figures/a/b.txt", b"1")
    folder.write_bytes("figures/a/c.txt", b"2")  # the folders exist now
    assert _listing(tmp_path) == ["figures", "figures/a", "figures/a/b.txt", "figures/a/c.txt"]
    assert (tmp_path / "figures/a/b.txt").read_bytes() == b"1"


def test_the_temporary_is_hidden_random_beside_its_file_and_synced_before_the_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``os.replace`` is handed: a fresh, hidden, randomly named temporary in the same folder
    as the file, already holding the data on disk (synced), renamed over the file."""
    folder = RunFolder(tmp_path)
    folder.write_bytes("sub/x.json", b"old")
    seen: list[dict[str, Any]] = []
    synced: list[int] = []
    real_replace, real_fsync = os.replace, os.fsync

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    def replace(src: str, dst: str, *, src_dir_fd: int, dst_dir_fd: int) -> None:
        seen.append({"src": src, "dst": dst, "same_dir": os.path.samestat(os.fstat(src_dir_fd), os.fstat(dst_dir_fd)),
                     "dir": os.path.samestat(os.fstat(src_dir_fd), os.stat(tmp_path / "sub")),
                     "content": Path(tmp_path / "sub" / src).read_bytes(), "synced": len(synced),
                     "mode": os.stat(src, dir_fd=src_dir_fd, follow_symlinks=False).st_mode})
        real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    folder.write_bytes("sub/x.json", b"new")
    folder.write_bytes("sub/x.json", b"newer")
    assert [s["dst"] for s in seen] == ["x.json", "x.json"]
    assert all(re.fullmatch(rf"\.x\.json\.p{os.getpid()}\.[0-9a-f]{{12}}\.tmp", s["src"]) for s in seen), seen
    assert seen[0]["src"] != seen[1]["src"]
    assert [(s["same_dir"], s["dir"], s["content"], s["synced"]) for s in seen] == [
        (True, True, b"new", 1), (True, True, b"newer", 2)]
    assert all(os.path.isfile(tmp_path / "sub" / "x.json") for _ in seen)
    assert (tmp_path / "sub/x.json").read_bytes() == b"newer"
    assert _listing(tmp_path) == ["sub", "sub/x.json"]


def test_a_write_failing_half_way_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data written, then the disk full at the sync (a delayed-allocation file system): the
    old file is intact, the temporary removed, and the message names the file and the fix."""
    folder = RunFolder(tmp_path)
    folder.write_bytes("history.jsonl", b"old line\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(RunFolderError) as err:
        folder.write_bytes("history.jsonl", b"a new history that never lands\n")
    assert _refusal(err) == (f"{tmp_path / 'history.jsonl'}: cannot write: No space left on device; the file "
                             "was left as it was (free space on that disk, or write elsewhere)")
    assert (tmp_path / "history.jsonl").read_bytes() == b"old line\n"
    assert _listing(tmp_path) == ["history.jsonl"]


def test_a_failure_that_is_not_an_os_error_still_removes_the_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = RunFolder(tmp_path)
    folder.write_bytes("r.txt", b"old")

    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        folder.write_bytes("r.txt", b"new")
    assert (tmp_path / "r.txt").read_bytes() == b"old"
    assert _listing(tmp_path) == ["r.txt"]


def test_a_temporary_that_cannot_be_made_is_reported_under_the_files_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = RunFolder(tmp_path)
    real_open = os.open

    def refuse_tmp(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".tmp"):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_tmp)
    with pytest.raises(RunFolderError) as err:
        folder.write_bytes("summary.json", b"{}")
    assert _refusal(err) == f"{tmp_path / 'summary.json'}: cannot write: Permission denied"
    assert _listing(tmp_path) == []


def test_a_folder_where_the_file_goes_is_named_and_left(tmp_path: Path) -> None:
    (tmp_path / "report.html").mkdir()
    (tmp_path / "report.html" / "keep").write_text("k")
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path).write_bytes("report.html", b"<html>")
    assert _refusal(err) == (f"{tmp_path / 'report.html'}: is a folder where soundcheck writes a file; move it "
                             "aside and retry")
    assert _listing(tmp_path) == ["report.html", "report.html/keep"]


# -- names and links ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../outside.txt", "a/../../outside.txt", "a/..", "/etc/passwd", "", "."])
def test_a_name_that_is_not_plain_is_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    run = tmp_path / "run"
    folder = RunFolder(run, create=True)
    with pytest.raises(RunFolderError) as err:
        folder.write_bytes(name, b"x")
    assert _refusal(err) == f"{run / name}: not a plain name inside the run folder"
    assert _listing(tmp_path) == ["run"]


def test_a_link_on_the_way_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "home"
    outside.mkdir()
    run = tmp_path / "run"
    run.mkdir()
    (run / "figures").symlink_to(outside)
    folder = RunFolder(run)
    for write in (lambda: folder.write_bytes("figures/a.png", b"x"),
                  lambda: folder.open_append("figures/a.log"),
                  lambda: folder.create_exclusive("figures/b.png")):
        with pytest.raises(RunFolderError) as err:
            write()
        assert _refusal(err) == f"{run / 'figures'}: {LINK_REFUSAL}"
    with pytest.raises(RunFolderError) as err:
        folder.write_bytes("figures/deeper/a.png", b"x")
    assert _refusal(err) == f"{run / 'figures'}: {LINK_REFUSAL}"
    assert _listing(outside) == []


def test_a_link_deeper_down_is_named_by_its_own_path(tmp_path: Path) -> None:
    outside = tmp_path / "home"
    outside.mkdir()
    run = tmp_path / "run"
    (run / "a" / "b").mkdir(parents=True)
    (run / "a" / "b" / "c").symlink_to(outside)
    with pytest.raises(RunFolderError) as err:
        RunFolder(run).write_bytes("a/b/c/d.txt", b"x")
    assert _refusal(err) == f"{run / 'a/b/c'}: {LINK_REFUSAL}"
    assert _listing(outside) == []


def test_a_file_on_the_way_is_refused_like_a_link(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("p")
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path).write_bytes("plain/x.txt", b"x")
    assert _refusal(err) == f"{tmp_path / 'plain'}: {LINK_REFUSAL}"
    assert (tmp_path / "plain").read_text() == "p"


def test_a_link_as_the_file_is_replaced_by_a_file_never_written_through(tmp_path: Path) -> None:
    target = tmp_path / "bashrc"
    target.write_text("mine")
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").symlink_to(target)
    RunFolder(run).write_bytes("report.json", b"{}")
    assert target.read_text() == "mine"
    assert not (run / "report.json").is_symlink() and (run / "report.json").read_bytes() == b"{}"


@pytest.mark.parametrize("how", ["open_append", "open_update", "open_read", "create_exclusive"])
def test_a_link_as_the_file_is_refused_by_every_open(tmp_path: Path, how: str) -> None:
    target = tmp_path / "etc"
    target.write_text("mine")
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.jsonl").symlink_to(target)
    folder = RunFolder(run)
    assert folder.is_link("history.jsonl") and not folder.is_link("nothing")
    with pytest.raises(RunFolderError) as err:
        getattr(folder, how)("history.jsonl")
    assert _refusal(err) == f"{run / 'history.jsonl'}: {LINK_REFUSAL}"
    assert target.read_text() == "mine"


# -- appending, updating, reading, renaming ----------------------------------------------------
def test_append_creates_then_appends_in_text_or_bytes(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    with folder.open_append("logs/h.jsonl") as fh:
        fh.write("\u00e91\n")
    with folder.open_append("logs/h.jsonl", text=False) as fb:
        fb.write(b"2\n")
    assert (tmp_path / "logs/h.jsonl").read_bytes() == "\u00e91\n2\n".encode()


def test_update_and_read_an_existing_file_only(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    folder.write_bytes("w.bin", b"abcdef")
    with folder.open_update("w.bin") as fh:
        assert fh.read(2) == b"ab"
        fh.seek(0)
        fh.write(b"XY")
    with folder.open_read("w.bin") as fr:
        assert fr.read() == b"XYcdef"
    for how in (folder.open_update, folder.open_read):
        with pytest.raises(FileNotFoundError):
            how("missing.bin")
    assert _listing(tmp_path) == ["w.bin"]


def test_create_exclusive_makes_a_new_file_and_refuses_an_old_one(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    with folder.create_exclusive("d/new.bin") as fh:
        fh.write(b"n")
    assert (tmp_path / "d/new.bin").read_bytes() == b"n"
    with pytest.raises(RunFolderError) as err:
        folder.create_exclusive("d/new.bin")
    assert _refusal(err) == f"{tmp_path / 'd/new.bin'}: cannot write: File exists"
    assert (tmp_path / "d/new.bin").read_bytes() == b"n"


def test_rename_moves_inside_the_folder_and_makes_the_destination_folder(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    folder.write_bytes("a.txt", b"a")
    folder.rename("a.txt", "old/a.txt")
    assert _listing(tmp_path) == ["old", "old/a.txt"]
    (tmp_path / "link").symlink_to(tmp_path / "old" / "a.txt")
    folder.rename("link", "old/link")
    assert (tmp_path / "old/link").is_symlink() and (tmp_path / "old/a.txt").read_bytes() == b"a"
    with pytest.raises(RunFolderError):
        folder.rename("old/a.txt", "../a.txt")
    with pytest.raises(FileNotFoundError):
        folder.rename("missing", "other")


# -- the lock ----------------------------------------------------------------------------------
def test_one_holder_at_a_time_and_the_lock_given_back(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    held = folder.lock("soak --resume")
    assert isinstance(held, RunFolderLock)
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path).lock("soak --resume")
    assert _refusal(err) == (f"{tmp_path}: another soundcheck process is using this run folder (soak --resume); "
                             "wait for it to finish, or stop it first")
    with pytest.raises(RunFolderError) as err:
        folder.lock()
    assert "(this run)" in _refusal(err)
    held.release()
    held.release()  # a second release is a no-op
    with folder.lock() as again:
        assert again._fd is not None
    assert again._fd is None
    assert _listing(tmp_path) == [LOCK_NAME]


def test_a_refused_lock_leaks_no_descriptor(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    with folder.lock():
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(5):
            with pytest.raises(RunFolderError):
                folder.lock()
        assert len(os.listdir("/proc/self/fd")) == before


def test_the_lock_is_released_and_closed_even_when_unlocking_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = RunFolder(tmp_path).lock()
    fd = held._fd
    assert fd is not None

    def broken(*_a: object) -> None:
        raise OSError(errno.EBADF, "bad")

    monkeypatch.setattr(runfolder.fcntl, "flock", broken)
    with pytest.raises(OSError):
        held.release()
    assert held._fd is None
    with pytest.raises(OSError):
        os.fstat(fd)


# -- undoing a refused start ---------------------------------------------------------------------
def test_a_refused_run_takes_back_its_files_and_the_folder_it_made(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.jsonl").write_text("h")
    remove_refused_run(run, ("history.jsonl", "summary.json"), made=True)
    assert not run.exists()


def test_a_refused_run_leaves_links_folders_other_files_and_a_folder_it_did_not_make(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("t")
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.jsonl").write_text("h")
    (run / "summary.json").symlink_to(target)
    (run / "report").mkdir()
    remove_refused_run(run, ("history.jsonl", "summary.json", "report"), made=False)
    assert _listing(run) == ["report", "summary.json"] and target.read_text() == "t"
    remove_refused_run(run, ("summary.json",), made=True)  # not empty: the folder stays
    assert _listing(run) == ["report", "summary.json"]


def test_every_file_is_made_readable_and_writable_by_all_the_umask_allows(tmp_path: Path, no_umask: None) -> None:
    """Files are created 0666 (less the umask), like any file a program writes: never executable,
    never narrower than the user asked for with the umask."""
    folder = RunFolder(tmp_path)
    folder.write_bytes("w.json", b"{}")
    folder.open_append("a.jsonl").close()
    folder.create_exclusive("x.bin").close()
    folder.lock().release()
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {"w.json": 0o666, "a.jsonl": 0o666, "x.bin": 0o666, LOCK_NAME: 0o666}


def test_a_link_planted_at_the_temporary_s_name_is_never_written_through(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary's name is random, but were one guessed and planted as a link, the write is
    refused (the temporary must be new) and the link's target is untouched."""
    target = tmp_path / "bashrc"
    target.write_text("mine")
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setattr(runfolder.secrets, "token_hex", lambda n: "0" * (2 * n))
    planted = f".report.json.p{os.getpid()}.000000000000.tmp"  # this writer's own name: never swept
    (run / planted).symlink_to(target)
    with pytest.raises(RunFolderError) as err:
        RunFolder(run).write_bytes("report.json", b"{}")
    assert _refusal(err) == f"{run / 'report.json'}: cannot write: File exists"
    assert target.read_text() == "mine" and _listing(run) == [planted]


def test_a_temporary_that_cannot_be_removed_does_not_hide_why_the_write_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "r.txt").mkdir()

    def refuse(*_a: object, **_k: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "unlink", refuse)
    with pytest.raises(RunFolderError) as err:
        RunFolder(tmp_path).write_bytes("r.txt", b"x")
    assert "is a folder where soundcheck writes a file" in _refusal(err)


def test_reading_updating_and_renaming_make_no_folder(tmp_path: Path) -> None:
    """Only writing makes the folders on the way: a read, an update or a rename of a name in a
    folder that is not there is refused and leaves no empty folder behind."""
    folder = RunFolder(tmp_path)
    for name, attempt in (("a", lambda: folder.open_read("a/x")), ("b", lambda: folder.open_update("b/x")),
                          ("c", lambda: folder.rename("c/x", "y"))):
        with pytest.raises(RunFolderError) as err:
            attempt()
        assert _refusal(err).startswith(f"{tmp_path / name}: ") and "No such file or directory" in _refusal(err)
    assert _listing(tmp_path) == []


@pytest.fixture
def ascii_locale() -> Iterator[None]:
    """This process's character type locale set to C (ASCII) while a test runs: what a text file
    opened without an encoding is written in, as under a cron job or in a bare container. (A child
    process under ``LC_ALL=C`` would not do: it reads mutmut's mutant names, which are not ASCII,
    from its environment mangled, and so runs the original code.)"""
    if sys.flags.utf8_mode:
        pytest.skip("Python's UTF-8 mode: every text file is UTF-8 whatever the locale")
    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert codecs.lookup(locale.getencoding()).name == "ascii"
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, old)


def test_a_line_appended_is_utf_8_whatever_the_locale(tmp_path: Path, ascii_locale: None) -> None:
    """A history line appended under an ASCII locale is UTF-8 like any other, never refused for
    a character outside ASCII."""
    with RunFolder(tmp_path).open_append("h.jsonl") as fh:
        fh.write("\u00e9\n")
    assert (tmp_path / "h.jsonl").read_bytes() == "\u00e9\n".encode()


def test_a_file_that_cannot_be_removed_does_not_stop_the_undo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Undoing a refused start is best effort: a file that cannot be removed is left, the
    others are still removed, and the refusal's own message is what the user sees (no error of
    the clean-up instead)."""
    run = tmp_path / "run"
    run.mkdir()
    for name in ("history.jsonl", "summary.json"):
        (run / name).write_text(name)
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == "history.jsonl":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    remove_refused_run(run, ("history.jsonl", "summary.json"), made=True)
    assert _listing(run) == ["history.jsonl"]


def test_a_folder_holding_only_its_lock_and_a_killed_writer_s_temporary_is_taken(tmp_path: Path) -> None:
    """A run killed mid-write leaves its lock and a temporary behind: no file of the user's, so a
    new run may start there (and its own sweep clears the temporary); a file of the user's beside
    them is refused, named."""
    from harness.errors import UsageError
    from harness.runfolder import refuse_a_folder_in_use

    run = tmp_path / "run"
    run.mkdir()
    (run / LOCK_NAME).write_text("")
    (run / ".summary.json.p4242.0123456789ab.tmp").write_text("{")
    (run / ".report.md.0123456789ab.tmp").write_text("#")
    refuse_a_folder_in_use(run, "--out", "swarm writes its summary.json")
    (run / "notes.txt").write_text("mine\n")
    with pytest.raises(UsageError, match=r"--out .*run: the folder is not empty \(notes\.txt\)"):
        refuse_a_folder_in_use(run, "--out", "swarm writes its summary.json")
