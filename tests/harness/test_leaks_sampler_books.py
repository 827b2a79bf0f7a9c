"""A resource sample carries what every bounded log holds (``ResourceSampler.sample``): the
system's (``sut_log_*``) and the run's own history window (``harness_log_*``, passed as
``harness``), each by ``leaks.log_books``' one rule. The report's judge takes both out of the RSS
(``reports.build._leaks``); a sample without the window's bytes leaves a soak's filling history
window in the RSS, where its bounded growth reads as the system's leak. No clock, no device: a
windowed history filled by hand and a stand-in that reports one bounded log."""

from __future__ import annotations

from pathlib import Path

from harness.history import History
from harness.leaks import ResourceSampler, log_books
from system_under_test.held import BoundedFill


class _SystemWithALog:
    """A system that reports one bounded log (``system_under_test.held``'s shape)."""

    def bounded_logs(self) -> dict[str, BoundedFill]:
        return {"events": BoundedFill(40, 100, 12_345)}


def test_a_sample_carries_the_history_windows_and_the_systems_log_bytes(tmp_path: Path) -> None:
    history = History(stream_to=tmp_path / "history.jsonl", keep=50)
    try:
        for i in range(120):  # cut back once: the window reports its peak
            history.record("event", time=float(i), data={"kind": "xrun", "detail": {"at": float(i)}})
        window = log_books(history, "harness")
        assert window["harness_log_bytes"] > 0 and window["harness_log_records"] == len(history.entries)
        s = ResourceSampler().sample(5.0, system=_SystemWithALog(), harness=history)
    finally:
        history.close()
    assert {k: s.get(k) for k in window} == window
    assert (s.get("sut_log_bytes"), s.get("sut_log_records")) == (12_345, 40)

