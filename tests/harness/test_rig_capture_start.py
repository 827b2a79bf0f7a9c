"""The rig's capture when its JACK server goes away as the capture's first client opens.

Measured with the CLI on the user's rig (``kill -9`` of jackd 1.5 s into ``run --backend portaudio
--device system``, the server started again 2 s later): the capture's agent died as its client
opened, the capture gave up at once ("did not open ... within 20 s"), and the system's
configuration then found no device: exit 2, a usage error, for a server back 2 s later.

No JACK server here: the agents and the jackd processes are stand-ins, so what is tested is the
capture's reading of them (``RigCapture.wait_ready``); the rig tests run it on a real server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.rig import rig_audio
from harness.rig.rig_audio import RigCapture


class _Agent:
    """A capture agent that opened (``ready``), or ended before it opened, with libjack's word
    (``shutdown``) or without it."""

    def __init__(self, ready: bool, *, shutdown: str | None = None, exit_reason: str = "exited with status 1") -> None:
        self.ready = ready
        self.shutdown_reason = shutdown
        self.failure = exit_reason
        self.exit_reason = None if ready else exit_reason
        self.ready_msg = {"event": "ready", "opened_at": 1.0} if ready else {}
        self.killed = False

    @property
    def alive(self) -> bool:
        return self.ready and not self.killed

    def wait_ready(self, timeout_s: float) -> bool:
        return self.ready

    def kill(self) -> None:
        self.killed = True

    def close(self, timeout_s: float = 2.0) -> None:
        self.killed = True


class _World:
    """The jackd processes serving the name over time, and the agents the capture starts in turn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, agents: list[_Agent], pids: list[list[int]]) -> None:
        self.agents = list(agents)
        self.pids = pids
        self.started: list[_Agent] = []
        monkeypatch.setattr(rig_audio, "JackAgent", self._agent)
        monkeypatch.setattr(rig_audio, "server_pids", lambda name: self.pids[min(len(self.started), len(self.pids) - 1)])
        monkeypatch.setattr(rig_audio, "pid_is_jackd", lambda pid, name=None: pid in self.pids[
            min(len(self.started), len(self.pids) - 1)])
        monkeypatch.setattr(rig_audio.ServerRuns, "start", lambda self: self)

    def _agent(self, *args: Any, **kwargs: Any) -> _Agent:
        agent = self.agents.pop(0)
        self.started.append(agent)
        return agent


def _capture(tmp_path: Path) -> RigCapture:
    return RigCapture("users-server", tmp_path).start()


def test_an_agent_that_died_with_its_server_is_replaced_and_the_capture_opens_on_the_server_started_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """jackd 111 served the name at the start; the first agent ended before it opened (libjack said
    nothing), 111 is gone, and 222 serves the name when the second agent opens."""
    world = _World(monkeypatch, [_Agent(False), _Agent(True)], pids=[[111], [], [222]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(20.0)
    assert len(world.started) == 2 and world.started[0].killed
    assert capture.start_outage == ("jackd pid 111, serving 'users-server' when the rig's capture started, is gone; "
                                    "the capture opened on the server started again (jackd pid 222)")
    assert capture.start_failure is None


def test_a_server_that_does_not_come_back_leaves_the_capture_failed_and_says_it_went_away(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The replacement agent is still waiting for a server at the deadline: the capture fails, and
    its ``start_outage`` is what makes the refused start the environment's (``runner``)."""

    class _Waiting(_Agent):
        @property
        def alive(self) -> bool:
            return not self.killed

    world = _World(monkeypatch, [_Agent(False, shutdown="server is gone"), _Waiting(False)], pids=[[111], []])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(5.0)
    assert len(world.started) == 2
    assert capture.start_outage == "jackd pid 111, serving 'users-server' when the rig's capture started, is gone"


def test_an_agent_that_ended_for_another_reason_fails_the_wait_at_once_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same jackd serves the name and libjack said nothing: the rig's own ear failed, no retry."""
    world = _World(monkeypatch, [_Agent(False, exit_reason="killed by SIGSEGV"), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(20.0)
    assert len(world.started) == 1
    assert capture.start_outage is None
    assert capture.start_failure == "its agent ended before its client opened (killed by SIGSEGV)"


def test_a_server_already_restarted_when_the_first_agent_opened_is_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server was killed and started again while the first agent was still starting: it opened
    at once on the new one, which is a different jackd."""
    _World(monkeypatch, [_Agent(True)], pids=[[111], [222]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(20.0)
    assert capture.start_outage == ("jackd pid 111, serving 'users-server' when the rig's capture started, is gone; "
                                    "the capture opened on the server started again (jackd pid 222)")


class _Check:
    """What the capture tells the audio check; only the outage's begin matters here."""

    def __init__(self) -> None:
        self.outages: list[tuple[float, str]] = []

    def outage_begin(self, t0: float, why: str) -> None:
        self.outages.append((t0, why))

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def test_a_server_gone_before_the_first_record_was_read_is_an_outage_all_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture opened, then its server was killed (as the system was being configured) before
    the harness read one record: the agent's end is the server's outage, begun when it was seen.
    It was dropped (the outage needed a last-heard time), so a refused start that followed blamed
    the command: "no device named 'system'", exit 2, for a server killed from outside."""
    world = _World(monkeypatch, [_Agent(True), _Agent(True)], pids=[[111], [111], []])
    capture = _capture(tmp_path)
    assert capture.wait_ready(20.0)
    first = world.started[0]
    first.killed, first.shutdown_reason, first.exit_reason = True, "server shut down", "libjack: server shut down"
    check = _Check()
    before = rig_audio.time.monotonic()
    capture.poll(check)
    assert len(world.started) == 2, "the dead agent was not replaced"
    ((t0, why),) = check.outages
    assert before <= t0 <= rig_audio.time.monotonic() and "libjack: server shut down" in why
    assert capture.outages == 1
