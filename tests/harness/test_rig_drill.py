"""The server-kill drill judges which errors a route reports, not which one wins a race.

On a loaded machine the watchdog's stall (callbacks stopped for a few periods) can be reported
before the JACK host API's own report of the dead server; both are right. These tests drive
``kill_recovery_drill`` with a scripted rig and backend on a stepped clock, so the order of the
two reports is set by the test, never by the machine.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from harness.rig.loopback import kill_recovery_drill
from system_under_test.errors import DeviceLostError, DeviceStalledError

RATE = 48_000
PERIOD = 256


class _SteppedClock:
    """``sleep`` moves time on and runs what was due by then: the reports the script schedules."""

    def __init__(self) -> None:
        self.t = 0.0
        self.due: list[tuple[float, Callable[[], None]]] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        for item in [d for d in self.due if d[0] <= self.t]:
            self.due.remove(item)
            item[1]()


class _Stream:
    def __init__(self, loop: Any, on_error: Callable[[Exception], None]) -> None:
        self.loop = loop
        self.on_error = on_error

    def start(self) -> None:
        out = np.zeros((PERIOD, 2), dtype=np.float32)
        for _ in range(RATE // PERIOD):  # a second of the sine, played and heard back
            heard = out.copy()
            self.loop(heard, out, PERIOD, 0.0, np.zeros(1, dtype=bool))

    def close(self) -> None:
        pass


class _Backend:
    def __init__(self) -> None:
        self.streams: list[_Stream] = []

    def open_stream(self, spec: Any, loop: Any, on_error: Callable[[Exception], None]) -> _Stream:
        self.streams.append(_Stream(loop, on_error))
        return self.streams[-1]


class _Rig:
    """A rig whose server kill makes the stream report what ``reports`` says, at the given delays."""

    rate = RATE
    period = PERIOD

    def __init__(self, backend: _Backend, reports: list[tuple[float, type]]) -> None:
        self.clock = _SteppedClock()
        self.backend = backend
        self.reports = reports

    def connect_loopback(self, channels: int = 2) -> None:
        pass

    def kill_server(self) -> None:
        stream = self.backend.streams[-1]
        for delay, kind in self.reports:
            self.clock.due.append((self.clock.t + delay,
                                   lambda kind=kind: stream.on_error(kind("scripted", component="device"))))

    def restart_server(self) -> float:
        return 0.0


def test_a_stall_reported_before_the_hosts_loss_still_finds_the_loss_and_times_the_first() -> None:
    backend = _Backend()
    rig = _Rig(backend, [(0.25, DeviceStalledError), (0.6, DeviceLostError)])
    result = kill_recovery_drill(rig, backend, "system", route="jack-hostapi", expect=DeviceLostError)  # type: ignore[arg-type]
    assert result.error == "DeviceLostError"
    assert result.reported == ("DeviceStalledError", "DeviceLostError")
    assert result.detect_s == pytest.approx(0.25, abs=0.02)  # the first report, not the awaited one


def test_a_route_that_never_reports_the_expected_kind_still_fails() -> None:
    backend = _Backend()
    rig = _Rig(backend, [(0.25, DeviceStalledError)])
    with pytest.raises(TimeoutError, match="DeviceLostError"):
        kill_recovery_drill(rig, backend, "system", route="jack-hostapi", expect=DeviceLostError,  # type: ignore[arg-type]
                            timeout_s=2.0)


def test_without_an_expected_kind_the_first_fatal_report_is_the_result() -> None:
    backend = _Backend()
    rig = _Rig(backend, [(0.25, DeviceStalledError), (0.6, DeviceLostError)])
    result = kill_recovery_drill(rig, backend, "jack", route="alsa-jack-pcm")  # type: ignore[arg-type]
    assert result.error == "DeviceStalledError"
