"""Per rig run: its verdict, and each recovery's gaps read from its ``history.jsonl``.

usage: python bench/rig_recovery_gaps.py SERIES_DIR... (each an OUT of ``bench/rig_kill_series.sh``,
its runs under ``SERIES_DIR/runs/*/``)

For each recovery (the system's transition to RECOVERING): ``gap``, from it to the next transition
of any component (``Recoverer.enter`` makes them one after the other, before any teardown, so time
there is time the recovery's thread spent in the transition observers); ``close``, from the last
of those to the ``stream_closed`` event of the recovery (the stream's close); ``to``, from the
system's RECOVERING to its leaving it (``running``/``failed``...), with the attempts made.

Each close of a stream (every ``stream_closed``: a recovery's, the stop's) with how long it took
and its longest wait, from the event's ``close`` (the stream's own log of its waits: the delivery
thread's join, the host's exit, a kill, the reply reader's join, the polite requests; absent on a
tree from before that log): ``closes: recovery 0.412 s (longest reader_join 0.300 s); ...``.

Each device loss or stall the run's ``summary.json`` lists (``device_losses.items``), with what
explained it (a ``server_crash (external)`` kill, a ``server_stopped (external)`` stop from outside,
"the machine: the JACK server did not run ..." for a starved one, or nothing):
``losses: lost 7.69 s: server_crash (external) external-1 ...``.

Why: a healthy run that FAILED beside two busy loops lost ~19 s of a 10 s recovery deadline, and
where the time went (the observers, the close, the attempts) is read from these three gaps.
A run folder holding ``observer_holds.jsonl`` (an instrumented tree's per-transition time in the
history's observer: ``[time, component, to_state, seconds, thread]`` a line) also gets that
observer's hold, p50 and max, overall and on the system's own threads (not ``MainThread``).
"""

from __future__ import annotations

import glob
import json
import os
import statistics
import sys
from typing import Any

USAGE = ("usage: python bench/rig_recovery_gaps.py SERIES_DIR... (a directory bench/rig_kill_series.sh "
         "wrote, with runs under SERIES_DIR/runs/*/history.jsonl)")


def _usage_error(message: str) -> None:
    print(f"{message}\n{USAGE}", file=sys.stderr)
    raise SystemExit(2)


