"""The hostile profile's buffer exhaustions report what they meet, so overlapping ones reach a
system already degraded: the one path on which a run shows whether a degraded episode is
announced once (``degraded_alternates``). A system that announces ``degraded`` at every report
(blind batch 54's ``degraded_event_every_report``; ``miscounting_systems.DegradedEveryReport``)
passes every default run, whose exhaustions take silently, and fails a hostile one. The switch
draws nothing, so hostile's schedules keep their times, and default's keep every field.
Hostile seed 2 (seed 1 holds no report into an open episode; 2-6 each do). Virtual clock,
fixed seeds: deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from miscounting_systems import DegradedEveryReport
from harness import ReliabilityRun, RunSpec
from harness.faults.profiles import PROFILES


def test_every_hostile_exhaustion_reports_and_no_default_one_does() -> None:
    hostile = [f for f in PROFILES["hostile"].schedule(60.0, 1).faults if f.kind == "buffer_exhaustion"]
    default = [f for f in PROFILES["default"].schedule(60.0, 1).faults if f.kind == "buffer_exhaustion"]
    assert hostile and all(f.report is True for f in hostile)
    assert default and all(f.report is None and "report" not in f.recorded_params() for f in default)


def _hostile_run(tmp_path: Path, **kw: Any) -> Any:
    spec = RunSpec(duration_s=60.0, seed=2, faults="hostile", report_root=tmp_path, label="degraded_alternates")
    result = ReliabilityRun(spec, **kw).execute(reports=False)
    (verdict,) = [v for v in result.verdicts if v.name == "degraded_alternates"]
    return result, verdict


def test_a_system_announcing_degraded_at_every_report_fails_a_hostile_run(tmp_path: Path) -> None:
    result, v = _hostile_run(tmp_path, system_factory=DegradedEveryReport)
    assert not v.ok and {e["why"] for e in v.evidence} == {"degraded announced inside an open degraded episode"}, v
    assert result.verdict.violated == ["degraded_alternates"], result.verdict.reasons


def _reports_into_an_open_episode(history_file: Path) -> int:
    """The exhaustions reported while a degraded episode was open (``degraded`` seen, no
    ``undegraded`` or stop since): the path the hostile profile is to reach."""
    open_episode, reached = False, 0
    for line in history_file.read_text().splitlines():
        e = json.loads(line)
        data = e.get("data") or {}
        if e["type"] == "event" and e.get("value") in ("degraded", "undegraded"):
            open_episode = e["value"] == "degraded"
        elif e["type"] == "transition" and data.get("component") == "system" and data.get("to_state") == "stopped":
            open_episode = False
        elif e["type"] == "error" and (data.get("error") or {}).get("type") == "BufferPoolExhaustedError":
            reached += open_episode
    return reached


def test_the_shipped_system_announces_each_hostile_episode_once_having_met_reports_inside_one(tmp_path: Path) -> None:
    result, v = _hostile_run(tmp_path)
    assert v.ok and "each announced once" in v.message, v
    assert _reports_into_an_open_episode(result.run_dir / "history.jsonl") >= 1
    assert result.verdict.outcome.value == "pass", result.verdict.reasons
