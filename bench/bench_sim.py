"""Simulation speed: seconds of simulated 48 kHz stereo audio per second of wall time.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_sim.py [--seconds 30] [--quick]

Bare system (no faults) by block size and chain length, then the full reliability run with the
default fault profile and every invariant (the issue's >= 300x target).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from system_under_test import AudioSystem

CHAINS: dict[str, list[dict[str, Any]]] = {
    "none": [],
    "gain": [{"kind": "gain", "gain_db": -3}],
    "default": [{"kind": "gain", "gain_db": -3}, {"kind": "biquad"}, {"kind": "limiter"}],
    "long": [{"kind": "gain", "gain_db": -3}, {"kind": "biquad"}, {"kind": "biquad", "filter": "highpass", "cutoff_hz": 50},
             {"kind": "biquad", "filter": "peaking", "cutoff_hz": 3000, "gain_db": 3}, {"kind": "limiter"},
             {"kind": "mixer", "matrix": [[1, 0], [0, 1]]}],
}


def speed(seconds: float = 30.0, block: int = 256, chain: str = "default", seed: int = 1) -> float:
    latency = max(20.0, 2000 * block / 48_000)
    s = AudioSystem({"stream": {"block_size": block, "latency_ms": latency}, "dsp": CHAINS[chain]}, seed=seed)
    s.initialize()
    s.start()
    t0 = time.perf_counter()
    s.run_for(seconds)
    wall = time.perf_counter() - t0
    assert s.frame_accounts().balanced()
    s.close()
    return seconds / wall


def faulted_run(seconds: float = 600.0, seed: int = 1, faults: str = "default") -> dict[str, Any]:
    """The issue's figure: ``soundcheck run --backend sim`` (default chain, 256-frame blocks, the
    ``faults`` profile, history streamed, live + end-of-run invariants), timed two ways:
    ``run_x_realtime`` = the runner's own figure (simulation with faults, history and live checks);
    ``end_to_end_x_realtime`` = also every end-of-run invariant and the report files."""
    import tempfile
    from pathlib import Path

    from harness import ReliabilityRun, RunSpec
    root = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    t0 = time.perf_counter()
    r = ReliabilityRun(RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=root)).execute()
    total = time.perf_counter() - t0
    return {"simulated_s": r.summary["simulated_s"], "run_wall_s": r.summary["wall_s"],
            "run_x_realtime": r.summary["speed_x_realtime"], "end_to_end_wall_s": round(total, 2),
            "end_to_end_x_realtime": round(r.summary["simulated_s"] / total, 1), "ok": r.ok,
            "faults": r.summary["faults"]["total"], "callbacks": r.summary["callbacks"]}


def run(seconds: float = 30.0, quick: bool = False) -> dict[str, Any]:
    speed(1.0)  # warm up: first-use costs (imports, caches, page faults) out of the figures
    out: dict[str, Any] = {"x_realtime_256_default": speed(seconds)}
    out["by_block"] = {b: speed(seconds / 2, b) for b in (64, 128, 256, 512, 1024)}
    out["by_chain"] = {c: speed(seconds / 2, 256, c) for c in CHAINS}
    out["faulted"] = faulted_run(60.0 if quick else 600.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true", help="a 60 s faulted run instead of 600 s")
    args = ap.parse_args()
    r = run(args.seconds, args.quick)
    f = r["faulted"]
    print(f"soundcheck run, default faults, {f['simulated_s']:.0f} s: {f['run_x_realtime']:.0f}x real time "
          f"(end to end with checks and reports {f['end_to_end_x_realtime']:.0f}x), ok={f['ok']}")
    print(f"simulated 48 kHz stereo, 256-frame blocks, default chain: {r['x_realtime_256_default']:.0f}x real time")
    print("block size   x real time")
    for b, v in r["by_block"].items():
        print(f"{b:>10}   {v:10.0f}")
    print("chain        x real time (256 frames)")
    for c, v in r["by_chain"].items():
        print(f"{c:>10}   {v:10.0f}")


if __name__ == "__main__":
    main()
