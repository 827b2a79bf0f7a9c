"""Every test of the files ``MIP_FOLDER_TESTS`` names (comma-separated), the ones that ask for
``tmp_path`` or ``monkeypatch`` given a fresh temporary folder and pytest's ``MonkeyPatch`` (their
``parametrize`` marks kept): a test file for ``scripts/mutate_in_process.py``, which leaves out
every test asking for a fixture. Why: the exit-2 refusals of a profile or scenario file (the
message naming file, field and fix) are ``tmp_path`` tests, and they are what judges a bound's
message. A test asking for any other fixture is still left out (named on stderr by the script),
and so is every test ``MIP_FOLDER_LEAVE_OUT`` names (comma-separated names: a slow test whose
mutants are judged apart).

    MIP_FOLDER_TESTS=tests/harness/test_fault_paths.py PYTHONPATH=$PWD CI=true nice -n 19 \
        .venv/bin/python scripts/mutate_in_process.py --timeout 600 harness.faults.stall_bound \
        bench/mutation_helpers/folder_given.py min_stall_s
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

_GIVEN = ("tmp_path", "monkeypatch")


def _in_a_folder(test: Callable[..., Any]) -> Callable[..., Any]:
    sig = inspect.signature(test)

    def call(**kw: Any) -> Any:
        with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
            given = {"tmp_path": Path(d), "monkeypatch": mp}
            return test(**kw, **{k: given[k] for k in _GIVEN if k in sig.parameters})

    call.__signature__ = sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in _GIVEN])
    call.pytestmark = getattr(test, "pytestmark", [])
    return call


_LEAVE_OUT = set(filter(None, os.environ.get("MIP_FOLDER_LEAVE_OUT", "").split(",")))
for _i, _path in enumerate(filter(None, os.environ.get("MIP_FOLDER_TESTS", "").split(","))):
    _folder = str(Path(_path).resolve().parent)
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
    _spec = importlib.util.spec_from_file_location(f"folder_given_{_i}", _path)
    assert _spec is not None and _spec.loader is not None
    _mod = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_mod)
    for _name in dir(_mod):
        _fn = getattr(_mod, _name)
        if _name.startswith("test_") and callable(_fn) and _name not in _LEAVE_OUT:
            _wants = set(inspect.signature(_fn).parameters)
            globals()[f"{_name}__{_i}"] = _in_a_folder(_fn) if _wants & set(_GIVEN) else _fn
