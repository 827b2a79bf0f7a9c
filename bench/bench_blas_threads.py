"""CPU of a 60 s simulated run in a process that imported numpy before the harness.

Such a process (a user's script, a user's test suite with the pytest plugin) has OpenBLAS's
default thread count; harness/blas.py limits BLAS to one thread while the harness computes.
Run it without ``OPENBLAS_NUM_THREADS`` in the environment, on the tree to measure::

    env -u OPENBLAS_NUM_THREADS PYTHONPATH=TREE .venv/bin/python bench/bench_blas_threads.py TREE
"""

import os
import resource
import sys
import tempfile
from pathlib import Path

import numpy  # noqa: F401 - the user's process loaded numpy first: the point of the measurement

from harness.runner import ReliabilityRun, RunSpec


def main() -> None:
    label = sys.argv[1] if len(sys.argv) > 1 else "tree"
    t0 = resource.getrusage(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory() as d:
        os.environ["SOUNDCHECK_HISTORY_DB"] = str(Path(d) / "history.sqlite")
        result = ReliabilityRun(RunSpec(backend="sim", duration_s=60.0, seed=1,
                                        report_root=Path(d))).execute(reports=False)
    t1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (t1.ru_utime - t0.ru_utime) + (t1.ru_stime - t0.ru_stime)
    print(label, "cpu_s", round(cpu, 2), "ok", result.ok)


if __name__ == "__main__":
    main()
