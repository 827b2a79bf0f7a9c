"""Read real-device soak folders (``bench/rig_soak_kill.sh``): the verdict, the live checks' section,
the recoveries, and the tone's phase steps classed by whole JACK cycles.

    python3 bench/rig_soak_read.py RUN_DIR...

Per folder: the report's verdict, ``stability.live`` (clock, checks, breaks, unjudged, history-only
checks), readings kept as ``seen_live_s``, and the recovery episodes. Then every phase step the
journal's checkpoints kept (``glitches``, parts of joined mutes included; at most 100 a checkpoint,
the rest counted as ``more``), before the first observed outage and after the last (or the whole
soak), classed by the whole number k of 256-frame cycles it matches within a frame of the 997 Hz
tone's period P: *held* (the tone k cycles late: k*256 mod P read as "inserted" below P/2, else
"dropped" P minus it) or *skipped* (k cycles early), and how many held k >= 3 lay outside every
window (a joined mute's parts in its window). A step of k >= 3 held cycles is what
``AudioCheck.machine_cause`` never lays on the machine (it accepts k = 1, 2)."""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path
from typing import Any

P = 48000 / 997.0
N = 256


def klass(kind: str, size: float) -> tuple[str, int | None]:
    for k in range(1, 9):
        late = (k * N) % P
        held = ("inserted", late) if late < P / 2 else ("dropped", P - late)
        skip = ("dropped", late) if late < P / 2 else ("inserted", P - late)
        if kind == held[0] and abs(size - held[1]) <= 1.0:
            return "held", k
        if kind == skip[0] and abs(size - skip[1]) <= 1.0:
            return "skipped", k
    return "other", None


def live(d: Path) -> None:
    r = json.loads((d / "report.json").read_text())
    lv = r["stability"].get("live") or {}
    cps = sum(1 for x in open(d / "journal.jsonl") if '"type":"checkpoint"' in x)
    print(d.name, r["verdict"]["outcome"].upper(), "violated", r["verdict"]["violated"], "checkpoints", cps,
          "| live clock", lv.get("clock"), "checks", lv.get("checks"),
          "breaks", [(b["name"], round(b["sim_t"], 2)) for b in lv.get("breaks", [])],
          "unjudged", {k: v["checks"] for k, v in (lv.get("unjudged") or {}).items()},
          "history_only", sorted(lv.get("history_only") or {}))
    rec = r["recovery"]
    print("   recovery episodes", rec["episodes_total"], "recovered", rec["recovered_total"], "failed", rec["failed_count"],
          "| by type", {k: (v["episodes"], v["recovered"]) for k, v in rec["by_fault_type"].items()})
    seen = [(v["name"], v["details"].get("seen_live_s")) for v in r["stability"]["invariants"]
            if v["details"].get("seen_live_s") is not None]
    if seen:
        print("   seen live, not at the end:", seen)
    for x in r["verdict"]["doubts"]:
        print("   doubt:", x[:170])


def steps(d: Path) -> None:
    cps = [json.loads(line) for line in open(d / "journal.jsonl")]
    kept = [g for c in cps if c.get("type") == "checkpoint" for g in (c.get("glitches") or [])]
    gl = [g for g in kept if "t_start" in g]
    more = sum(g.get("count", 0) for g in kept if g.get("kind") == "more")
    a: dict[str, Any] = json.loads((d / "summary.json").read_text())["audio"]
    outs = [o for w in a["windows"]["items"] for o in w.get("outages", [])]
    first, t_end = a["capture"]["first_heard_at"], max(g["t_end"] for g in gl)
    segs = [("before", first, outs[0]["from"]), ("after", outs[-1]["to"], t_end)] if outs else [("healthy", first, t_end)]
    for name, t0, t1 in segs:
        c: collections.Counter[tuple[str, int | None]] = collections.Counter()
        in_parts = outside = 0
        for g in gl:
            if not t0 <= g["t_start"] < t1:
                continue
            for p in [g, *(g.get("parts") or [])]:
                if p["kind"] in ("dropped", "inserted"):
                    h, k = c_key = klass(p["kind"], p["size"])
                    c[c_key] += 1
                    in_parts += p is not g
                    # a part is in its joined mute's window
                    outside += h == "held" and bool(k and k >= 3) and g.get("window") is None
        held3 = sum(v for (h, k), v in c.items() if h == "held" and k and k >= 3)
        print(f"   steps {name:7s} {t1 - t0:6.1f}s (journal 'more' {more}) held k "
              f"{dict(sorted((k, v) for (h, k), v in c.items() if h == 'held'))} skipped k "
              f"{dict(sorted((k, v) for (h, k), v in c.items() if h == 'skipped'))} other {c[('other', None)]}"
              f" | held k>=3: {held3} ({held3 / (t1 - t0):.3f}/s), outside any window {outside}"
              f" | in joined mutes' parts {in_parts}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        live(Path(arg))
        steps(Path(arg))
