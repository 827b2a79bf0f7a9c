"""What a recorded rig hour's RSS still grows by after the leak judge's subtraction, taken apart.

The report's judge (``harness.reports.build._leaks``) fits the soak's RSS less what its bounded
logs hold (the system's error and transition logs, the history's window: ``sut_log_bytes``,
``harness_log_bytes``). What it cannot explain is the residual. This script reads a rig hour
recorded by ``bench/rig_soak_memory.py`` (its ``memory.jsonl`` and its run folder ``run/``) and
says where that residual comes from, each part a figure:

- ``window``: over the judged window (after the judge's 10 % warm-up, the report's own samples),
  the Theil-Sen slope per hour of the RSS, of each taken-out series and of the residual, the
  residual's early and late halves (a residual that keeps its slope is not a buffer filling);
  from ``memory.jsonl``, glibc's bytes in use and free-but-held per hour over the same window
  (``mallinfo2``: the anonymous growth the malloc heap does not explain is pymalloc's arenas,
  Python's small objects, which mallinfo does not see), and, for every held structure the
  sampler counted (``Class.attr``), its length at the window's ends and the first sample at
  which it stood at its last length (when a bounded one reached its bound); then the judge's
  verdict as the report made it, with the marks and xrun times taken out too (at their traced
  bytes), and with the error log's detail lists counted as ``held.error_record_bytes`` now counts
  them (rebuilt from the history's error entries);
- ``sizes``: tracemalloc's bytes per item of the structures that grow on the rig, made as the
  harness and the system make them, beside the lower bound the judge takes out for them: an
  error record of the coordinator's log (a rate-limited ``XrunError`` with its details, as the
  PortAudio device host reports JACK's xruns: its count and two flags, as nearly all of the
  recorded hours' errors are) against ``error_record_bytes``; an audio-check
  mark (``_Marks``: a ``(t0, t1)`` span) and a rig capture's xrun time (a rounded float), which
  the judge does not take out (both bounded: 8 192 each).

    PYTHONPATH=$PWD .venv/bin/python bench/rig_hour_residual.py window OUT_DIR [OUT_DIR ...]
    PYTHONPATH=$PWD .venv/bin/python bench/rig_hour_residual.py sizes [--items 9000]

Deterministic (the recorded series; ``sizes``: a fixed loop) but for tracemalloc's own figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from harness.journal import JournalError
from harness.leaks import theil_sen
from harness.reports.build import HELD_METRICS, run_data_from_journal

MiB = 1024 * 1024
#: tracemalloc's bytes for one ``_Marks`` span and one rig xrun time (``sizes``, bench/RESULTS.md)
MARK_BYTES = 112.5
XRUN_TIME_BYTES = 32.4
WARMUP = 0.1  # the judge's warm-up fraction (``harness.leaks.judge``)


def _slope_h(t: np.ndarray, y: np.ndarray) -> float:
    """Theil-Sen per hour over at most 1 500 evenly thinned points (as the judge thins)."""
    if t.size > 1500:
        k = np.linspace(0, t.size - 1, 1500).round().astype(int)
        t, y = t[k], y[k]
    return theil_sen(t, y) * 3600.0


def window(out: Path) -> None:
    """The judged window's slopes, glibc's heap over it and the held structures' lengths."""
    samples = run_data_from_journal(out / "run" / "journal.jsonl").samples
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    wall = np.array([s.get("wall", np.nan) for s in samples], dtype=np.float64)
    judged = t >= t[0] + WARMUP * (t[-1] - t[0])
    tj = t[judged]
    rss = np.array([s["rss_bytes"] for s in samples], dtype=np.float64)[judged]
    held = np.zeros(tj.size)
    print(f"== {out}: {int(judged.sum())} judged samples, {tj[0] - t[0]:.0f}..{tj[-1] - t[0]:.0f} s of operation")
    print(f"  rss_bytes                  {_slope_h(tj, rss):12.4g} B/h")
    for m in HELD_METRICS:
        col = np.array([s.get(m, np.nan) for s in samples], dtype=np.float64)[judged]
        held += col
        print(f"  {m:26s} {_slope_h(tj, col):12.4g} B/h  ({col[0]:.4g} -> {col[-1]:.4g} B)")
    res = rss - held
    half = tj[0] + 0.5 * (tj[-1] - tj[0])
    e, late = tj < half, tj >= half
    print(f"  residual (rss - held)      {_slope_h(tj, res):12.4g} B/h; early half {_slope_h(tj[e], res[e]):.4g}, "
          f"late half {_slope_h(tj[late], res[late]):.4g} B/h")
    # the memory records are stamped with seconds since the process started, which started the
    # soak within its first seconds; the journal's ``wall`` counts from the soak's first sample:
    # the two are put on one axis as they stand (a few seconds against ~120 s between records)
    rows = [json.loads(x) for x in (out / "memory.jsonl").read_text().splitlines() if x.strip()]
    rows = [r for r in rows if any("jackd" in c["cmd"] for c in r.get("children", []))]  # while the rig ran
    w0 = wall[judged][0] - wall[0]
    r0 = min(rows, key=lambda r: abs(r["t"] - w0))
    r1 = rows[-1]
    hours = (r1["t"] - r0["t"]) / 3600.0
    m0, m1 = r0["self"]["malloc"], r1["self"]["malloc"]
    anon = (r1["self"]["anon"] - r0["self"]["anon"]) / hours
    in_use = (m1["in_use"] - m0["in_use"]) / hours
    free = (m1["free"] - m0["free"]) / hours
    mm = (m1["mmapped"] - m0["mmapped"]) / hours
    print(f"  memory.jsonl {r0['t']:.0f}..{r1['t']:.0f} s: anon {anon:.4g} B/h; glibc in use {in_use:.4g}, "
          f"free-but-held {free:.4g}, mmapped {mm:.4g} B/h; outside malloc (pymalloc arenas) "
          f"{anon - in_use - free - mm:.4g} B/h")
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r.get("held", {}) if k not in keys and not k.endswith("[bytes]")]
    for k in keys:
        series = [(r["t"], r["held"][k][0]) for r in rows if k in r.get("held", {})]
        if len(series) < len(rows) // 2:
            continue  # not among the sampler's 15 most-grown in most samples: not a steady grower
        last = series[-1][1]
        at = next(tt for tt, v in series if v == last)
        first = series[0][1]
        per_h = (last - first) / ((series[-1][0] - series[0][0]) / 3600.0)
        print(f"  held {k:30s} {first:6d} -> {last:6d} ({series[0][0]:.0f}..{series[-1][0]:.0f} s, "
              f"{per_h:+.0f}/h); at {last} from {at:.0f} s on")
    _judge_less_marks(samples, rows, wall - wall[0])
    _judge_with_detail_lists(out, samples)


