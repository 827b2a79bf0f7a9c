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

from harness.rig import loopback, rig_audio
from harness.rig.metadata_db import DbCheck
from harness.rig.rig_audio import RigCapture


@pytest.fixture(autouse=True)
def _metadata_db_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The uid's JACK metadata database is never the machine's own here: a capture that gives up
    has it checked, and these stand-ins say it opens unless a test says otherwise."""
    monkeypatch.setattr(loopback, "check_metadata_db", lambda folder: DbCheck("opens", f"{folder} opened"))


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
        self.asked: Any = None

    @property
    def alive(self) -> bool:
        return self.ready and not self.killed

    def wait_ready(self, timeout_s: float, *, give_up: Any = None) -> bool:
        self.asked = give_up
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
    agent is asked to wait under the one bound of the whole wait."""
    _still_clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(False, shutdown="server is gone"), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    first, second = (a.asked for a in world.started)
    assert first is second and first.limit_s == 5.0
    assert capture.agent_exits == ["exited with status 1"]
    assert capture.start_outage == f"{LIBJACK}; the capture opened on the server started again (jackd pid 111)"


def test_the_wait_ends_at_its_deadline_without_another_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _still_clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(False, shutdown="server is gone"), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(0.0)
    assert len(world.started) == 1 and world.started[0].asked.limit_s == 0.0 and world.started[0].killed
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


# -- the records read back: outages and the rig's own failures after the first record ------------
class _Recording:
    """Every call the capture makes to the audio check, with its arguments, in order."""

    system = None

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def feed(self, spec: Any, block: Any, t: float, gap: int | None = None) -> None:
        self.calls.append(("feed", t, len(block), gap))

    def __getattr__(self, name: str) -> Any:
        return lambda *args: self.calls.append((name, *args))


RATE = 48000
N = 375  # frames a record: 7.8125 ms at RATE, a power of two, so every time below is exact


def _record(path: Path, t: float, frame: int, *, n: int = N) -> None:
    """Append one cycle's record (heard whole, one ear) to an agent's capture file."""
    with open(path, "ab") as f:
        f.write(rig_audio.HEADER.pack(t, frame, n, RATE, 1, 1) + b"\0" * (4 * n))


def _wired(path: Path, t: float) -> None:
    with open(path, "ab") as f:
        f.write(rig_audio.HEADER.pack(t, 0, rig_audio.WIRED, RATE, 1, 1))


def _dies(agent: _Agent, *, server: bool, why: str) -> None:
    agent.killed, agent.exit_reason = True, why
    agent.shutdown_reason = "server shut down" if server else None


def _heard_capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agents: int) -> tuple[RigCapture, _World, _Recording]:
    """A capture whose first agent opened and whose first record (t=10.0) was read."""
    world = _World(monkeypatch, [_Agent(True) for _ in range(agents)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Recording()
    _record(tmp_path / "rig-capture-1.f32rec", 10.0, 0)
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None)]
    check.calls.clear()
    return capture, world, check


