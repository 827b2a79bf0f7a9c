"""The run-history database: one row per run, trends across nights, regressions flagged.

SQLite (WAL), default ``reports/history.sqlite``, overridden by ``$SOUNDCHECK_HISTORY_DB`` or the
CLI's ``--db``. Each run's key figures are columns of ``runs`` (queryable with any SQLite tool); the
whole ``report.json`` is kept too, so figures added later can be backfilled.

Regression rule (``regressions``): for each key figure, tonight is compared with the previous
``window`` runs *like it* (``like_key``): the same kind, backend, fault profile, duration class
(``DURATION_CLASSES``: a 20 s smoke run is not the baseline of an 8-hour soak), system class and
mutant (a ``--mutant`` run is never the baseline of the real system, nor the other way round). A
hostile night is not compared with a gentle one. It regressed when it is worse than ``median + k * 1.4826 * MAD`` of those runs
(``median - ...`` for figures where higher is better), with at least ``min_runs`` of them, and by
more than a margin of ``max(absolute margin, 10 % of the median)`` (so a baseline with no spread -
a median of 0 with MAD 0, or identical simulated runs - does not turn one xrun or a 1 % wobble into
a regression). ``1.4826 * MAD`` is the robust estimate of one standard deviation.

Short runs (measured: forty healthy 20 s default-profile runs, seeds 1-40, held 1 to 215 xruns
each, a callback p99 of 0.06 or 16 ms, 0 or 8 failures, as their seed drew a stall or a device
fault or not) are noise that median + k x MAD reads as regressions. So:

- **xruns/h is judged as a count over its exposure** (``_count_limit``): the run's xruns
  against the like runs' pooled rate times its own simulated time, under a negative binomial whose
  spread is the baseline's own (method of moments, its upper 95 % bound since few runs say
  little; Poisson when the counts vary no more than that), flagged when that many or more would
  happen by chance with probability below ``COUNT_ALPHA``, and beyond the margins above. A short
  run's handful of xruns, or a burst of them from one stall, is no regression; a rate many times
  the baseline's still is.
- what xruns/h counts: the system's ``xruns`` counter, callbacks flagged late by the device or
  over their block budget. On the simulated device most are budget overruns of a slow-DSP fault
  (10-150 in one 20 s run); an injected ``xrun`` fault flags at most one late callback, and one
  delayed past the watchdog's 4 periods (21 ms) is a stall and a recovery instead. So a profile
  with 10x the xrun probability (one fault every 0.25 s check) raised the 20 s median only from
  53 to ~100 and its 2-5 min runs are inside the healthy range: more injected faults are a
  harsher environment, seen in the stalls and recoveries, not a regression of the system.
- **failure incidents are judged as a count too** (``COUNT_FIGURES``), per run: a baseline of
  zeros is no reason to call one incident a regression.
- **every other figure needs ``min_exposure_s`` of simulated time** in the run and in each run it
  is compared with (``MIN_EXPOSURE_S``, or more for the figures in ``FIGURE_MIN_EXPOSURE_S``,
  measured): below it, one draw of the seed (a stall or not, the longest dropout, the highest
  slow-DSP factor) decides the figure, and it is reported as too short to compare
  (``too_short``), never as a regression or as none.
- **the speed is judged only against like runs whose machine load compares with the run's**
  (``LOAD_FIGURES``; ``machine_load.comparable``, the rule ``soundcheck compare`` applies): the
  load each run recorded (the report's ``performance.machine``) is kept in the ``machine`` column.
  A run that recorded none, or whose like runs ran under other loads (fewer than ``min_runs`` of
  them comparable), has its speed not judged, and ``not_judged_for_load`` says why; rows written
  before the load was kept stay NULL and are never a speed's baseline. A judged speed is slower
  only beyond ``SPEED_LOG_FLOOR`` too (``speed_limit``): a baseline of a few runs that happened to
  agree has a MAD far below the speed's healthy spread at comparable loads.
- **the speed per CPU second is judged whatever the load** (``speed_cpu_x``: operating seconds per
  second of the process's user + sys time, the report's ``performance.speed_x_cpu``): the
  neighbours take wall time from a run, not CPU time, so this is the speed figure that can be
  judged on a shared machine; slower only beyond ``CPU_SPEED_LOG_FLOOR``. A run, or like runs
  before it, that recorded no CPU time (older reports, resumed soaks) leave it unjudged, and
  ``not_judged_for_cpu`` says so. The wall speed is still kept and shown.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputFileError
from .machine_load import comparable
from .rates import min_decidable

__all__ = ["COLUMNS", "COUNT_ALPHA", "COUNT_FIGURES", "DEFAULT_DB", "DISPERSION_CONFIDENCE", "DURATION_CLASSES",
           "ENV_VAR", "FIGURE_COLUMNS", "KEY_FIGURES", "LIKE_COLUMNS", "FIGURE_MIN_EXPOSURE_S", "MIN_EXPOSURE_S", "VERDICT_COLUMNS", "HistoryDB",
           "HistoryDBError", "LOAD_COLUMNS", "LOAD_FIGURES", "Regression", "SCHEMA_VERSION", "CPU_SPEED_LOG_FLOOR", "SPEED_LOG_FLOOR", "speed_limit", "default_db_path", "duration_class", "figures_from_report", "like_key", "machine_of", "min_exposure_s", "outcome_of", "writable"]

DEFAULT_DB = Path("reports") / "history.sqlite"
ENV_VAR = "SOUNDCHECK_HISTORY_DB"

#: column -> (higher is worse?, absolute margin below which a change is never a regression, label)
KEY_FIGURES: dict[str, tuple[bool, float, str]] = {
    "incidents": (True, 0.5, "failure incidents"),
    "xruns_per_hour": (True, 1.0, "xruns/h"),
    "cb_p99_ms": (True, 0.05, "callback p99 (ms)"),
    "cb_max_ms": (True, 0.5, "callback max (ms)"),
    "recovery_p95_ms": (True, 5.0, "recovery p95 (ms)"),
    "recovered_share": (False, 0.001, "recovered share"),
    "rss_slope_mib_h": (True, 1.0, "RSS slope (MiB/h)"),
    "speed_x": (False, 5.0, "speed (x real time)"),
    "speed_cpu_x": (False, 5.0, "speed per CPU second (x)"),
}

RELATIVE_MARGIN = 0.10
#: like runs a figure needs before the latest to be judged at all: fewer say nothing of a regression
MIN_LIKE_RUNS = 3
#: the figures judged as counts over their run's simulated time: column -> seconds per unit of
#: the figure's rate (xruns/h: the count is rate x simulated s / 3600), or None for a figure that is
#: the run's count itself (incidents: 0 in most healthy runs and 1-3 in others, which median + 3
#: MAD of a baseline of zeros flagged in 5 of 16 healthy 2 min runs)
COUNT_FIGURES: dict[str, float | None] = {"xruns_per_hour": 3600.0, "incidents": None}
#: a count this unlikely (one-sided) under the baseline's own spread is a regression
COUNT_ALPHA = 1e-3
#: the one-sided confidence of the upper bound taken for the baseline's spread (few runs say little)
DISPERSION_CONFIDENCE = 0.95
#: simulated seconds below which a figure that is not a count is too short to compare: the
#: shortest duration class (``DURATION_CLASSES``: "under 2 min")
MIN_EXPOSURE_S = 120.0
#: the least slowdown a speed judged between comparable loads must show to be a regression, as the
#: log of the baseline's median over the run's speed, whatever the baseline's own MAD: x1.9. Measured
#: (bench/RESULTS.md, 2026-12-06 morning, issue #11): thirty 10-minute soaks of one seed on this
#: 2-core machine at load averages 20-39 (other sessions' work, two busy loops besides in the last
#: ten) ran at 4.0-27.9x real time; of their 435 pairs, the two whose loads
#: ``machine_load.comparable`` accepts differed by x1.86 (log 0.62) and x1.02, and the ten beside
#: the busy loops by at most x1.26. The floor is above them all and below a halving (log 0.69).
SPEED_LOG_FLOOR = math.log(1.9)
#: the least slowdown of the speed per CPU second (operating seconds per second of the process's
#: user + sys time: ``speed_cpu_x``) that is a regression, as the log of the baseline's median over
#: the run's, whatever the baseline's MAD. Unlike the wall speed it is judged whatever the machine's
#: load: the neighbours take wall time from a run, not CPU time. Measured (bench/RESULTS.md,
#: "speed per CPU second"): 10-minute seed-1 soaks on this 2-core machine, 7 at load 5-6 and 8 beside
#: two busy loops (load 6-11), ran 28.7-147.8x real time (x5.2 apart) but 141.9-188.5x per CPU second
#: (x1.33 apart; the medians x1.17: a CPU shared with busy neighbours does a little less per second).
#: The floor is above that and below a halving. A cold numba cache (a fresh checkout's first run)
#: costs a fixed few CPU seconds (x2.8 in a 10-minute soak): one reason the figure, like the wall
#: speed, is compared only from 1 h (``FIGURE_MIN_EXPOSURE_S``).
CPU_SPEED_LOG_FLOOR = math.log(1.5)
#: the speed figures and the least slowdown each must show to be a regression (``speed_limit``)
SPEED_LOG_FLOORS: dict[str, float] = {"speed_x": SPEED_LOG_FLOOR, "speed_cpu_x": CPU_SPEED_LOG_FLOOR}
#: figures that need more than ``MIN_EXPOSURE_S``. Measured (bench/RESULTS.md, "2-15 minute runs'
#: noise"): healthy default-profile runs of 2, 5 and 15 simulated minutes, each judged against the
#: like runs before it, were flagged by median + 3 MAD on the callback max (5 of 17 runs at 5 min,
#: 2 of 4 at 15 min: one slow-DSP fault of a high factor, or not, puts a run at 16 or 23-26 ms),
#: the recovery p95 (2 of 16 at 2 min, up to 2 of 4 at 15 min: the longest dropout drawn decides
#: it) and the speed (a wall-clock figure: the machine's load, not the system's). No measured
#: duration up to 15 min quietened them, so they are compared from 1 h (the next duration class,
#: where a run holds a few hundred faults); the callback p99 and the recovered share, never
#: flagged at 2-15 min, keep ``MIN_EXPOSURE_S``.
FIGURE_MIN_EXPOSURE_S: dict[str, float] = {"cb_max_ms": 3600.0, "recovery_p95_ms": 3600.0, "speed_x": 3600.0,
                                           "speed_cpu_x": 3600.0}


def min_exposure_s(figure: str) -> float:
    """The simulated seconds a run and its baseline need for ``figure`` to be compared."""
    return FIGURE_MIN_EXPOSURE_S.get(figure, MIN_EXPOSURE_S)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT, kind TEXT, backend TEXT, profile TEXT, seed INTEGER, commit_sha TEXT,
    started_at TEXT, recorded_at TEXT NOT NULL, run_dir TEXT, status TEXT, ok INTEGER,
    sim_time_s REAL, wall_time_s REAL, faults INTEGER, failures INTEGER, xruns_per_hour REAL,
    cb_p99_ms REAL, cb_max_ms REAL, recovery_p95_ms REAL, recovered_share REAL,
    rss_slope_mib_h REAL, speed_x REAL, leaks TEXT, report_json TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_kind ON runs(kind, backend, profile, id);
"""


