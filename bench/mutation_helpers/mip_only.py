"""scripts/mutate_in_process.py with only the mutants whose numbers MIP_ONLY lists (e.g. 132-141): the
mutants of one function's changed lines, when the function is long and its tests slow.

    MIP_ONLY=132-141 PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        bench/mutation_helpers/mip_only.py --timeout 900 harness.audio_check \
        bench/mutation_helpers/machine_cause_middle_cached.py AudioCheck.machine_cause
"""
import importlib.util, os, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location(
    "mip", Path(__file__).resolve().parents[2] / "scripts" / "mutate_in_process.py")
mip = importlib.util.module_from_spec(spec); spec.loader.exec_module(mip)
want = set()
for part in os.environ["MIP_ONLY"].split(","):
    a, _, b = part.partition("-")
    want.update(range(int(a), int(b or a) + 1))
_orig = mip._mutants
mip._mutants = lambda ns, fs: {n: v for n, v in _orig(ns, fs).items() if int(n.rsplit("_", 1)[1]) in want}
sys.exit(mip.main())
