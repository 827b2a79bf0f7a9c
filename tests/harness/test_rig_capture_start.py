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
        self.asked: float | None = None

    @property
    def alive(self) -> bool:
        return self.ready and not self.killed

    def wait_ready(self, timeout_s: float) -> bool:
        self.asked = timeout_s
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
        # a jackd serves only its own name: the capture must ask about the one it was given
        monkeypatch.setattr(rig_audio, "pid_is_jackd", lambda pid, name=None: name == "users-server" and pid in self.pids[
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
        self.back: list[float] = []

    def outage_begin(self, t0: float, why: str) -> None:
        self.outages.append((t0, why))

    def outage_server_back(self, at: float) -> None:
        self.back.append(at)

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
    assert capture.outages == 1 and capture.agent_exits == ["libjack: server shut down"]
    capture.poll(check)  # the new agent opened: the server serves again, said once
    capture.poll(check)
    assert check.back == [1.0]


def _still_clock(monkeypatch: pytest.MonkeyPatch, at: float = 100.0) -> None:
    """The capture's monotonic clock standing still: a deadline is met exactly when it is due."""
    monkeypatch.setattr(rig_audio.time, "monotonic", lambda: at)


LIBJACK = "libjack told the rig's capture client the server shut down (exited with status 1)"


def test_libjack_s_word_alone_is_an_outage_and_the_opening_on_the_same_server_is_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first agent ended with libjack saying the server shut down while the same jackd still
    serves the name: an outage by libjack's word, and the second agent opens on that jackd. Each
    agent is asked to wait for what is left of the timeout."""
    _still_clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(False, shutdown="server is gone"), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    assert [a.asked for a in world.started] == [5.0, 5.0]
    assert capture.agent_exits == ["exited with status 1"]
    assert capture.start_outage == f"{LIBJACK}; the capture opened on the server started again (jackd pid 111)"


def test_the_wait_ends_at_its_deadline_without_another_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _still_clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(False, shutdown="server is gone"), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(0.0)
    assert len(world.started) == 1 and world.started[0].asked == 0.0 and world.started[0].killed
    assert capture.start_outage == LIBJACK


def test_the_wait_gives_up_after_its_last_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _still_clock(monkeypatch)
    agents = [_Agent(False, shutdown="server is gone") for _ in range(rig_audio.MAX_START_AGENTS + 1)]
    world = _World(monkeypatch, agents, pids=[[111]])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(5.0)
    assert len(world.started) == rig_audio.MAX_START_AGENTS + 1  # the last one spawned is never waited for
    assert capture.agent_exits == ["exited with status 1"] * rig_audio.MAX_START_AGENTS


def test_a_capture_never_started_is_not_ready(tmp_path: Path) -> None:
    assert not RigCapture("users-server", tmp_path).wait_ready(1.0)


def test_a_first_agent_still_opening_at_the_deadline_says_its_server_is_gone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class _Waiting(_Agent):
        @property
        def alive(self) -> bool:
            return not self.killed

    _World(monkeypatch, [_Waiting(False)], pids=[[111], []])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(0.0)
    assert capture.start_outage == "jackd pid 111, serving 'users-server' when the rig's capture started, is gone"


@pytest.mark.parametrize("pids", [[[], [222]], [[111], []]], ids=["no server at the start", "none serving when opened"])
def test_no_restart_is_said_without_a_server_gone_and_one_serving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pids: list[list[int]]) -> None:
    """Nothing served the name when the capture started, or nothing serves it when the agent
    opened: no jackd was seen to go and another to come, so nothing is said."""
    _World(monkeypatch, [_Agent(True)], pids=pids)
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    assert capture.start_outage is None


def test_an_agent_that_ended_on_its_own_before_the_first_record_is_no_outage(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture's agent crashed before the harness read a record, its server still serving
    and libjack silent: the rig's own ear failed, which begins no outage of the server."""
    world = _World(monkeypatch, [_Agent(True), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(20.0)
    first = world.started[0]
    first.killed, first.exit_reason = True, "killed by SIGSEGV"
    check = _Check()
    capture.poll(check)
    assert len(world.started) == 2 and capture.agent_exits == ["killed by SIGSEGV"]
    assert check.outages == [] and capture.outages == 0
