"""``--device`` is always read, and a run whose system cannot be configured says why.

On the simulated backend ``--device`` used to be ignored: ``run --backend sim --device nosuch``
passed with every invariant held, on devices the user never named. And when the system's own
configuration was refused at ``initialize`` (a device missing from the list), the run went on to
``start`` and reported that refusal instead ("illegal transition initialized -> starting (not
configured)"), hiding the cause: seen once on the real rig at load average 12.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import UsageError
from harness.runner import ReliabilityRun, RunSpec
from system_under_test.clock import VirtualClock
from system_under_test.devices.simulated import SimulatedBackend


def cli(*argv: object) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


@pytest.mark.parametrize("device", ["nosuch", "sim-in", "sim-out", ""])
def test_a_device_the_simulated_backend_cannot_run_on_is_refused_at_load(tmp_path: Path, device: str) -> None:
    reports = tmp_path / "reports"
    code, err = cli("run", "--backend", "sim", "--device", device, "--duration", "1", "--faults", "none",
                    "--report-dir", reports)
    assert code == 2, err
    assert err.startswith("soundcheck: error: --device") and "sim-duplex" in err, err
    assert not reports.exists()  # refused before anything was written


def test_soak_refuses_it_too_before_its_folder_exists(tmp_path: Path) -> None:
    run_dir = tmp_path / "soak"
    code, err = cli("soak", "--backend", "sim", "--device", "nosuch", "--duration", "2s", "--faults", "none",
                    "--run-dir", run_dir, "--no-progress")
    assert code == 2 and "--device 'nosuch'" in err, err
    assert not run_dir.exists()


def test_a_simulated_device_given_is_the_one_the_system_runs_on(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    code, err = cli("run", "--backend", "sim", "--device", "sim-backup", "--duration", "1", "--faults", "none",
                    "--report-dir", reports)
    assert code == 0, err
    (run_dir,) = reports.iterdir()
    applied = [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()
               if '"config_applied"' in line]
    assert applied, "no config_applied event recorded"
    device = applied[0]["data"]["config"]["device"]
    assert (device["input_device"], device["output_device"]) == ("sim-backup", "sim-backup")


def test_a_device_that_contradicts_the_configuration_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "cfg.toml"
    config.write_text('[device]\ninput_device = "sim-backup"\noutput_device = "sim-backup"\n')
    reports = tmp_path / "reports"
    code, err = cli("run", "--backend", "sim", "--device", "sim-duplex", "--config", config, "--duration", "1",
                    "--report-dir", reports)
    assert code == 2, err
    assert "device.input_device='sim-backup'" in err and "device.output_device='sim-backup'" in err, err
    assert not reports.exists()


def test_a_configuration_is_judged_against_the_device_given_not_the_files_defaults(tmp_path: Path) -> None:
    """With ``--device`` the file is checked as the run uses it: eight channels are the duplex
    device's to give (the file alone names sim-in and sim-out, two channels each, and was refused
    for them), and an unsupported rate is named against the device the run would open."""
    eight = tmp_path / "eight.toml"
    eight.write_text("[device]\ninput_channels = 8\noutput_channels = 8\n")
    code, err = cli("run", "--backend", "sim", "--device", "sim-duplex", "--config", eight, "--duration", "1",
                    "--faults", "none", "--report-dir", tmp_path / "reports")
    assert code == 0, err
    fast = tmp_path / "fast.toml"
    fast.write_text("[stream]\nsample_rate = 192000\n")
    reports = tmp_path / "refused"
    code, err = cli("run", "--backend", "sim", "--device", "sim-duplex", "--config", fast, "--duration", "1",
                    "--report-dir", reports)
    assert code == 2 and f"invalid configuration in {fast} with --device 'sim-duplex'" in err, err
    assert "192000 Hz is not supported by 'sim-duplex'" in err and "sim-in" not in err, err
    assert not reports.exists()


def test_a_refused_configuration_is_named_not_the_start_it_prevented(tmp_path: Path) -> None:
    """A backend of the caller's (as the rig routes pass one) that lacks the device: the refusal
    of ``initialize`` is the message, not the illegal start that would follow it."""
    spec = RunSpec(duration_s=1.0, seed=1, faults="none", device="nosuch", report_root=tmp_path)
    run = ReliabilityRun(spec, backend=SimulatedBackend(VirtualClock()))
    with pytest.raises(UsageError) as caught:
        run.execute()
    text = str(caught.value)
    assert text.startswith("the system could not be configured (--device 'nosuch')"), text
    assert "device.input_device: no device named 'nosuch'" in text, text
    assert "illegal transition" not in text, text


@pytest.mark.parametrize("device, env, expected", [
    ("system", {"JACK_DEFAULT_SERVER": "soundcheck"}, ("soundcheck", None)),
    ("jack", {"JACK_DEFAULT_SERVER": "soundcheck"}, ("soundcheck", "ALSA")),
    ("hw:0", {"JACK_DEFAULT_SERVER": "soundcheck"}, (None, None)),
    ("system", {}, (None, None)),
], ids=["jack_host_api", "alsa_jack_pcm", "not_a_jack_route", "no_server_named"])
def test_a_portaudio_run_on_the_users_jack_server_is_told_the_server(monkeypatch, tmp_path: Path, device: str,
                                                                     env: dict[str, str],
                                                                     expected: tuple[str | None, str | None]) -> None:
    """A user runs on the loopback rig as ``soundcheck loopback up`` says: ``export
    JACK_DEFAULT_SERVER=soundcheck``, then ``run --backend portaudio --device system``. The device
    host's libjack read the variable and the harness did not: measured, the run's audio was "not
    analysed" ("no JACK server the rig can hear") and a ``kill -9`` of that jackd mid-run left no
    ``server_outage`` in the history. The backend of such a run names the server (the rig's capture
    then listens on it), as ``harness.external_kills``' routes do; any other device, or no server
    named, is left as it was."""
    monkeypatch.delenv("JACK_DEFAULT_SERVER", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = RunSpec(backend="portaudio", device=device, duration_s=1.0, seed=1, faults="none",
                   run_dir=tmp_path / "run")
    backend = ReliabilityRun(spec)._make_backend()
    assert (backend.jack_server, backend.host_api) == expected
