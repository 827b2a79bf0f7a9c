"""Every test of the files ``MIP_LIVE_TESTS`` names (comma-separated), given the fixtures the live
checker's test files ask for: ``idle`` (a system that never runs, closed after, as their own
fixture), ``tmp_path`` and ``monkeypatch``; and the history database those files' autouse fixture
points into a temporary folder, pointed there for the whole process. Tests ``MIP_LIVE_LEAVE_OUT``
names (comma-separated: the soaks, seconds a call) are left out. A test file for
``scripts/mutate_in_process.py``, which leaves out every test asking for a fixture:

    MIP_LIVE_TESTS=tests/harness/test_live_counters_and_follow.py \
    MIP_LIVE_LEAVE_OUT=test_a_soak_journals_the_break_at_the_first_live_check_after_it \
        PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        scripts/mutate_in_process.py --timeout 600 harness.invariants \
        bench/mutation_helpers/live_given.py LiveChecker._history_verdicts
"""
import importlib.util
import inspect
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from system_under_test import AudioSystem

_DB_FOLDER = tempfile.mkdtemp(prefix="live_given_")
os.environ["SOUNDCHECK_HISTORY_DB"] = str(Path(_DB_FOLDER) / "history.sqlite")
_GIVEN = ("idle", "tmp_path", "monkeypatch")


def _given(test: Callable[..., Any]) -> Callable[..., Any]:
    sig = inspect.signature(test)

    def call(**kw: Any) -> Any:
        system = AudioSystem(seed=1)
        try:
            with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
                given = {"idle": system, "tmp_path": Path(d), "monkeypatch": mp}
                return test(**kw, **{k: given[k] for k in _GIVEN if k in sig.parameters})
        finally:
            system.close()

    call.__signature__ = sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in _GIVEN])
    call.pytestmark = getattr(test, "pytestmark", [])
    return call


_LEAVE_OUT = set(filter(None, os.environ.get("MIP_LIVE_LEAVE_OUT", "").split(",")))
for _i, _path in enumerate(filter(None, os.environ.get("MIP_LIVE_TESTS", "").split(","))):
    _folder = str(Path(_path).resolve().parent)
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
    _spec = importlib.util.spec_from_file_location(f"live_given_{_i}", _path)
    assert _spec is not None and _spec.loader is not None
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    for _name in dir(_mod):
        _fn = getattr(_mod, _name)
        if _name.startswith("test_") and callable(_fn) and _name not in _LEAVE_OUT:
            _wants = set(inspect.signature(_fn).parameters)
            globals()[f"{_name}__{_i}"] = _given(_fn) if _wants & set(_GIVEN) else _fn
