"""The device seam's small promises, without a device: lookup by exact name, what a status says,
which JACK server a backend talks to, and the bounds a PortAudio backend refuses.

Each is read by code that only runs with a real device (the PortAudio backend's stream counters,
the device host's environment, the rig's server name), so the simulated suite would not notice
them break; they need no device to check.
"""

from __future__ import annotations

import itertools

import pytest

from system_under_test.clock import VirtualClock
from system_under_test.devices.base import StatusFlags
from system_under_test.devices.jack import JACK_HOST_API, JackBackend, default_server_name
from system_under_test.devices.portaudio import PortAudioBackend
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.errors import DeviceNotFoundError

FLAGS = ("input_underflow", "input_overflow", "output_underflow", "output_overflow")


def test_find_matches_a_device_by_its_whole_name_only():
    backend = SimulatedBackend(VirtualClock())
    assert backend.find("sim-in").name == "sim-in"
    for partial in ("sim", "sim-", "sim-in ", "SIM-IN", "in"):
        with pytest.raises(DeviceNotFoundError) as exc:
            backend.find(partial)
        assert exc.value.details["requested"] == partial
        assert sorted(exc.value.details["available"]) == sorted(d.name for d in backend.devices())


def test_a_device_not_found_is_the_devices_error_and_names_what_exists():
    """The message a user reads names the backend, the device asked for and every device there is
    (sorted), or says there is none; the error is the device component's (recovery routes by it)."""
    backend = SimulatedBackend(VirtualClock())
    names = sorted(d.name for d in backend.devices())
    with pytest.raises(DeviceNotFoundError) as exc:
        backend.find("usb-mic")
    assert str(exc.value) == (f"[device] no {backend.name} device named 'usb-mic' (available: "
                              + ", ".join(repr(n) for n in names) + ")")
    assert exc.value.component == "device"
    empty = SimulatedBackend(VirtualClock(), devices=[])
    with pytest.raises(DeviceNotFoundError, match=r"\(available: none\)$") as exc:
        empty.find("usb-mic")
    assert exc.value.details == {"requested": "usb-mic", "available": []}


def test_a_device_supports_exactly_the_rates_it_lists():
    info = SimulatedBackend(VirtualClock()).find("sim-in")
    assert info.sample_rates
    for rate in (8_000, 22_050, 44_100, 48_000, 96_000, 192_000):
        assert info.supports(rate) is (rate in info.sample_rates)


@pytest.mark.parametrize("bits", list(itertools.product((False, True), repeat=len(FLAGS))))
def test_a_status_is_flagged_exactly_when_one_of_its_four_flags_is_set(bits):
    """``any()`` (a flagged callback, counted by the PortAudio stream) agrees with ``set_names()``
    (the flags counted by name) for every combination; ``priming_output`` is no anomaly."""
    for priming in (False, True):
        status = StatusFlags(*bits, priming_output=priming)
        assert status.set_names() == [n for n, b in zip(FLAGS, bits) if b]
        assert status.any() is any(bits)


@pytest.mark.parametrize(("env", "want"), [
    ({}, "default"),
    ({"JACK_DEFAULT_SERVER": "libjacks"}, "libjacks"),
    ({"SOUNDCHECK_JACK_SERVER": "ours"}, "ours"),
    ({"SOUNDCHECK_JACK_SERVER": "ours", "JACK_DEFAULT_SERVER": "libjacks"}, "ours"),
    ({"SOUNDCHECK_JACK_SERVER": "", "JACK_DEFAULT_SERVER": "libjacks"}, "libjacks"),
])
def test_the_jack_server_name_comes_from_the_argument_then_soundchecks_variable_then_libjacks(
        monkeypatch, env, want):
    for name in ("SOUNDCHECK_JACK_SERVER", "JACK_DEFAULT_SERVER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_server_name() == want
    assert JackBackend().server_name == want
    assert JackBackend("given").server_name == "given"


@pytest.mark.parametrize("jack_server", [None, "rig-123"])
def test_the_device_host_never_starts_a_jack_server_and_talks_to_the_one_named(monkeypatch, jack_server):
    """libjack starts a server of its own when none runs unless told not to: a test or a user
    would then measure a server nobody configured (the class's docstring promises it never does)."""
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "from-the-environment")
    env = PortAudioBackend(jack_server=jack_server).host_env()
    assert env["JACK_NO_START_SERVER"] == "1"
    assert env["JACK_DEFAULT_SERVER"] == (jack_server or "from-the-environment")
    assert JackBackend("rig-9").host_env()["JACK_NO_START_SERVER"] == "1"


def test_a_jack_backend_is_portaudio_s_jack_host_api_with_the_settings_it_is_given():
    """``JackBackend`` restricts discovery and opening to PortAudio's JACK host API (unrestricted,
    a discovery lists ALSA's devices beside the server's ``system``) and hands every other
    setting to ``PortAudioBackend`` as given."""
    backend = JackBackend("rig-9", control_timeout_s=1.25, spawn_timeout_s=3.5, ring_blocks=6,
                          prefill_blocks=3, python="/opt/py")
    assert backend.host_api == JACK_HOST_API == backend.expected_host_api
    assert (backend.control_timeout_s, backend.spawn_timeout_s, backend.ring_blocks,
            backend.prefill_blocks, backend.python) == (1.25, 3.5, 6, 3, "/opt/py")
    assert JackBackend().host_api == JACK_HOST_API
    with pytest.raises(ValueError, match="prefill_blocks"):
        JackBackend("rig-9", ring_blocks=2, prefill_blocks=2)


