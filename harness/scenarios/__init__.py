"""Scenarios: field bugs as declarative, validated TOML files that fail while the bug is there.

    from harness.scenarios import load_scenario, run_scenario, export_failure

- ``model``: the format (pydantic, ``extra="forbid"``); ``scenarios/README.md`` documents it.
- ``loader``: TOML -> ``Scenario`` or one ``ScenarioFileError`` listing every problem with its line.
- ``executor``: runs a scenario on the simulated device (virtual clock, seeded) or the JACK rig.
- ``export``: a failing run or a recorded history -> a minimal scenario file that reproduces it.
"""

from .executor import Failure, ScenarioResult, run_scenario
from .export import export_failure, export_leak, scenario_from_history, write_scenario
from .loader import iter_scenario_files, load_scenario, parse_scenario
from .model import FORMAT_VERSION, Scenario

__all__ = [
    "FORMAT_VERSION",
    "Failure",
    "Scenario",
    "ScenarioResult",
    "export_failure",
    "export_leak",
    "iter_scenario_files",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
    "scenario_from_history",
    "write_scenario",
]