#: (upper bound in seconds, name) of the duration classes; runs compare only within one class
DURATION_CLASSES: tuple[tuple[float, str], ...] = ((120.0, "under 2 min"), (900.0, "2-15 min"),
                                                    (3600.0, "15-60 min"), (4 * 3600.0, "1-4 h"),
                                                    (math.inf, "over 4 h"))
#: columns added to ``runs`` after its first version (added to an older database when it is opened,
#: and filled from each row's stored report)
LIKE_COLUMNS: dict[str, str] = {"duration_class": "TEXT", "mutant": "TEXT", "system": "TEXT"}
#: the run's verdict (``pass``, ``fail``, ``inconclusive``), added likewise: ``ok`` alone is 0 for an
#: inconclusive run and a failed one alike, and ``soundcheck history`` must tell them apart
VERDICT_COLUMNS: dict[str, str] = {"outcome": "TEXT"}
#: figures added after a database's first version, added likewise but optional to a reader: a row
#: whose stored report predates the figure keeps NULL (shown "-", no baseline), never a figure
#: guessed from another. ``incidents`` (``harness.reports.incidents``) is the count of the system's
#: distinct failure episodes; ``failures`` (every component's FAILED entries plus violated
#: invariants, several for one device fault) is still written for older readers but not judged.
FIGURE_COLUMNS: dict[str, str] = {"incidents": "INTEGER", "speed_cpu_x": "REAL"}
#: the machine's load the run ran under (the report's ``performance.machine`` as JSON text, NULL
#: when it kept none), added likewise: a row from a report written before the load was kept stays
#: NULL, and its speed is never compared
LOAD_COLUMNS: dict[str, str] = {"machine": "TEXT"}
#: the figures judged only between runs whose machine loads compare (``machine_load.comparable``,
#: the rule ``soundcheck compare`` applies): a wall-clock figure, set by the machine's load as much
#: as by the system (the same build ran at 17-190x real time as other work came and went)
LOAD_FIGURES = frozenset({"speed_x"})


