"""``callback_errors``: each ``callback_raises`` request is added to the device's unspent count.

A second request before the first is spent must add to it: a device that replaces the count
(blind batch 54's ``corrupt_callbacks_replaced``) corrupts fewer callbacks than the faults asked
for, which the one-sided bound cannot see. The simulated target records the device's unspent
corrupted callbacks before and after each request; on the simulated virtual clock the after is the
before plus the count. Crafted histories, the target's own record, and hostile runs (whose
callback_raises overlap: the default profile's never do) of the shipped device and of the
replacing one. Virtual clock, fixed seeds: deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import ReliabilityRun, RunSpec
from harness.faults.targets import SimulatedTarget
from harness.history import History
from harness.invariants import check_callback_errors
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend

NOT_TAKEN = "a callback_raises request not added to the device's unspent corrupted callbacks"


def _history(requests: list[tuple[int, int, int]], *, clock: str = "virtual", backend: str | None = "sim") -> History:
    """Each (before, count, after) a callback_raises firing's ``fault_end`` with those details."""
    h = History(meta={"run": {"backend": backend}} if backend else None)
    h.record("attach", time=0.0, data={"state": "running", "clock": clock, "components": {"system": "running"}})
    for t, (before, count, after) in enumerate(requests, start=1):
        h.record("fault_end", time=float(t), value="callback_raises",
                 data={"kind": "callback_raises", "target": "sim-in", "firing_id": f"cb@{t}",
                       "params": {"target": "sim-in", "count": count},
                       "details": {"pending_before": before, "pending_after": after}})
    return h


def test_a_request_the_device_replaced_instead_of_adding_fails() -> None:
    v = check_callback_errors(_history([(0, 2, 2), (2, 3, 3)]))
    assert not v.ok and [e["why"] for e in v.evidence] == [NOT_TAKEN], v
    assert v.evidence[0]["pending_before"] == 2 and v.evidence[0]["pending_after"] == 3, v.evidence
    assert v.message.startswith("1 callback_raises request(s) not taken in full by the device"), v


def test_requests_taken_in_full_are_counted_in_the_verdict() -> None:
    v = check_callback_errors(_history([(0, 2, 2), (2, 3, 5)]))
    assert v.ok and "2 request(s) taken in full" in v.message, v


@pytest.mark.parametrize("kw", [{"backend": None}, {"clock": "real"}])
def test_only_a_simulated_virtual_run_s_requests_are_judged(kw: dict[str, Any]) -> None:
    """Elsewhere a callback may spend a corrupted callback between the two reads: the request
    that fails a simulated virtual run is not judged there."""
    assert not check_callback_errors(_history([(2, 3, 3)])).ok
    v = check_callback_errors(_history([(2, 3, 3)], **kw))
    assert v.ok and "taken in full" not in v.message, v


def test_the_simulated_target_records_the_unspent_count_before_and_after() -> None:
    backend = SimulatedBackend(VirtualClock())
    target = SimulatedTarget(backend)
    name = "sim-in"
    assert target.raise_in_callback(name, 2) == {"pending_before": 0, "pending_after": 2}
    assert target.raise_in_callback(name, 3) == {"pending_before": 2, "pending_after": 5}


def _hostile_run(tmp_path: Path, seed: int) -> Any:
    spec = RunSpec(duration_s=60.0, seed=seed, faults="hostile", report_root=tmp_path, label="callback_errors")
    result = ReliabilityRun(spec).execute(reports=False)
    (verdict,) = [v for v in result.verdicts if v.name == "callback_errors"]
    return result, verdict


def test_the_shipped_device_takes_every_request_of_a_hostile_run(tmp_path: Path) -> None:
    result, v = _hostile_run(tmp_path, 1)
    assert v.ok and "request(s) taken in full" in v.message, v
    assert result.verdict.outcome.value == "pass", result.verdict.reasons


def test_a_device_replacing_an_unspent_count_fails_a_hostile_run(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def replaced(self: SimulatedBackend, name: str, count: int = 1, **_window: object) -> None:
        self.device(name).corrupt_callbacks = count

    monkeypatch.setattr(SimulatedBackend, "corrupt_next_callbacks", replaced)
    result, v = _hostile_run(tmp_path, 1)
    assert not v.ok and {e["why"] for e in v.evidence} == {NOT_TAKEN}, v
    assert all(e["pending_after"] == e["asked"] < e["pending_before"] + e["asked"] for e in v.evidence), v.evidence
    assert result.verdict.violated == ["callback_errors"], result.verdict.reasons
