"""The simulated backend maps each reason a stream cannot open to the error class the device seam
names (devices/base.py: "raise a ``DeviceError`` subclass on failure"; errors.py's tree): a device
that is absent or removed is ``DeviceNotFoundError`` (recoverable: it may come back), a channel
count or a sample rate it cannot do is ``DeviceFormatError`` (not recoverable: reopening the same
format fails the same way), and nothing is left open or registered on the device after a refusal."""

from __future__ import annotations

import pytest

from system_under_test.clock import VirtualClock
from system_under_test.devices.base import StatusFlags, StreamSpec
from system_under_test.devices.simulated import COMMON_RATES, SimulatedBackend
from system_under_test.errors import DeviceFormatError, DeviceNotFoundError


def _callback(indata, outdata, frames: int, time: float, status: StatusFlags) -> None:
    outdata.fill(0)


def _spec(**kw) -> StreamSpec:
    base = {"input_device": "sim-in", "output_device": "sim-out", "input_channels": 2, "output_channels": 2,
            "sample_rate": 48_000, "block_size": 256}
    return StreamSpec(**{**base, **kw})


@pytest.mark.parametrize("rate", [8_000, 22_050, 32_000, 192_000])
@pytest.mark.parametrize("side", ["input", "output"])
def test_a_rate_the_device_does_not_support_is_a_format_error(rate: int, side: str) -> None:
    assert rate not in COMMON_RATES
    backend = SimulatedBackend(VirtualClock())
    # the other side supports the rate: the refusal is the one side's
    other = backend.device("sim-out" if side == "input" else "sim-in")
    other.sample_rates = (*COMMON_RATES, rate)
    with pytest.raises(DeviceFormatError) as exc:
        backend.open_stream(_spec(sample_rate=rate), _callback, lambda e: None)
    assert type(exc.value) is DeviceFormatError and not exc.value.recoverable
    assert f"{rate} Hz" in exc.value.message
    assert backend.open_streams() == []


def test_too_many_channels_is_a_format_error_and_an_absent_device_is_not_found() -> None:
    backend = SimulatedBackend(VirtualClock())
    with pytest.raises(DeviceFormatError):
        backend.open_stream(_spec(input_channels=3), _callback, lambda e: None)
    with pytest.raises(DeviceNotFoundError) as exc:
        backend.open_stream(_spec(input_device="sim-nowhere"), _callback, lambda e: None)
    assert type(exc.value) is DeviceNotFoundError and exc.value.recoverable
    backend.remove_device("sim-out")
    with pytest.raises(DeviceNotFoundError):
        backend.open_stream(_spec(), _callback, lambda e: None)
    assert backend.open_streams() == []
