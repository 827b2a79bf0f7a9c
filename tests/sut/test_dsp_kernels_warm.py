"""``dsp_kernels.warm`` compiles each kernel for the argument types the DSP chain calls it with.

Its promise (the docstring): a float32 and a float64 block for the biquad (whose float64 path
serves blocks of other dtypes), a float32 block and a float32 gain for the fused gain-biquad-peak
step and its many-blocks form, so that no compiled version is built inside the first timed call.
A warm-up that calls a kernel with another dtype compiles a version nobody calls and leaves the
one the chain needs to its first block. Asked in a fresh process (this one's kernels have been
called by other tests), with the JIT on: numba compiles a version per argument type, and the
dispatcher's ``signatures`` are the versions it holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json
from system_under_test import dsp_kernels as k
k.warm()
print(json.dumps({name: [[str(a) for a in sig] for sig in getattr(k, name).signatures]
                  for name in ("biquad_block", "gain_biquad_peak", "gain_biquad_peaks")}))
"""


def _block(dtype: str) -> str:
    return f"array({dtype}, 2d, C)"


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="the JIT is off: nothing is compiled")
def test_warm_compiles_the_versions_the_chain_calls_and_no_other() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=600, check=True).stdout
    sigs = json.loads(out.strip().splitlines()[-1])
    state = _block("float64")
    assert sorted((s[0], s[1], s[2:]) for s in sigs["biquad_block"]) == [
        (_block("float32"), state, ["float64"] * 5), (_block("float64"), state, ["float64"] * 5)]
    assert [(s[0], s[2]) for s in sigs["gain_biquad_peak"]] == [(_block("float32"), "float32")]
    assert [(s[0], s[2]) for s in sigs["gain_biquad_peaks"]] == [(_block("float32"), "float32")]
