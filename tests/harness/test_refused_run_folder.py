"""A run refused as its system is configured (a ``--device`` the backend does not have, found by
the backend itself) exits 2 and leaves no run folder: it left one holding a history.jsonl and no
summary or report, a half-written run for ``history`` and ``report`` to stumble on."""

from __future__ import annotations

import os

import pytest

from harness.cli import main


def test_a_portaudio_device_that_is_not_there_is_refused_and_leaves_no_run_folder(tmp_path, capsys):
    runs = tmp_path / "runs"
    code = main(["run", "--backend", "portaudio", "--device", "no-such-device-o2", "--duration", "2",
                 "--report-dir", str(runs)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("soundcheck: error: the system could not be configured (--device 'no-such-device-o2'): ")
    assert "no device named 'no-such-device-o2'" in err and "Traceback" not in err
    assert sorted(p.name for p in runs.iterdir()) == []


def test_a_soak_refused_as_its_system_is_configured_leaves_no_journal(tmp_path, capsys):
    """The soak's folder held a journal with no checkpoint, the history and its lock: a soak killed
    at once, which ``--resume`` ran into the same refusal. A folder the user gave stays, empty."""
    given = tmp_path / "given"
    given.mkdir()
    for run_dir in (given, tmp_path / "new"):
        code = main(["soak", "--backend", "portaudio", "--device", "no-such-device-o2", "--duration", "3s",
                     "--no-progress", "--run-dir", str(run_dir)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "no device named 'no-such-device-o2'" in err
    assert sorted(p.name for p in given.iterdir()) == []
    assert not (tmp_path / "new").exists()


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_run_on_a_jack_server_that_is_not_there_names_it_and_leaves_no_capture_behind(tmp_path, capsys,
                                                                                       monkeypatch):
    """``JACK_DEFAULT_SERVER`` names a server that is not running (measured: the user's jackd
    ``kill -9``ed 1 s into ``run --backend portaudio --device system``, before the rig's capture
    opened): exit 2 said only "no device named 'system' (available: none)", and the refused run's
    folder kept the capture's ``rig-capture-1.f32rec``, half-written. The refusal names the server
    the capture could not reach, and nothing is left."""
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"soundcheck-absent-{os.getpid()}")
    runs = tmp_path / "runs"
    code = main(["run", "--backend", "portaudio", "--device", "system", "--duration", "2", "--report-dir", str(runs)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("soundcheck: error: the system could not be configured (--device 'system'): ")
    assert "the rig's capture could not open on the JACK server either" in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in runs.rglob("*")) == []
