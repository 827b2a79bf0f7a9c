"""Read ``bench/rig_soak_memory.py``'s ``memory.jsonl``: what each process held, sample by sample,
and what grew between two times.

    python3 bench/rig_soak_memory_read.py OUT_DIR [--every 5] [--from S --to S]

One line per ``--every``-th sample: seconds since the start, UTC, load, the soak's process (RSS,
anonymous, file-backed, threads), glibc's heap (arena, in use, free, mmapped), Python's objects,
the rig capture's backlog, every child's RSS; then the harness's and the system's holdings that
grew most, and with ``--tracemalloc`` the source lines whose traced bytes grew most. With ``--from``/``--to``: each figure's change per hour between the samples nearest
those two times (how fast each part grew there).

``--judge-without Class.attr`` (run with the tree's .venv and PYTHONPATH): the leak judge
(``harness.leaks.judge``) of the RSS as sampled, and of the RSS less what that holding's entries
took (its length times the bytes tracemalloc measures for one entry built as the harness builds
it: an xrun report's ``{"firing_id", "kind"}`` member): what the judge would have said of the
process without that holding, an estimate (the process's other memory as it was).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

MiB = 1 << 20


def _short(cmd: str, width: int = 12) -> str:
    """A child's program name, 12 characters at most; ``?`` when its command line was read empty
    (a child that had exited, its ``/proc/PID/cmdline`` already gone, when the sample was taken)."""
    words = cmd.split("/")[-1].split()
    return words[0][:width] if words else "?"


def _line(r: dict[str, Any]) -> str:
    s, m = r["self"], r["self"]["malloc"]
    kids = " ".join(f"{_short(c['cmd'])}:{c.get('rss', 0) / MiB:.0f}" for c in r["children"])
    return (f"{r['t']:7.0f} s {r['utc']} load {r['load1']:5.1f} | rss {s['rss'] / MiB:6.1f} anon {s['anon'] / MiB:6.1f} "
            f"file {s['file'] / MiB:5.1f} thr {s['threads']:2d} | heap arena {m['arena'] / MiB:5.1f} in_use "
            f"{m['in_use'] / MiB:5.1f} free {m['free'] / MiB:5.1f} mmapped {m['mmapped'] / MiB:5.1f} | objects "
            f"{r['gc']['objects']} | backlog {r.get('capture', {}).get('backlog_bytes')} | {kids}")


def _figures(r: dict[str, Any]) -> dict[str, float]:
    s, m = r["self"], r["self"]["malloc"]
    out = {"rss MiB": s["rss"] / MiB, "anon MiB": s["anon"] / MiB, "file MiB": s["file"] / MiB,
           "heap in_use MiB": m["in_use"] / MiB, "heap free MiB": m["free"] / MiB,
           "heap mmapped MiB": m["mmapped"] / MiB, "objects": r["gc"]["objects"]}
    for c in r["children"]:
        out[f"child {_short(c['cmd'], 16)} rss MiB"] = c.get("rss", 0) / MiB
    for k, (v, _) in r.get("held", {}).items():
        out[f"held {k}"] = v
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--every", type=int, default=5)
    p.add_argument("--from", dest="t0", type=float)
    p.add_argument("--to", dest="t1", type=float)
    p.add_argument("--judge-without", metavar="CLASS.ATTR")
    a = p.parse_args()
    rows = [json.loads(x) for x in (a.out / "memory.jsonl").read_text().splitlines() if x.strip()]
    for i, r in enumerate(rows):
        if i % a.every == 0 or i == len(rows) - 1:
            print(_line(r))
            traced = r.get("traced", {})
            if traced:
                print(f"         traced {traced['current'] / MiB:.1f} MiB (tracemalloc's own {traced['overhead'] / MiB:.1f});",
                      "grew most by line:", "; ".join(f"{g['where'].split('/')[-1]} {g['bytes'] / MiB:+.2f} MiB "
                                                      f"({g['blocks']:+d} blocks)" for g in traced.get("grew_by_line", [])[:6]))
            held = r.get("held", {})
            if held:
                print("         held (now, grown since the baseline):",
                      ", ".join(f"{k} {v[0]} (+{v[1]})" for k, v in list(held.items())[:6]))
    if a.t0 is not None and a.t1 is not None:
        r0 = min(rows, key=lambda r: abs(r["t"] - a.t0))
        r1 = min(rows, key=lambda r: abs(r["t"] - a.t1))
        f0, f1 = _figures(r0), _figures(r1)
        hours = (r1["t"] - r0["t"]) / 3600.0
        print(f"from {r0['t']:.0f} s to {r1['t']:.0f} s ({hours * 60:.1f} min): change, and per hour")
        for k in f1:
            if k in f0:
                d = f1[k] - f0[k]
                print(f"  {k:40s} {f0[k]:12.1f} -> {f1[k]:12.1f}  {d:+12.1f}  {d / hours:+12.1f}/h")
    if a.judge_without:
        _judge_without(rows, a.judge_without)
    return 0


def _member_bytes() -> float:
    """tracemalloc's bytes for one listed xrun report (``{"firing_id": "jack-xrun-N", "kind": ...}``
    and its list slot), over 100 000 of them with six-digit numbers."""
    import tracemalloc

    tracemalloc.start()
    kept: list[dict[str, str]] = []
    before = tracemalloc.get_traced_memory()[0]
    for i in range(100_000, 200_000):
        kept.append({"firing_id": f"jack-xrun-{i}", "kind": "jack_xrun"})
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return grown / len(kept)


def _judge_without(rows: list[dict[str, Any]], key: str) -> None:
    from harness.leaks import judge

    each = _member_bytes()
    pts = [(r["t"], r["self"]["rss"], r.get("held", {}).get(key, [None])[0]) for r in rows
           if r.get("children")]  # while the soak's rig ran
    pts = [(t, rss, n) for t, rss, n in pts if n is not None]
    t = [p[0] for p in pts]
    print(f"{len(pts)} samples with {key} ({t[0]:.0f}..{t[-1]:.0f} s); {each:.1f} bytes an entry")
    for name, values in (("rss as sampled", [p[1] for p in pts]),
                         (f"rss less {key}", [p[1] - p[2] * each for p in pts])):
        v = judge("rss_bytes", t, values)
        print(f"  {name}: {v.verdict} ({v.shape}), slope {v.slope_per_hour / MiB:.1f} MiB/h, late half "
              f"{(v.late_slope_per_hour or 0) / MiB:.1f} MiB/h; {v.reason[:300]}")


if __name__ == "__main__":
    raise SystemExit(main())
