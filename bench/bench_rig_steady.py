"""What the steady-state check heard in its quiet windows on the rig, read from kept run folders.

A benchmark, not a test: it prints figures, never fails.

    python bench/bench_rig_steady.py RUNS_DIR [RUNS_DIR ...]

Every ``summary.json`` under the folders (``bench/bench_external_kills.py`` prints where it kept
its runs) is read: the steady-state verdicts before and after the faults, the glitches each
window counted as the machine's (``steady_state.before_excused``/``after_excused``: cycles the
rig's capture missed, a missed deadline's damage at a JACK xrun report) and the shapes of the
glitches heard in the windows (kind; a silence's or other damage's length in whole 256-frame
cycles; a phase step's size in frames): what the rule excuses and what it leaves a doubt. The
shapes come from the summary's first glitches kept in detail (a silence merged later may show
shorter there than the check judged it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _shape(g: dict[str, Any], cycle: int = 256) -> str:
    frames = int(g["end_frame"]) - int(g["start_frame"])
    if g["kind"] in ("dropped", "inserted"):
        return f"{g['kind']} {g['size']}"
    return f"{g['kind']} {-(-frames // cycle)} cycle(s)" if g["kind"] in ("mute", "other") else g["kind"]


def read(folders: list[Path]) -> dict[str, Any]:
    verdicts: Counter[str] = Counter()
    excused: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    runs = 0
    for summary in sorted(p for f in folders for p in f.rglob("summary.json")):
        try:
            s = json.loads(summary.read_text())
        except (OSError, ValueError):
            continue
        st, audio = s.get("steady_state") or {}, s.get("audio") or {}
        if not audio.get("analysed"):
            continue
        runs += 1
        for name in ("before", "after"):
            verdicts[f"{name}: {st.get(name)}"] += 1
            for why, n in (st.get(f"{name}_excused") or {}).items():
                excused[f"{name}: {why}"] += int(n)
            span = st.get(f"{name}_span")
            if not span:
                continue
            for g in audio["glitches"]["items"]:
                if g["t_start"] < span[1] and g["t_end"] > span[0]:
                    shapes[f"{name}: {_shape(g)}"] += 1
    return {"runs": runs, "verdicts": dict(sorted(verdicts.items())), "excused": dict(sorted(excused.items())),
            "shapes": dict(shapes.most_common())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="+", type=Path)
    args = ap.parse_args(argv)
    out = read(args.folders)
    print(f"{out['runs']} run(s) with their audio analysed")
    print("steady state:", out["verdicts"])
    print("glitches counted as the machine's:", out["excused"])
    print("glitches heard in the windows, by shape:")
    for shape, n in out["shapes"].items():
        print(f"  {shape:32s} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
