"""How many bytes a soak's history window holds as it fills, and what the leak judge makes of it.

The history keeps a window of its newest entries in memory (``runner.HISTORY_WINDOW``: 5 000 to
10 000 entries); ``History.bounded_logs`` reports the most bytes that window has held at once,
a lower bound made from the entries' own objects. This script measures both sides of that claim
on a finished run, deterministically (the entries are the run's, replayed in order):

- ``fill RUN_DIR``: replays ``RUN_DIR/history.jsonl`` into a fresh windowed history under
  tracemalloc and prints, every ``--every`` entries, the window's length, the reported bytes
  (peak), and the bytes tracemalloc traced for the history since it was made (the lower bound's
  share of them);
- ``judge RUN_DIR``: reads the run's journal samples and prints the ``rss_bytes`` judgement as the
  report makes it (the system's logs and the window taken out) beside the one with the system's
  logs only (the judgement before the window was taken out).
- ``replay RUN_DIR``: for a run recorded before the window was sampled (a rig soak's run folder):
  replays its history into a windowed history in time order, reads the window's reported bytes
  at each journal sample's time, and prints the ``rss_bytes`` judgement with the system's logs
  taken out (as that run's report made it) and with the replayed window's bytes taken out too.
  An estimate: the replayed entries are json's dicts, whose sizes may differ a little from the
  live run's. ``--less MEMORY_JSONL CLASS.ATTR BYTES`` also takes out ``BYTES`` per member of a
  list ``bench/rig_soak_memory.py`` counted (its ``held`` figures, read at the sample's ``wall``
  seconds, interpolated): e.g. the audio check's xrun reports, bounded since that run.

Run from the repository root:
    PYTHONPATH=$PWD .venv/bin/python bench/history_window_bytes.py fill /tmp/run --every 2500
    PYTHONPATH=$PWD .venv/bin/python bench/history_window_bytes.py judge /tmp/run
    PYTHONPATH=$PWD .venv/bin/python bench/history_window_bytes.py replay /tmp/rig-run --every 600
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tracemalloc
from pathlib import Path

from harness.history import Entry, History
from harness.reports.build import _leaks
from harness.runner import HISTORY_WINDOW


def fill(run_dir: Path, every: int, keep: int, limit: int | None = None) -> None:
    """Replay a run's history (its first ``limit`` entries) into a windowed history; print what
    the window holds as it fills."""
    lines = (run_dir / "history.jsonl").read_text().splitlines()[:limit]
    with tempfile.TemporaryDirectory() as tmp:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        h = History(stream_to=Path(tmp) / "h.jsonl", keep=keep)
        print("entries  window  reported_bytes  traced_bytes  reported/traced")
        for i, line in enumerate(lines, 1):
            d = json.loads(line)
            entry = Entry.from_dict(d)
            with h._lock:
                entry.index = h._base + len(h.entries)
                h._add(entry, None)
            if i % every == 0 or i == len(lines):
                del d, entry
                fill_ = h.bounded_logs()["history_window"]
                traced = tracemalloc.get_traced_memory()[0] - base
                print(f"{i:7d} {fill_.records:7d} {fill_.held_bytes:15d} {traced:13d} "
                      f"{fill_.held_bytes / traced:16.3f}")
        tracemalloc.stop()
        h.close()


def judge(run_dir: Path) -> None:
    """The RSS judgement with both bounded logs taken out, and with the system's logs only."""
    rows = _journal_samples(run_dir)
    h = [r.get("harness_log_bytes") for r in rows]
    print(f"samples {len(rows)}; harness_log_bytes first {h[0]} last {h[-1]}; "
          f"harness_log_records last {rows[-1].get('harness_log_records')}")
    for label, keep in (("system's logs and the history window out", rows),
                        ("system's logs out only", [{k: v for k, v in r.items() if k != "harness_log_bytes"}
                                                    for r in rows])):
        v = _leaks(keep)["rss_bytes"]
        print(f"{label}: {v.verdict} ({v.shape}) slope {v.slope_per_hour:.4g} B/h, late half "
              f"{v.late_slope_per_hour if v.late_slope_per_hour is None else f'{v.late_slope_per_hour:.4g}'} B/h, "
              f"held {v.held_first} -> {v.held_last}")


