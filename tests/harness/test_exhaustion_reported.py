"""``buffer_exhaustion``'s ``report``: the competing consumer is the owner's own component and
reports the exhaustion it meets to the system. Overlapping such faults report an exhaustion to a
system already degraded, the one path on which a plain run shows whether a degraded episode is
announced once (``degraded_alternates``); the system's own pool check reports only while it is
not degraded. The opt-in profile ``examples/profiles/exhaustion_reported.toml`` draws them; the
built-in profiles never give ``report``, so their schedules and histories are unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import PROFILES, ReliabilityRun, RunSpec
from harness.faults import FaultInjector
from harness.faults.kinds import BufferExhaustion
from harness.faults.schedule import Schedule
from harness.faults.triggers import At
from harness.faults.profiles import load_profile
from harness.history import History
from harness.invariants import check_degraded_alternates
from system_under_test import AudioSystem

from miscounting_systems import DegradedEveryReport

PROFILE = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "exhaustion_reported.toml"


class _DegradedEveryReport(DegradedEveryReport):
    """``degraded`` announced again at each report of exhaustion, a resource limit's refusal too."""

    EXHAUSTION_TYPES = ("BufferPoolExhaustedError", "ResourceLimitError")


#: the built-in profiles whose buffer exhaustions report what they meet (hostile: so that overlapping
#: ones reach a system already degraded); every other one leaves the parameter out
REPORTING_PROFILES = frozenset({"hostile"})


def test_a_fault_that_does_not_give_report_records_no_such_parameter() -> None:
    assert "report" not in BufferExhaustion().params()
    assert BufferExhaustion(report=True).params()["report"] is True
    for name, profile in PROFILES.items():
        reports = name in REPORTING_PROFILES
        assert profile.params.get("buffer_exhaustion", {}).get("report", False) is reports, name
        exhaustions = [f.to_dict() for f in profile.schedule(60.0, 3).faults if f.kind == "buffer_exhaustion"]
        assert all(("report" in f) is reports for f in exhaustions), name


def _run(seed: int, tmp_path: Path, cls: type[AudioSystem] = AudioSystem) -> Any:
    spec = RunSpec(duration_s=10, seed=seed, faults=str(PROFILE), report_root=tmp_path, label="exhaustion")
    factory = (lambda config=None, **kw: cls(config, **kw)) if cls is not AudioSystem else None
    run = ReliabilityRun(spec, **({"system_factory": factory} if factory else {}))
    return run.execute(reports=False)


def _reports_while_degraded(history: History) -> int:
    """Exhaustion reports (``error`` events of the pool) while a degraded episode is open."""
    open_, n = False, 0
    for e in history.events():
        if e.value in ("degraded", "undegraded"):
            open_ = e.value == "degraded"
        elif e.value == "error" and open_ and (e.data.get("error") or {}).get("type") == "BufferPoolExhaustedError":
            n += 1
    return n


@pytest.mark.parametrize("seed", [1, 2])
def test_the_profile_reports_to_a_degraded_system_and_the_shipped_system_announces_once(
        seed: int, tmp_path: Path) -> None:
    assert load_profile(PROFILE).params["buffer_exhaustion"]["report"] is True
    result = _run(seed, tmp_path)
    assert result.verdict.outcome.value == "pass", result.verdict.reasons
    v = check_degraded_alternates(result.history)
    assert v.ok and "degraded episode(s)" in v.message, v
    assert _reports_while_degraded(result.history) > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_a_system_that_announces_degraded_at_every_report_fails_the_run(seed: int, tmp_path: Path) -> None:
    result = _run(seed, tmp_path, _DegradedEveryReport)
    assert result.verdict.violated == ["degraded_alternates"], result.verdict.reasons


def test_a_refused_allocation_is_the_ledger_s_own_error_reported(tmp_path: Path) -> None:
    """``mode = "limit"``: the competitor takes what is free and is refused one more; the ledger's
    ``ResourceLimitError`` is reported for the policy to decide (a degraded episode)."""
    system = AudioSystem({"limits": {"buffers": 64}}, seed=3)
    h = History().attach(system, metrics_every_s=0.05)
    try:
        system.initialize()
        system.start()
        system.run_for(0.05)
        fault = BufferExhaustion(trigger=At(0.1), mode="limit", resource="buffers", duration_s=0.1, report=True)
        inj = FaultInjector(system, Schedule([fault], duration_s=1.0), 3, history=h).arm()
        system.run_for(0.3)
        inj.disarm()
        errors = [(e.data.get("error") or {}).get("type") for e in h.events() if e.value == "error"]
        assert errors == ["ResourceLimitError"]
        assert [e.value for e in h.events() if e.value in ("degraded", "undegraded")] == ["degraded", "undegraded"]
    finally:
        system.close()
        h.detach()


def test_report_is_a_switch_in_a_profile_file(tmp_path: Path) -> None:
    """As every other switch of a fault: ``report = "no"`` is a typo, not false."""
    from harness.errors import ScenarioFileError
    bad = tmp_path / "bad.toml"
    bad.write_text('[probabilities]\nbuffer_exhaustion = 0.3\n[params.buffer_exhaustion]\nreport = "no"\n')
    with pytest.raises(ScenarioFileError) as exc:
        load_profile(bad)
    assert "params.buffer_exhaustion.report: must be true or false, got the text 'no'" in str(exc.value)
