"""soundcheck's harness: inject faults into an audio system, record what it did, judge it, report it.

Public surface (everything else is internal and may change)::

    from harness import ReliabilityRun, RunSpec, History, check_all, FaultInjector, Profile

The data flow of a run, bottom to top (ARCHITECTURE.md draws it):

- **record**: ``History`` (every operation, transition, fault, error and metric) and the soak
  ``read_journal``;
- **inject**: ``FaultInjector`` fires a ``Profile``'s ``Schedule`` of ``Fault`` s at a target;
- **judge**: ``check_all`` folds a history into one ``Verdict`` per invariant; ``judge_run`` turns
  those into one ``RunVerdict`` (pass, fail or inconclusive: ``Outcome``); ``analysis`` listens to
  the audio (``analyze_glitches``, ``measure_latency``);
- **render**: ``build_report`` / ``write_reports`` from ``RunData``;
- **drive**: ``ReliabilityRun`` (one run), ``SoakRunner`` (an overnight soak), ``run_scenario``
  (a field-bug file), ``make_machine`` (the Hypothesis state machine), ``run_swarm``.

The names are loaded on first use, not when ``harness`` is imported: ``soundcheck --help``, the
pytest plugin and the rig's helper processes import ``harness.*`` modules, and loading every
driver here (Hypothesis, numpy, the report stack) would make each of them pay for all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> the module (under ``harness``) that defines it
_WHERE: dict[str, str] = {
    # errors
    "AnalysisError": "errors",
    "HarnessError": "errors",
    "InputFileError": "errors",
    "RigError": "errors",
    "ScenarioFileError": "errors",
    "UsageError": "errors",
    "WavFileError": "errors",
    # record
    "Entry": "history",
    "History": "history",
    "HistoryFormatError": "history",
    "Operation": "history",
    "JournalError": "journal",
    "read_journal": "journal",
    # inject
    "Fault": "faults",
    "FaultInjector": "faults",
    "FaultRecord": "faults",
    "FaultTarget": "faults",
    "PROFILES": "faults",
    "Profile": "faults",
    "Schedule": "faults",
    "SimulatedTarget": "faults",
    "load_profile": "faults",
    # judge
    "InconclusiveVerdict": "invariants",
    "InvariantViolation": "invariants",
    "LiveChecker": "invariants",
    "Verdict": "invariants",
    "assert_ok": "invariants",
    "check_all": "invariants",
    "check_linearizable": "invariants",
    "EXIT_CODES": "verdict",
    "Outcome": "verdict",
    "RunVerdict": "verdict",
    "judge_run": "verdict",
    "GlitchReport": "analysis",
    "LatencyResult": "analysis",
    "analyze_glitches": "analysis",
    "measure_latency": "analysis",
    "read_wav": "analysis",
    # render
    "RunData": "reports",
    "build_report": "reports",
    "write_reports": "reports",
    # drive
    "ReliabilityRun": "runner",
    "RunResult": "runner",
    "RunSpec": "runner",
    "SoakResult": "soak",
    "SoakRunner": "soak",
    "SoakSpec": "soak",
    "Scenario": "scenarios",
    "ScenarioResult": "scenarios",
    "export_failure": "scenarios",
    "load_scenario": "scenarios",
    "run_scenario": "scenarios",
    "scenario_from_history": "scenarios",
    "make_machine": "stateful",
    "SwarmSpec": "swarm",
    "run_swarm": "swarm",
    # systems to test the harness against
    "MUTANTS": "mutants",
    "system_factory": "mutants",
    # the rig
    "LoopbackRig": "rig.loopback",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562) and keep it here."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what a type checker and an IDE see: the same names, imported eagerly
    from .analysis import GlitchReport, LatencyResult, analyze_glitches, measure_latency, read_wav
    from .errors import (AnalysisError, HarnessError, InputFileError, RigError, ScenarioFileError,
                         UsageError, WavFileError)
    from .faults import (PROFILES, Fault, FaultInjector, FaultRecord, FaultTarget, Profile, Schedule,
                         SimulatedTarget, load_profile)
    from .history import Entry, History, HistoryFormatError, Operation
    from .invariants import (InconclusiveVerdict, InvariantViolation, LiveChecker, Verdict, assert_ok,
                             check_all, check_linearizable)
    from .journal import JournalError, read_journal
    from .mutants import MUTANTS, system_factory
    from .reports import RunData, build_report, write_reports
    from .rig.loopback import LoopbackRig
    from .runner import ReliabilityRun, RunResult, RunSpec
    from .scenarios import (Scenario, ScenarioResult, export_failure, load_scenario, run_scenario,
                            scenario_from_history)
    from .soak import SoakResult, SoakRunner, SoakSpec
    from .stateful import make_machine
    from .swarm import SwarmSpec, run_swarm
    from .verdict import EXIT_CODES, Outcome, RunVerdict, judge_run