def _judge_less_marks(samples: list[dict[str, Any]], rows: list[dict[str, Any]], wall_s: np.ndarray) -> None:
    """The report's judgement, and the same with the bounded structures the judge does not take
    out (the audio check's ``_Marks``, the rig capture's xrun times) taken out too at their traced
    bytes (``sizes``), interpolated at each journal sample's wall second from the memory records
    (every ~120 s; before the first rig record, its length): what taking them out could change,
    at most (traced bytes, more than any lower bound the judge would take out)."""
    from harness.leaks import judge

    per = {"_Marks.first": MARK_BYTES, "_Marks.last": MARK_BYTES, "RigCapture.xrun_times": XRUN_TIME_BYTES}
    mt = np.array([r["t"] for r in rows])
    extra = np.zeros(wall_s.size)
    for k, b in per.items():
        n = np.array([r.get("held", {}).get(k, [np.nan])[0] for r in rows], dtype=np.float64)
        ok = np.isfinite(n)
        extra += b * np.interp(wall_s, mt[ok], n[ok])
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    rss = np.array([s["rss_bytes"] for s in samples], dtype=np.float64)
    held = sum(np.array([s[m] for s in samples], dtype=np.float64) for m in HELD_METRICS)
    for name, h in (("as the report judges (logs taken out)", held),
                    ("marks and xrun times taken out too", held + extra)):
        v = judge("rss_bytes", t, rss, held=h)
        print(f"  judge, {name}: {v.verdict} ({v.shape}), slope {v.slope_per_hour:.4g} B/h, "
              f"threshold {v.threshold_per_hour:.4g} ({(1 - v.slope_per_hour / v.threshold_per_hour) * 100:.1f} % under)")


