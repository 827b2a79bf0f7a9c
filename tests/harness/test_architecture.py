"""ARCHITECTURE.md's generated sections match the code they are drawn from (``scripts/architecture``)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

from system_under_test.lifecycle import TRANSITIONS, State

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _script():
    return _load(ROOT / "scripts" / "architecture", "architecture_script")


def test_the_committed_lifecycle_diagram_is_the_transition_table():
    script = _script()
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert script.differing(text) == [], "ARCHITECTURE.md is stale: run scripts/architecture"


def test_the_diagram_draws_every_transition_and_a_changed_table_changes_it():
    script = _script()
    drawn = script.lifecycle()
    for source, targets in TRANSITIONS.items():
        for target in targets:
            assert f"    {source.value} --> {target.value}\n" in drawn + "\n"
    changed = {**TRANSITIONS, State.CLOSED: frozenset({State.UNINITIALIZED})}
    assert "    closed --> uninitialized" in script.lifecycle(changed)
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    stale = text.replace("    stopping --> stopped\n", "")
    assert script.differing(stale) == ["lifecycle"]


def test_the_layers_of_the_import_graph_test_are_documented():
    LAYERS = _load(Path(__file__).with_name("test_import_graph.py"), "import_graph_layers").LAYERS
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for layer, members in LAYERS:
        assert f"{layer}:" in text, layer
        for member in members:
            short = member.split(".", 1)[-1] if member.startswith("harness.") else member
            if member not in ("harness", "system_under_test"):
                assert short in text, member
