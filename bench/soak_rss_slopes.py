"""The leak judge's RSS verdict of finished soaks, one row a run folder, as a markdown table.

    python3 bench/soak_rss_slopes.py RUN_DIR [RUN_DIR ...]

Each row, read from the folder's ``report.json`` (``stability.leaks.rss_bytes``) and
``summary.json``: the seed and simulated duration, the verdict and shape, the Theil-Sen slope
(B/h, what is judged against the threshold, bounded logs taken out), the late half's slope where
the judge fitted one, the bytes taken out at the first and last judged sample, and the process's
CPU seconds (``cpu.process_cpu_s``). Standard library only: runs with any Python.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _num(v: object, fmt: str = ".4g") -> str:
    return "-" if v is None else format(v, fmt)


def row(run_dir: Path) -> str:
    report = json.loads((run_dir / "report.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    leak = report["stability"]["leaks"]["rss_bytes"]
    meta = report.get("run") or {}
    seed = meta.get("seed", "?")
    duration = meta.get("duration_s")
    cpu = (summary.get("cpu") or {}).get("process_cpu_s")
    return (f"| {run_dir.name} | {seed} | {_num(duration, '.0f')} | {leak['verdict']} ({leak['shape']}) | "
            f"{_num(leak['slope_per_hour'])} | {_num(leak.get('late_slope_per_hour'))} | "
            f"{_num(leak.get('held_first'))} -> {_num(leak.get('held_last'))} | {_num(cpu, '.1f')} |")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print("| run | seed | s | rss_bytes | slope B/h | late half B/h | held B | CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for arg in argv:
        path = Path(arg)
        try:
            print(row(path))
        except (OSError, KeyError, ValueError) as exc:
            print(f"| {path.name} | not a finished soak's folder: {exc} |||||||")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
