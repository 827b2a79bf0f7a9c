"""A healthy soak's ``report.json`` as the history database records it: every figure alike between
runs but the ones a speed test varies (the wall and CPU speeds, the machine's load)."""

from __future__ import annotations

from typing import Any


def healthy_soak_report(i: int, *, wall_x: float, machine: dict[str, Any] | None = None,
                        cpu_x: float | None = None, seed: int | None = None,
                        sim_s: float = 3600.0) -> dict[str, Any]:
    """Run ``r{i}`` (seed ``i`` unless given), ``sim_s`` simulated seconds (3600: long enough for
    its speed to be judged). ``machine`` None: a report written before the load was kept;
    ``cpu_x`` None: before the CPU time was kept."""
    perf: dict[str, Any] = {"callback_duration_s": {"p99": 0.002, "max": 0.004}, "speed_x_realtime": wall_x}
    if machine is not None:
        perf["machine"] = machine
    if cpu_x is not None:
        perf["speed_x_cpu"] = cpu_x
    return {
        "kind": "soak", "verdict": {"ok": True, "outcome": "pass"},
        "run": {"run_id": f"r{i}", "backend": "sim", "profile": "default", "seed": i if seed is None else seed,
                "status": "completed", "duration_s": sim_s},
        "stability": {"failure_count": 0, "incident_count": 0, "xruns_per_hour": 100.0, "sim_time_s": sim_s,
                      "faults_injected": 50, "leaks_found": []},
        "performance": perf,
        "recovery": {"episodes": [], "recovered_total": 0, "failed_count": 0},
    }
