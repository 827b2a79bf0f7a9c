"""Thread-storm throughput: 32 threads x 10 000 lifecycle operations against one AudioSystem
(and against the bare coordinator): operations per second, p50/p99 operation latency, and p99
latency of the operations that made a transition. The storm's history is checked afterwards for
legal, gap-free transitions (too big for the linearizability search, which the tests run on many
short storms).

    .venv/bin/python bench/bench_storm.py
"""

from __future__ import annotations

from typing import Any


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q / 100 * len(xs)))]


def _system(threads: int, ops: int, seed: int) -> dict[str, Any]:
    from harness.faults import system_storm
    from harness.history import History
    from harness.invariants import check_all
    from system_under_test import AudioSystem
    system = AudioSystem({}, seed=seed)
    h = History().attach(system)
    stats = system_storm(system, threads=threads, ops_per_thread=ops, seed=seed, history=h,
                         switch_interval_s=None)
    verdicts = check_all(h, only=["legal_transitions", "history_complete"])
    system.close()
    return {"ops": stats.ops, "wall_s": round(stats.wall_s, 3), "ops_per_s": round(stats.ops / stats.wall_s),
            "p50_us": round(_pct(stats.latencies_s, 50) * 1e6, 1),
            "p99_us": round(_pct(stats.latencies_s, 99) * 1e6, 1),
            "p99_transition_us": round(_pct(stats.transition_latencies_s, 99) * 1e6, 1),
            "transitions": len(h.transitions()), "outcomes": stats.outcomes, "errors": stats.errors,
            "invariants_ok": all(v.ok for v in verdicts)}


def _coordinator(threads: int, ops: int, seed: int) -> dict[str, Any]:
    from harness.faults import coordinator_storm
    from harness.history import History
    from harness.invariants import check_all
    from system_under_test.coordinator import ComponentCoordinator
    h = History()
    stats = coordinator_storm(ComponentCoordinator(), h, threads=threads, ops_per_thread=ops, seed=seed,
                              components=("a", "b", "c", "d"), switch_interval_s=None)
    verdicts = check_all(h, only=["legal_transitions", "history_complete"])
    return {"ops": stats.ops, "wall_s": round(stats.wall_s, 3), "ops_per_s": round(stats.ops / stats.wall_s),
            "p50_us": round(_pct(stats.latencies_s, 50) * 1e6, 1),
            "p99_us": round(_pct(stats.latencies_s, 99) * 1e6, 1),
            "p99_transition_us": round(_pct(stats.transition_latencies_s, 99) * 1e6, 1),
            "transitions": len(h.transitions()), "outcomes": stats.outcomes, "errors": stats.errors,
            "invariants_ok": all(v.ok for v in verdicts)}


def run(threads: int = 32, ops: int = 10_000, seed: int = 1) -> dict[str, Any]:
    return {"system": _system(threads, ops, seed), "coordinator": _coordinator(threads, ops, seed),
            "threads": threads, "ops_per_thread": ops}


if __name__ == "__main__":
    r = run()
    print(f"storm: {r['threads']} threads x {r['ops_per_thread']} ops (recorded history, default 5 ms GIL switch interval)")
    print(f"{'target':<12} {'ops':>8} {'wall s':>8} {'ops/s':>9} {'p50 us':>8} {'p99 us':>9} {'p99 trans us':>13} "
          f"{'transitions':>12} {'invariants':>10}")
    for target in ("system", "coordinator"):
        m = r[target]
        print(f"{target:<12} {m['ops']:>8} {m['wall_s']:>8.2f} {m['ops_per_s']:>9} {m['p50_us']:>8} {m['p99_us']:>9} "
              f"{m['p99_transition_us']:>13} {m['transitions']:>12} {str(m['invariants_ok']):>10}")
