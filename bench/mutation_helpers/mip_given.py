"""What the test files for ``scripts/mutate_in_process.py`` in this folder share: loading a test file
as pytest would (its folder on ``sys.path`` for its helper modules), and wrapping a test that asks
for ``tmp_path`` or ``monkeypatch`` so that it is fixture-free (the script leaves out every test
asking for a fixture) and is given a fresh temporary folder and pytest's ``MonkeyPatch``. The
script puts this folder on ``sys.path`` before it runs a helper, so a helper imports this by name.
"""
import importlib.util
import inspect
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FOLDER_GIVEN = ("tmp_path", "monkeypatch")


def load_test_file(path: str, module_name: str) -> ModuleType:
    """The test file at ``path``, run as module ``module_name``, its folder on ``sys.path``."""
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _nothing_more() -> Iterator[dict[str, Any]]:
    yield {}


def given(test: Callable[..., Any], names: tuple[str, ...] = FOLDER_GIVEN,
          more: Callable[[], Any] = _nothing_more) -> Callable[..., Any]:
    """``test`` with the fixtures ``names`` given: ``tmp_path`` a fresh temporary folder,
    ``monkeypatch`` pytest's ``MonkeyPatch``, the rest from ``more()`` (a context manager
    yielding them by name). The parametrize marks are kept, the given names taken out of the
    signature the script reads."""
    sig = inspect.signature(test)

    def call(**kw: Any) -> Any:
        with more() as extra, tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
            fixtures = {"tmp_path": Path(d), "monkeypatch": mp, **extra}
            return test(**kw, **{k: fixtures[k] for k in names if k in sig.parameters})

    call.__signature__ = sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in names])
    call.pytestmark = getattr(test, "pytestmark", [])
    return call


def gather(into: dict[str, Any], files_env: str, leave_out_env: str, prefix: str,
           wrap: Callable[[Callable[..., Any]], Callable[..., Any]], names: tuple[str, ...] = FOLDER_GIVEN) -> None:
    """Every test of the files ``files_env`` names (comma-separated) but those ``leave_out_env``
    names, put into ``into`` (a helper's globals) as ``NAME__I``, wrapped by ``wrap`` when it asks
    for one of ``names``."""
    leave_out = set(filter(None, os.environ.get(leave_out_env, "").split(",")))
    for i, path in enumerate(filter(None, os.environ.get(files_env, "").split(","))):
        module = load_test_file(path, f"{prefix}_{i}")
        for name in dir(module):
            fn = getattr(module, name)
            if name.startswith("test_") and callable(fn) and name not in leave_out:
                wants = set(inspect.signature(fn).parameters)
                into[f"{name}__{i}"] = wrap(fn) if wants & set(names) else fn
