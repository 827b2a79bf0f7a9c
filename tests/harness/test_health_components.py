"""The ``health`` invariant reads a health report's components against the pipeline's graph the
system registered: exactly its components, each after its dependencies. A system that lists its
own entry among them (judged by component rules, so its health hangs on its own state) is caught
in any run that takes a snapshot, and a healthy system is never flagged."""

from __future__ import annotations

from typing import Any

import pytest

from harness.invariants import check_health, health_component_problems
from system_under_test import AudioSystem

#: the simulated system's registered graph, as its history's attach record holds it
GRAPH = {"dsp": [], "input": ["dsp"], "output": ["dsp"], "device": ["input", "output"]}


def _components(*names: str) -> dict[str, Any]:
    return {"healthy": True, "state": "running",
            "components": {n: {"component": n, "healthy": True, "detail": "running"} for n in names}}


@pytest.mark.parametrize(("names", "want"), [
    (("dsp", "input", "output", "device"), []),
    (("dsp", "output", "input", "device"), []),
    (("system", "dsp", "input", "output", "device"),
     ["health lists 'system' among the components, not in the pipeline's graph"]),
    (("dsp", "input", "device"),
     ["health leaves out the component(s) 'output' of the pipeline's graph"]),
    ((),
     ["health leaves out the component(s) 'dsp', 'input', 'output', 'device' of the pipeline's graph"]),
    (("input", "dsp", "output", "device"),
     ["health lists 'input' before its dependency 'dsp': not in the start order"]),
    # several of a kind: every one named, in the health's order (the graph's for those left out)
    (("system", "dsp", "input", "output", "mixer", "device"),
     ["health lists 'system', 'mixer' among the components, not in the pipeline's graph"]),
    (("dsp", "device"),
     ["health leaves out the component(s) 'input', 'output' of the pipeline's graph"]),
    (("device", "input", "output", "dsp"),
     ["health lists 'device' before its dependency 'input'; 'device' before its dependency 'output'; "
      "'input' before its dependency 'dsp'; 'output' before its dependency 'dsp': not in the start order"]),
])
def test_the_components_are_exactly_the_graphs_each_after_its_dependencies(names, want):
    """One problem named for each way the names can go wrong; any topological order passes. An
    empty components mapping is a health that leaves every component out, not one without them."""
    assert health_component_problems(_components(*names), GRAPH) == want


def test_nothing_is_judged_without_a_graph_or_without_components():
    """An adapter whose coordinator registers only the system records an empty graph (its health
    names its own parts), an older history none; a health without components has none to judge."""
    assert health_component_problems(_components("stream"), {}) == []
    assert health_component_problems(_components("stream"), None) == []
    assert health_component_problems({"healthy": True, "state": "running"}, GRAPH) == []


def _health_listing_the_system(original):
    def health(self: AudioSystem) -> dict[str, Any]:
        h = original(self)
        own = self.coordinator.check_health("system").to_dict()
        return {**h, "components": {"system": own, **h["components"]}}
    return health


@pytest.mark.parametrize("lists_the_system", [False, True])
def test_a_run_whose_health_lists_the_system_fails_the_health_invariant(make_system, attached, monkeypatch,
                                                                       lists_the_system):
    """The catalogued ``health_lists_the_system``: every snapshot and the live system's health are
    flagged; the same run with the system's health as built passes."""
    if lists_the_system:
        monkeypatch.setattr(AudioSystem, "health", _health_listing_the_system(AudioSystem.health))
    system = make_system(seed=83_001)
    h = attached(system)
    for _ in range(3):
        system.run_for(0.5)
        h.snapshot(system)
    v = check_health(h, system)
    problem = "health lists 'system' among the components, not in the pipeline's graph"
    if lists_the_system:
        assert not v.ok and not v.inconclusive
        assert [e["problem"] for e in v.evidence] == [problem] * 3 + [f"live: {problem}"]
    else:
        assert v.ok and not v.inconclusive and v.evidence == []
