"""Stateful-test throughput: Hypothesis state-machine steps per second (with every invariant checked
after each step), and how many steps the machine needs to find each mutant.

    .venv/bin/python bench/bench_stateful.py
"""

from __future__ import annotations

import time
from typing import Any

from hypothesis.stateful import run_state_machine_as_test


def _steps_per_second(max_examples: int) -> dict[str, Any]:
    from harness.stateful import make_machine, profile_settings
    Machine = make_machine(name="BenchMachine")
    t0 = time.perf_counter()
    run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=max_examples))
    wall = time.perf_counter() - t0
    stats = Machine.stats  # type: ignore[attr-defined]
    return {"examples": stats.examples, "steps": stats.steps, "wall_s": round(wall, 3),
            "steps_per_s": round(stats.steps / wall, 1)}


def _mutant_steps() -> dict[str, Any]:
    from harness.faults import coordinator_storm
    from harness import History
    from harness import InvariantViolation, check_all
    from harness.mutants import MUTANTS, make_coordinator, system_factory
    from harness.stateful import make_machine, profile_settings
    out: dict[str, Any] = {}
    for name, mutant in sorted(MUTANTS.items()):
        t0 = time.perf_counter()
        if mutant.detector == "stateful":
            Machine = make_machine(system_factory(name), name=f"Mutant_{name}")
            try:
                run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=400))
            except InvariantViolation as exc:  # found: an invariant failed (and Hypothesis shrank it)
                s = Machine.stats  # type: ignore[attr-defined]
                out[name] = {"found": True, "caught_by": exc.names, "expected": list(mutant.caught_by),
                             "steps_to_find": s.first_failure_step, "shrunk_steps": s.shrunk_steps,
                             "wall_s": round(time.perf_counter() - t0, 2)}
            except Exception as exc:  # noqa: BLE001 - a crash of the machine is not a finding
                out[name] = {"found": False, "error": f"{type(exc).__name__}: {exc}"[:200],
                             "wall_s": round(time.perf_counter() - t0, 2)}
            else:
                out[name] = {"found": False, "wall_s": round(time.perf_counter() - t0, 2)}
        elif mutant.detector == "coordinator_storm":
            ops, storms, caught = 0, 0, []
            while storms < 200 and not caught:
                storms += 1
                h = History()
                ops += coordinator_storm(make_coordinator(name), h, threads=8, ops_per_thread=40,
                                         components=("a",), seed=storms).ops
                caught = [v.name for v in check_all(h, only=["legal_transitions", "linearizable"]) if not v.ok]
            out[name] = {"found": bool(caught), "caught_by": caught, "expected": list(mutant.caught_by),
                         "storms": storms, "ops_to_find": ops if caught else None,
                         "wall_s": round(time.perf_counter() - t0, 2)}
    return out


def run(max_examples: int = 200) -> dict[str, Any]:
    return {"stateful": _steps_per_second(max_examples), "mutants": _mutant_steps()}


if __name__ == "__main__":
    result = run()
    s = result["stateful"]
    print(f"{'stateful':<26} {s['steps']:>7} steps in {s['wall_s']:>7.2f} s = {s['steps_per_s']:>8.1f} steps/s "
          f"({s['examples']} examples, invariants after every step)")
    print(f"{'mutant':<26} {'found':>6} {'steps/ops to find':>18} {'shrunk':>7} {'wall s':>7}  caught by")
    for name, m in result["mutants"].items():
        find = m.get("steps_to_find", m.get("ops_to_find"))
        unit = "steps" if "steps_to_find" in m else "ops"
        print(f"{name:<26} {str(m['found']):>6} {f'{find} {unit}':>18} {str(m.get('shrunk_steps', '-')):>7} "
              f"{m.get('wall_s', 0):>7.2f}  {', '.join(m.get('caught_by') or []) or m.get('error', '-')}")
