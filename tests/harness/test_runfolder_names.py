"""A run folder is written only inside itself, whatever name a write is given (``RunFolder._parent``).

Run folders travel between machines and their names come from files (a report's figure, a
scenario's path, a history's destination); a name that climbs out of the folder (``..``) or starts
at the root must be refused with the name in the message (``RunFolderError``, exit 2), never
written: every writer (``write_text``, ``open_append``, ``create_exclusive``, ``rename``) walks
the name from the folder's own descriptor and would otherwise follow ``..`` out of it. Each case
is a name with its known answer: written inside, or refused with nothing written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.runfolder import RunFolder, RunFolderError


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


WRITERS: dict[str, Callable[[RunFolder, str], object]] = {
    "write_text": lambda f, name: f.write_text(name, "x"),
    "open_append": lambda f, name: f.open_append(name).close(),
    "create_exclusive": lambda f, name: f.create_exclusive(name).close(),
    "rename": lambda f, name: f.rename("seed.txt", name),
}


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("name", ["../escape.txt", "sub/../../escape.txt", "../run/escape.txt", "..", "sub/..",
                                  "/tmp/escape.txt", ""])
def test_a_name_that_leaves_the_folder_is_refused_and_nothing_is_written(tmp_path: Path, writer: str,
                                                                        name: str) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "seed.txt").write_text("seed")
    before = _files(tmp_path)
    with pytest.raises(RunFolderError, match="not a plain name inside the run folder"):
        WRITERS[writer](RunFolder(folder), name)
    assert _files(tmp_path) == before


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("name, lands", [("out.txt", "run/out.txt"), ("sub/out.txt", "run/sub/out.txt"),
                                         ("./out.txt", "run/out.txt"), ("a/./b/out.txt", "run/a/b/out.txt"),
                                         ("..out.txt", "run/..out.txt")])
def test_a_plain_name_is_written_inside_the_folder(tmp_path: Path, writer: str, name: str, lands: str) -> None:
    """The twin: names that stay inside are taken (a name that merely starts with dots too)."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "seed.txt").write_text("seed")
    WRITERS[writer](RunFolder(folder), name)
    assert lands in _files(tmp_path)
    assert all(f.startswith("run/") for f in _files(tmp_path))
