"""The watchdog's quiet passes along a stretch of simulated blocks answered at once
(``AudioSystem._quiet_passes``, ``TimerHandle.defer_along``) are the passes asked one deadline at
a time: the same events at the same simulated times, the same counters, gauges, stream counts and
next deadline, a stall still reported at its deadline; and inside a stretch no pass is asked one
at a time but the one at a stall, which refuses."""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test import AudioSystem
from system_under_test.clock import VirtualClock
from system_under_test.dsp import use_kernel


def _run(along: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, dict[str, int]]:
    """A compiled-kernel system (its blocks go in stretches) run for 3.2 simulated s with a
    stall and a late callback; with ``along`` False its watchdog timers carry no
    ``defer_along``, so every pass is asked by itself."""
    counts = {"inside": 0, "single_deferred_inside": 0, "along_answered": 0}
    real_deferring = VirtualClock.advance_along_deferring
    real_pass = AudioSystem._quiet_pass
    real_along = getattr(AudioSystem, "_quiet_passes", None)

    def deferring(self: VirtualClock, *args: Any) -> Any:
        counts["inside"] += 1
        try:
            return real_deferring(self, *args)
        finally:
            counts["inside"] -= 1

    def one_pass(self: AudioSystem, due: float) -> float | None:
        later = real_pass(self, due)
        if counts["inside"] and later is not None:
            counts["single_deferred_inside"] += 1
        return later

    monkeypatch.setattr(VirtualClock, "advance_along_deferring", deferring)
    monkeypatch.setattr(AudioSystem, "_quiet_pass", one_pass)
    if real_along is not None:
        def along_passes(self: AudioSystem, *args: Any) -> Any:
            answer = real_along(self, *args)
            counts["along_answered"] += answer is not None
            return answer
        monkeypatch.setattr(AudioSystem, "_quiet_passes", along_passes)
    events: list[tuple] = []
    with use_kernel("compiled"):
        s = AudioSystem({"stream": {"block_size": 256}}, seed=3)
        if not along:
            s._quiet_passes_cb = None  # type: ignore[assignment]
        s.add_event_listener(lambda e: events.append((e.kind, e.time, repr(sorted(e.data.items())))))
        s.initialize()
        s.start()
        s.run_for(1.0)
        device = s.stream.spec.input_device
        s.backend.stall(device)
        s.run_for(0.1)
        s.backend.unstall(device)
        s.run_for(1.0)
        s.backend.delay_next_callback(s.stream.spec.input_device, 0.012)
        s.run_for(1.1)
        metrics = s.metrics()
        stats = s.stream.stats
        seen = (events, metrics.counters, metrics.gauges, stats.callbacks, stats.last_callback_at,
                stats.flagged_callbacks, s.clock.now(), s._watchdog_due, s.state)
        s.close()
    monkeypatch.undo()
    return seen, counts


def test_the_quiet_passes_along_a_stretch_answered_at_once_are_the_passes_asked_one_by_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    one_by_one, counts_one = _run(False, monkeypatch)
    along, counts_along = _run(True, monkeypatch)
    assert along == one_by_one
    events, counters = along[0], along[1]
    assert counters["device_stalls"] >= 1  # the stall was judged, at the same time both ways
    assert [e for e in events if e[0] == "error" and "DeviceStalledError" in e[2]]
    # one by one, the passes of a stretch are asked inside it and deferred there, many times
    assert counts_one["single_deferred_inside"] > 100, counts_one
    # answered at once: inside a stretch a pass asked by itself is only one that refuses (a stall)
    assert counts_along["single_deferred_inside"] == 0, counts_along
    assert counts_along["along_answered"] >= 5, counts_along  # 10: one a stretch of ~64 blocks
