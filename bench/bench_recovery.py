"""Recovery on the simulated device: time-to-detect and time-to-recover after a device dropout.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_recovery.py [--trials 20]

Each trial runs the default system on the simulated device for a while, then removes the input
device at a seeded, block-unaligned instant and brings it back ``outage_s`` later. Times are on
the virtual clock (what a user of the real system would see, the simulation being exact), measured
from the fault:
- detect: the system enters RECOVERING (the event ``recovery_started``);
- recover: audio is back (``recovery_succeeded``) — bounded below by the outage itself.
Two kinds: ``reported`` (the device says DeviceLostError one period later, like a driver error) and
``silent`` (the stream just goes quiet, like the ALSA ``jack`` PCM: the watchdog must notice).
The JACK server kill-and-restart figures come from bench_loopback's drills.
"""

from __future__ import annotations

import argparse
import random
from typing import Any

import numpy as np


def trial(seed: int, *, report: bool, outage_s: float = 0.1) -> dict[str, Any]:
    from system_under_test import AudioSystem
    s = AudioSystem({}, seed=seed)
    s.initialize()
    s.start()
    events: list[tuple[str, float]] = []
    s.add_event_listener(lambda e: events.append((e.kind, e.time)))
    s.run_for(0.5 + random.Random(seed).random() * 0.01)
    device = s.config.device.input_device  # type: ignore[union-attr]
    t_fault = s.clock.now()
    s.backend.remove_device(device, report=report)  # type: ignore[attr-defined]
    s.clock.call_later(outage_s, lambda: s.backend.restore_device(device))  # type: ignore[attr-defined]
    s.run_for(outage_s + 5.0)
    started = next((t for k, t in events if k == "recovery_started"), None)
    done = next((t for k, t in events if k == "recovery_succeeded"), None)
    out = {"detect_ms": None if started is None else (started - t_fault) * 1000,
           "recover_ms": None if done is None else (done - t_fault) * 1000,
           "attempts": sum(1 for k, _ in events if k == "recovery_attempt"),
           "state": s.state.value}
    s.close()
    return out


def _summ(xs: list[float | None]) -> dict[str, Any]:
    got = np.array([x for x in xs if x is not None], dtype=float)
    if got.size == 0:
        return {"n": 0, "missing": len(xs)}
    return {"n": int(got.size), "missing": len(xs) - int(got.size), "mean_ms": round(float(got.mean()), 2),
            "p50_ms": round(float(np.median(got)), 2), "max_ms": round(float(got.max()), 2)}


def run(trials: int = 20, outage_s: float = 0.1) -> dict[str, Any]:
    out: dict[str, Any] = {"outage_ms": outage_s * 1000, "trials": trials}
    for kind, report in (("reported", True), ("silent", False)):
        rs = [trial(seed, report=report, outage_s=outage_s) for seed in range(1, trials + 1)]
        out[kind] = {"detect": _summ([r["detect_ms"] for r in rs]), "recover": _summ([r["recover_ms"] for r in rs]),
                     "all_running_after": all(r["state"] == "running" for r in rs),
                     "attempts_max": max(r["attempts"] for r in rs)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--outage", type=float, default=0.1, help="seconds the device stays away")
    a = ap.parse_args()
    r = run(a.trials, a.outage)
    for kind in ("reported", "silent"):
        print(f"{kind:<9} detect {r[kind]['detect']}  recover {r[kind]['recover']}  "
              f"running after: {r[kind]['all_running_after']}")


if __name__ == "__main__":
    main()
