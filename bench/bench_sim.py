"""Simulation speed: seconds of simulated 48 kHz stereo audio per second of wall time.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_sim.py [--seconds 60] [--block 256]
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


def run(seconds: float = 30.0) -> dict[str, Any]:
    out: dict[str, Any] = {"x_realtime_256_default": speed(seconds)}
    out["by_block"] = {b: speed(seconds / 2, b) for b in (64, 128, 256, 512, 1024)}
    out["by_chain"] = {c: speed(seconds / 2, 256, c) for c in CHAINS}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    r = run(args.seconds)
    print(f"simulated 48 kHz stereo, 256-frame blocks, default chain: {r['x_realtime_256_default']:.0f}x real time")
    print("block size   x real time")
    for b, v in r["by_block"].items():
        print(f"{b:>10}   {v:10.0f}")
    print("chain        x real time (256 frames)")
    for c, v in r["by_chain"].items():
        print(f"{c:>10}   {v:10.0f}")


if __name__ == "__main__":
    main()
