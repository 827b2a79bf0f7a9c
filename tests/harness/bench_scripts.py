"""The bench's scripts, loaded from their files for the tests that check them (bench/ is no
package, and its scripts are run by path, not imported)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load_bench_script(filename: str, name: str) -> ModuleType:
    """``bench/FILENAME`` as a fresh module called ``name`` (a name of the caller's, so that two
    tests loading one script do not share its module state). The module is in ``sys.modules``
    while it runs: dataclasses look their module up while a class is made."""
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module
