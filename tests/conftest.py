"""Settings the whole test suite shares, applied before any test module imports numpy.

OpenBLAS starts one thread per core and they spin between calls. The suite's matrix products
(the analyser's per-block fits, the latency search) are small, and pytest-xdist already runs one
worker per core, so BLAS threads only compete with the other worker: with two of them
tests/harness/test_analysis_latency.py's slowest test took 10.1-10.2 s of user CPU against
7.9-8.0 s with one (bench/RESULTS.md, "the suite's BLAS threads"). ``soundcheck`` itself sets the
same default (harness/cli.py); a value in the environment still wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