def _journal_samples(run_dir: Path) -> list[dict]:
    return [s for line in (run_dir / "journal.jsonl").read_text().splitlines()
            for rec in [json.loads(line)] if rec.get("type") == "checkpoint" for s in rec.get("samples", [])]


def _less(rows: list[dict], memory: Path, key: str, each: float) -> None:
    """Take ``each`` bytes per member of ``key`` (interpolated at the sample's wall time) out of
    each sample's RSS."""
    import numpy as np

    mem = [json.loads(line) for line in memory.read_text().splitlines()]
    pts = [(m["t"], m["held"][key][0]) for m in mem if key in m.get("held", {})]
    mt, mn = np.array([p[0] for p in pts]), np.array([p[1] for p in pts], dtype=float)
    for r in rows:
        r["rss_bytes"] = r["rss_bytes"] - each * float(np.interp(r["wall"], mt, mn))


def replay(run_dir: Path, every: int, keep: int, less: list[str] | None = None) -> None:
    """The window's bytes at each sample of a run that did not sample them, and the judgement."""
    rows = sorted(_journal_samples(run_dir), key=lambda r: r["t"])
    if less:
        _less(rows, Path(less[0]), less[1], float(less[2]))
        print(f"rss less {less[2]} bytes per {less[1]} member ({less[0]})")
    entries = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]
    entries.sort(key=lambda d: float(d.get("time", 0.0)))
    with tempfile.TemporaryDirectory() as tmp:
        h = History(stream_to=Path(tmp) / "h.jsonl", keep=keep)
        k = 0
        print("t_s  window_entries  window_bytes  sut_log_bytes  rss_bytes")
        for n, r in enumerate(rows):
            while k < len(entries) and float(entries[k].get("time", 0.0)) <= r["t"]:
                entry = Entry.from_dict(entries[k])
                with h._lock:
                    entry.index = h._base + len(h.entries)
                    h._add(entry, None)
                k += 1
            fill_ = h.bounded_logs()["history_window"]
            r["harness_log_bytes"] = fill_.held_bytes
            if n % every == 0 or n == len(rows) - 1:
                print(f"{r['t'] - rows[0]['t']:7.0f} {fill_.records:7d} {fill_.held_bytes:12d} "
                      f"{r.get('sut_log_bytes')} {r['rss_bytes']}")
        h.close()
    for label, use in (("the system's logs out (as its report)", [{k: v for k, v in r.items() if k != "harness_log_bytes"}
                                                                   for r in rows]),
                       ("the system's logs and the replayed window out", rows)):
        v = _leaks(use)["rss_bytes"]
        late = v.late_slope_per_hour
        print(f"{label}: {v.verdict} ({v.shape}) slope {v.slope_per_hour:.4g} B/h, late half "
              f"{'-' if late is None else f'{late:.4g}'} B/h, held {v.held_first} -> {v.held_last}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("fill", "judge", "replay"))
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--every", type=int, default=2500, help="entries (fill) or samples (replay) between printed rows")
    ap.add_argument("--keep", type=int, default=HISTORY_WINDOW, help="the window's keep (fill)")
    ap.add_argument("--entries", type=int, default=None, help="(fill) replay only the first N entries")
    ap.add_argument("--less", nargs=3, metavar=("MEMORY_JSONL", "CLASS.ATTR", "BYTES"),
                    help="(replay) also take out BYTES per member of a list rig_soak_memory.py counted")
    a = ap.parse_args(argv)
    if a.what == "fill":
        fill(a.run_dir, a.every, a.keep, a.entries)
    elif a.what == "replay":
        replay(a.run_dir, a.every, a.keep, a.less)
    else:
        judge(a.run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
