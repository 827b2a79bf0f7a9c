"""How the rig's JACK agent says it ended: a signal named as the device host names it.

The agent's process is a stand-in interpreter that kills itself at once, so the agent's own handle
(``JackAgent``: spawn, wait, ``exit_reason``) runs as on the rig, with no JACK server.
"""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from harness.rig.jack_agent import JackAgent
from system_under_test.signal_names import signal_name


@pytest.mark.parametrize("number", [int(signal.SIGRTMIN) + 3, int(signal.SIGRTMIN), int(signal.SIGSEGV)])
def test_an_agent_killed_by_a_signal_names_it_as_the_device_host_does(tmp_path: Path, number: int) -> None:
    """Fails without ``signal_names``: the agent named a real-time signal "signal 37" where the
    device host says "SIGRTMIN+3". The agent's interpreter kills itself with ``number`` before it
    opens a client."""
    python = tmp_path / "python"
    python.write_text(f"#!{sys.executable}\nimport os\nos.kill(os.getpid(), {number})\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    agent = JackAgent("soundcheck-none", "probe", env={}, python=str(python))
    try:
        assert agent.wait_ready(10.0) is False
        agent.proc.wait(10.0)
        assert agent.exit_reason == f"killed by {signal_name(number)}"
        assert agent.failure == agent.exit_reason
    finally:
        agent.kill()


def test_a_real_time_signal_is_named_from_its_base() -> None:
    assert signal_name(int(signal.SIGRTMIN) + 3) == "SIGRTMIN+3"
    assert signal_name(int(signal.SIGSEGV)) == "SIGSEGV"
    assert signal_name(200) == "signal 200"


def test_the_agent_names_signals_without_loading_the_portaudio_backend() -> None:
    """The rig's agent is on a JACK run's import path; the PortAudio backend is loaded only where
    a run opens PortAudio."""
    probe = ("import sys, harness.rig.jack_agent\n"
             "print('system_under_test.devices.portaudio' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
