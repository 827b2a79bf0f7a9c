"""Two runs opening one new run-history database at once are both recorded.

Measured (bench/RESULTS.md, issue #11): two series of 20 s runs sharing one
``SOUNDCHECK_HISTORY_DB``, started together as pytest-xdist would, left 23 rows for 24 runs; the
lost one warned "not a usable run-history database (duplicate column name: duration_class)". Each
opener read the table's columns as missing, then each added them. The interleaving is forced here:
the first opener is held at its first ``ALTER TABLE`` while the second opens the same file.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from harness.reports import history_db
from harness.reports.history_db import HistoryDB

#: how long the second opener is given to get past the first one before the first goes on; with
#: the write lock taken first it waits the whole of it, well inside ``LOCK_TIMEOUT_S``
HOLD_S = 0.5


def _report(seed: int) -> dict[str, Any]:
    return {"kind": "run", "run": {"run_id": f"r{seed}", "backend": "sim", "profile": "default", "seed": seed,
                                   "duration_s": 20.0, "status": "completed"},
            "verdict": {"ok": True, "outcome": "pass"}, "stability": {"sim_time_s": 20.0}}


def test_two_openers_of_a_new_database_both_record_their_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "history.sqlite"
    at_alter = threading.Event()
    go = threading.Event()
    connect = HistoryDB._connect

    def held_connect(self: HistoryDB) -> sqlite3.Connection:
        conn = connect(self)
        if threading.current_thread().name == "first":
            def trace(statement: str) -> None:
                if statement.lstrip().upper().startswith("ALTER TABLE") and not at_alter.is_set():
                    at_alter.set()
                    assert go.wait(30), "the test never let the first opener go on"
            conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(HistoryDB, "_connect", held_connect)
    errors: dict[str, BaseException] = {}

    def record(seed: int) -> None:
        try:
            with HistoryDB(db) as h:
                h.record(_report(seed), run_dir=tmp_path / f"run{seed}")
        except BaseException as exc:  # noqa: BLE001 - the assertion below names it
            errors[threading.current_thread().name] = exc

    first = threading.Thread(target=record, args=(1,), name="first")
    second = threading.Thread(target=record, args=(2,), name="second")
    first.start()
    assert at_alter.wait(30), "the first opener never reached its ALTER TABLE"
    second.start()
    second.join(HOLD_S)  # unlocked, the second adds the columns here; locked, it waits for the first
    go.set()
    first.join(30)
    second.join(30)
    assert not first.is_alive() and not second.is_alive()
    assert not errors, errors
    with sqlite3.connect(db) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT seed FROM runs")) == [1, 2]
        assert int(conn.execute("PRAGMA user_version").fetchone()[0]) == history_db.SCHEMA_VERSION


def test_an_up_to_date_database_is_opened_without_a_write(tmp_path: Path) -> None:
    """The upgrade is taken only when something is missing: an up-to-date database's opener
    writes nothing (another process may be writing to it)."""
    db = tmp_path / "history.sqlite"
    HistoryDB(db).close()
    statements: list[str] = []
    connect = HistoryDB._connect

    def traced(self: HistoryDB) -> sqlite3.Connection:
        conn = connect(self)
        conn.set_trace_callback(statements.append)
        return conn

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HistoryDB, "_connect", traced)
        HistoryDB(db).close()
    assert not [s for s in statements if s.lstrip().upper().startswith(("BEGIN", "ALTER", "UPDATE"))], statements
