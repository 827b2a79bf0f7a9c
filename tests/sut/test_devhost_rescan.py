"""The device host looks again for a host API that was missing when PortAudio started.

PortAudio opens its JACK client once, in Pa_Initialize; on a loaded machine that can fail while the
server is up, and the JACK host API is then absent from that PortAudio for good. The host
re-initialises PortAudio a bounded number of times before it answers "no such device". A scripted
PortAudio (the real one cannot be made to fail on cue) drives the logic.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from system_under_test.devices._devhost import _Host

JACK = "JACK Audio Connection Kit"


class ScriptedPortAudio:
    """Host APIs and devices as sounddevice reports them; JACK appears after ``jack_after`` re-inits."""

    def __init__(self, jack_after: int) -> None:
        self.jack_after = jack_after
        self.inits = 0

    def _terminate(self) -> None:
        pass

    def _initialize(self) -> None:
        self.inits += 1

    def query_hostapis(self) -> list[dict[str, Any]]:
        apis = [{"name": "ALSA"}]
        if self.inits >= self.jack_after:
            apis.append({"name": JACK})
        return apis

    def query_devices(self) -> list[dict[str, Any]]:
        devs = [{"name": "default", "hostapi": 0, "index": 0, "max_input_channels": 2, "max_output_channels": 2}]
        if self.inits >= self.jack_after:
            devs.append({"name": "system", "hostapi": 1, "index": 1, "max_input_channels": 2,
                         "max_output_channels": 2})
        return devs


def _host(pa: ScriptedPortAudio, monkeypatch: pytest.MonkeyPatch) -> _Host:
    monkeypatch.setattr(_Host, "HOST_API_RETRY_S", 0.0)
    host = _Host(io.StringIO(), -1)
    host.sd = pa
    return host


def test_a_host_api_missing_at_start_is_found_after_a_rescan(monkeypatch):
    pa = ScriptedPortAudio(jack_after=2)
    assert _host(pa, monkeypatch)._resolve("system", JACK, "input") == 1
    assert pa.inits == 2


def test_a_host_api_that_never_comes_is_named_in_the_error(monkeypatch):
    pa = ScriptedPortAudio(jack_after=99)
    with pytest.raises(LookupError, match="not available.*ALSA") as exc:
        _host(pa, monkeypatch)._resolve("system", JACK, "input")
    assert JACK in str(exc.value)
    assert pa.inits == _Host.HOST_API_RETRIES  # bounded, never a loop until it appears


def test_no_rescan_when_the_host_api_is_there_or_not_asked_for(monkeypatch):
    pa = ScriptedPortAudio(jack_after=0)
    host = _host(pa, monkeypatch)
    assert host._resolve("system", JACK, "output") == 1
    assert host._resolve("default", None, "input") == 0
    assert pa.inits == 0