def test_a_server_gone_after_records_begins_the_outage_at_the_last_frame_heard(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agent wrote one more record before libjack told it its server shut down, a cycle after
    a missed one: that record is read first, whole (nothing will follow it to say whether the
    cycle was missed or late), and the outage begins just after its last frame, not when the
    death was seen; the next agent is started, and the server's back once it opened."""
    capture, world, check = _heard_capture(tmp_path, monkeypatch, 2)
    _record(tmp_path / "rig-capture-1.f32rec", 10.015625, 2 * N)
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture._server_pid, capture._gone_seen = 111, 5.0
    capture.poll(check)
    assert (capture._server_pid, capture._gone_seen) == (None, None)  # the new agent's server: looked up anew
    capture.poll(check)  # the new agent opened: the server serves again
    assert check.calls == [("missed", 10.0078125, 10.015625, N), ("feed", 10.015625, N, N),
                           ("outage_begin", 10.0234375, "the rig's capture client ended (libjack: server shut down)"),
                           ("outage_server_back", 1.0)]
    assert world.started[0].killed and len(world.started) == 2
    assert capture.agent_exits == ["libjack: server shut down"] and capture.outages == 1
    assert capture._blind_from is None and capture._outage_from == 10.0234375 and capture._outage_agent == 1
    assert capture._path == tmp_path / "rig-capture-2.f32rec" and capture._offset == 0


def test_the_rig_s_own_ear_failing_after_records_is_a_blind_window_not_an_outage(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The agent crashed with its server serving and libjack silent: what went unheard from its
    last frame to the next agent's first record is the rig's blind window, told with that first
    record; no outage begins."""
    capture, world, check = _heard_capture(tmp_path, monkeypatch, 3)
    _dies(world.started[0], server=False, why="killed by SIGSEGV")
    capture.poll(check)
    assert check.calls == [] and capture.outages == 0 and capture._blind_from == 10.0078125
    _dies(world.started[1], server=False, why="killed by SIGBUS")  # dies again before a record
    capture.poll(check)
    assert check.calls == [] and capture._blind_from == 10.0078125 and len(world.started) == 3
    _record(tmp_path / "rig-capture-3.f32rec", 12.0, 7)
    capture.poll(check)
    assert check.calls == [("blind", 10.0078125, 12.0, "the rig's capture client ended (killed by SIGBUS) and a new "
                            "one opened only now (the server died)"), ("feed", 12.0, N, None)]
    assert capture.agent_exits == ["killed by SIGSEGV", "killed by SIGBUS"] and capture._blind_from is None


@pytest.mark.parametrize("server", [True, False], ids=["server-gone-again", "own-ear-failed"])
def test_an_agent_dying_inside_an_open_outage_begins_nothing_new(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: bool) -> None:
    """The outage stays the one begun at the last frame heard, whatever ended the next agent
    before the system was heard again: no second outage, no blind window inside it."""
    capture, world, check = _heard_capture(tmp_path, monkeypatch, 3)
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture.poll(check)
    _dies(world.started[1], server=server, why="it ended too")
    capture.poll(check)
    capture.poll(check)
    assert check.calls == [("outage_begin", 10.0078125, "the rig's capture client ended (libjack: server shut down)"),
                           ("outage_server_back", 1.0)]
    assert capture.outages == 1 and capture._outage_from == 10.0078125 and capture._blind_from is None
    assert capture.agent_exits == ["libjack: server shut down", "it ended too"] and len(world.started) == 3


def test_two_outages_in_one_capture_are_each_begun_ended_and_told_back_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server dies, comes back (the new agent wired: the outage ends), the system is heard
    again, and the server dies a second time: a second outage from that agent's last frame,
    counted, and told back only by the agent started after it."""
    capture, world, check = _heard_capture(tmp_path, monkeypatch, 3)
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture.poll(check)
    second = tmp_path / "rig-capture-2.f32rec"
    _wired(second, 11.5)
    _record(second, 11.5, 0)
    capture.poll(check)
    _dies(world.started[1], server=True, why="libjack: server shut down, twice")
    capture.poll(check)
    capture.poll(check)
    assert check.calls == [
        ("outage_begin", 10.0078125, "the rig's capture client ended (libjack: server shut down)"),
        ("outage_server_back", 1.0),
        ("outage_end", 11.5),
        ("feed", 11.5, N, None),
        ("outage_begin", 11.5078125, "the rig's capture client ended (libjack: server shut down, twice)"),
        ("outage_server_back", 1.0),
    ]
    assert capture.outages == 2 and capture._outage_agent == 2 and capture._back_told
    assert capture._outage_from == 11.5078125 and capture.agents_started == 3
    summary = capture.describe()
    summary.pop("server_not_running")  # the server's scheduling, sampled from /proc: not stood in for
    assert summary == {
        "server": "users-server", "tone_hz": 997.0, "agents": 3,
        "agent_exits": ["libjack: server shut down", "libjack: server shut down, twice"],
        "records": 2, "frames": 2 * N, "missed_frames": 0, "jack_xruns": 0, "jack_xrun_times": [],
        "wirings": 1, "wired_at": [11.5], "first_heard_at": 10.0, "unheard_frames": 0,
        "channels": 1, "channels_heard": 1, "outages": 2}


def _clock(monkeypatch: pytest.MonkeyPatch, start: float = 100.0) -> list[float]:
    """The capture's monotonic clock, moved by the test (``now[0] = ...``)."""
    now = [start]
    monkeypatch.setattr(rig_audio.time, "monotonic", lambda: now[0])
    return now


def test_a_live_agent_whose_server_serves_is_never_taken_for_a_silent_death(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Polled past the silent-death grace with jackd 111 serving throughout: the agent is kept."""
    now = _clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(True), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Recording()
    for t in (100.0, 100.5, 102.0, 110.0):
        now[0] = t
        capture.poll(check)
    assert len(world.started) == 1 and not world.started[0].killed
    assert capture.silent_deaths == [] and capture.outages == 0 and check.calls == []


def test_a_server_that_died_without_libjack_telling_is_an_outage_after_the_grace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """jackd 111 is gone while the agent lives on, libjack silent: within the grace the agent is
    asked again; past it, it is replaced, the death kept with why, and the outage begun at the
    last frame heard."""
    now = _clock(monkeypatch)
    world = _World(monkeypatch, [_Agent(True), _Agent(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Recording()
    _record(tmp_path / "rig-capture-1.f32rec", 10.0, 0)
    capture.poll(check)  # the agent's server looked up: 111
    world.pids = [[]]
    check.calls.clear()
    for t in (100.0, 100.5):
        now[0] = t
        capture.poll(check)
    assert len(world.started) == 1 and check.calls == []
    now[0] = 101.5
    capture.poll(check)
    why = "its server (jackd pid 111) died and libjack did not tell the client within 1.5 s"
    assert len(world.started) == 2 and world.started[0].killed
    assert capture.silent_deaths == [{"agent": 1, "why": why, "stacks": ""}]
    assert check.calls == [("outage_begin", 10.0078125, f"the rig's capture client ended ({why})")]


def test_a_program_played_instead_of_the_tone_is_what_the_summary_names(tmp_path: Path) -> None:
    capture = RigCapture("users-server", tmp_path, program=tmp_path / "music.f32")
    summary = capture.describe()
    assert (summary["tone_hz"], summary["program"]) == (None, str(tmp_path / "music.f32"))
    assert "program" not in RigCapture("users-server", tmp_path).describe()


class _SlowToOpen(_Agent):
    """An agent whose client opens 0.3 s into its wait, as a loaded machine's does after its
    interpreter waited for a CPU; it honours the wall-clock bound and the give-up test it is given."""

    def wait_ready(self, timeout_s: float, *, give_up: Any = None) -> bool:
        import time  # noqa: PLC0415 - this stand-in alone reads the wall clock

        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:
            if time.monotonic() - t0 >= timeout_s or (give_up is not None and give_up()):
                return False
            time.sleep(0.01)
        return True


def test_an_agent_kept_waiting_for_a_cpu_past_the_bound_is_waited_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's processes runnable all along (a loaded machine): a 0.1 s bound is not spent by
    the 0.3 s the agent took. Fails with the wall-clock bound: the capture gave up, and the run's
    audio went unanalysed ("did not open ... within 20 s")."""
    monkeypatch.setattr(RigCapture, "tree_state", staticmethod(lambda pid: (True, True)))
    world = _World(monkeypatch, [_SlowToOpen(True)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(0.1)
    assert len(world.started) == 1 and capture.start_failure is None and capture.start_outage is None


def test_an_agent_retrying_while_the_run_sleeps_spends_the_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RigCapture, "tree_state", staticmethod(lambda pid: (True, False)))

    class _Waiting(_SlowToOpen):
        @property
        def alive(self) -> bool:
            return not self.killed

    _World(monkeypatch, [_Waiting(False)], pids=[[111]])
    assert not _capture(tmp_path).wait_ready(0.1)


@pytest.mark.parametrize("verdict", ["wedged", "opens", "undecided"])
def test_an_agent_whose_open_never_returns_on_a_served_name_has_the_metadata_database_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verdict: str) -> None:
    """jackd 111 still serves the name, the agent's open slept through the bound: a metadata
    database wedged since the rig's start (mid-run) hangs every new client's open in a futex. Found
    wedged, the failure names it and the fix; any other answer leaves the stand-in ("did not open
    ... within 20 s") as it was. Without the check the wedge was never named."""
    monkeypatch.setattr(RigCapture, "tree_state", staticmethod(lambda pid: (True, False)))
    checked: list[Path] = []

    def check(folder: Path) -> DbCheck:
        checked.append(folder)
        return DbCheck(verdict, "asleep in a futex")  # type: ignore[arg-type]

    monkeypatch.setattr(loopback, "check_metadata_db", check)

    class _Waiting(_SlowToOpen):
        @property
        def alive(self) -> bool:
            return not self.killed

    _World(monkeypatch, [_Waiting(False)], pids=[[111]])
    capture = _capture(tmp_path)
    assert not capture.wait_ready(0.1)
    assert checked == [loopback.metadata_db_folder()] and capture.start_outage is None
    if verdict == "wedged":
        assert capture.start_failure is not None
        assert capture.start_failure.startswith("its client's open did not return: JACK's metadata database ")
        assert "is wedged (asleep in a futex)" in capture.start_failure
        assert f"remove {loopback.metadata_db_folder()}" in capture.start_failure
    else:
        assert capture.start_failure is None