def test_the_prefill_must_leave_room_in_the_ring():
    """Prefilled blocks sit in the output ring from the start: a prefill of the whole ring leaves
    no room for the first block the parent makes (it would never be published)."""
    PortAudioBackend(ring_blocks=8, prefill_blocks=7)
    for prefill in (8, 9):
        with pytest.raises(ValueError, match="^prefill_blocks must be smaller than ring_blocks$"):
            PortAudioBackend(ring_blocks=8, prefill_blocks=prefill)


def test_a_backend_without_portaudio_says_why_before_it_spawns_a_host(monkeypatch):
    """Without python-sounddevice or the PortAudio library, a discovery or an open is refused
    with ``BackendUnavailableError`` (fatal: no retry helps) carrying ``available()``'s reason,
    the device as its component and the backend's name; no host process is started."""
    from system_under_test.devices import portaudio
    from system_under_test.errors import BackendUnavailableError

    spawned = []
    monkeypatch.setattr(portaudio.PortAudioBackend, "available", staticmethod(lambda: (False, "no PortAudio here")))
    monkeypatch.setattr(portaudio, "DeviceHost", lambda *a, **k: spawned.append((a, k)))
    for backend in (PortAudioBackend(), JackBackend("rig-9")):
        with pytest.raises(BackendUnavailableError) as exc:
            backend.devices()
        err = exc.value
        assert (err.message, err.component, err.details) == ("no PortAudio here", "device", {"backend": backend.name})
    assert spawned == []


def test_a_device_host_is_spawned_with_the_backend_s_environment_interpreter_and_bounds(monkeypatch):
    from system_under_test.devices import portaudio

    made = []
    monkeypatch.setattr(portaudio.PortAudioBackend, "available", staticmethod(lambda: (True, "")))
    monkeypatch.setattr(portaudio, "DeviceHost", lambda env, **kw: made.append((env, kw)) or "host")
    backend = PortAudioBackend(jack_server="rig-3", python="/opt/py", spawn_timeout_s=4.5, init_timeout_s=2.5)

    def on_event(event):
        return None

    assert backend._spawn_host(on_event) == "host"
    env, kw = made[0]
    assert env == backend.host_env() and env["JACK_DEFAULT_SERVER"] == "rig-3"
    assert kw == {"python": "/opt/py", "spawn_timeout_s": 4.5, "init_timeout_s": 2.5, "on_event": on_event}


def test_available_names_what_is_missing_without_loading_portaudio(monkeypatch):
    """``available()`` asks for python-sounddevice first, then the PortAudio library, and says
    which one is missing with the install hint; both there: usable, no reason."""
    from system_under_test.devices import portaudio

    asked: list[str] = []
    have = {"sounddevice": True, "portaudio": True}
    monkeypatch.setattr(portaudio.importlib.util, "find_spec",
                        lambda name: asked.append(name) or (object() if have["sounddevice"] else None))
    monkeypatch.setattr(portaudio.ctypes.util, "find_library",
                        lambda name: asked.append(name) or ("libportaudio.so.2" if have["portaudio"] else None))
    assert PortAudioBackend.available() == (True, "")
    assert asked == ["sounddevice", "portaudio"]
    have["portaudio"] = False
    assert PortAudioBackend.available() == (False, f"the PortAudio library is not installed ({portaudio.INSTALL_HINT})")
    have["sounddevice"] = False
    asked.clear()
    assert PortAudioBackend.available() == (False, f"python-sounddevice is not installed ({portaudio.INSTALL_HINT})")
    assert asked == ["sounddevice"]


def test_closing_a_backend_closes_every_stream_it_opened():
    closed: list[str] = []

    class Stream:
        def __init__(self, name: str) -> None:
            self.name = name

        def close(self) -> None:
            closed.append(self.name)

    backend = PortAudioBackend()
    backend._streams = {Stream("a"), Stream("b")}  # type: ignore[assignment]
    backend.close()
    assert sorted(closed) == ["a", "b"]


def test_a_run_of_blocks_without_input_is_dated_from_its_first_block_and_ended_by_one_with_input() -> None:
    """``StreamStats.count_input``, the watchdog's reading of a capture side that hangs while its
    playback side runs on: the clock is read once, at the first block of a run whose input
    underflowed; a block that brings input ends the run."""
    from system_under_test.devices.base import StreamStats

    reads: list[float] = []

    def now() -> float:
        reads.append(10.0 + len(reads))
        return reads[-1]

    stats = StreamStats()
    assert stats.input_starved_since is None  # none came since the stream started
    stats.count_input(False, now)
    assert (stats.input_starved_since, reads) == (None, [])
    stats.count_input(True, now)
    assert (stats.input_starved_since, reads) == (10.0, [10.0])
    stats.count_input(True, now)  # the same run: the clock is not read again
    assert (stats.input_starved_since, reads) == (10.0, [10.0])
    stats.count_input(False, now)
    assert (stats.input_starved_since, reads) == (None, [10.0])
    stats.count_input(True, now)  # a new run, dated anew
    assert (stats.input_starved_since, reads) == (11.0, [10.0, 11.0])
