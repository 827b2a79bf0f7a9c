"""What the rig's capture missed, per kept run folder, and the windows the rule before
``capture_gap_frames`` would have failed.

A benchmark reader, not a test: it reads the ``summary.json`` of every run folder under the
directories given (``bench/bench_external_kills.py`` and ``bench/bench_rig_channels.py`` keep
theirs and print where) and never fails.

    python bench/bench_rig_capture_gaps.py RUNS_DIR [RUNS_DIR ...]

Per run it counts the windows that hold frames the rig's capture did not record and no glitch,
and are judged (not blind) and not requested: until the capture's misses were told apart from the
system's loss, each of those failed ``clean_audio`` as "the frame accounting lost audio the
analysis did not hear" (seen once in about 60 loaded rig runs: a missed cycle in the capture's last
cycles, which nothing can hear). It prints the capture-gap frames per run (p50, max) too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def old_rule_windows(summary: dict) -> list[dict]:
    """The windows of one run that the rule before ``capture_gap_frames`` would have failed."""
    items = summary.get("audio", {}).get("windows", {}).get("items", [])
    return [w for w in items if w.get("capture_gap_frames") and not w["glitches"]
            and w["kind"] != "requested" and w["verdict"] != "inconclusive"]


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: bench_rig_capture_gaps.py RUNS_DIR [RUNS_DIR ...]", file=sys.stderr)
        return 2
    runs = hit = 0
    gaps: list[int] = []
    for folder in argv:
        for path in sorted(Path(folder).rglob("summary.json")):
            summary = json.loads(path.read_text())
            if not summary.get("audio", {}).get("analysed"):
                continue
            runs += 1
            gaps.append(int(summary["audio"]["frames"].get("capture_gap", 0)))
            rows = old_rule_windows(summary)
            hit += bool(rows)
            for w in rows:
                print(f"{path.parent.name}: window {w['window']} ({w['label']}, t={w['start']}..{w['end']} s): "
                      f"{w['capture_gap_frames']} capture-gap frame(s), no glitch")
    g = np.array(gaps or [0])
    print(f"{runs} run(s) read; {hit} with a window the old rule would have failed; capture-gap frames "
          f"per run p50 {int(np.median(g))}, max {int(g.max())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
