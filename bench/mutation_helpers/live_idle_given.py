"""The tests of test_live_counts_and_episodes.py with its ``idle`` fixture given (a system that never
runs, closed after), beside test_recoveries_counted_live_base.py: what judges ``LiveChecker``'s
recovery and counter folds' lines in ``_history_verdicts``. A test file for
``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 rows of ``mut24``):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 600 harness.invariants bench/mutation_helpers/live_idle_given.py LiveChecker._history_verdicts
"""
import inspect
from collections.abc import Callable
from typing import Any

from system_under_test import AudioSystem
from tests.harness import test_live_counts_and_episodes as live
from tests.harness import test_recoveries_counted_live_base as base


def _with_idle(test: Callable[..., Any]) -> Callable[..., Any]:
    sig = inspect.signature(test)

    def call(**kw: Any) -> Any:
        system = AudioSystem(seed=1)
        try:
            return test(idle=system, **kw)
        finally:
            system.close()

    call.__signature__ = sig.replace(parameters=[p for n, p in sig.parameters.items() if n != "idle"])
    call.pytestmark = getattr(test, "pytestmark", [])
    return call


for _mod in (live, base):
    for _name in dir(_mod):
        _fn = getattr(_mod, _name)
        if _name.startswith("test_") and callable(_fn):
            wants = inspect.signature(_fn).parameters
            globals()[f"{_name}__{_mod.__name__.rsplit('.', 1)[-1]}"] = _with_idle(_fn) if "idle" in wants else _fn
