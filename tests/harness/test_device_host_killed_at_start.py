"""A device host killed by a signal as PortAudio initialises is the environment failing, not the command.

Measured in the suite under ``-n 2`` beside four busy loops: a PortAudio run on the rig refused with
"the system did not start: [device] device host exited at start (install PortAudio ...)", a usage
error with a wrong hint for a host that had PortAudio. The host's ``sounddevice`` here is a script
that kills its own process by SIGSEGV as it is imported (where libjack crashes in the field), so no
JACK server or PortAudio is needed.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import UsageError
from harness.runner import ReliabilityRun, RunSpec
from system_under_test.devices.portaudio import PortAudioBackend, signal_name

CRASHING_SOUNDDEVICE = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)  # libjack crashing in Pa_Initialize\n"


@pytest.fixture
def crashing_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sounddevice.py").write_text(CRASHING_SOUNDDEVICE)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setattr(PortAudioBackend, "available", staticmethod(lambda: (True, "")))
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.delenv("JACK_DEFAULT_SERVER", raising=False)


def _one_second_run(tmp_path: Path) -> ReliabilityRun:
    """A one-second run on PortAudio's default device, its device host spawned as the fixture
    arranged (``crashing_host``)."""
    return ReliabilityRun(RunSpec(backend="portaudio", device="default", duration_s=1.0, seed=1, faults="none",
                                  report_root=tmp_path / "runs"),
                          backend=PortAudioBackend(spawn_timeout_s=60.0))


def test_a_run_whose_device_host_is_killed_at_start_is_inconclusive_naming_the_signal(
        tmp_path: Path, crashing_host: None) -> None:
    """Fails without ``_raise_if_device_host_killed``: the refusal is then a ``UsageError``."""
    run = _one_second_run(tmp_path)
    result = run.execute(reports=False)
    assert result.exit_code == 3 and not result.verdict.failures, result.verdict
    (doubt,) = [d for d in result.verdict.doubts if d.startswith("the system never ran")]
    assert doubt.startswith("the system never ran: the device host was killed by SIGSEGV while the system was "
                            "being configured, which then failed: "), doubt
    assert "install PortAudio" not in doubt, doubt


def test_the_cli_says_inconclusive_and_exits_3_not_a_usage_error(
        tmp_path: Path, crashing_host: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--backend", "portaudio", "--device", "default", "--duration", "1", "--seed", "1",
                 "--report-dir", str(tmp_path / "runs")])
    captured = capsys.readouterr()
    assert code == 3, captured.err
    assert "Traceback" not in captured.err and "install PortAudio" not in captured.out + captured.err
    assert "INCONCLUSIVE: the system never ran: the device host was killed by SIGSEGV" in captured.out, captured.out


def test_a_host_that_exits_by_itself_at_start_stays_a_usage_error(tmp_path: Path, crashing_host: None) -> None:
    """The twin: a host whose interpreter exits (a broken install) is the command's to fix."""
    (tmp_path / "sounddevice.py").write_text("import os\nos._exit(1)\n")
    run = _one_second_run(tmp_path)
    with pytest.raises(UsageError, match=r"device host exited at start \(exit status 1\).*install PortAudio"):
        run.execute(reports=False)


def test_a_host_killed_by_a_real_time_signal_at_start_is_named_not_a_value_error(
        tmp_path: Path, crashing_host: None) -> None:
    """Fails without ``signal_name``: ``signal.Signals(-code)`` raises ``ValueError`` on a real-time
    signal's number, and that escapes the run instead of the device's error."""
    (tmp_path / "sounddevice.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGRTMIN + 3)\n")
    run = _one_second_run(tmp_path)
    result = run.execute(reports=False)
    assert result.exit_code == 3 and not result.verdict.failures, result.verdict
    (doubt,) = [d for d in result.verdict.doubts if d.startswith("the system never ran")]
    assert "the device host was killed by SIGRTMIN+3 while the system was being configured" in doubt, doubt


@pytest.mark.parametrize(("number", "name"), [
    (int(signal.SIGSEGV), "SIGSEGV"),
    (int(signal.SIGRTMIN), "SIGRTMIN"),
    (int(signal.SIGRTMIN) + 3, "SIGRTMIN+3"),
    (int(signal.SIGRTMAX), "SIGRTMAX"),
    (int(signal.SIGRTMAX) - 1, f"SIGRTMIN+{int(signal.SIGRTMAX) - 1 - int(signal.SIGRTMIN)}"),
    (200, "signal 200"),
])
def test_every_signal_number_has_a_name(number: int, name: str) -> None:
    assert signal_name(number) == name