def _entries(path: str) -> list[dict[str, Any]]:
    """The history's entries; a last line cut by a kill is dropped, as the harness's readers do."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                out.append(json.loads(line))
            except ValueError:
                break
    return out


def recoveries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each recovery's ``gap``, ``close``, ``to`` (seconds; None where the history has no such
    moment), ``attempts`` and how it ended."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_enter: float | None = None
    for e in entries:
        kind, t = e.get("type"), float(e.get("time", 0.0))
        if kind == "transition":
            d = e["data"]
            if d["component"] == "system" and d["to_state"] == "recovering" and current is None:
                current = {"at": t, "gap": None, "close": None, "close_wait": None, "to": None, "attempts": 0,
                           "ended": None}
                found.append(current)
                last_enter = t
            elif current is not None and current["to"] is None:
                if d["component"] == "system" and d["from_state"] == "recovering" and d["to_state"] != "recovering":
                    current["to"], current["ended"] = t - current["at"], d["to_state"]
                    current = None
                elif d["to_state"] == "recovering" and d["component"] != "system":
                    if current["gap"] is None:
                        current["gap"] = t - current["at"]
                    last_enter = t
        elif kind == "event" and current is not None:
            if e.get("value") == "stream_closed" and current["close"] is None and last_enter is not None:
                current["close"] = t - last_enter
                current["close_wait"] = longest_wait((e.get("data") or {}).get("close"))
            elif e.get("value") == "recovery_attempt":
                current["attempts"] += 1
    return found


def longest_wait(record: Any) -> tuple[str, float] | None:
    """(name, seconds) of the longest wait a ``stream_closed`` event's ``close`` log names (None:
    no log, or no wait in it)."""
    if not isinstance(record, dict) or not record.get("longest"):
        return None
    name = str(record["longest"])
    return name, float((record.get("waits") or {}).get(name, 0.0))


def closes(entries: list[dict[str, Any]]) -> list[tuple[str, float | None, tuple[str, float] | None]]:
    """(cause, seconds the close took, its longest wait) of every ``stream_closed`` in order (None
    where the event carries no ``close`` log)."""
    out = []
    for e in entries:
        if e.get("type") == "event" and e.get("value") == "stream_closed":
            data = e.get("data") or {}
            record = data.get("close")
            took = float(record["took_s"]) if isinstance(record, dict) and "took_s" in record else None
            out.append((str(data.get("cause", "?")), took, longest_wait(record)))
    return out


def _close_text(took: float | None, wait: tuple[str, float] | None) -> str:
    if took is None:
        return "no close log"
    return f"{took:.3f} s" + (f" (longest {wait[0]} {wait[1]:.3f} s)" if wait else " (no wait)")


def losses(summary: dict[str, Any]) -> list[str]:
    """Each listed device loss or stall of a run's summary: its kind, seconds into the run and
    what explained it ("unexplained" where nothing did)."""
    items = (summary.get("device_losses") or {}).get("items") or []
    return [f"{x.get('kind', 'lost')} {float(x.get('into_run_s') or 0.0):.2f} s: {x.get('explained_by') or 'unexplained'}"
            for x in items]


def observer_holds(run_dir: str) -> list[tuple[str, float]] | None:
    """(thread, seconds) per transition from an instrumented run's ``observer_holds.jsonl``."""
    path = os.path.join(run_dir, "observer_holds.jsonl")
    if not os.path.exists(path):
        return None
    return [(row[4], float(row[3])) for row in map(json.loads, open(path, encoding="utf-8"))]


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _holds_line(holds: list[tuple[str, float]], what: str) -> str:
    if not holds:
        return f"{what}: none"
    secs = [s for _, s in holds]
    return (f"{what}: n {len(secs)} p50 {statistics.median(secs) * 1e3:.3f} ms "
            f"max {max(secs) * 1e3:.3f} ms")


def main(argv: list[str]) -> int:
    if not argv:
        _usage_error("give at least one series directory")
    runs: list[str] = []
    for series in argv:
        if series.startswith("-"):
            _usage_error(f"{series}: no options are taken")
        found = sorted(glob.glob(os.path.join(series, "runs", "*", "history.jsonl")))
        if not os.path.isdir(series) or not found:
            _usage_error(f"{series}: no runs/*/history.jsonl there; give the OUT directory of "
                         "bench/rig_kill_series.sh")
        runs += [os.path.dirname(f) for f in found]
    every_hold: list[tuple[str, float]] = []
    for run in runs:
        summary_path = os.path.join(run, "summary.json")
        outcome, summary = "no summary", {}
        if os.path.exists(summary_path):
            with open(summary_path, encoding="utf-8") as fh:
                summary = json.load(fh)
            outcome = summary.get("verdict", {}).get("outcome", "?")
        entries = _entries(os.path.join(run, "history.jsonl"))
        found = recoveries(entries)
        parts = [f"gap {_fmt(r['gap'])} close {_fmt(r['close'])}"
                 + (f" (longest wait {r['close_wait'][0]} {r['close_wait'][1]:.3f} s)" if r["close_wait"] else "")
                 + f" to {_fmt(r['to'])} ({r['attempts']} attempt(s), {r['ended'] or 'not ended'})" for r in found]
        print(f"{os.path.basename(run)} {outcome}: " + ("; ".join(parts) if parts else "no recovery"))
        explained = losses(summary)
        if explained:
            print("  losses: " + "; ".join(explained))
        closed = closes(entries)
        if closed:
            print("  closes: " + "; ".join(f"{cause} {_close_text(took, wait)}" for cause, took, wait in closed))
        holds = observer_holds(run)
        if holds is not None:
            every_hold += holds
            print("  " + _holds_line(holds, "history observer"))
    if every_hold:
        print(_holds_line(every_hold, "all runs, history observer"))
        print(_holds_line([h for h in every_hold if h[0] != "MainThread"], "all runs, off MainThread"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
