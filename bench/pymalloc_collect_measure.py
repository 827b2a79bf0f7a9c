"""Where a simulated soak's pymalloc series wanders from, and what a quieter reading costs.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/pymalloc_collect_measure.py MODE OUT.json -- SOAK-ARGS...

runs ``soundcheck soak SOAK-ARGS`` in this process (as the CLI runs it: modules loaded, then
frozen out of the collector's reach) with the resource sampler watched, and writes OUT.json:

- ``natural``: the collector left as it is. Each sample's ``pymalloc_in_use_bytes`` as sampled,
  and, through ``gc.callbacks``, pymalloc's bytes read right after each full (generation 2)
  collection the interpreter ran on its own, with the CPU (``time.process_time``) those
  collections took: whether the series' wander is garbage awaiting the collector (the reading
  after a full collection is then quiet) and how often the interpreter collects fully.
- ``collect``: a full ``gc.collect()`` before each sample's reading, timed (``time.process_time``),
  pymalloc's bytes read after it: the collected series and a collection's CPU a sample.

Both print each series' rises over the quarters of the judged window (after the 10 % warm-up, MB)
and the soak's own CPU (user + sys of this process).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

from harness.allocator import pymalloc_in_use_bytes
from harness.leaks import ResourceSampler


def quarter_rises(y: list[float]) -> list[float]:
    """Last reading of each quarter of the window after the first 10 %, less its first, in MB."""
    q = [int(len(y) * f) for f in (0.1, 0.325, 0.55, 0.775, 1.0)]
    return [round((y[q[i + 1] - 1] - y[q[i]]) / 1e6, 2) for i in range(4)]


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in ("natural", "collect") or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    mode, out_path, soak_args = argv[0], argv[1], argv[3:]
    rows: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    state: dict[str, Any] = {"t": None, "cpu0": 0.0}
    original = ResourceSampler.sample

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            state["cpu0"] = time.process_time()
        else:
            cpu = time.process_time() - state["cpu0"]
            full.append({"after_t": state["t"], "cpu_s": cpu, "pymalloc": pymalloc_in_use_bytes(),
                         "collected": info.get("collected")})

    def sample(self: ResourceSampler, t: float, *a: Any, **kw: Any) -> dict[str, Any]:
        s = original(self, t, *a, **kw)
        row: dict[str, Any] = {"t": t, "as_sampled": s.get("pymalloc_in_use_bytes")}
        if mode == "collect" and row["as_sampled"] is not None:
            c0 = time.process_time()
            gc.collect()
            row["collect_cpu_s"] = time.process_time() - c0
            row["collected"] = pymalloc_in_use_bytes()
        state["t"] = t
        rows.append(row)
        return s

    ResourceSampler.sample = sample  # type: ignore[method-assign]
    if mode == "natural":
        gc.callbacks.append(on_gc)
    from harness import cli

    sys.argv = ["soundcheck", "soak", *soak_args]
    cpu0 = os.times()
    rc = cli.main()
    cpu1 = os.times()
    gc.callbacks[:] = [c for c in gc.callbacks if c is not on_gc]
    soak_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    kept = [r for r in rows if r["as_sampled"] is not None]
    result: dict[str, Any] = {"mode": mode, "exit": rc, "soak_cpu_s": soak_cpu, "samples": len(kept),
                              "as_sampled_quarter_rises_mb": quarter_rises([r["as_sampled"] for r in kept])}
    if mode == "collect":
        cpu = sum(r["collect_cpu_s"] for r in kept)
        result.update(collected_quarter_rises_mb=quarter_rises([r["collected"] for r in kept]),
                      collect_cpu_s_total=cpu, collect_cpu_ms_per_sample=1e3 * cpu / max(1, len(kept)),
                      collect_share_of_soak_cpu=cpu / soak_cpu if soak_cpu else None)
    else:
        result.update(full_collections=len(full), full_collections_cpu_s=sum(f["cpu_s"] for f in full),
                      after_full_quarter_rises_mb=quarter_rises([f["pymalloc"] for f in full])
                      if len(full) >= 8 else None)
    print(json.dumps(result, indent=1))
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({**result, "rows": rows, "full": full}, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
