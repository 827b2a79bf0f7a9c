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


class _WithRates(ScriptedPortAudio):
    """The fields ``op_devices`` reads of each device."""

    def query_devices(self) -> list[dict[str, Any]]:
        return [{**d, "default_samplerate": 48000.0, "default_low_output_latency": 0.005,
                 "default_low_input_latency": 0.005} for d in super().query_devices()]


def test_a_discovery_unrestricted_by_host_api_looks_again_for_the_one_it_expects(monkeypatch):
    """Route ``system`` (PortAudio's JACK host API device, no host API named, a JACK server named):
    a PortAudio that started without its JACK client listed ALSA's devices only, and the system
    refused ``system`` as "no device named 'system' (available: jack)" (measured once in 8 runs
    of test_external_kills.py at load average 13). The expected host API is looked for again."""
    pa = _WithRates(jack_after=2)
    names = [d["name"] for d in _host(pa, monkeypatch).op_devices(expect_host_api=JACK)]
    assert names == ["default", "system"] and pa.inits == 2
    pa = _WithRates(jack_after=1)
    assert _host(pa, monkeypatch)._resolve("system", None, "output", JACK) == 1 and pa.inits == 1


def test_an_expected_host_api_restricts_nothing_and_is_looked_for_a_bounded_number_of_times(monkeypatch):
    pa = _WithRates(jack_after=99)
    assert [d["name"] for d in _host(pa, monkeypatch).op_devices(expect_host_api=JACK)] == ["default"]
    assert pa.inits == _Host.HOST_API_RETRIES
    pa = _WithRates(jack_after=0)
    assert [d["name"] for d in _host(pa, monkeypatch).op_devices(expect_host_api=JACK)] == ["default", "system"]
    assert pa.inits == 0


def test_the_backend_expects_the_jack_host_api_when_it_names_a_jack_server(monkeypatch):
    """Discovery and open both carry it to the device host."""
    from system_under_test.devices.portaudio import JACK_HOST_API, PortAudioBackend

    assert JACK_HOST_API == JACK
    assert PortAudioBackend(jack_server="rig").expected_host_api == JACK
    assert PortAudioBackend(host_api="ALSA", jack_server="rig").expected_host_api == "ALSA"
    assert PortAudioBackend().expected_host_api is None

    requests: list[tuple[str, dict[str, Any]]] = []

    class _Recording:
        def request(self, op: str, timeout_s: float, **args: Any) -> list[Any]:
            requests.append((op, args))
            return []

        def shutdown(self, timeout_s: float) -> None:
            pass

    backend = PortAudioBackend(jack_server="rig")
    monkeypatch.setattr(backend, "_spawn_host", lambda on_event=None: _Recording())
    assert backend.devices() == []
    assert requests == [("devices", {"host_api": None, "probe_rates": [44100, 48000], "expect_host_api": JACK})]
