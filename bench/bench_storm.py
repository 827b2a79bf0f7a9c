"""Thread-storm throughput: 32 threads x 10 000 lifecycle operations against one AudioSystem
(and against the bare coordinator): operations per second, p50/p99 operation latency, and p99
latency of the operations that made a transition. The storm's history is checked afterwards for
legal, gap-free transitions (too big for the linearizability search, which the tests run on many
short storms). Then contention: validated transitions/s and p99 attempt latency at 1, 8 and 32
threads, ours (``ComponentCoordinator.transition``) vs ``transitions``' ``LockedMachine`` with the
same state table (the ``bench`` extra).

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
    from harness import History
    from harness import check_all
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
    from harness import History
    from harness import check_all
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


# -- contention: the bare validated transition, ours vs the ``transitions`` package ----------------

def _race(threads: int, ops: int, seed: int, attempt: Any, state_of: Any, components: tuple[str, ...]) -> dict[str, Any]:
    """``threads`` threads each make ``ops`` attempts: read a component's state, pick a target from the
    table (90 % legal, else any state but CLOSED) and ask for it. No history: only the transition."""
    import random
    import threading
    import time

    from system_under_test.lifecycle import TRANSITIONS, State
    states = [s for s in State if s != State.CLOSED]
    legal = {s: sorted(t for t in TRANSITIONS[s] if t != State.CLOSED) for s in State}
    barrier = threading.Barrier(threads + 1)
    lats: list[list[float]] = []
    applied = [0] * threads
    errors: list[str] = []

    def worker(i: int) -> None:
        rng = random.Random(f"contention:{seed}:{i}")
        perf = time.perf_counter
        lat: list[float] = []
        ok = 0
        barrier.wait()
        try:
            for _ in range(ops):
                name = rng.choice(components)
                seen = state_of(name)
                targets = legal[seen]
                target = rng.choice(targets) if targets and rng.random() < 0.9 else rng.choice(states)
                t0 = perf()
                ok += attempt(name, target)
                lat.append(perf() - t0)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            errors.append(f"{type(exc).__name__}: {exc}")
        lats.append(lat)
        applied[i] = ok

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    all_lat = [x for lat in lats for x in lat]
    return {"threads": threads, "attempts": len(all_lat), "transitions": sum(applied), "wall_s": round(wall, 3),
            "transitions_per_s": round(sum(applied) / wall), "attempts_per_s": round(len(all_lat) / wall),
            "p50_us": round(_pct(all_lat, 50) * 1e6, 1), "p99_us": round(_pct(all_lat, 99) * 1e6, 1),
            "errors": errors[:3]}


def _ours(threads: int, ops: int, seed: int) -> dict[str, Any]:
    from system_under_test.coordinator import ComponentCoordinator
    from system_under_test.errors import IllegalTransitionError
    coord = ComponentCoordinator()
    comps = ("a", "b", "c", "d")
    for c in comps:
        coord.register(c)

    def attempt(name: str, target: Any) -> int:
        try:
            coord.transition(name, target, "bench")
        except IllegalTransitionError:
            return 0
        return 1

    return _race(threads, ops, seed, attempt, coord.state, comps)


def _locked_machine(threads: int, ops: int, seed: int) -> dict[str, Any]:
    """``transitions.extensions.LockedMachine`` with the same table: one trigger per target state."""
    from transitions import MachineError
    from transitions.extensions import LockedMachine

    from system_under_test.lifecycle import TRANSITIONS, State

    class Model:
        pass

    comps = ("a", "b", "c", "d")
    models = {c: Model() for c in comps}
    table = [{"trigger": f"to_{dst.value}", "source": src.value, "dest": dst.value}
             for src, dsts in TRANSITIONS.items() for dst in dsts]
    LockedMachine(model=list(models.values()), states=[s.value for s in State], transitions=table,
                  initial=State.UNINITIALIZED.value, auto_transitions=False, ignore_invalid_triggers=False)
    by_value = {s.value: s for s in State}

    def attempt(name: str, target: Any) -> int:
        try:
            return 1 if getattr(models[name], f"to_{target.value}")() else 0
        except (MachineError, AttributeError):
            return 0

    return _race(threads, ops, seed, attempt, lambda n: by_value[models[n].state], comps)


def contention(threads: tuple[int, ...] = (1, 8, 32), ops: int = 2_000, seed: int = 1) -> dict[str, Any]:
    """Validated transitions/s and p99 attempt latency, ours vs LockedMachine, per thread count."""
    out: dict[str, Any] = {"ops_per_thread": ops}
    for n in threads:
        row: dict[str, Any] = {"ours": _ours(n, ops, seed)}
        try:
            row["locked_machine"] = _locked_machine(n, ops, seed)
        except ImportError as exc:
            row["locked_machine"] = {"skipped": f"transitions not installed ({exc}); pip install -e '.[bench]'"}
        out[str(n)] = row
    return out


def run(threads: int = 32, ops: int = 10_000, seed: int = 1, quick: bool = False) -> dict[str, Any]:
    if quick:
        ops = min(ops, 1_000)
    return {"system": _system(threads, ops, seed), "coordinator": _coordinator(threads, ops, seed),
            "threads": threads, "ops_per_thread": ops,
            "contention": contention(ops=500 if quick else 2_000, seed=seed)}


if __name__ == "__main__":
    r = run()
    print(f"storm: {r['threads']} threads x {r['ops_per_thread']} ops (recorded history, default 5 ms GIL switch interval)")
    print(f"{'target':<12} {'ops':>8} {'wall s':>8} {'ops/s':>9} {'p50 us':>8} {'p99 us':>9} {'p99 trans us':>13} "
          f"{'transitions':>12} {'invariants':>10}")
    for target in ("system", "coordinator"):
        m = r[target]
        print(f"{target:<12} {m['ops']:>8} {m['wall_s']:>8.2f} {m['ops_per_s']:>9} {m['p50_us']:>8} {m['p99_us']:>9} "
              f"{m['p99_transition_us']:>13} {m['transitions']:>12} {str(m['invariants_ok']):>10}")
    c = r["contention"]
    print(f"contention ({c['ops_per_thread']} attempts per thread, 4 components, no history)")
    print(f"{'threads':>7} {'impl':<15} {'transitions/s':>14} {'attempts/s':>11} {'p50 us':>8} {'p99 us':>8}")
    for n, row in c.items():
        if n == "ops_per_thread":
            continue
        for impl, m in row.items():
            if "skipped" in m:
                print(f"{n:>7} {impl:<15} {m['skipped']}")
                continue
            print(f"{n:>7} {impl:<15} {m['transitions_per_s']:>14} {m['attempts_per_s']:>11} {m['p50_us']:>8} "
                  f"{m['p99_us']:>8}")
