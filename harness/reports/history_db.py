"""The run-history database: one row per run, trends across nights, regressions flagged.

SQLite (WAL), default ``reports/history.sqlite``, overridden by ``$SOUNDCHECK_HISTORY_DB`` or the
CLI's ``--db``. Each run's key figures are columns of ``runs`` (queryable with any SQLite tool); the
whole ``report.json`` is kept too, so figures added later can be backfilled.

Regression rule (``regressions``): for each key figure, tonight is compared with the previous
``window`` runs *of the same kind, backend and fault profile* (a hostile night is not compared with
a gentle one). It regressed when it is worse than ``median + k * 1.4826 * MAD`` of those runs
(``median - ...`` for figures where higher is better), with at least ``min_runs`` of them, and by
more than a margin of ``max(absolute margin, 10 % of the median)`` (so a baseline with no spread -
a median of 0 with MAD 0, or identical simulated runs - does not turn one xrun or a 1 % wobble into
a regression). ``1.4826 * MAD`` is the robust estimate of one standard deviation.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DEFAULT_DB", "ENV_VAR", "KEY_FIGURES", "HistoryDB", "Regression", "default_db_path",
           "figures_from_report"]

DEFAULT_DB = Path("reports") / "history.sqlite"
ENV_VAR = "SOUNDCHECK_HISTORY_DB"

#: column -> (higher is worse?, absolute margin below which a change is never a regression, label)
KEY_FIGURES: dict[str, tuple[bool, float, str]] = {
    "failures": (True, 0.5, "failures"),
    "xruns_per_hour": (True, 1.0, "xruns/h"),
    "cb_p99_ms": (True, 0.05, "callback p99 (ms)"),
    "cb_max_ms": (True, 0.5, "callback max (ms)"),
    "recovery_p95_ms": (True, 5.0, "recovery p95 (ms)"),
    "recovered_share": (False, 0.001, "recovered share"),
    "rss_slope_mib_h": (True, 1.0, "RSS slope (MiB/h)"),
    "speed_x": (False, 5.0, "speed (x real time)"),
}

RELATIVE_MARGIN = 0.10

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


def default_db_path() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_DB


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
        "xruns_per_hour": st.get("xruns_per_hour"),
        "cb_p99_ms": cb["p99"] * 1000 if isinstance(cb.get("p99"), (int, float)) else None,
        "cb_max_ms": cb["max"] * 1000 if isinstance(cb.get("max"), (int, float)) else None,
        "recovery_p95_ms": float(np.percentile(rec_times, 95)) * 1000 if rec_times else None,
        "recovered_share": (rc.get("recovered_total") or 0) / done if done else None,
        "rss_slope_mib_h": rss / 2**20 if isinstance(rss, (int, float)) else None,
        "speed_x": pf.get("speed_x_realtime"),
    }


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


class HistoryDB:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            from ..errors import InputFileError
            raise InputFileError(self.path, f"not a usable run-history database ({exc})") from None

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
            "ok": int(bool((report.get("verdict") or {}).get("ok"))),
            "sim_time_s": st.get("sim_time_s"), "wall_time_s": st.get("wall_time_s"),
            "faults": st.get("faults_injected"), "leaks": ",".join(st.get("leaks_found") or []),
            "report_json": json.dumps(report, separators=(",", ":")), **figs,
        }
        with self._db:
            if row["run_dir"]:
                self._db.execute("DELETE FROM runs WHERE run_dir = ?", (row["run_dir"],))
            cur = self._db.execute(f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                   tuple(row.values()))
        return int(cur.lastrowid or 0)

    def runs(self, *, limit: int = 20, kind: str | None = None, backend: str | None = None,
             profile: str | None = None) -> list[dict[str, Any]]:
        """The most recent runs, oldest first (without the stored report)."""
        where, args = _filters(kind, backend, profile)
        rows = self._db.execute(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [{k: r[k] for k in r.keys() if k != "report_json"} for r in reversed(rows)]

    def regressions(self, run: dict[str, Any], *, window: int = 10, k: float = 3.0,
                    min_runs: int = 3) -> list[Regression]:
        """Figures of ``run`` worse than the ``window`` runs before it of the same kind/backend/profile."""
        where, args = _filters(run.get("kind"), run.get("backend"), run.get("profile"))
        where += (" AND " if where else "WHERE ") + "id < ?"
        prev = self._db.execute(f"SELECT * FROM runs {where} ORDER BY id DESC LIMIT ?",
                                (*args, run["id"], window)).fetchall()
        out = []
        for fig, (higher_worse, margin, label) in KEY_FIGURES.items():
            value = run.get(fig)
            base = [r[fig] for r in prev if r[fig] is not None]
            if value is None or len(base) < min_runs:
                continue
            med = float(np.median(base))
            mad = 1.4826 * float(np.median(np.abs(np.asarray(base) - med)))
            spread = max(k * mad, margin, RELATIVE_MARGIN * abs(med))
            limit = med + spread if higher_worse else med - spread
            if (value > limit) if higher_worse else (value < limit):
                out.append(Regression(fig, label, float(value), med, limit, len(base)))
        return out


def _filters(kind: str | None, backend: str | None, profile: str | None) -> tuple[str, tuple[Any, ...]]:
    conds, args = [], []
    for col, val in (("kind", kind), ("backend", backend), ("profile", profile)):
        if val is not None:
            conds.append(f"{col} = ?")
            args.append(val)
    return ("WHERE " + " AND ".join(conds)) if conds else "", tuple(args)
