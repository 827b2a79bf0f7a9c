"""``run --config FILE`` with a file that holds no setting: refused, never read as the defaults.

Every key of a configuration is optional, so a 0-byte file (a copy that failed, an editor that
never saved) ran the default configuration under the file's name and exited 0."""

from __future__ import annotations

import pytest

from harness.cli import main


@pytest.mark.parametrize("name, text", [
    ("empty.toml", ""),
    ("comments.toml", "# the stream settings go here\n\n"),
    ("empty.json", "{}"),
])
def test_a_configuration_file_with_no_setting_is_refused_before_a_run_folder_exists(tmp_path, capsys, name, text):
    config = tmp_path / name
    config.write_text(text)
    code = main(["run", "--duration", "2", "--config", str(config), "--report-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip().splitlines() == [
        f"soundcheck: error: {config}: holds no setting (empty, or comments only): a run with it would test the "
        "default configuration under this file's name; give the configuration's tables ([stream], [device], ...), "
        "or leave --config out to run on the defaults"]
    assert not (tmp_path / "runs").exists()


def test_a_configuration_that_asks_for_the_defaults_on_purpose_is_read(tmp_path, capsys):
    config = tmp_path / "defaults.toml"
    config.write_text("schema_version = 3\n")
    code = main(["run", "--duration", "2", "--faults", "none", "--config", str(config),
                 "--report-dir", str(tmp_path / "runs")])
    assert code == 0, capsys.readouterr()
