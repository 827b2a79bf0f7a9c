"""How long ``MonitoringCoordinator.snapshot`` holds the registries' lock, beside how long the
whole snapshot takes: the wait a thread naming a new metric can meet behind a snapshot.

    PYTHONPATH=$PWD .venv/bin/python bench/monitoring_snapshot_hold.py [--seed S] [--run-s T] [--repeats N]

Why: the snapshot copies the registries under the lock ``counter()``/``gauge()``/``histogram()``
add under and reads the copies after letting it go, so the lock is held for the copies alone,
not for the histograms' percentiles (issue #12). The metrics are a real system's: an
``AudioSystem`` on its virtual clock, started and run for ``--run-s`` seconds (its histograms
filled by its callbacks), then ``--repeats`` snapshots, each after one more callback period (so
the percentiles are computed afresh, not the cached ones). Wall time (``perf_counter_ns``) on
this process's thread: the machine's load is in it, so say it. Bad input: exit 2, a message,
nothing run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


class _TimedLock:
    """The coordinator's lock, the time each hold lasted appended to ``holds`` (nanoseconds)."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self.holds: list[int] = []
        self._t0 = 0

    def __enter__(self) -> "_TimedLock":
        self._lock.acquire()
        self._t0 = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        self.holds.append(time.perf_counter_ns() - self._t0)
        self._lock.release()


def _figures(ns: list[int]) -> str:
    us = sorted(v / 1000 for v in ns)
    p99 = us[min(len(us) - 1, int(0.99 * len(us)))]
    return f"median {statistics.median(us):.1f} us, p99 {p99:.1f} us, max {us[-1]:.1f} us"


def main(argv: list[str]) -> int:
    p = _Parser(prog="monitoring_snapshot_hold.py")
    p.add_argument("--seed", type=int, default=99700)
    p.add_argument("--run-s", type=float, default=30.0)
    p.add_argument("--repeats", type=int, default=500)
    try:
        a = p.parse_args(argv)
        if a.run_s <= 0:
            raise _Usage(f"--run-s: {a.run_s} is not positive; give the seconds to run, e.g. --run-s 30")
        if a.repeats < 1:
            raise _Usage(f"--repeats: {a.repeats} is under 1; give a count, e.g. --repeats 500")
    except _Usage as exc:
        print(f"monitoring_snapshot_hold.py: {exc} (options: --seed S --run-s T --repeats N; see --help)",
              file=sys.stderr)
        return 2
    from system_under_test import AudioSystem

    system = AudioSystem({}, seed=a.seed)
    system.initialize()
    system.start()
    system.run_for(a.run_s)
    m = system.monitoring
    timed = _TimedLock(m._lock)
    m._lock = timed  # type: ignore[assignment]
    period = system.config.block_seconds
    whole: list[int] = []
    for _ in range(a.repeats):
        system.run_for(period)
        t0 = time.perf_counter_ns()
        m.snapshot(system.clock.now())
        whole.append(time.perf_counter_ns() - t0)
    system.close()
    samples = sum(min(h.count, h._ring.shape[0]) for h in m.histograms.values())
    print(f"seed {a.seed}, {a.run_s:g} s run: {len(m.counters)} counters, {len(m.gauges)} gauges, "
          f"{len(m.histograms)} histograms ({samples} samples in their reservoirs)")
    print(f"lock held per snapshot ({a.repeats}): {_figures(timed.holds)}")
    print(f"whole snapshot ({a.repeats}):        {_figures(whole)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
