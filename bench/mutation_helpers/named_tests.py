"""Only the tests ``MIP_NAMED_TESTS`` names (comma-separated ``path::test_name``), each as its file
has it (``parametrize`` marks kept; a ``tmp_path`` or ``monkeypatch`` given as
``folder_given.py`` gives them): a test file for ``scripts/mutate_in_process.py`` when a function's
fast promise tests sit in a file whose other tests take minutes a mutant (whole runs).

    MIP_NAMED_TESTS=tests/harness/test_gates_steady.py::test_an_error_counted_in_the_settle_margin_keeps_the_quiet_window_a_block_after_it \
        PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        bench/mutation_helpers/mip_only.py --timeout 600 harness.steady_state \
        bench/mutation_helpers/named_tests.py SteadyWatch.watch_after
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


_modules: dict[str, Any] = {}
for _i, _named in enumerate(filter(None, os.environ.get("MIP_NAMED_TESTS", "").split(","))):
    _path, _, _name = _named.partition("::")
    if _path not in _modules:
        _folder = str(Path(_path).resolve().parent)
        if _folder not in sys.path:
            sys.path.insert(0, _folder)
        _spec = importlib.util.spec_from_file_location(f"named_tests_{len(_modules)}", _path)
        assert _spec is not None and _spec.loader is not None
        _modules[_path] = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_modules[_path])
    _fn = getattr(_modules[_path], _name)
    _wants = set(inspect.signature(_fn).parameters)
    globals()[f"{_name}__{_i}"] = _in_a_folder(_fn) if _wants & set(_GIVEN) else _fn
