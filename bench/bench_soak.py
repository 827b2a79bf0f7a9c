"""An 8-hour simulated soak with the default fault profile: wall time, speed, leak slopes.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_soak.py [--duration 8h] [--seed 1] [--faults default] [--run-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.durations import format_duration, parse_duration
from harness.soak import SoakRunner, SoakSpec


def _timed_checks(skip: tuple[str, ...], timings: dict[str, float]) -> Any:
    """Wrap the runner's end-of-run ``check_all``: time each checker, optionally skip some."""
    import harness.invariants as inv
    import harness.runner as runner

    original = inv.check_all

    def check_all(history: Any, system: Any = None, **kw: Any) -> list[Any]:
        out = []
        for name in inv.CHECKS:
            if name in skip:
                out.append(inv.Verdict(name, True, [], "skipped by bench_soak --skip-invariant",
                                       inconclusive=True))
                continue
            t = time.perf_counter()
            out.extend(original(history, system, only=[name]))
            timings[name] = round(time.perf_counter() - t, 2)
        return out

    runner.check_all = check_all
    return lambda: setattr(runner, "check_all", original)


def run(duration: str = "8h", seed: int = 1, faults: str = "default", run_dir: str | None = None,
        skip_invariants: tuple[str, ...] = ()) -> dict[str, Any]:
    root = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="bench-soak-"))
    os.environ.setdefault("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
    spec = SoakSpec(duration_s=parse_duration(duration), seed=seed, faults=faults, run_dir=root / "run")
    timings: dict[str, float] = {}
    restore = _timed_checks(tuple(skip_invariants), timings)
    t0 = time.perf_counter()
    try:
        result = SoakRunner(spec).start()
    finally:
        restore()
    wall = time.perf_counter() - t0
    from harness.journal import read_journal
    sim_wall = sum(c.get("wall_s", 0.0) for c in read_journal(root / "run").checkpoints)
    report = json.loads((root / "run" / "report.json").read_text())
    st, pf, rc = report["stability"], report["performance"], report["recovery"]
    return {
        "simulated_s": st["sim_time_s"], "wall_s": round(wall, 1),
        "simulation_wall_s": round(sim_wall, 1), "invariant_check_s": timings,
        "skipped_invariants": list(skip_invariants),
        "report_and_checks_wall_s": round(wall - sim_wall, 1),
        "speed_x_realtime": round(st["sim_time_s"] / wall, 1),
        "status": result.status, "ok": result.ok, "verdict": report["verdict"],
        "checkpoints": result.checkpoints,
        "journal_bytes": (root / "run" / "journal.jsonl").stat().st_size,
        "faults": st["faults_injected"], "episodes": rc["episodes_total"], "recovered": rc["recovered_total"],
        "failed_recoveries": rc["failed_count"], "xruns_per_hour": st["xruns_per_hour"],
        "callback_p99_ms": (pf["callback_duration_s"]["p99"] or 0) * 1000,
        "leaks": {k: {"verdict": v["verdict"], "slope_per_hour": v["slope_per_hour"],
                      "ols_slope_per_hour": v["ols_slope_per_hour"], "first": v["first"], "last": v["last"]}
                  for k, v in st["leaks"].items()},
        "run_dir": str(root / "run"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--duration", default="8h")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--faults", default="default")
    ap.add_argument("--run-dir")
    ap.add_argument("--skip-invariant", action="append", default=[],
                    help="leave one end-of-run checker out (to measure the rest; reported)")
    a = ap.parse_args()
    r = run(a.duration, a.seed, a.faults, a.run_dir, tuple(a.skip_invariant))
    print(f"{format_duration(r['simulated_s'])} simulated soak ({a.faults}) in {r['wall_s']:.0f} s wall "
          f"= {r['speed_x_realtime']:.0f}x real time; {r['status']}, ok={r['ok']}")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