def outcome_of(report: dict[str, Any]) -> str | None:
    """The verdict's outcome of a report (None: a report that does not say)."""
    outcome = (report.get("verdict") or {}).get("outcome") if isinstance(report.get("verdict"), dict) else None
    return str(outcome) if outcome in ("pass", "fail", "inconclusive") else None


def duration_class(seconds: Any) -> str | None:
    """The class a run of ``seconds`` belongs to (None without a duration)."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds):
        return None
    return next(name for bound, name in DURATION_CLASSES if seconds < bound)


def like_key(report: dict[str, Any]) -> dict[str, Any]:
    """What two runs must share to be compared: kind, backend, fault profile, duration class (of the
    requested duration, else the operating time), system class and mutant."""
    run = report.get("run") or {}
    st = report.get("stability") or {}
    seconds = run.get("duration_s") if run.get("duration_s") is not None else st.get("sim_time_s")
    return {"kind": report.get("kind"), "backend": run.get("backend"), "profile": run.get("profile"),
            "duration_class": duration_class(seconds), "system": run.get("system"), "mutant": run.get("mutant")}


def default_db_path() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_DB


def run_db_path() -> Path:
    """``default_db_path()`` made absolute against the working directory *now*: a run takes it
    when it starts, so that its record goes where it would have gone then, even if its working
    directory is deleted or left before its report is written (an hour later, for a soak): taken
    relative to the cwd at the end, the run was not recorded at all."""
    return Path(os.path.abspath(default_db_path()))


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def figures_from_report(report: dict[str, Any]) -> dict[str, Any]:
    """The key figures of one report (None where the report has no such figure)."""
    st, pf, rc = report.get("stability") or {}, report.get("performance") or {}, report.get("recovery") or {}
    cb = pf.get("callback_duration_s") or {}
    rec_times = [e.get("time_to_recover_s") for e in rc.get("episodes") or []
                 if e.get("outcome") == "recovered" and e.get("time_to_recover_s") is not None]
    done = (rc.get("recovered_total") or 0) + (rc.get("failed_count") or 0)
    rss = _get(st, "leaks", "rss_bytes", "slope_per_hour")
    return {
        "failures": st.get("failure_count"),
        "incidents": st.get("incident_count"),
        "xruns_per_hour": st.get("xruns_per_hour"),
        "cb_p99_ms": cb["p99"] * 1000 if isinstance(cb.get("p99"), (int, float)) else None,
        "cb_max_ms": cb["max"] * 1000 if isinstance(cb.get("max"), (int, float)) else None,
        "recovery_p95_ms": float(np.percentile(rec_times, 95)) * 1000 if rec_times else None,
        "recovered_share": (rc.get("recovered_total") or 0) / done if done else None,
        "rss_slope_mib_h": rss / 2**20 if isinstance(rss, (int, float)) else None,
        "speed_x": pf.get("speed_x_realtime"),
        "speed_cpu_x": pf.get("speed_x_cpu"),
    }


def machine_of(report: dict[str, Any]) -> str | None:
    """The report's ``performance.machine`` as the ``machine`` column keeps it (JSON text), or None
    when the report recorded none."""
    m = _get(report, "performance", "machine")
    return json.dumps(m, sort_keys=True) if isinstance(m, dict) else None


def _machine(row: dict[str, Any]) -> Any:
    """A row's ``machine`` record read back (None when it has none or the text is not JSON)."""
    text = row.get("machine")
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Regression:
    figure: str
    label: str
    value: float
    baseline_median: float
    limit: float
    runs_compared: int

    def describe(self) -> str:
        return (f"{self.label}: {self.value:.4g} is worse than the last {self.runs_compared} runs "
                f"(median {self.baseline_median:.4g}, limit {self.limit:.4g})")


