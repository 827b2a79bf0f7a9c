"""A database whose ``runs`` table is not laid out as soundcheck's run history is refused, never
read or written as one: a table of that name that lacks any of ``COLUMNS`` (another program's
``runs``, or one cut down by hand) is no run history, any more than one that mistypes a column.

Each case is a ``runs`` table built from ``COLUMNS`` with one column left out or retyped, against
the whole layout (accepted): the rule is that every column is there with its type. Refused at
open (``HistoryDBError``) and by ``soundcheck history`` (exit 2 naming the file and the column,
no traceback), and the file is left byte for byte as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli_capture import cli
from harness.reports.history_db import COLUMNS, HistoryDB, HistoryDBError

OTHER_TYPE = {"INTEGER": "TEXT", "REAL": "TEXT", "TEXT": "INTEGER"}


def _runs_table(path: Path, columns: dict[str, str]) -> Path:
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE runs ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    db.commit()
    db.close()
    return path


def _layouts() -> list[tuple[str, dict[str, str], str | None]]:
    """(case id, the table's columns, the column its refusal must name; None: accepted)."""
    out: list[tuple[str, dict[str, str], str | None]] = [("whole", dict(COLUMNS), None)]
    for c, t in COLUMNS.items():
        out.append((f"without-{c}", {k: v for k, v in COLUMNS.items() if k != c}, c))
        out.append((f"{c}-as-{OTHER_TYPE[t]}", {**COLUMNS, c: OTHER_TYPE[t]}, c))
    return out


LAYOUTS = _layouts()


@pytest.mark.parametrize(("columns", "named"), [(c, n) for _, c, n in LAYOUTS], ids=[i for i, _, _ in LAYOUTS])
def test_a_runs_table_is_a_run_history_only_with_every_column_and_its_type(
        tmp_path: Path, columns: dict[str, str], named: str | None) -> None:
    path = _runs_table(tmp_path / "h.sqlite", columns)
    if named is None:
        with HistoryDB(path) as db:
            assert db.runs() == []
        return
    before = path.read_bytes()
    with pytest.raises(HistoryDBError) as caught:
        HistoryDB(path)
    assert f"{named} ({COLUMNS[named]})" in str(caught.value) and "not a soundcheck run-history" in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("missing", ["run_id", "report_json", "xruns_per_hour"])
def test_history_of_a_runs_table_without_a_column_is_exit_2_naming_it(tmp_path: Path, missing: str) -> None:
    path = _runs_table(tmp_path / "theirs.sqlite", {k: v for k, v in COLUMNS.items() if k != missing})
    before = path.read_bytes()
    code, _out, err = cli("history", "--db", path)
    assert code == 2, (code, err)
    assert "Traceback" not in err and "theirs.sqlite" in err and missing in err and "--db" in err, err
    assert path.read_bytes() == before
