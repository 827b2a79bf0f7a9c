"""``scripts/mutate_in_process.py``: each call's arguments read from a test's parametrize marks.

A parameter set is told by its type (``pytest.param``), not by a ``values`` attribute: a dict
parameter has a ``values`` method, and reading it as a parameter set handed the test that method
(``test_callback_errors_bound.py``'s dicts of run options: the unmutated pass raised and the
script stopped before any mutant).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("mutate_in_process_script", ROOT / "scripts" / "mutate_in_process.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_dict_parameter_is_passed_whole() -> None:
    @pytest.mark.parametrize("kw", [{"backend": None}, {"clock": "real"}])
    def judged(kw: dict[str, Any]) -> None:
        """A parametrized test, as test_callback_errors_bound.py writes one."""

    assert list(_script()._param_sets(judged)) == [{"kw": {"backend": None}}, {"kw": {"clock": "real"}}]


def test_pytest_params_are_unwrapped_one_name_or_several() -> None:
    @pytest.mark.parametrize("kw", [pytest.param({"clock": "real"}, id="real")])
    @pytest.mark.parametrize("seed, ok", [pytest.param(1, True, id="one"), (2, False)])
    def judged(kw: dict[str, Any], seed: int, ok: bool) -> None:
        """Two marks, pytest.param in each, a dict inside one."""

    assert list(_script()._param_sets(judged)) == [
        {"seed": 1, "ok": True, "kw": {"clock": "real"}},
        {"seed": 2, "ok": False, "kw": {"clock": "real"}},
    ]