#: column -> SQLite type of ``runs``: what a database must have to be read as a run history
COLUMNS: dict[str, str] = {
    "id": "INTEGER", "run_id": "TEXT", "kind": "TEXT", "backend": "TEXT", "profile": "TEXT", "seed": "INTEGER",
    "commit_sha": "TEXT", "started_at": "TEXT", "recorded_at": "TEXT", "run_dir": "TEXT", "status": "TEXT",
    "ok": "INTEGER", "sim_time_s": "REAL", "wall_time_s": "REAL", "faults": "INTEGER", "failures": "INTEGER",
    "xruns_per_hour": "REAL", "cb_p99_ms": "REAL", "cb_max_ms": "REAL", "recovery_p95_ms": "REAL",
    "recovered_share": "REAL", "rss_slope_mib_h": "REAL", "speed_x": "REAL", "leaks": "TEXT", "report_json": "TEXT",
}
_TYPES = {**COLUMNS, **FIGURE_COLUMNS}
_NUMERIC = {k for k, t in _TYPES.items() if t in ("INTEGER", "REAL")}
#: the layout of ``runs`` this soundcheck writes (``PRAGMA user_version``; 0 before it was kept): a
#: database of a later layout is refused, not written into
SCHEMA_VERSION = 1
#: how long to wait for another process's write before giving up (the old 30 s looked like a hang)
LOCK_TIMEOUT_S = 5.0


class HistoryDBError(InputFileError):
    """The run-history database cannot be used; the message names it, the cause and the fix."""


def writable(path: Path) -> bool:
    """Whether ``path`` (or, when it is missing, its folder) may be written (``os.access`` also
    says no for a read-only file system, to root too)."""
    return os.access(path if path.exists() else path.parent, os.W_OK)


def _db_error(path: Path, exc: sqlite3.Error) -> HistoryDBError:
    text = str(exc)
    if "readonly" in text or "read-only" in text or ("unable to open" in text and not writable(path)):
        return HistoryDBError(path, f"the run-history database cannot be written ({text}: the file, its folder "
                                    "or its disk is read-only); make it writable, or give another --db "
                                    "(or $SOUNDCHECK_HISTORY_DB)")
    if "locked" in text or "busy" in text:
        return HistoryDBError(path, f"the run-history database is locked by another process (waited "
                                    f"{LOCK_TIMEOUT_S:g} s); retry when it is done, or give another --db")
    return HistoryDBError(path, f"not a usable run-history database ({text}); move it aside or give "
                                "another --db (or $SOUNDCHECK_HISTORY_DB)")


def _clean(value: Any, column: str) -> Any:
    """A numeric column read back as a finite number of the column's type, or None (a hand-edited
    or foreign row may hold text, NaN or a fraction where an integer belongs)."""
    if column not in _NUMERIC or value is None:
        return value
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if _TYPES[column] == "INTEGER":
        return int(value) if float(value).is_integer() else None
    return float(value)


