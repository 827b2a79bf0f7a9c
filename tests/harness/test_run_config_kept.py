"""A run's own configuration outlives its lifecycle faults: the operator's and the storms'
configurations are the run's with one change over it, and their clean-up puts the run's back.

Before, ``lifecycle_calls`` and ``concurrent_transitions`` applied the stock configuration plus a
change (``System.reconfigure`` takes a whole configuration) and nothing restored the run's: a run
asked to test 1024-frame blocks went on at 256/128 frames after its first such fault.
"""

from __future__ import annotations

import json

import pytest

from harness import History, ReliabilityRun, RunSpec, check_all
from harness.compose import SystemSpec, compose
from harness.faults.base_config import config_to_restore, overlay, storm_config
from harness.faults.kinds import ConcurrentTransitions, LifecycleCalls
from harness.history import run_op
from system_under_test.config import load_config

pytestmark = pytest.mark.timeout(120)

#: a configuration other than the stock one in every part a storm changes (a 1024-frame block needs
#: a latency above its 21.3 ms)
USER = {"stream": {"block_size": 1024, "latency_ms": 40.0}, "dsp": [{"kind": "gain", "gain_db": -3.0}],
        "buffers": {"ring_blocks": 6}}


def _configs_applied(history: History) -> list[dict]:
    return [e.data["args"][0] for e in history.entries
            if e.type == "invoke" and e.op in ("configure", "reconfigure") and not (e.data.get("meta") or {})]


def test_overlay_merges_tables_and_replaces_lists():
    base = {"stream": {"block_size": 1024, "latency_ms": 40.0}, "dsp": [{"kind": "gain", "gain_db": -3.0}]}
    assert overlay(base, {"stream": {"block_size": 128}}) == {
        "stream": {"block_size": 128, "latency_ms": 40.0}, "dsp": [{"kind": "gain", "gain_db": -3.0}]}
    assert overlay(base, {"dsp": []})["dsp"] == []
    assert overlay(base, {}) == base and base["stream"]["block_size"] == 1024  # not modified


def test_a_change_the_runs_own_settings_make_invalid_gives_the_runs_configuration():
    mono_out = {"device": {"output_channels": 1},
                "dsp": [{"kind": "mixer", "matrix": [[0.5, 0.5]]}]}
    load_config(mono_out)  # valid on its own
    # a gain-only chain keeps two channels for a one-channel output: the schema refuses it
    assert storm_config(mono_out, {"dsp": [{"kind": "gain", "gain_db": -6.0}]}) == mono_out
    assert storm_config(mono_out, {"buffers": {"ring_blocks": 4}})["buffers"] == {"ring_blocks": 4}
    assert storm_config(None, {"stream": {"block_size": 128}}) == {"stream": {"block_size": 128}}


def _faulted(fault, seed: int):
    parts = compose(SystemSpec(seed=seed, config=USER), history=lambda s: History().attach(s))
    system, history = parts.system, parts.history
    assert run_op(history, system, "initialize").outcome == "ok"
    assert run_op(history, system, "start").outcome == "ok"
    system.run_for(0.5)
    record = parts.injector.inject(fault)
    system.run_for(0.5)
    return system, history, record


@pytest.mark.parametrize("make", [lambda: LifecycleCalls(count=12),
                                  lambda: ConcurrentTransitions(threads=4, ops_per_thread=5)],
                         ids=["lifecycle_calls", "concurrent_transitions"])
def test_lifecycle_faults_leave_the_system_on_the_runs_configuration(make):
    wanted = load_config(USER).to_dict()
    restored = 0
    for seed in range(6):
        system, history, record = _faulted(make(), seed)
        try:
            assert system.state.value == "running", (seed, record.details)
            assert system.config.to_dict() == wanted, (seed, record.details)
            for cfg in _configs_applied(history)[1:]:  # every fault configuration keeps the run's devices and rate
                assert cfg["stream"]["latency_ms"] == 40.0, cfg
            restored += "reconfigure" in record.details["restored_with"] or \
                "configure" in record.details["restored_with"]
            assert [v for v in check_all(history, system) if not v.ok] == []
        finally:
            system.close()
    assert restored, "no seed left the system on another configuration: the test shows nothing"


def test_config_to_restore_is_none_on_the_runs_configuration():
    system, history, _ = _faulted(LifecycleCalls(count=1), 0)
    try:
        assert config_to_restore(system, USER) is None
        assert config_to_restore(system, None) is None
        assert config_to_restore(system, {"stream": {"block_size": 128}}) == {"stream": {"block_size": 128}}
    finally:
        system.close()


def test_a_default_profile_run_ends_on_its_own_configuration(tmp_path):
    """The whole run: ``--config``'s configuration is the one applied last, and the run passes."""
    result = ReliabilityRun(RunSpec(duration_s=30, seed=1, config=USER, report_root=tmp_path)).execute()
    assert result.ok, [v for v in result.verdicts if not v.ok]
    history = list(tmp_path.glob("*/history.jsonl"))[0]
    applied = [json.loads(line) for line in history.read_text().splitlines() if '"config_applied"' in line]
    assert len(applied) > 1, "no lifecycle fault changed the configuration: the run shows nothing"
    last = applied[-1]["data"]["config"]
    assert last["stream"]["block_size"] == 1024 and last["buffers"]["ring_blocks"] == 6
