"""The harness computes on one BLAS thread in a process that loaded numpy before it
(harness/blas.py): a user's script, a user's test suite with the pytest plugin. Each case runs in
a fresh interpreter without ``OPENBLAS_NUM_THREADS``, whose caller has set two threads for every
BLAS loaded with threadpoolctl; a probe inside the entry point reads the thread count while the harness works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PRELUDE = """
import json, os, sys
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

def blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
seen = []
"""

#: after the entry's imports, with scipy's BLAS loaded beside numpy's: the caller's setting, then the call
_CALLER = """
import scipy.linalg
threadpool_limits(2, user_api="blas")
before = blas_threads()
"""

_ANALYSIS = """
import harness.analysis as analysis
real = analysis._fit_blocks
def probe(*args, **kwargs):
    seen.append(blas_threads())
    return real(*args, **kwargs)
analysis._fit_blocks = probe
<CALL>t = np.arange(48_000) / 48_000
analysis.analyze_glitches(0.5 * np.sin(2 * np.pi * 997.0 * t), 48_000, 997.0)
"""

_RUN = """
from harness.runner import ReliabilityRun, RunSpec
ReliabilityRun._execute = lambda self, **kwargs: seen.append(blas_threads())
<CALL>ReliabilityRun(RunSpec(backend="sim", duration_s=1.0, seed=1)).execute()
"""

_SOAK = """
from harness.soak import SoakRunner, SoakSpec
SoakRunner._start = lambda self, on_progress: seen.append(blas_threads())
<CALL>SoakRunner(SoakSpec(duration_s=1.0, seed=1)).start()
"""

_EPILOGUE = """
print(json.dumps({"before": before, "seen": seen, "after": blas_threads()}))
"""


def _threads(body: str, **env_extra: str) -> dict[str, list]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", _PRELUDE + body.replace("<CALL>", _CALLER) + _EPILOGUE], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("entry", [_ANALYSIS, _RUN, _SOAK], ids=["analyze_glitches", "run", "soak"])
def test_an_entry_point_computes_on_one_blas_thread_and_gives_the_caller_s_setting_back(entry: str) -> None:
    got = _threads(entry)
    if not got["before"] or set(got["before"]) == {1}:
        pytest.skip(f"this machine's BLAS takes no second thread ({got['before']}): nothing to limit")
    assert got["seen"] and all(set(threads) == {1} for threads in got["seen"]), got
    assert got["after"] == got["before"], got


def test_a_blas_thread_count_in_the_environment_is_left_as_it_is() -> None:
    """``OPENBLAS_NUM_THREADS`` is the user's choice, or soundcheck's made before numpy loaded."""
    got = _threads(_ANALYSIS, OPENBLAS_NUM_THREADS="2")
    if not got["before"] or set(got["before"]) == {1}:
        pytest.skip(f"this machine's BLAS takes no second thread ({got['before']}): nothing to limit")
    assert got["seen"] and all(threads == got["before"] for threads in got["seen"]), got
