"""CPU per fault, per transition and per history line of a simulated run's per-fault path (issue #17).

    cd TREE && PYTHONPATH=$PWD nice -n 19 .venv/bin/python /path/to/bench/bench_per_fault.py \\
        [--seconds 300] [--seed 3] [--faults default] [--rounds 1]

runs ``soundcheck run --backend sim`` (``ReliabilityRun``, the history streamed to a file, the
default chain and kernel choice) with the virtual clock's event loop replaced by a copy of
``VirtualClock.run_until`` that reads the thread's CPU clock around the timers of the per-fault
path, by what the timer runs:

- ``fault fire``: a fault's trigger (``FaultInjector._fire``: the fault's start, its lifecycle and
  configuration calls, the transitions, observers and history lines they make);
- ``fault end``: a lasting fault's end (``FaultInjector._end``);
- ``recovery attempt``: ``Recoverer._attempt`` (a pipeline built, the transitions back);
- ``supervisor pass``: ``AudioSystem._supervise`` run as a timer (the quiet passes done inside a
  device's stretch are not timers and are not counted here);
- ``metrics snapshot``: the history's metrics entry every simulated second.

Every other timer (the device's blocks, the listening check) runs untimed. A timer run inside
another's ``run_until`` is counted in the outer one. The figures are CPU time of this one
thread (``time.thread_time``): the storms' own threads are not in them. Two trees compare by running
this file under each tree's ``PYTHONPATH`` alternately; it reads nothing a tree may lack.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
#: the runs measured here are not runs to keep: out of the tree's run-history database
os.environ.setdefault("SOUNDCHECK_HISTORY_DB", os.path.join(tempfile.mkdtemp(prefix="bench-per-fault-db-"), "runs.sqlite"))

#: the timers of the per-fault path, by the qualified name of the function they run
PATH_TIMERS: dict[str, str] = {
    "FaultInjector.arm.<locals>.<lambda>": "fault fire",
    "FaultInjector._fire.<locals>.<lambda>": "fault end",
    "Recoverer._schedule_attempt.<locals>.<lambda>": "recovery attempt",
    "AudioSystem._supervise": "supervisor pass",
    "History._schedule_metrics.<locals>.tick": "metrics snapshot",
}


def _category(callback: Any) -> tuple[str, str] | None:
    """The per-fault part a timer's callback belongs to, and the fault's kind for a firing (None:
    not the path)."""
    name = getattr(callback, "__qualname__", "")
    kind = ""
    if name == "FaultInjector._pending.<locals>.run":  # the injector's wrapper: look at what it runs
        cells = dict(zip(callback.__code__.co_freevars, (c.cell_contents for c in callback.__closure__ or ())))
        fn = cells.get("fn")
        name = getattr(fn, "__qualname__", "")
        defaults = getattr(fn, "__defaults__", None) or ()
        kind = getattr(defaults[0], "kind", "") if defaults else ""
    part = PATH_TIMERS.get(name)
    return None if part is None else (part, kind)


def measure(seconds: float, seed: int, faults: str, profile: Path | None = None) -> dict[str, Any]:
    """One run, timed; returns CPU seconds and calls by part, faults, transitions, history lines.
    With ``profile``, the path's timers alone are also profiled by ``cProfile`` (written there;
    its overhead is in the CPU figures of that run)."""
    import cProfile
    from harness import ReliabilityRun, RunSpec
    from system_under_test.clock import VirtualClock

    cpu: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    kind_cpu: collections.Counter[str] = collections.Counter()
    kind_calls: collections.Counter[str] = collections.Counter()
    depth = [0]
    profiler = cProfile.Profile(time.thread_time) if profile is not None else None
    thread_time = time.thread_time
    original = VirtualClock.run_until

    def run_until(clock: VirtualClock, deadline: float) -> None:
        # ``VirtualClock.run_until``'s loop, with the path's timers timed
        if depth[0]:
            return original(clock, deadline)
        timers = clock._timers
        lock = clock._lock
        pop = __import__("heapq").heappop
        outer = clock._deadline
        clock._deadline = deadline
        depth[0] += 1
        try:
            while True:
                with lock:
                    if not timers or timers[0][0] > deadline:
                        break
                    when, _, handle = pop(timers)
                if handle.cancelled:
                    continue
                if when > clock._now:
                    clock._now = when
                found = _category(handle.callback)
                if found is None:
                    handle.callback()
                    continue
                part, kind = found
                t0 = thread_time()
                if profiler is not None:
                    profiler.enable()
                try:
                    handle.callback()
                finally:
                    if profiler is not None:
                        profiler.disable()
                    spent = thread_time() - t0
                    cpu[part] += spent
                    calls[part] += 1
                    if kind:
                        kind_cpu[kind] += spent
                        kind_calls[kind] += 1
        finally:
            depth[0] -= 1
            clock._deadline = outer
        if deadline > clock._now:
            clock._now = deadline

    root = Path(tempfile.mkdtemp(prefix="bench-per-fault-"))
    VirtualClock.run_until = run_until  # type: ignore[method-assign]
    try:
        c0 = time.process_time()
        result = ReliabilityRun(RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=root)).execute()
        process_cpu = time.process_time() - c0
    finally:
        VirtualClock.run_until = original  # type: ignore[method-assign]
    if profiler is not None:
        profiler.dump_stats(str(profile))
    lines: collections.Counter[str] = collections.Counter()
    history = Path(result.summary["history"])
    with history.open(encoding="utf-8") as fh:
        for line in fh:
            lines[json.loads(line)["type"]] += 1
    fired = result.summary["faults"]["total"]
    path_cpu = sum(cpu.values())
    return {
        "simulated_s": result.summary["simulated_s"], "faults": fired, "transitions": lines["transition"],
        "history_lines": sum(lines.values()), "process_cpu_s": round(process_cpu, 3),
        "path_cpu_s": round(path_cpu, 3),
        "us_per_fault": round(1e6 * path_cpu / max(fired, 1), 1),
        "us_per_transition": round(1e6 * path_cpu / max(lines["transition"], 1), 2),
        "us_per_history_line": round(1e6 * path_cpu / max(sum(lines.values()), 1), 2),
        "parts": {part: {"cpu_s": round(cpu[part], 3), "calls": calls[part],
                         "us_per_call": round(1e6 * cpu[part] / max(calls[part], 1), 1)}
                  for part in sorted(cpu, key=cpu.__getitem__, reverse=True)},
        "fault fire by kind": {kind: {"cpu_s": round(kind_cpu[kind], 3), "calls": kind_calls[kind],
                                      "us_per_call": round(1e6 * kind_cpu[kind] / kind_calls[kind], 1)}
                               for kind in sorted(kind_cpu, key=kind_cpu.__getitem__, reverse=True)},
    }


def units(number: int = 2000, seed: int = 3) -> dict[str, float]:
    """CPU microseconds per call of the path's units, on a running simulated system with the run's
    observers attached (history streamed to a file, the listening check, the steady-state watch):
    measured once, at the end of the first chunk of a ``ReliabilityRun`` with no faults, each unit
    ``number`` times (``time.thread_time``), then the run goes on as usual."""
    from harness import ReliabilityRun, RunSpec
    from harness.faults.injector import FaultRecord
    from harness.history import system_snapshot
    from system_under_test.pipeline import Pipeline

    out: dict[str, float] = {}

    def per_call(name: str, fn: Any, n: int = number) -> None:
        t0 = time.thread_time()
        for _ in range(n):
            fn()
        out[name] = round(1e6 * (time.thread_time() - t0) / n, 2)

    def on_chunk(run: Any, system: Any, history: Any) -> None:
        if out:
            return
        record = FaultRecord("xrun#1@1", "xrun#1", "xrun", "sim-in", "At(time=1.0)", 1.0, 1.0, True, 0.0,
                             {"reason": "x", "count": 3, "restored_with": ["resume", "start"]},
                             {"duration_s": 0.0, "target": "sim-in", "delay_s": 0.01})

        coordinator = system.coordinator
        from system_under_test.lifecycle import State

        def component_pair() -> None:  # two transitions of a component, every observer, two lines
            coordinator.transition("dsp", State.PAUSED, "unit")
            coordinator.transition("dsp", State.RUNNING, "unit")

        def build_pipeline() -> None:
            Pipeline(system.config, system.resources, system.monitoring, simulated=True).release()

        per_call("2 component transitions (observers, history lines)", component_pair)
        per_call("history.record(event)", lambda: history.record("event", value="unit", data={"a": 1, "b": "x"}))
        from harness.faults.kinds import LateCallback
        from harness.faults.triggers import At

        fault = LateCallback(trigger=At(12.5), delay_s=0.02, fault_id="xrun#3")
        per_call("Trigger.describe + Fault.recorded_params (a firing's)",
                 lambda: (fault.trigger.describe(), fault.recorded_params()))
        per_call("FaultRecord.to_dict", record.to_dict)
        per_call("history.fault_started", lambda: history.fault_started(record))
        per_call("system_snapshot", lambda: system_snapshot(system), number // 4)
        per_call("history.snapshot", lambda: history.snapshot(system), number // 4)
        per_call("Pipeline built and released", build_pipeline, number // 4)

    root = Path(tempfile.mkdtemp(prefix="bench-per-fault-units-"))
    ReliabilityRun(RunSpec(duration_s=2.0, seed=seed, faults="none", report_root=root)).execute(on_chunk=on_chunk)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--faults", default="default")
    parser.add_argument("--cprofile", type=Path, help="also profile the path's timers (cProfile) into this file")
    parser.add_argument("--units", action="store_true", help="CPU per call of the path's units instead (units())")
    args = parser.parse_args()
    if args.units:
        print(json.dumps(units()))
        return
    print(json.dumps(measure(args.seconds, args.seed, args.faults, args.cprofile)))


if __name__ == "__main__":
    main()
