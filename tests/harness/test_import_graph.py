"""The import graph of harness/ and system_under_test/, read with ``ast``: no cycle, no upward arrow.

The harness is layered by the data flow of a run (ARCHITECTURE.md draws it): faults are
*injected*, the run is *recorded*, invariants and the signal analysis *judge* it, reports *render*
it, and run / soak / scenario / stateful / swarm *drive* it; the command line and the pytest plugin
are the *entry* points. A module may import its own layer or a lower one, never a higher one, and
no two modules (nor two components: a top-level module, or a package such as ``harness.rig``) may
import each other, directly or round a loop. ``system_under_test`` is the ground and imports no
harness at all.

Every import counts, at module level or inside a function (a deferred import is still an arrow);
imports under ``if TYPE_CHECKING:`` do not (they never run). A new module of the harness must be
given a layer in ``LAYERS`` before this test passes: where it goes is a decision, not a default.
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("harness", "system_under_test")

#: bottom to top; a component may import its own layer or any layer below it
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("system", ("system_under_test",)),
    ("foundation", ("harness", "harness.errors", "harness.durations", "harness.inputs",
                    "harness.runfolder", "harness.gates", "harness.blas", "harness.hypothesis_constants",
                    "harness.allocator", "harness.rss_parts", "harness.deferring_lock", "harness.held_caches")),
    ("subjects", ("harness.sut_protocol", "harness.sut_kit", "harness.mutants", "harness.leak_mutants")),
    ("record", ("harness.history", "harness.journal", "harness.histogram", "harness.timer_watch")),
    ("inject", ("harness.faults",)),
    ("rig", ("harness.rig",)),
    ("compose", ("harness.compose",)),
    ("judge", ("harness.invariants", "harness.analysis", "harness.analysis_kernels", "harness.reference_compare", "harness.program", "harness.audio_check", "harness.xrun_runs", "harness.leaks", "harness.leak_levels", "harness.leak_lifetimes",
               "harness.verdict", "harness.steady_state", "harness.device_losses", "harness.fault_outcomes")),
    ("render", ("harness.reports",)),
    ("drive", ("harness.runner", "harness.soak", "harness.scenarios", "harness.stateful",
               "harness.swarm", "harness.dask_log", "harness.shrink", "harness.external_kills", "harness.replay")),
    ("entry", ("harness.commands", "harness.cli", "harness.pytest_shared", "harness.pytest_plugin",
               "harness.scenario_collect")),
]

#: upward arrows known today, each to be removed by the change that names it. The test fails when
#: one of them is gone, so that the exception is deleted with it.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name, is_package = _module_name(path)
            found[name] = (path, is_package)
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            guarded.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return guarded


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> list[str]:
    """The project modules an import statement loads (the deepest known module of each name)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix
                 for alias in node.names]
    out = []
    for name in names:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known:
            out.append(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (TYPE_CHECKING imports left out)."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        skip = _type_checking_nodes(tree)
        graph[module]
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
                graph[module].update(t for t in _targets(module, is_package, node, known) if t != module)
    return dict(graph)


def component(module: str) -> str:
    """``harness.rig.loopback`` -> ``harness.rig``; ``harness.runner`` -> itself; the system is one."""
    parts = module.split(".")
    if parts[0] == "system_under_test":
        return "system_under_test"
    return ".".join(parts[:2])


def _layer_of() -> dict[str, int]:
    return {name: i for i, (_, members) in enumerate(LAYERS) for name in members}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def _component_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        a = component(module)
        out[a]
        for target in targets:
            b = component(target)
            if b != a and (a, b) not in KNOWN_UPWARD:
                out[a].add(b)
    return dict(out)


GRAPH = import_graph()


def test_every_module_has_a_layer():
    layer = _layer_of()
    missing = sorted({component(m) for m in GRAPH} - set(layer))
    assert not missing, f"give these a layer in LAYERS: {missing}"


def test_no_cycle_between_modules():
    graph = {m: {t for t in ts if (component(m), component(t)) not in KNOWN_UPWARD} for m, ts in GRAPH.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_cycle_between_components():
    graph = _component_graph(GRAPH)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_no_upward_arrow():
    layer = _layer_of()
    upward = sorted(f"{m} -> {t} ({LAYERS[layer[component(m)]][0]} imports {LAYERS[layer[component(t)]][0]})"
                    for m, targets in GRAPH.items() for t in targets
                    if layer[component(t)] > layer[component(m)]
                    and (component(m), component(t)) not in KNOWN_UPWARD)
    assert not upward, "\n".join(upward)


def test_known_exceptions_still_exist():
    edges = {(component(m), component(t)) for m, targets in GRAPH.items() for t in targets}
    gone = [edge for edge in KNOWN_UPWARD if edge not in edges]
    assert not gone, f"these arrows are gone: delete them from KNOWN_UPWARD: {gone}"


def test_the_system_under_test_imports_no_harness():
    leaks = sorted(f"{m} -> {t}" for m, targets in GRAPH.items() if m.startswith("system_under_test")
                   for t in targets if t.startswith("harness"))
    assert not leaks, leaks


# -- the checks themselves can fail ----------------------------------------------------------------
@pytest.mark.parametrize("graph, looped", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
])
def test_cycle_finder(graph, looped):
    assert (_cycle(graph) is not None) is looped


def test_reader_sees_deferred_and_relative_imports_but_not_type_checking_ones(tmp_path):
    source = ("from typing import TYPE_CHECKING\nfrom . import errors\nfrom .rig import loopback\n"
              "if TYPE_CHECKING:\n    from .runner import RunSpec\n"
              "def f():\n    from .soak import SoakRunner\n")
    tree = ast.parse(source)
    skip = _type_checking_nodes(tree)
    known = {"harness", "harness.errors", "harness.rig", "harness.rig.loopback", "harness.runner", "harness.soak"}
    seen = {t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip
            for t in _targets("harness.x", False, node, known)}
    assert seen == {"harness.errors", "harness.rig.loopback", "harness.soak"}
