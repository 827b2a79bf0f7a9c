"""The rig's bounds on JACK count the time its processes sleep, never the time they wait for a CPU.

A JACK call and the grace of jackd's clean exit were
bounded by wall time: on a loaded 2-core machine the agent, jackd or a driver cycle waiting for a
CPU past the bound was read as a hang (a ``RigError``, or a SIGKILL in the middle of jackd's exit).
Here the tree's state is read from a stand-in (``tree_state``), so a "loaded machine" is a tree
runnable at every look and a hang one asleep at every look; no JACK server is started. (The running graph's wait: ``test_rig_running_graph.py``.)
"""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.errors import RigError
from harness.rig import loopback
from harness.rig.jack_agent import JackAgent, JackCallHung
from harness.rig.loopback import LoopbackRig
from harness.rig.metadata_db import DbCheck
from system_under_test.clock import VirtualClock

RUNNABLE = staticmethod(lambda pid: (True, True))
ASLEEP = staticmethod(lambda pid: (True, False))

#: a stand-in agent: answers each request ``delay`` seconds after it came (never, for a negative one)
_AGENT = """#!{python}
import json, sys, time
delay = {delay}
for line in sys.stdin:
    if delay < 0:
        continue
    time.sleep(delay)
    print(json.dumps({{"id": json.loads(line)["id"], "ok": True, "result": "answered"}}), flush=True)
"""


def _agent(tmp_path: Path, delay: float, state: Any, monkeypatch: pytest.MonkeyPatch) -> JackAgent:
    python = tmp_path / "python"
    python.write_text(_AGENT.format(python=sys.executable, delay=delay))
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(JackAgent, "tree_state", state)
    return JackAgent("soundcheck-none", "probe", env={}, python=str(python))


@pytest.mark.timeout(60)
def test_a_call_answered_after_its_bound_while_the_machine_kept_the_rig_waiting_is_answered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails with the wall-clock bound: "JACK call 'ports' did not return within 0.2 s", for an
    answer 1 s late while the rig's processes waited for a CPU all along."""
    agent = _agent(tmp_path, 1.0, RUNNABLE, monkeypatch)
    try:
        assert agent.request("ports", 0.2) == "answered"
    finally:
        agent.kill()


@pytest.mark.timeout(60)
def test_a_call_the_rig_s_processes_sleep_through_is_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = _agent(tmp_path, -1.0, ASLEEP, monkeypatch)
    try:
        t0 = time.monotonic()
        with pytest.raises(JackCallHung, match=r"JACK call 'ports' did not return: the rig's processes slept 0\.\d s"):
            agent.request("ports", 0.2)
        assert time.monotonic() - t0 < 10.0
    finally:
        agent.kill()


def _rig(agent: Any, state: Any, monkeypatch: pytest.MonkeyPatch) -> LoopbackRig:
    monkeypatch.setattr(LoopbackRig, "running", property(lambda self: True))
    monkeypatch.setattr(LoopbackRig, "tree_state", state)
    rig = LoopbackRig(clock=VirtualClock())
    rig._agent = agent
    rig._loop_pairs = [("PortAudio:out_0", "PortAudio:in_0")]
    return rig


class HungAgent:
    """An agent every call of which its processes sleep through (a server hung on a lock)."""

    alive = True

    def request(self, op: str, timeout_s: float, **kw: Any) -> Any:
        raise JackCallHung(f"JACK call {op!r} did not return: the rig's processes slept {timeout_s:.1f} s waiting for it")


@pytest.mark.parametrize("verdict", ["wedged", "opens", "undecided"])
def test_a_hung_call_names_a_wedged_metadata_database_and_only_a_wedged_one(
        verdict: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wedge that arises mid-run (after ``start``'s check) hangs the server and its clients in a
    futex: the call's error says so, with the fix, as the start's does. Fails without the check:
    the error named no database."""
    asked: list[Path] = []
    monkeypatch.setattr(loopback, "check_metadata_db",
                        lambda folder: asked.append(folder) or DbCheck(verdict, "asleep in a futex, no CPU over 1 s"))
    rig = _rig(HungAgent(), ASLEEP, monkeypatch)
    with pytest.raises(RigError) as caught:
        rig.connections()
    message = str(caught.value)
    assert asked == [loopback.metadata_db_folder()]
    assert message.startswith("JACK call 'connections' did not return")
    if verdict == "wedged":
        assert f"metadata database {loopback.metadata_db_folder()} is wedged" in message
        assert f"remove {loopback.metadata_db_folder()}" in message
    else:
        assert "metadata database" not in message


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("state", "ends_by"), [(RUNNABLE, "itself"), (ASLEEP, "SIGKILL")])
def test_jackd_s_clean_exit_is_killed_only_once_it_sleeps_through_the_grace(state: Any, ends_by: str) -> None:
    """A server whose exit takes 1.5 s past SIGTERM: waiting for a CPU all through it (runnable),
    it finishes its exit; asleep, the grace of 0.2 s is spent and it is killed. Fails with the
    wall-clock grace: the loaded server's exit was cut by SIGKILL."""
    slow_exit = ("import signal, sys, time\n"
                 "def bye(*a):\n"
                 "    time.sleep(1.5)\n"
                 "    print('exited', flush=True)\n"
                 "    sys.exit(0)\n"
                 "signal.signal(signal.SIGTERM, bye)\n"
                 "print('up', flush=True)\n"
                 "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", slow_exit], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"up\n"
        loopback._terminate_group(proc.pid, graceful=True, grace_s=0.2, state=state.__func__)
        said = proc.stdout.read()  # the pipe closes as the process ends, reaped by the call above
    finally:
        proc.kill()
        proc.stdout.close()
    assert said == (b"exited\n" if ends_by == "itself" else b"")
