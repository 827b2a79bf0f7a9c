"""A minimised scenario's ``max_duration`` is cut to what its kept steps need.

The export wrote the whole run's last step plus 30 s as the cap and the minimiser kept it: a
one-step scenario minimised from a 120 s run kept "152250ms" (bench/RESULTS.md, issue #11). The
executor ends a timeline at its last step's end plus ``settle`` and only caps it with
``max_duration``, so a replay that does not end by itself (a fault whose end never comes, the
system changed since) ran on to the run's length.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from harness.scenarios.executor import mutant_factory, run_scenario
from harness.scenarios.export import fit_max_duration
from harness.scenarios.model import parse_duration
from rejected_config_history import export_half_reconfigure_failure


def test_the_minimised_scenario_caps_its_replay_at_the_failing_replays_length_plus_settle(tmp_path: Path) -> None:
    text = export_half_reconfigure_failure(tmp_path)
    doc = tomllib.loads(text)
    assert len(doc["steps"]) == 1, text
    (path,) = tmp_path.glob("*.toml")
    result = run_scenario(path, system_factory=mutant_factory("half_reconfigure"))
    assert [f.invariant for f in result.failed_expectations()] == ["rejected_config"]
    cap = parse_duration(doc["run"]["max_duration"])
    # its last step at 200 ms, the 0.5 s settle, the close after: 0.7 s; the 0.5 s headroom on top
    assert cap == round(result.sim_seconds + 0.5, 3), (cap, result.sim_seconds)
    assert cap < 2.0, text  # was 30.3 s: the whole 5-step timeline's last step plus 30 s


def test_a_cap_is_never_lengthened_and_an_unknown_length_leaves_it() -> None:
    doc = {"run": {"max_duration": "1s"}, "steps": []}
    assert fit_max_duration(doc, 5.0) is doc
    assert fit_max_duration(doc, None) is doc
    assert fit_max_duration({"run": {"max_duration": "30s", "settle": "250ms"}}, 0.7001)["run"]["max_duration"] == "951ms"
