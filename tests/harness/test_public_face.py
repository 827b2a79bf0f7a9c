"""The harness's public surface is what we mean it to be (tests/sut/test_exported_members.py is the
model): every exported name resolves to the object its module defines, the type checker's view
(the ``TYPE_CHECKING`` imports) lists the same names, and ``import harness`` loads no driver."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import harness


def test_all_names_exist_are_public_and_sorted():
    assert harness.__all__ == sorted(harness.__all__)
    for name in harness.__all__:
        assert not name.startswith("_"), name
        module = importlib.import_module(f"harness.{harness._WHERE[name]}")
        assert getattr(harness, name) is getattr(module, name), name


def test_an_unknown_name_is_an_attribute_error():
    try:
        harness.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("harness.NoSuchThing resolved")


def test_the_type_checkers_view_names_the_same_members():
    tree = ast.parse(Path(harness.__file__).read_text())
    guarded = [node for node in tree.body if isinstance(node, ast.If)
               and ast.unparse(node.test) == "TYPE_CHECKING"]
    assert len(guarded) == 1
    seen: dict[str, str] = {}
    for node in guarded[0].body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.unparse(node)
        for alias in node.names:
            seen[alias.asname or alias.name] = node.module or ""
    assert seen == harness._WHERE


def test_import_harness_loads_no_module_of_it():
    """The face is lazy on purpose: the CLI, the pytest plugin and the rig's helpers import
    ``harness.*`` and must not pay for every driver."""
    code = ("import sys, harness; "
            "print(sorted(m for m in sys.modules if m.startswith(('harness.', 'hypothesis', 'matplotlib'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
