"""What a soak's resident set is made of at each of its own samples: glibc's heap and pymalloc's blocks
beside the RSS the leak judge reads, on the soak's clock.

    PYTHONPATH=$PWD .venv/bin/python bench/soak_allocator_series.py OUT_DIR \
        -- soak --backend sim --duration 1h --faults default --seed 1 --no-progress [--system ...]
    PYTHONPATH=$PWD .venv/bin/python bench/soak_allocator_series.py --read OUT_DIR [OUT_DIR ...]

The first form runs ``harness.cli.main`` with the arguments after ``--`` in this process (the run
folder is ``OUT_DIR/run`` unless ``--run-dir`` is given) and, each time the soak's own
``ResourceSampler.sample`` runs, appends to ``OUT_DIR/allocator.jsonl`` the sample's time and RSS
with glibc's ``mallinfo2`` (bytes in use, free bytes the heap holds, mmapped chunks) and pymalloc's
allocated block count (``sys.getallocatedblocks``). ``bench/rig_soak_memory.py`` samples on the wall
clock, a few times in a simulated hour that runs in minutes; this samples with the soak, so its
series align with the journal's (one a simulated second).

The second form reads the folders back (a soak's run folder without ``allocator.jsonl`` too: its
journal's series only, the allocator's bytes in use among them where the soak sampled them itself,
``malloc_in_use_bytes``): over the leak judge's window (after the first 10 %), each
series' level (``harness.leaks._trimmed_mean``) in each quarter and the rise from quarter to
quarter, in MB: the RSS, the RSS less the bounded logs the judge takes out (``HELD_METRICS``, read
from the journal), malloc's in-use and free bytes, and pymalloc's blocks. It says which part of the
process's growth slows while a planted leak's own rate does not (bench/RESULTS.md, issue #11).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _mallinfo2() -> dict[str, int]:
    fn = ctypes.CDLL("libc.so.6").mallinfo2
    fn.restype = _MallInfo2
    m = fn()
    return {"malloc_arena": m.arena, "malloc_in_use": m.uordblks, "malloc_free": m.fordblks,
            "malloc_mmapped": m.hblkhd}


def record(out_dir: Path, cli_args: list[str]) -> int:
    """Run the soak in this process, the allocator read beside each of its samples."""
    from harness import cli
    from harness.leaks import ResourceSampler

    out_dir.mkdir(parents=True, exist_ok=True)
    if "--run-dir" not in cli_args:
        cli_args = [*cli_args, "--run-dir", str(out_dir / "run")]
    sink = (out_dir / "allocator.jsonl").open("w")
    original = ResourceSampler.sample

    def sample(self: ResourceSampler, t: float, *args: Any, **kw: Any) -> dict[str, Any]:
        s = original(self, t, *args, **kw)
        sink.write(json.dumps({"t": s["t"], "rss_bytes": s.get("rss_bytes"), **_mallinfo2(),
                               "pymalloc_blocks": sys.getallocatedblocks()}) + "\n")
        return s

    ResourceSampler.sample = sample  # type: ignore[method-assign]
    try:
        return int(cli.main(cli_args) or 0)
    finally:
        ResourceSampler.sample = original  # type: ignore[method-assign]
        sink.close()


def _quarter_levels(t: np.ndarray, y: np.ndarray) -> list[float]:
    from harness.leaks import _trimmed_mean

    t0 = t[0] + 0.1 * (t[-1] - t[0])
    keep = t >= t0
    t, y = t[keep], y[keep]
    a, span = t[0], t[-1] - t[0]
    return [_trimmed_mean(y[(t >= a + lo * span) & (t <= a + (lo + 0.25) * span)]) for lo in (0.0, 0.25, 0.5, 0.75)]


def read(out_dir: Path) -> None:
    from harness.reports.build import HELD_METRICS, run_data_from_journal

    recorded = (out_dir / "allocator.jsonl").is_file()
    by_t = {r["t"]: r for r in map(json.loads, (out_dir / "allocator.jsonl").open())} if recorded else {}
    journal = out_dir / "run" / "journal.jsonl"
    rd = run_data_from_journal(journal if journal.is_file() else out_dir / "journal.jsonl")
    samples = [s for s in rd.samples if s["t"] in by_t or not recorded]
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    rss = np.array([s["rss_bytes"] for s in samples], dtype=np.float64)
    held = sum(np.array([s.get(m, np.nan) for s in samples], dtype=np.float64) for m in HELD_METRICS)
    series = {
        "rss": rss,
        "rss less held": rss - held,
        "held": held,
    }
    if all("malloc_in_use_bytes" in s for s in samples):  # sampled by the soak itself (harness.allocator)
        series["malloc in use + mmapped (journal)"] = np.array([s["malloc_in_use_bytes"] for s in samples],
                                                               dtype=np.float64)
    if recorded:
        series |= {
            "malloc in use": np.array([by_t[x]["malloc_in_use"] for x in t], dtype=np.float64),
            "malloc free": np.array([by_t[x]["malloc_free"] for x in t], dtype=np.float64),
            "malloc mmapped": np.array([by_t[x]["malloc_mmapped"] for x in t], dtype=np.float64),
            "pymalloc blocks (x 64 B)": 64.0 * np.array([by_t[x]["pymalloc_blocks"] for x in t],
                                                        dtype=np.float64),
        }
    print(f"\n{out_dir}: {t.size} samples, {t[0]:.0f}..{t[-1]:.0f} s")
    print("| series (MB) | q1 level | q2 | q3 | q4 | rise q1->q2 | q2->q3 | q3->q4 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, y in series.items():
        lv = [v / 1e6 for v in _quarter_levels(t, y)]
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in lv) + " | "
              + " | ".join(f"{b - a:+.2f}" for a, b in zip(lv, lv[1:])) + " |")


def main(argv: list[str]) -> int:
    if "--read" in argv[:1]:
        for d in argv[1:]:
            read(Path(d))
        return 0
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", type=Path)
    args = ap.parse_args(argv[:cut])
    return record(args.out_dir, argv[cut + 1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
