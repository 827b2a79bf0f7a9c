"""The simulated device's faults side by side, and what its devices say about themselves.

A fault hook asked for is applied whatever else the device is doing: a corrupted callback on a
starved input still delivers the corrupted block (flagged ``input_underflow``, since the input is
starved), so a harness that asked for both sees both. And a device's ``info()`` (what
``devices()`` and ``find()`` report, what a configuration is validated against) is the device's
own: every field, the latency included.
"""

from __future__ import annotations

import numpy as np
import pytest

from system_under_test.clock import VirtualClock
from system_under_test.devices.base import DeviceInfo, StatusFlags, StreamSpec
from system_under_test.devices.simulated import SimulatedBackend, SimulatedDevice

SR, BS, CH = 48_000, 64, 2
PERIOD = BS / SR


def _first_block(starved: bool, corrupt: bool) -> tuple[tuple[int, int], list[str], int]:
    """The first block's input shape and flags, and the corruptions left, on a stream whose input
    device was starved and/or told to corrupt one callback before the stream started."""
    clock = VirtualClock()
    backend = SimulatedBackend(clock, seed=3)
    seen: list[tuple[tuple[int, int], list[str]]] = []

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, t: float, status: StatusFlags) -> None:
        seen.append((indata.shape, status.set_names()))
        outdata.fill(0.0)

    stream = backend.open_stream(StreamSpec("sim-in", "sim-out", CH, CH, SR, BS), callback, lambda e: None)
    if starved:
        backend.starve_input("sim-in")
    if corrupt:
        backend.corrupt_next_callbacks("sim-in", 1)
    stream.start()
    clock.advance(PERIOD)
    stream.close()
    assert len(seen) == 1
    return seen[0][0], seen[0][1], backend.device("sim-in").corrupt_callbacks


#: (starved, corrupt) -> the first block's input shape, its flags, the corruptions left
CASES = [
    ((False, False), ((BS, CH), [], 0)),
    ((True, False), ((BS, CH), ["input_underflow"], 0)),
    ((False, True), ((BS, CH + 1), [], 0)),
    ((True, True), ((BS, CH + 1), ["input_underflow"], 0)),
]


@pytest.mark.parametrize(("faults", "expected"), CASES,
                         ids=["clean", "starved", "corrupt", "starved-and-corrupt"])
def test_a_corruption_asked_for_is_delivered_whether_or_not_the_input_is_starved(
        faults: tuple[bool, bool], expected: tuple[tuple[int, int], list[str], int]) -> None:
    assert _first_block(*faults) == expected


#: devices built with every field set, and the info each must report
DEVICES = [
    (SimulatedDevice("slow", max_input_channels=1, max_output_channels=4, sample_rates=(44_100,),
                     default_sample_rate=44_100, latency_s=0.042),
     DeviceInfo("slow", "sim", 1, 4, (44_100,), 44_100, 0.042)),
    (SimulatedDevice("fast", max_input_channels=2, max_output_channels=2, sample_rates=(48_000, 96_000),
                     default_sample_rate=96_000, latency_s=0.0015),
     DeviceInfo("fast", "sim", 2, 2, (48_000, 96_000), 96_000, 0.0015)),
]


@pytest.mark.parametrize(("device", "expected"), DEVICES, ids=[d.name for d, _ in DEVICES])
def test_a_simulated_device_reports_its_own_fields(device: SimulatedDevice, expected: DeviceInfo) -> None:
    backend = SimulatedBackend(VirtualClock(), devices=[device])
    assert device.info() == expected
    assert backend.find(device.name) == expected
    assert backend.devices() == [expected]
