"""Settings the whole test suite shares, applied before any test module imports numpy, and the
compiled DSP kernels warmed once before any test runs.

OpenBLAS starts one thread per core and they spin between calls. The suite's matrix products
(the analyser's per-block fits, the latency search) are small, and pytest-xdist already runs one
worker per core, so BLAS threads only compete with the other worker: with two of them
tests/harness/test_analysis_latency.py's slowest test took 10.1-10.2 s of user CPU against
7.9-8.0 s with one (bench/RESULTS.md, "the suite's BLAS threads"). ``soundcheck`` itself sets the
same default (harness/cli.py); a value in the environment still wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_configure(config) -> None:
    """Warm numba's cache of the DSP chain's kernels (``dsp_kernels.warm``) once, in the process
    that starts the session (pytest-xdist's controller, before it starts its workers), so no
    test pays their compilation inside its timeout.

    The cache lives beside ``system_under_test/dsp_kernels.py``, so every fresh tree (a clone, a
    worktree, a bug bench's copy) starts cold, and the first test to call a kernel compiled it
    within its 120 s timeout: ~23 s for the two fused kernels at load ~28, more at load ~34, and
    under ``-n 2`` once in each worker, both compiling at once. Warmed here, the workers load the
    compiled code from the cache (~0.5 s at a first call)."""
    if hasattr(config, "workerinput"):  # an xdist worker: its controller warmed the cache
        return
    from system_under_test import dsp_kernels

    dsp_kernels.warm()
