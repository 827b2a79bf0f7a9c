"""A fallback device listed twice, or the input device among its own fallbacks, is refused before
anything runs: exit 2, the file, the field, the name and the list to write; no run folder, no
history database row, nothing else written."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quiet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder, with the run-history database pointed into it (to see it unwritten)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    return tmp_path


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    return captured.err


@pytest.mark.parametrize("fallbacks, device, message", [
    ("['sim-in', 'sim-backup', 'sim-backup']", None,
     "soundcheck: error: [config] invalid configuration in system.toml (1 problem):\n"
     "  - device.fallback_devices: 'sim-backup' is listed 2 times (positions 2, 3), so the recoverer would "
     "try it again with its full back-off; 'sim-in' is the input device itself (device.input_device), which "
     "the recoverer always tries first and skips among the fallbacks: list each fallback once and leave the "
     "input device out, e.g. fallback_devices = ['sim-backup']\n"),
    ("['sim-backup']", "sim-backup",
     "soundcheck: error: [config] invalid configuration in system.toml with --device 'sim-backup' "
     "(1 problem):\n"
     "  - device.fallback_devices: 'sim-backup' is the input device itself (device.input_device), which the "
     "recoverer always tries first and skips among the fallbacks: leave the input device out, e.g. "
     "fallback_devices = []\n"),
], ids=["repeated-in-the-file", "the-run-device-given-by-option"])
def test_a_repeated_or_own_fallback_in_a_run_config_is_refused_by_name(quiet_dir, capsys, fallbacks, device,
                                                                        message):
    """A fallback listed twice, and a fallback that is the device the run uses (from the file or
    from ``--device``, named in the message when it came from the option)."""
    (quiet_dir / "system.toml").write_text(f"[device]\nfallback_devices = {fallbacks}\n")
    err = _refused(capsys, ["run", "--backend", "sim", "--duration", "2", "--config", "system.toml",
                            *(["--device", device] if device else []), "--report-dir", "runs"])
    assert err == message
    assert sorted(p.name for p in quiet_dir.iterdir()) == ["system.toml"]


def test_a_repeated_fallback_in_a_scenario_is_refused_at_its_line(quiet_dir, capsys):
    text = (ROOT / "scenarios" / "sim" / "dropout-falls-back.toml").read_text()
    assert 'fallback_devices = ["sim-backup"]' in text
    (quiet_dir / "s.toml").write_text(text.replace('fallback_devices = ["sim-backup"]',
                                                   'fallback_devices = ["sim-backup", "sim-backup"]'))
    err = _refused(capsys, ["scenario", "run", "s.toml", "--report-dir", "runs"])
    assert err == (
        "soundcheck: error: 1 invalid scenario file (nothing was run):\n"
        "s.toml: 1 problem:\n"
        "  line 13: system.device.fallback_devices: 'sim-backup' is listed 2 times (positions 1, 2), so the "
        "recoverer would try it again with its full back-off: list each fallback once, e.g. "
        "fallback_devices = ['sim-backup']\n")
    assert sorted(p.name for p in quiet_dir.iterdir()) == ["s.toml"]
