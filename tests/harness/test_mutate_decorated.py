"""``scripts/mutate_decorated``: the decorated functions mutmut leaves out, and their mutants.

A mutant the script does not make is a score that says more than was tried, and a mutant that
edits more than its span is a different bug than the one it names: both are checked on a small
source whose every mutant is written out.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    loader = importlib.machinery.SourceFileLoader("mutate_decorated_script", str(ROOT / "scripts" / "mutate_decorated"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # its dataclasses look their module up
    loader.exec_module(module)
    return module


SOURCE = '''\
import functools


@functools.cache
def f(x, items=(1, 2)):
    """Docstring: left alone."""
    if x < 3 and not items:
        g(x)
    y = x + 1
    return y == 2


def untouched(x):
    return x < 3
'''


def test_each_operator_makes_its_mutant_and_nothing_else_changes():
    script = _script()
    tree = ast.parse(SOURCE)
    fn = next(f for q, f in script._functions(tree) if q == "f")
    made = [(m.operator, m.lineno, m.text) for m in script.mutants_of(fn)]
    assert made == [
        ("negated", 7, "(not (x < 3 and (not items)))"),
        ("and/or", 7, "x < 3 or not items"),
        ("compare 0", 7, "x <= 3"),
        ("number + 1", 7, "4"),
        ("not removed", 7, "(items)"),
        ("call removed", 8, "pass"),
        ("assigned None", 9, "None"),
        ("arithmetic", 9, "x - 1"),
        ("number + 1", 9, "2"),
        ("return None", 10, "None"),
        ("compare 0", 10, "y != 2"),
        ("number + 1", 10, "3"),
    ]
    lines = SOURCE.splitlines()
    for m in script.mutants_of(fn):
        mutated = m.apply(SOURCE.encode()).decode().splitlines()
        changed = [i + 1 for i, (a, b) in enumerate(zip(lines, mutated)) if a != b]
        assert len(mutated) == len(lines) and changed == [m.lineno], (m, changed)
        compile("\n".join(mutated), "f.py", "exec")


def test_mutmut_s_own_exceptions_are_mutated_and_every_other_decorator_is_listed_as_left_out():
    script = _script()

    def why(*decorators: str) -> str | None:
        return script.Decorated("m", "f", decorators, 1, 1).why_not_mutated

    assert why("staticmethod") is None
    assert why("classmethod") is None
    assert why("property") == "decorated"
    assert why("contextmanager") == "decorated"
    assert why("functools.lru_cache(maxsize=16)") == "decorated"
    assert why("field_validator('fallback_devices')", "classmethod") == "decorated"
    assert why("njit(cache=True, nogil=True, boundscheck=False)").startswith("njit")
    assert why("property", "abstractmethod").startswith("abstract")


def test_the_list_names_the_configuration_validator_and_the_kernel_choice():
    found = {(d.module, d.qualname): d.why_not_mutated for d in _script().decorated_functions()}
    assert found[("config", "DeviceConfig._each_fallback_once")] == "decorated"
    assert found[("dsp", "use_kernel")] == "decorated"
    assert found[("recoverer", "Recoverer._lateness")] is None


def test_pytest_s_temporary_folder_is_beside_the_copy_never_in_it(tmp_path: Path) -> None:
    """tests/conftest.py fails a session that leaves a new entry in its working folder: a basetemp
    inside the copy made every unmutated run fail, and no module could be scored."""
    work = tmp_path / ".mutation" / "decorated_harness_rig_hold"
    base = _script()._basetemp(work)
    assert base.parent == work.parent and not base.is_relative_to(work)
