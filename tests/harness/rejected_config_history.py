"""A history of the ``half_reconfigure`` mutant violating ``rejected_config``, with steps the
failure does not need (a pause and a resume) for a minimiser to drop: the failing run the tests of
a failure's export (its scenario, its minimising, its sameness under a jumping wall clock) start
from."""

from __future__ import annotations

from pathlib import Path

from harness.history import History, run_op
from harness.scenarios.executor import mutant_factory
from harness.scenarios.export import export_failure
from system_under_test import AudioSystem


def half_reconfigure_history(seed: int = 0) -> tuple[History, AudioSystem]:
    """The mutant started, paused, resumed, then handed a configuration it must reject (a block
    size of 3) whose valid dsp section it applies anyway; the system is left open."""
    system = mutant_factory("half_reconfigure")({}, seed=seed)
    history = History(meta={"seed": 0}).attach(system)
    run_op(history, system, "initialize")
    run_op(history, system, "start")
    system.run_for(0.1)
    run_op(history, system, "pause")
    system.run_for(0.05)
    run_op(history, system, "resume")
    system.run_for(0.05)
    bad = {"dsp": [{"kind": "gain", "gain_db": -20.0}], "stream": {"block_size": 3}}
    run_op(history, system, "configure", bad)  # rejected, but the mutant applies the dsp section
    system.run_for(0.1)
    return history, system


def closed_half_reconfigure_history(seed: int = 0) -> History:
    """``half_reconfigure_history`` with the system closed: the whole failing run an export reads."""
    history, system = half_reconfigure_history(seed)
    run_op(history, system, "close")
    return history


def export_half_reconfigure_failure(out: Path) -> str:
    """The failure's exported scenario, minimised, as the file ``export_failure`` wrote in ``out``."""
    path = export_failure(closed_half_reconfigure_history(0), config=None, seed=0,
                          failed_invariant="rejected_config", out_dir=out,
                          system_factory=mutant_factory("half_reconfigure"))
    return path.read_text()
