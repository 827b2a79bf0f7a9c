"""scripts/mutate_in_process.py with only the mutants MIP_ONLY lists: numbers (``132-141``) for every
function named, or, after ``;``, a function's own numbers (``_judge=2-40;describe_timer=8,11-13``,
the function as mutmut names it: ``_judge`` for ``TimerWatch._judge``). Why: the mutants of one
function's changed lines, or one run's survivors, when the tests are slow.

    MIP_ONLY=132-141 PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        bench/mutation_helpers/mip_only.py --timeout 900 harness.audio_check \
        bench/mutation_helpers/machine_cause_middle_cached.py AudioCheck.machine_cause
"""
import importlib.util, os, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location(
    "mip", Path(__file__).resolve().parents[2] / "scripts" / "mutate_in_process.py")
mip = importlib.util.module_from_spec(spec); spec.loader.exec_module(mip)


def _numbers(text):
    out = set()
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


everywhere, per_function = set(), {}
for group in os.environ["MIP_ONLY"].split(";"):
    name, eq, numbers = group.rpartition("=")
    if eq:
        per_function[name] = _numbers(numbers)
    else:
        everywhere |= _numbers(numbers)


def _wanted(mutant):
    stem, number = mutant.rsplit("__mutmut_", 1)
    function = stem.rsplit("ǁ", 1)[-1] if "ǁ" in stem else stem[2:]
    return int(number) in everywhere | per_function.get(function, set())


_orig = mip._mutants
mip._mutants = lambda ns, fs: {n: v for n, v in _orig(ns, fs).items() if _wanted(n)}
sys.exit(mip.main())
