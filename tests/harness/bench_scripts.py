"""The bench's scripts, loaded from their files for the tests that check them (bench/ is no
package, and its scripts are run by path, not imported)."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

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


def plant_catalogued_bug(monkeypatch: Any, owner: type, method: str, bug_name: str) -> None:
    """The catalogued bug ``bug_name`` (``bench/bench_realistic_bugs.py``) planted in ``owner.method``
    for the test: the method compiled from its source with the bug's ``old`` replaced by its
    ``new``, in its module's names, and set on ``owner`` through ``monkeypatch``, so that
    everything else is the shipped code. The bug's ``old`` must lie in that method, once."""
    (bug,) = [b for b in load_bench_script("bench_realistic_bugs.py", f"bench_realistic_bugs_{bug_name}").BUGS
              if b.name == bug_name]
    source = inspect.getsource(getattr(owner, method))
    assert source.count(bug.old) == 1, f"{bug_name}: its old snippet is not in {owner.__name__}.{method} once"
    body = "class _Patched:\n" + source.replace(bug.old, bug.new)
    names: dict[str, Any] = dict(vars(sys.modules[owner.__module__]))
    exec(compile(body, inspect.getsourcefile(owner) or owner.__module__, "exec"), names)  # noqa: S102
    monkeypatch.setattr(owner, method, getattr(names["_Patched"], method))
