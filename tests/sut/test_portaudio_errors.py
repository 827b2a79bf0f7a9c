"""PortAudio errors are translated at the boundary, in one place, and every case is mapped.

Runs without PortAudio: the codes are portaudio.h's, written down here independently of the
module under test; when sounddevice *is* importable, the library's own constants are checked too.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import subprocess
import sys
from typing import Any

import pytest

from system_under_test.devices import portaudio as pa
from system_under_test.errors import (
    AudioSystemError,
    BackendUnavailableError,
    DeviceError,
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    DeviceTimeoutError,
    LifecycleError,
    ResourceLimitError,
    XrunError,
)

# From portaudio.h (PaErrorCode), transcribed for this test.
PORTAUDIO_H = {
    "paNotInitialized": -10000, "paUnanticipatedHostError": -9999, "paInvalidChannelCount": -9998,
    "paInvalidSampleRate": -9997, "paInvalidDevice": -9996, "paInvalidFlag": -9995,
    "paSampleFormatNotSupported": -9994, "paBadIODeviceCombination": -9993,
    "paInsufficientMemory": -9992, "paBufferTooBig": -9991, "paBufferTooSmall": -9990,
    "paNullCallback": -9989, "paBadStreamPtr": -9988, "paTimedOut": -9987, "paInternalError": -9986,
    "paDeviceUnavailable": -9985, "paIncompatibleHostApiSpecificStreamInfo": -9984,
    "paStreamIsStopped": -9983, "paStreamIsNotStopped": -9982, "paInputOverflowed": -9981,
    "paOutputUnderflowed": -9980, "paHostApiNotFound": -9979, "paInvalidHostApi": -9978,
    "paCanNotReadFromACallbackStream": -9977, "paCanNotWriteToACallbackStream": -9976,
    "paCanNotReadFromAnOutputOnlyStream": -9975, "paCanNotWriteToAnInputOnlyStream": -9974,
    "paIncompatibleStreamHostApi": -9973, "paBadBufferPtr": -9972, "paCanNotInitializeRecursively": -9971,
}

# The classes we promise for the codes a user can actually provoke.
EXPECTED = {
    "paNotInitialized": BackendUnavailableError,
    "paInvalidChannelCount": DeviceFormatError,
    "paInvalidSampleRate": DeviceFormatError,
    "paSampleFormatNotSupported": DeviceFormatError,
    "paBadIODeviceCombination": DeviceFormatError,
    "paBufferTooBig": DeviceFormatError,
    "paBufferTooSmall": DeviceFormatError,
    "paInvalidDevice": DeviceNotFoundError,
    "paHostApiNotFound": DeviceNotFoundError,
    "paInvalidHostApi": DeviceNotFoundError,
    "paDeviceUnavailable": DeviceLostError,
    "paTimedOut": DeviceTimeoutError,
    "paInputOverflowed": XrunError,
    "paOutputUnderflowed": XrunError,
    "paStreamIsStopped": LifecycleError,
    "paStreamIsNotStopped": LifecycleError,
    "paInsufficientMemory": ResourceLimitError,
}


def test_the_module_lists_every_portaudio_h_code() -> None:
    assert pa.PA_ERROR_CODES == PORTAUDIO_H


@pytest.mark.parametrize("name", sorted(PORTAUDIO_H))
def test_every_code_is_explicitly_mapped(name: str) -> None:
    code = PORTAUDIO_H[name]
    assert code in pa.PA_ERROR_MAP, f"{name} ({code}) has no explicit mapping"
    err = pa.map_portaudio_error(code, f"{name} happened")
    assert isinstance(err, AudioSystemError)
    assert isinstance(err, pa.PA_ERROR_MAP[code])
    assert err.details["pa_error_code"] == code
    assert "unmapped" not in err.details
    if name in EXPECTED:
        assert type(err) is EXPECTED[name], name


def test_codes_that_mean_a_backend_bug_are_marked_internal() -> None:
    err = pa.map_portaudio_error(PORTAUDIO_H["paBadStreamPtr"], "bad stream")
    assert type(err) is DeviceError and err.details["internal"] is True


def test_unknown_code_falls_back_to_device_error_and_says_so() -> None:
    err = pa.map_portaudio_error(-1234, "mystery")
    assert type(err) is DeviceError
    assert err.details["unmapped"] is True


@pytest.mark.parametrize(("errno", "cls"), [(-19, DeviceLostError), (-16, DeviceLostError),
                                            (-32, XrunError), (-22, DeviceFormatError), (-5, DeviceError)])
def test_unanticipated_host_error_is_refined_by_host_errno(errno: int, cls: type) -> None:
    err = pa.map_portaudio_error(PORTAUDIO_H["paUnanticipatedHostError"], "host said no", [0, errno, "text"])
    assert type(err) is cls
    assert err.details["host_error"] == [0, errno, "text"]


@pytest.mark.parametrize(("host_error", "cls"), [([0, -19], DeviceLostError), ((0, -32), XrunError),
                                                 ([0], DeviceError), ([], DeviceError)])
def test_a_host_error_of_type_and_errno_alone_is_refined_too(host_error, cls: type) -> None:
    """The host error's errno is its second field: a pair (host API type, errno) with no text
    refines the class as a triple does; a shorter one cannot."""
    err = pa.map_portaudio_error(PORTAUDIO_H["paUnanticipatedHostError"], "host said no", host_error)
    assert type(err) is cls


def test_backend_unavailable_says_what_to_install() -> None:
    err = pa.map_portaudio_error(PORTAUDIO_H["paNotInitialized"], "not initialised")
    assert "apt-get install libportaudio2" in str(err)
    err = pa.map_host_error({"type": "OSError", "message": "PortAudio library not found"})
    assert type(err) is BackendUnavailableError
    assert "apt-get install libportaudio2" in str(err)


@pytest.mark.parametrize(("etype", "cls"), sorted(
    [("LookupError", DeviceNotFoundError), ("OSError", BackendUnavailableError),
     ("ImportError", BackendUnavailableError), ("ModuleNotFoundError", BackendUnavailableError),
     ("ValueError", DeviceFormatError), ("TypeError", DeviceFormatError),
     ("TimeoutError", DeviceTimeoutError), ("RuntimeError", DeviceError)], key=lambda p: p[0]))
def test_host_exception_types_map(etype: str, cls: type) -> None:
    assert type(pa.map_host_error({"type": etype, "message": "m"})) is cls


def test_every_host_exception_type_in_the_table_is_covered_above() -> None:
    assert set(pa._EXCEPTION_TYPE_MAP) == {"LookupError", "OSError", "ImportError", "ModuleNotFoundError",
                                           "ValueError", "TypeError", "TimeoutError"}


class PortAudioError(Exception):
    """Shaped like sounddevice.PortAudioError: (message, code, host_error_info)."""


def test_translate_exception_reads_a_portaudio_error_object() -> None:
    exc = PortAudioError("Error opening Stream", PORTAUDIO_H["paInvalidSampleRate"])
    err = pa.translate_exception(exc)
    assert type(err) is DeviceFormatError
    assert err.message == "Error opening Stream"
    ours = DeviceLostError("already ours")
    assert pa.translate_exception(ours) is ours


def test_importing_the_backend_does_not_load_portaudio() -> None:
    # The backend module is importable (and these tests run) without PortAudio: sounddevice is
    # imported only inside the device host process.
    code = ("import sys, system_under_test.devices.portaudio, system_under_test.devices.jack; "
            "sys.exit(1 if 'sounddevice' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


@pytest.mark.skipif(importlib.util.find_spec("_sounddevice") is None, reason="sounddevice not installed")
def test_installed_portaudio_has_no_code_we_do_not_map() -> None:
    """The installed PortAudio's error codes, read from the library sounddevice loads (its cffi
    declarations, the library found as sounddevice finds it) without importing sounddevice:
    importing it runs ``Pa_Initialize`` in this test process, which opens every host API, JACK's
    too, and a JACK client opening the uid's metadata database while a rig's server was killed or
    exited part-way through it waits on the database's lock for ever (measured: a suite hung in
    this test, the import blocked in a futex, beside the rig's server kills). Loading the library
    initialises nothing."""
    from _sounddevice import ffi  # noqa: PLC0415 - sounddevice's own cffi declarations

    found = ctypes.util.find_library("portaudio")
    if found is None:
        pytest.skip("PortAudio library not found")
    try:
        lib = ffi.dlopen(found)
    except OSError as exc:  # library missing: nothing to cross-check
        pytest.skip(f"PortAudio library not loadable: {exc}")
    lib_codes = {n: getattr(lib, n) for n in dir(lib)
                 if n.startswith("pa") and isinstance(getattr(lib, n), int)
                 and -10000 <= getattr(lib, n) <= -9900}
    assert lib_codes, "expected PaErrorCode constants in the PortAudio library's declarations"
    for name, code in lib_codes.items():
        assert PORTAUDIO_H.get(name) == code, name
        assert code in pa.PA_ERROR_MAP, name


def test_every_translation_names_its_component_and_says_what_it_read() -> None:
    """The error's component is the one asked for ("device" when none is), and its details say
    what the translation read: the PortAudio code and host error, or the host's exception type
    (the type stands for a missing message; a description with neither is still an error)."""
    def shape(err: AudioSystemError) -> tuple[Any, ...]:
        return type(err), err.message, err.component, err.details

    timed_out = PORTAUDIO_H["paTimedOut"]
    assert shape(pa.map_portaudio_error(timed_out, "timed out")) == (
        DeviceTimeoutError, "timed out", "device", {"pa_error_code": timed_out})
    assert shape(pa.map_portaudio_error(None, "no code", component="input")) == (
        DeviceError, "no code", "input", {"pa_error_code": None})
    host = {"type": "PortAudioError", "message": "Unanticipated host error",
            "code": PORTAUDIO_H["paUnanticipatedHostError"], "host_error": [0, -19, "No such device"]}
    assert shape(pa.map_host_error(host)) == (
        DeviceLostError, "Unanticipated host error", "device",
        {"pa_error_code": PORTAUDIO_H["paUnanticipatedHostError"], "host_error": [0, -19, "No such device"]})
    assert pa.map_host_error(host, component="output").component == "output"
    assert shape(pa.map_host_error({"type": "ValueError", "message": "bad channels"})) == (
        DeviceFormatError, "bad channels", "device", {"host_exception": "ValueError"})
    assert shape(pa.map_host_error({"type": "RuntimeError"}, component="output")) == (
        DeviceError, "RuntimeError", "output", {"host_exception": "RuntimeError"})
    assert shape(pa.map_host_error({})) == (DeviceError, "", "device", {"host_exception": ""})
    assert shape(pa.translate_exception(ValueError("bad rate"))) == (
        DeviceFormatError, "bad rate", "device", {"host_exception": "ValueError"})
    assert pa.translate_exception(ValueError("bad rate"), component="input").component == "input"
