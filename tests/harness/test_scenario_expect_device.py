"""A scenario whose expectation waits for a device the simulated backend does not have can never
be met: refused by ``scenario check`` and ``scenario run`` (exit 2, nothing run), where it was
accepted and then failed as if the system had missed it."""

from __future__ import annotations

import pytest

from harness.cli import main

SCENARIO = """format = 1
[scenario]
id = "expects-a-device"
title = "an expectation on a device"
reproduces = "a typo in an expected device"
[[steps]]
op = "start"
[[expect]]
{expect}
"""


@pytest.mark.parametrize("expect, line", [
    ('state = "running"\ndevice = "sim-bakup"', 10),
    ('reach = "running"\nafter = "step1.start"\nwithin = "1s"\ndevice = "sim-bakup"', 12),
])
@pytest.mark.parametrize("action", ["check", "run"])
def test_an_expected_device_the_backend_does_not_have_is_refused(tmp_path, capsys, expect, line, action):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(expect=expect))
    code = main(["scenario", action, str(path)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert f"line {line}: expect[0].device: no simulated device 'sim-bakup' (devices: sim-backup, sim-duplex, " \
           "sim-in, sim-out): the expectation could never be met" in err
    assert "Traceback" not in err and out == ""


def test_an_expected_device_the_backend_has_is_read(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(expect='state = "running"\ndevice = "sim-in"'))
    assert main(["scenario", "check", str(path)]) == 0, capsys.readouterr()