class HistoryDB:
    """The run-history database. ``readonly``: opened to be shown (``soundcheck history``),
    never written, not even to upgrade or create its table."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        if self.path.exists() and not self.path.is_file():
            raise HistoryDBError(self.path, "is not a file; give the run-history database file (--db)")
        if self.path.is_file() and self.path.stat().st_size:
            # SQLite would take over a short non-database file as a new database: check the magic first
            with open(self.path, "rb") as fh:
                magic = fh.read(16)
            if magic != b"SQLite format 3\x00":
                raise HistoryDBError(self.path, "not a usable run-history database (not an SQLite file at all); "
                                                "move it aside or give another --db (or $SOUNDCHECK_HISTORY_DB)")
        self.readonly = readonly
        self._no_runs = False  # a read-only open of a database with no runs table yet: nothing to show
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryDBError(self.path, f"cannot create its folder: {exc.strerror or exc}") from None
        try:
            self._db = self._connect()
        except sqlite3.Error as exc:
            raise _db_error(self.path, exc) from None
        try:
            self._db.row_factory = sqlite3.Row
            problem = self._refusal()
            if problem is None and not readonly:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(_SCHEMA)
                if self._version < SCHEMA_VERSION or self._missing_columns():
                    # written once: an opener of an up-to-date database takes no write lock
                    # (another process may be writing to it)
                    self._upgrade()
        except sqlite3.Error as exc:
            self._db.close()
            raise _db_error(self.path, exc) from None
        if problem is not None:
            self._db.close()
            raise HistoryDBError(self.path, problem)

    def _connect(self) -> sqlite3.Connection:
        """The connection; read-only (``mode=ro``) for a reader, so that showing the history never
        writes to it and a database on a read-only disk or file can still be shown."""
        if not self.readonly:
            return sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S)
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=LOCK_TIMEOUT_S)
            db.execute("PRAGMA user_version").fetchone()
            return db
        except sqlite3.OperationalError:
            if writable(self.path):
                raise
        # a WAL database on a disk nobody can write to: SQLite cannot make its shared-memory file
        # beside it, and nothing can change the file under the reader, so it is opened as immutable
        return sqlite3.connect(uri + "&immutable=1", uri=True, timeout=LOCK_TIMEOUT_S)

    def _refusal(self) -> str | None:
        """Why this database is not one soundcheck may read or write as its run history, or None.

        Why: SQLite opens any database, and ``CREATE TABLE IF NOT EXISTS`` would have added a
        ``runs`` table to another program's database (``--db`` pointing at the wrong file) and
        written into one that a newer soundcheck laid out differently."""
        self._version = version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            return (f"written by a newer soundcheck (run-history schema {version}, its PRAGMA user_version; "
                    f"this one reads up to {SCHEMA_VERSION}); use that soundcheck, or give another --db "
                    "(or $SOUNDCHECK_HISTORY_DB)")
        have = {r[1]: str(r[2]).upper() for r in self._db.execute("PRAGMA table_info(runs)")}
        if not have:
            tables = [r[0] for r in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            if tables:
                return (f"an SQLite database of another program (tables {', '.join(tables[:6])}"
                        f"{' ...' if len(tables) > 6 else ''}; no 'runs' table); soundcheck leaves it untouched: "
                        "give its own run-history file with --db (or $SOUNDCHECK_HISTORY_DB)")
            self._no_runs = self.readonly
            return None
        wrong = [f"{c} ({t})" for c, t in COLUMNS.items() if have.get(c) != t]
        if wrong:
            return ("not a soundcheck run-history database: its 'runs' table lacks "
                    f"or mistypes {', '.join(wrong[:6])}{' ...' if len(wrong) > 6 else ''}; "
                    "move it aside or give another --db")
        if self.readonly and any(c not in have for c in (*LIKE_COLUMNS, *VERDICT_COLUMNS)):
            return ("written by an older soundcheck and not yet upgraded, and it is opened read-only here; "
                    "record one run into it (or run `soundcheck report RUN_DIR --db` on it) where it can be "
                    "written, or give another --db")
        return None

    def _missing_columns(self) -> list[str]:
        """The columns of ``LIKE_COLUMNS``, ``VERDICT_COLUMNS``, ``FIGURE_COLUMNS`` and
        ``LOAD_COLUMNS`` the table lacks."""
        have = {r[1] for r in self._db.execute("PRAGMA table_info(runs)")}
        return [c for c in {**LIKE_COLUMNS, **VERDICT_COLUMNS, **FIGURE_COLUMNS, **LOAD_COLUMNS} if c not in have]

    def _upgrade(self) -> None:
        """Give a database written before ``LIKE_COLUMNS``, ``VERDICT_COLUMNS``, ``FIGURE_COLUMNS``
        and ``LOAD_COLUMNS`` existed (and every new one: its ``CREATE TABLE`` is the first layout)
        those columns, filled from each row's stored report, so its old runs are grouped like the
        new ones and show their verdict; then its ``user_version``.

        Why under one write lock taken first (``BEGIN IMMEDIATE``), the columns read again inside
        it: two runs opening the same new or older database at once (pytest-xdist, two nights'
        jobs) each read the columns as missing and each added them, and the second's ``ALTER
        TABLE`` failed ("duplicate column name"): that run was not recorded."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            missing = self._missing_columns()
            added = {**LIKE_COLUMNS, **VERDICT_COLUMNS, **FIGURE_COLUMNS, **LOAD_COLUMNS}
            for c in missing:
                self._db.execute(f"ALTER TABLE runs ADD COLUMN {c} {added[c]}")
            if missing:
                for row in self._db.execute("SELECT id, report_json FROM runs").fetchall():
                    try:
                        report = json.loads(row[1])
                        key = {**like_key(report), "outcome": outcome_of(report), **figures_from_report(report),
                               "machine": machine_of(report)}
                    except (TypeError, ValueError, AttributeError):
                        continue
                    sets = ", ".join(f"{c} = ?" for c in missing)
                    self._db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*(key[c] for c in missing), row[0]))
            if int(self._db.execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "HistoryDB":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, report: dict[str, Any], *, run_dir: str | os.PathLike[str] | None = None) -> int:
        """Add one run (a rebuilt report of the same run folder replaces its earlier row)."""
        run = report.get("run") or {}
        st = report.get("stability") or {}
        figs = figures_from_report(report)
        row = {
            "run_id": run.get("run_id"), "kind": report.get("kind"), "backend": run.get("backend"),
            "profile": run.get("profile"), "seed": run.get("seed"), "commit_sha": run.get("commit"),
            "started_at": run.get("started_at"),
            "recorded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "run_dir": str(Path(run_dir).resolve()) if run_dir else None, "status": run.get("status"),
            "ok": int(bool((report.get("verdict") or {}).get("ok"))), "outcome": outcome_of(report),
            "sim_time_s": st.get("sim_time_s"), "wall_time_s": st.get("wall_time_s"),
            "faults": st.get("faults_injected"), "leaks": ",".join(st.get("leaks_found") or []),
            "report_json": json.dumps(report, separators=(",", ":")), **figs, "machine": machine_of(report),
            **{k: v for k, v in like_key(report).items() if k in LIKE_COLUMNS},
        }
        try:
            with self._db:
                if row["run_dir"]:
                    self._db.execute("DELETE FROM runs WHERE run_dir = ?", (row["run_dir"],))
                cur = self._db.execute(f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                       tuple(row.values()))
        except sqlite3.Error as exc:
            raise _db_error(self.path, exc) from None
        return int(cur.lastrowid or 0)

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        if self._no_runs:
            return []
        try:
            rows = self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _db_error(self.path, exc) from None
        # a figure column an older database, opened read-only, does not have yet reads as unknown
        return [{**dict.fromkeys(FIGURE_COLUMNS), **dict.fromkeys(LOAD_COLUMNS),
                 **{k: _clean(r[k], k) for k in r.keys() if k != "report_json"}}
                for r in rows]

    def runs(self, *, limit: int = 20, kind: str | None = None, backend: str | None = None,
             profile: str | None = None) -> list[dict[str, Any]]:
        """The most recent runs, oldest first (without the stored report)."""
        where, args = _filters(kind, backend, profile)
        return list(reversed(self._query(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?", (*args, limit))))

    def recorded_values(self, column: str) -> list[str]:
        """The values of ``column`` (``kind``, ``backend`` or ``profile``) some recorded run has,
        sorted: what a filter of that name can match."""
        if column not in ("kind", "backend", "profile"):
            raise ValueError(f"not a filter column: {column!r}")
        rows = self._query(f"SELECT DISTINCT {column} AS value FROM runs WHERE {column} IS NOT NULL", ())
        return sorted(str(r["value"]) for r in rows)

    def _like_before(self, run: dict[str, Any], window: int) -> list[dict[str, Any]]:
        """The ``window`` runs before ``run`` that are like it (``like_key``: kind, backend,
        profile, duration class, system, mutant; a missing value matches only a missing value)."""
        cols = ("kind", "backend", "profile", *LIKE_COLUMNS)
        where = " AND ".join(f"{c} IS ?" for c in cols)
        return self._query(f"SELECT * FROM runs WHERE {where} AND id < ? ORDER BY id DESC LIMIT ?",
                           (*(run.get(c) for c in cols), run["id"], window))

    def like_runs_before(self, run: dict[str, Any], window: int = 10) -> int:
        """How many of the ``window`` runs before ``run`` are like it: below ``MIN_LIKE_RUNS`` no
        figure of it is judged, so its history can say neither "regressed" nor "no regression"."""
        return len(self._like_before(run, window))

    def too_short(self, run: dict[str, Any], *, window: int = 10, min_runs: int = MIN_LIKE_RUNS) -> list[str]:
        """Labels of the figures of ``run`` that were not compared because it, or a run it would
        be compared with, covers less than the figure's ``min_exposure_s`` of simulated time."""
        prev = self._like_before(run, window)
        short: list[str] = []
        for fig, (_hw, _m, label) in KEY_FIGURES.items():
            # every like run with the figure, whatever its load: too short is said before the load
            rows = [r for r in prev if r[fig] is not None]
            if run.get(fig) is None or len(rows) < min_runs:
                continue
            if (_too_few_events(run, rows, fig) if fig in COUNT_FIGURES else _short(run, rows, fig)):
                short.append(label)
        return short

    def regressions(self, run: dict[str, Any], *, window: int = 10, k: float = 3.0,
                    min_runs: int = MIN_LIKE_RUNS) -> list[Regression]:
        """Figures of ``run`` worse than the ``window`` runs before it that are like it (see the
        module docstring: counts by their exposure, the rest only when long enough)."""
        return self.judge(run, window=window, k=k, min_runs=min_runs)[0]

    def judge(self, run: dict[str, Any], *, window: int = 10, k: float = 3.0,
              min_runs: int = MIN_LIKE_RUNS) -> tuple[list[Regression], list[str]]:
        """``run``'s regressions and the labels of the figures actually compared: with none
        compared (too few like runs, every figure too short, unrecorded or unjudged for load)
        "no regression" would say nothing."""
        prev = self._like_before(run, window)
        out = []
        judged: list[str] = []
        for fig, (higher_worse, margin, label) in KEY_FIGURES.items():
            value = run.get(fig)
            rows = _baseline(run, prev, fig)
            base = [r[fig] for r in rows]
            if value is None or len(base) < min_runs:
                continue
            med = float(np.median(base))
            if fig in COUNT_FIGURES:
                if _too_few_events(run, rows, fig):
                    continue
                limit = _count_limit(run, rows, fig, margin)
                judged.append(label)
                if float(value) > limit:
                    out.append(Regression(fig, label, float(value), med, limit, len(base)))
                continue
            if _short(run, [r for r in prev if r[fig] is not None], fig):
                continue  # as ``too_short`` says it: over every like run, whatever its load
            if fig in SPEED_LOG_FLOORS:
                limit = speed_limit(base, k=k, log_floor=SPEED_LOG_FLOORS[fig], margin=margin)
            else:
                mad = 1.4826 * float(np.median(np.abs(np.asarray(base) - med)))
                spread = max(k * mad, margin, RELATIVE_MARGIN * abs(med))
                limit = med + spread if higher_worse else med - spread
            judged.append(label)
            if (value > limit) if higher_worse else (value < limit):
                out.append(Regression(fig, label, float(value), med, limit, len(base)))
        return out, judged

    def not_judged_for_load(self, run: dict[str, Any], *, window: int = 10, min_runs: int = MIN_LIKE_RUNS) -> dict[str, str]:
        """Label -> why, for each figure of ``LOAD_FIGURES`` that ``run`` has and that ``min_runs``
        of the ``window`` like runs before it have too, long enough to compare (else it is
        ``too_short``), but that was not judged because fewer of
        them ran under a load comparable to the run's (``machine_load.comparable``): the run
        recorded no load, or too few of its like runs did so under a load like its own."""
        prev = self._like_before(run, window)
        out: dict[str, str] = {}
        for fig in sorted(LOAD_FIGURES):
            label = KEY_FIGURES[fig][2]
            rows = [r for r in prev if r[fig] is not None]
            if run.get(fig) is None or len(rows) < min_runs or _short(run, rows, fig):
                continue  # not compared for want of runs or of time (``too_short``), whatever the load
            near = _baseline(run, prev, fig)
            if len(near) >= min_runs:
                continue
            if _machine(run) is None:
                out[label] = ("this run recorded no machine load (a report written before it was kept), so its "
                              "speed is compared with no other")
            else:
                out[label] = (f"{len(near)} of the {len(rows)} like runs before it ran under a machine load "
                              f"comparable to its own (need {min_runs}): "
                              + "the latest of them (A) and this run (B): " + comparable(_machine(rows[0]), _machine(run))[1])
        return out

    def not_judged_for_cpu(self, run: dict[str, Any], *, window: int = 10, min_runs: int = MIN_LIKE_RUNS) -> dict[str, str]:
        """Label -> why, when the speed per CPU second of ``run`` was not judged for want of the
        process's CPU time: the run recorded none (a report written before it was kept, or a
        resumed soak, whose CPU time spans its last segment only) while ``min_runs`` of its like
        runs did, or it did and fewer of its like runs did. Either way its wall speed is still
        shown (and judged only between comparable loads: ``not_judged_for_load``)."""
        fig, label = "speed_cpu_x", KEY_FIGURES["speed_cpu_x"][2]
        prev = self._like_before(run, window)
        have = [r for r in prev if r[fig] is not None]
        if _short(run, [], fig):
            return {}  # too short to compare, whatever it recorded
        if run.get(fig) is None:
            if len(have) >= min_runs and run.get("speed_x") is not None:
                return {label: "this run recorded no CPU time (a report written before it was kept, or a resumed "
                               "soak's), so its speed per CPU second is compared with no other"}
            return {}
        wall = [r for r in prev if r.get("speed_x") is not None]
        if len(have) < min_runs <= len(wall):
            return {label: (f"{len(have)} of the {len(wall)} like runs before it recorded CPU time (need {min_runs}; "
                            "reports written before it was kept have none)")}
        return {}


def speed_limit(base: list[float], *, k: float = 3.0, log_floor: float = SPEED_LOG_FLOOR,
                margin: float = KEY_FIGURES["speed_x"][1]) -> float:
    """The speed (x real time) below which a run is slower than its ``base`` (the like runs'
    speeds at comparable loads): ``median - max(k x 1.4826 MAD, the absolute and relative margins,
    the median's share ``log_floor`` takes)``, i.e. at most ``median / exp(log_floor)``: the wall
    speed's ``SPEED_LOG_FLOOR``, or ``CPU_SPEED_LOG_FLOOR`` for the speed per CPU second.

    Why a floor: the MAD of three runs that happened to agree says nothing of the speed's healthy
    spread between comparable loads, which was measured far wider (``SPEED_LOG_FLOOR``)."""
    med = float(np.median(base))
    mad = 1.4826 * float(np.median(np.abs(np.asarray(base, dtype=float) - med)))
    spread = max(k * mad, margin, RELATIVE_MARGIN * abs(med), -math.expm1(-log_floor) * abs(med))
    return med - spread


def _baseline(run: dict[str, Any], prev: list[dict[str, Any]], fig: str) -> list[dict[str, Any]]:
    """The rows of ``prev`` that ``run``'s ``fig`` is judged against: those that have the figure,
    and for a figure of ``LOAD_FIGURES`` only those whose machine load compares with the run's
    (none when the run recorded no load)."""
    rows = [r for r in prev if r[fig] is not None]
    if fig in LOAD_FIGURES:
        mine = _machine(run)
        rows = [r for r in rows if comparable(mine, _machine(r))[0]]
    return rows


def _too_few_events(run: dict[str, Any], rows: list[dict[str, Any]], fig: str) -> bool:
    """Whether ``run`` and its baseline ``rows`` hold too few events of the count figure ``fig``
    between them for any count of the run's to be judged at ``COUNT_ALPHA``: fewer than
    ``rates.min_decidable`` at dispersion 1 for the run's share of their simulated time (all of them in
    the run would not be significant). Below it "no regression" would say nothing: a 2-minute
    run's failure incidents (0 or 1, healthy or broken) against ten like it."""
    unit = COUNT_FIGURES[fig]
    t = _exposure(run)
    exposures = [_exposure(r) for r in rows]
    counts = [float(r[fig]) * (1.0 if unit is None else e / unit) for r, e in zip(rows, exposures)]
    own = float(run[fig]) * (1.0 if unit is None else t / unit)
    total = round(own + sum(counts))
    return total < min_decidable(t / (t + sum(exposures)), COUNT_ALPHA, dispersion=1.0)


def _short(run: dict[str, Any], rows: list[dict[str, Any]], figure: str) -> bool:
    """Whether ``run`` or one of ``rows`` covers less than ``figure``'s ``min_exposure_s`` simulated
    seconds (a row that kept no simulated time is taken as long enough: judged as before it was kept)."""
    least = min_exposure_s(figure)
    return any(isinstance(r.get("sim_time_s"), (int, float)) and r["sim_time_s"] < least
               for r in (run, *rows))


def _exposure(row: dict[str, Any]) -> float:
    """A row's simulated seconds (1 when it kept none: its rate then stands for its count)."""
    t = row.get("sim_time_s")
    return float(t) if isinstance(t, (int, float)) and t > 0 else 1.0


def _count_limit(run: dict[str, Any], rows: list[dict[str, Any]], fig: str, margin: float) -> float:
    """The highest value of the count figure ``fig`` (a rate) ``run`` may have before it is a
    regression: the smallest count whose chance under the baseline is below ``COUNT_ALPHA``, as
    a rate over the run's exposure, and at least the margins (``RELATIVE_MARGIN``, ``margin``)
    above the baseline's rate.

    The baseline's counts (rate x exposure / unit) give a pooled rate and the spread of one run's
    count about its expectation (their variance, exposure-scaled, against the Poisson's own);
    with more spread than a Poisson's the count is a negative binomial of that mean and
    variance, else a Poisson. Half a count is added to the pooled counts so a baseline of zeros
    does not make one event impossible. The spread taken is the upper ``DISPERSION_CONFIDENCE``
    bound of the baseline's (chi-square on its runs less one): a baseline of three runs that all
    missed a rare burst says little about how wide the counts go."""
    from scipy import stats  # here, not at import: a run records its row and never reaches this

    unit = COUNT_FIGURES[fig]
    t = _exposure(run)
    exposures = np.array([_exposure(r) for r in rows])
    values = np.array([float(r[fig]) for r in rows])
    counts = values if unit is None else values * exposures / unit
    rate = (counts.sum() + 0.5) / exposures.sum()  # per simulated second
    mean = rate * t
    # each run's deviation from its own expectation, scaled to this run's exposure
    expected = rate * exposures
    df = max(len(rows) - 1, 1)
    pearson = float(np.sum((counts - expected) ** 2 / expected))
    # the upper DISPERSION_CONFIDENCE bound of the spread, not its estimate: three runs that drew
    # no stall would otherwise set a spread that the next seed's stall exceeds
    dispersion = pearson / float(stats.chi2.ppf(1 - DISPERSION_CONFIDENCE, df))
    if dispersion > 1.0:
        var = mean * dispersion
        n, p = mean**2 / (var - mean), mean / var
        count = float(stats.nbinom.isf(COUNT_ALPHA, n, p))
    else:
        count = float(stats.poisson.isf(COUNT_ALPHA, mean))
    # the limit and the baseline in the figure's own terms: a rate per unit, or this run's count
    scale = 1.0 if unit is None else unit / t
    limit = count * scale
    baseline = mean * scale
    return max(limit, baseline + margin, baseline * (1 + RELATIVE_MARGIN))


def _filters(kind: str | None, backend: str | None, profile: str | None) -> tuple[str, tuple[Any, ...]]:
    conds, args = [], []
    for col, val in (("kind", kind), ("backend", backend), ("profile", profile)):
        if val is not None:
            conds.append(f"{col} = ?")
            args.append(val)
    return ("WHERE " + " AND ".join(conds)) if conds else "", tuple(args)