def _judge_with_detail_lists(out: Path, samples: list[dict[str, Any]]) -> None:
    """The report's judgement with the system's error log counted as this tree counts it: the
    recorded ``sut_log_bytes`` plus, for every error recorded up to each sample (the history's
    ``error`` entries, on the system's clock as the samples are), the lists and dicts of its
    details (``held.detail_container_bytes``), rebuilt as ``ErrorInfo.of`` builds them
    (``errors._json_safe``: a list comprehension's sizes, not json's). The error log never
    turned over in these hours (under its 10 000), so every error recorded is still in it."""
    from harness.leaks import judge
    from system_under_test.errors import _json_safe
    from system_under_test.held import detail_container_bytes

    times, added = [], []
    with (out / "run" / "history.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if '"type":"error"' not in line:
                continue
            e = json.loads(line)
            details = ((e.get("data") or {}).get("error") or {}).get("details") or {}
            times.append(float(e["time"]))
            added.append(sum(detail_container_bytes(v) for v in _json_safe(details).values()))
    et = np.array(times)
    cum = np.cumsum(np.array(added, dtype=np.float64))
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    extra = np.where(np.searchsorted(et, t, side="right") > 0,
                     cum[np.maximum(np.searchsorted(et, t, side="right") - 1, 0)], 0.0)
    rss = np.array([s["rss_bytes"] for s in samples], dtype=np.float64)
    held = sum(np.array([s[m] for s in samples], dtype=np.float64) for m in HELD_METRICS)
    v = judge("rss_bytes", t, rss, held=held + extra)
    print(f"  judge, error log's detail lists counted ({len(times)} errors, +{cum[-1]:.4g} B at the end): "
          f"{v.verdict} ({v.shape}), slope {v.slope_per_hour:.4g} B/h, threshold {v.threshold_per_hour:.4g} "
          f"({(1 - v.slope_per_hour / v.threshold_per_hour) * 100:.1f} % under)")


def _traced(make: Any, n: int) -> float:
    """tracemalloc's bytes per item that ``make(i)`` leaves behind, over ``n`` items."""
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.get_traced_memory()[0]
    kept = make(n)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return grown / n


def sizes(n: int) -> None:
    """Bytes per item, traced, of the structures that grow on the rig; and the judge's bound."""
    from harness.audio_check import _Marks
    from system_under_test.clock import VirtualClock
    from system_under_test.coordinator import ComponentCoordinator
    from system_under_test.errors import XrunError

    coord = ComponentCoordinator(VirtualClock())
    if n > 10_000:
        raise SystemExit("--items: at most 10000 (the error log's bound: past it the log turns over)")

    def errors(k: int) -> Any:
        for i in range(k):
            coord.clock.advance(1.0)
            count = i % 7 + 1
            coord.handle_error("device", XrunError(f"{count} flagged block(s): input_overflow, output_underflow",
                                                   component="device",
                                                   details={"count": count,
                                                            "flags": ["input_overflow", "output_underflow"]}))
        return None

    per_error = _traced(errors, n)
    counted = coord.error_fill().held_bytes / coord.error_fill().records
    print(f"error record (XrunError, details count + two flags): traced {per_error:.1f} B, judge takes out "
          f"{counted:.1f} B ({counted / per_error:.3f} of it)")

    def marks(k: int) -> Any:
        m = _Marks(keep=k)
        for i in range(k):
            m.add(1000.0 + i * 0.0213, 1000.0 + i * 0.0213 + 0.005)
        return m

    print(f"_Marks span (t0, t1): traced {_traced(marks, n):.1f} B, judge takes out 0")

    def times(k: int) -> Any:
        return [round(1000.0 + i * 0.0213, 6) for i in range(k)]

    print(f"RigCapture.xrun_times entry: traced {_traced(times, n):.1f} B, judge takes out 0")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("window")
    w.add_argument("out", type=Path, nargs="+")
    s = sub.add_parser("sizes")
    s.add_argument("--items", type=int, default=9000)
    a = p.parse_args(argv)
    if a.cmd == "window":
        for out in a.out:
            try:
                window(out)
            except (JournalError, OSError, KeyError, ValueError) as exc:
                print(f"rig_hour_residual: {out}: {exc} (give the folder bench/rig_soak_memory.py wrote: "
                      "memory.jsonl and run/)", file=sys.stderr)
                return 2
    else:
        sizes(a.items)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
