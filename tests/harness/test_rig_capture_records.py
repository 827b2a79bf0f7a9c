"""The rig's capture records read back: crafted capture files, stand-in agents, no JACK server.

``RigCapture._read`` turns an agent's capture file into what the audio check is told: each
cycle's frames (``feed``), a cycle the client missed (``missed``), JACK's xrun reports and the
wiring of the system's stream, and where an outage ends. A miscount there is a verdict moved:
a late callback read as a missed cycle is a mute nobody played (a false alarm), a missed cycle
read as continuous audio a loss nobody hears. Every record here is written in the agent's binary
layout with times that are exact in binary (``N`` frames at ``RATE`` is 2**-7 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_rig_capture_start import RATE, N, _Agent, _capture, _clock, _dies, _Recording, _World

from harness.rig import rig_audio
from harness.rig.rig_audio import RigCapture

WRAP = 1 << 32


def _write(path: Path, *records: bytes) -> None:
    with open(path, "ab") as f:
        f.write(b"".join(records))


def _rec(t: float, frame: int, *, n: int = N, ears: int = 1, heard: int = 1, value: float = 0.0) -> bytes:
    """One cycle's record: ``ears`` columns, column k holding ``value + k``."""
    block = np.tile(np.arange(ears, dtype=np.float32) + np.float32(value), (n, 1))
    return rig_audio.HEADER.pack(t, frame, n, RATE, ears, heard) + block.tobytes()


def _marker(kind: int, t: float) -> bytes:
    return rig_audio.HEADER.pack(t, 0, kind, RATE, 1, 1)


class _Feeds(_Recording):
    """The check's calls, with each fed block kept whole."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[np.ndarray] = []

    def feed(self, spec: Any, block: Any, t: float, gap: int | None = None) -> None:
        self.blocks.append(np.array(block))
        self.calls.append(("feed", t, len(block), gap, spec.sample_rate))


def _ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, agents: int = 1) -> tuple[RigCapture, _World, _Feeds]:
    world = _World(monkeypatch, [_Agent(True) for _ in range(agents)], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    return capture, world, _Feeds()


def _file(tmp_path: Path, agent: int = 1) -> Path:
    return tmp_path / f"rig-capture-{agent}.f32rec"


def test_records_are_fed_in_order_with_the_gap_the_counter_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 1000), _rec(10.0078125, 1000 + N), _rec(10.015625, 1000 + 2 * N))
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("feed", 10.0078125, N, 0, RATE),
                           ("feed", 10.015625, N, 0, RATE)]
    assert (capture.records, capture.frames, capture.missed_frames) == (3, 3 * N, 0)
    assert capture.first_heard_at == 10.0 and capture._last_t == 10.0234375 and capture._pos_next == 1000 + 3 * N
    assert capture._offset == 3 * (rig_audio.HEADER.size + 4 * N)
    capture.poll(check)  # nothing new: nothing read twice
    assert len(check.calls) == 3


def test_a_missed_cycle_is_told_and_counted_once_the_next_record_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter jumps a cycle and the record after it does not repeat the frame: missed."""
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.015625, 2 * N))
    capture.poll(check)  # the jump waits for the record after it
    assert check.calls == [("feed", 10.0, N, None, RATE)] and capture._offset == rig_audio.HEADER.size + 4 * N
    _write(_file(tmp_path), _rec(10.0234375, 3 * N))
    capture.poll(check)
    assert check.calls[1:] == [("missed", 10.0078125, 10.015625, N), ("feed", 10.015625, N, N, RATE),
                               ("feed", 10.0234375, N, 0, RATE)]
    assert capture.missed_frames == N and capture.records == 3


def test_a_late_callback_that_read_the_next_cycles_frame_is_no_missed_cycle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The jumped record's frame is repeated by the next one: the callback ran late and read that
    cycle's frame; its own cycle was the one before, and nothing was missed."""
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.0078125, 2 * N), _marker(rig_audio.XRUN, 10.01),
           _rec(10.015625, 2 * N))
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("feed", 10.0078125, N, 0, RATE), ("xrun", 10.01),
                           ("feed", 10.015625, N, 0, RATE)]
    assert capture.missed_frames == 0 and capture._pos_next == 3 * N


def test_the_last_records_of_a_gone_agent_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A jump with nothing after it is read as a miss when nothing more will be written."""
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.015625, 2 * N))
    capture.close(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("missed", 10.0078125, 10.015625, N),
                           ("feed", 10.015625, N, N, RATE)]
    assert capture.closed
    _write(_file(tmp_path), _rec(10.0234375, 3 * N))
    capture.poll(check)  # a closed capture reads nothing more
    capture.close(check)
    assert len(check.calls) == 3


def test_the_last_read_of_a_closed_capture_takes_the_whole_rest_past_the_poll_cap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read cap bounds a poll, never the last read: nothing more will be written, so what
    the agent wrote before it ended (a server's last seconds before it died) is read whole, not
    ``READ_MAX_BYTES`` of it and the rest never judged."""
    size = rig_audio.HEADER.size + 4 * N
    monkeypatch.setattr(rig_audio, "READ_MAX_BYTES", 10 * size + size // 2, raising=False)
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), *(_rec(10.0 + k * N / RATE, k * N) for k in range(35)))
    capture.close(check)
    assert [c[0] for c in check.calls] == ["feed"] * 35
    assert (capture.records, capture.frames, capture._offset) == (35, 35 * N, 35 * size)


def test_the_counter_wraps_at_32_bits_and_a_frame_behind_is_continuous(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, WRAP - N), _rec(10.0078125, 0), _rec(10.015625, N - 7),
           _rec(10.0234375, 2 * N - 7))
    capture.poll(check)
    # wrapped: continuous; then 7 frames behind (a repeated cycle cannot happen): continuous too
    assert [c[3] for c in check.calls] == [None, 0, 0, 0] and capture.missed_frames == 0
    # half the counter ahead is behind; one frame less than half is a jump
    (tmp_path / "b").mkdir()
    capture2, _, check2 = _ready(tmp_path / "b", monkeypatch)
    _write(_file(tmp_path / "b"), _rec(10.0, 0), _rec(10.0078125, N + (1 << 31)), _rec(10.015625, 2 * N + (1 << 31)))
    capture2.poll(check2)
    assert [c[3] for c in check2.calls] == [None, 0, 0]


def test_a_jump_of_just_under_half_the_counter_is_a_missed_stretch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    jump = (1 << 31) - 1
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.0078125, N + jump), _rec(10.015625, 2 * N + jump))
    capture.poll(check)
    assert [c[0] for c in check.calls] == ["feed", "missed", "feed", "feed"]
    assert check.calls[1] == ("missed", 10.0078125, 10.0078125, jump) and capture.missed_frames == jump


def test_xrun_reports_are_counted_told_and_kept_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rig_audio, "XRUN_TIMES_KEPT", 2)
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _marker(rig_audio.XRUN, 10.1234564), _marker(rig_audio.XRUN, 10.5),
           _marker(rig_audio.XRUN, 11.0), _rec(11.5, 0))
    capture.poll(check)
    assert check.calls == [("xrun", 10.1234564), ("xrun", 10.5), ("xrun", 11.0), ("feed", 11.5, N, None, RATE)]
    assert capture.xruns == 3 and capture.xrun_times == [10.123456, 10.5]
    assert capture.records == 1 and capture.wirings == 0


def test_wirings_are_counted_and_the_first_twenty_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), *[_marker(rig_audio.WIRED, 10.0 + k + 0.0000004) for k in range(21)])
    capture.poll(check)
    assert capture.wirings == 21 and capture.wired_at == [round(10.0 + k + 0.0000004, 6) for k in range(20)]
    assert check.calls == [] and capture.records == 0  # no outage open: nothing ends


def test_a_record_not_yet_written_whole_waits_for_the_next_poll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    whole = _rec(10.0, 0)
    _write(_file(tmp_path), whole[:rig_audio.HEADER.size + 4 * N - 1])
    capture.poll(check)
    assert check.calls == [] and capture._offset == 0
    _write(_file(tmp_path), whole[-1:], _rec(10.0078125, N)[:10])  # the rest, and part of a header
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE)] and capture._offset == len(whole)


def test_records_before_the_system_is_heard_whole_are_counted_not_fed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Heard bit 0 clear: the rig's ear is not yet wired to the stream. Its frames are the rig's
    own silence: counted, kept out of the check; the first heard record follows them without a gap."""
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0, heard=0), _rec(10.0078125, N, heard=0b10, ears=2),
           _rec(10.015625, 2 * N, heard=0b11, ears=2))
    capture.poll(check)
    assert check.calls == [("feed", 10.015625, N, 0, RATE)]
    assert (capture.unheard_frames, capture.records, capture.frames) == (2 * N, 3, 3 * N)
    assert capture.first_heard_at == 10.015625 and capture._last_t == 10.0234375
    (tmp_path / "b").mkdir()
    capture2, _, check2 = _ready(tmp_path / "b", monkeypatch)
    _write(_file(tmp_path / "b"), _rec(10.0, 0, heard=0), _rec(10.015625, 2 * N, heard=1), _rec(10.0234375, 3 * N))
    capture2.poll(check2)  # a cycle missed while unheard is a cycle missed
    assert check2.calls == [("missed", 10.0078125, 10.015625, N), ("feed", 10.015625, N, N, RATE),
                            ("feed", 10.0234375, N, 0, RATE)]
    assert capture2.first_heard_at == 10.015625


def test_a_channel_not_heard_is_fed_as_not_a_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0, ears=3, heard=0b101, value=0.25), _rec(10.0078125, N, ears=3, heard=0b111),
           _rec(10.015625, 2 * N, ears=2, heard=0b10, value=0.5), _rec(10.0234375, 3 * N, ears=1, heard=1))
    capture.poll(check)
    first, whole, narrow, one = check.blocks
    assert first.shape == (N, 3) and np.all(first[:, 0] == 0.25) and np.all(np.isnan(first[:, 1]))
    assert np.all(first[:, 2] == 2.25)
    assert whole.shape == (N, 3) and np.all(whole == np.array([0.0, 1.0, 2.0], dtype=np.float32))
    # a narrower record is widened to the widest stream heard; channel 0 is always as captured
    assert narrow.shape == (N, 3) and np.all(narrow[:, 0] == 0.5) and np.all(narrow[:, 1] == 1.5)
    assert np.all(np.isnan(narrow[:, 2]))
    assert one.shape == (N, 3) and np.all(one[:, 0] == 0.0) and np.all(np.isnan(one[:, 1:]))
    assert (capture.channels, capture.channels_heard) == (3, 3)


def test_rates_each_get_their_one_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    other = rig_audio.HEADER.pack(10.0078125, N, N, 96000, 1, 1) + b"\0" * (4 * N)
    _write(_file(tmp_path), _rec(10.0, 0), other, _rec(10.01171875, 2 * N))
    capture.poll(check)
    assert [c[4] for c in check.calls] == [RATE, 96000, RATE]
    assert sorted(capture._specs) == [RATE, 96000] and capture._specs[RATE].sample_rate == RATE
    assert capture._last_t == 10.01171875 + N / RATE


def test_no_file_yet_and_no_agent_yet_read_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    capture.poll(check)  # the agent has written no file yet
    assert check.calls == [] and capture._offset == 0
    never = RigCapture("users-server", tmp_path)
    never.poll(check)
    never.close(check)
    assert check.calls == [] and never.closed


def test_what_was_read_is_punched_from_the_file_up_to_the_offset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    punched: list[tuple[int, int]] = []
    monkeypatch.setattr(rig_audio, "_punch", lambda fd, upto: punched.append((fd, upto)))
    capture, _, check = _ready(tmp_path, monkeypatch)
    capture.poll(check)
    _write(_file(tmp_path), _rec(10.0, 0))
    capture.poll(check)
    capture.poll(check)  # nothing new read: nothing punched
    size = rig_audio.HEADER.size + 4 * N
    assert [u for _, u in punched] == [size]
    assert punched[0][0] >= 0


# -- the agent: started, told whose client to hear, its server's return told -------------------
class _Asked(_Agent):
    """A live agent that records what it was asked (``request``), or refuses (``refuse``)."""

    def __init__(self, refuse: bool = False) -> None:
        super().__init__(True)
        self.requests: list[tuple[Any, ...]] = []
        self.refuse = refuse

    def request(self, what: str, timeout_s: float, **kwargs: Any) -> dict[str, Any]:
        self.requests.append((what, timeout_s, kwargs))
        if self.refuse:
            raise TimeoutError("no answer")
        return {}


class _System:
    def __init__(self, pid: Any) -> None:
        self.stream = type("S", (), {"host": type("H", (), {"pid": pid})()})()


def test_the_agent_is_told_the_systems_device_host_once_per_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = _Asked()
    _World(monkeypatch, [agent], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Feeds()
    check.system = _System(4242)
    capture.poll(check)
    capture.poll(check)
    assert agent.requests == [("follow", rig_audio.FOLLOW_TIMEOUT_S, {"pids": [4242]})]
    assert capture._followed == 4242
    check.system = _System(4343)  # a recovery reopened the stream in a new host
    capture.poll(check)
    assert agent.requests[1:] == [("follow", rig_audio.FOLLOW_TIMEOUT_S, {"pids": [4343]})]
    check.system = _System("not a pid")
    capture.poll(check)
    check.system = None
    capture.poll(check)
    assert len(agent.requests) == 2 and capture._followed == 4343


def test_an_agent_that_does_not_answer_is_asked_again_at_the_next_poll(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = _Asked(refuse=True)
    _World(monkeypatch, [agent], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Feeds()
    check.system = _System(4242)
    capture.poll(check)
    capture.poll(check)
    assert len(agent.requests) == 2 and capture._followed is None


@pytest.mark.parametrize("state", ["not ready", "gone"])
def test_an_agent_not_serving_is_never_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    agent, spare = _Asked(), _Asked()
    _World(monkeypatch, [agent, spare], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    if state == "not ready":
        agent.ready_msg = {"event": "opening"}
    else:
        agent.killed = True
    check = _Feeds()
    check.system = _System(4242)
    capture._follow(check)
    assert agent.requests == [] and capture._followed is None


def test_a_new_agent_is_told_the_host_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _Asked(), _Asked()
    world = _World(monkeypatch, [first, second], pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Feeds()
    check.system = _System(4242)
    capture.poll(check)
    _dies(world.started[0], server=False, why="killed by SIGSEGV")
    capture.poll(check)  # replaced, and the new one told in the same poll's next round
    capture.poll(check)
    assert second.requests == [("follow", rig_audio.FOLLOW_TIMEOUT_S, {"pids": [4242]})]


def test_each_agent_is_started_on_the_server_with_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def agent(*args: Any, **kwargs: Any) -> _Agent:
        made.append((args, kwargs))
        return _Agent(True)

    monkeypatch.setattr(rig_audio, "JackAgent", agent)
    monkeypatch.setattr(rig_audio, "server_pids", lambda name: [111])
    monkeypatch.setattr(rig_audio.ServerRuns, "start", lambda self: self)
    monkeypatch.setenv("JACK_NO_START_SERVER", "0")
    capture = RigCapture("users-server", tmp_path, tone_hz=440.0, program=tmp_path / "m.f32").start()
    capture._offset, capture._pos_next, capture._followed = 99, 5, 4242
    capture._spawn()
    assert capture.agents_started == 2 and capture._path == tmp_path / "rig-capture-2.f32rec"
    assert (capture._offset, capture._pos_next, capture._followed) == (0, None, None)
    for k, (args, kwargs) in enumerate(made, start=1):
        assert args[0] == "users-server"
        assert args[1].startswith(f"{rig_audio.RIG_PREFIX}-ears-") and len(args[1]) == len(rig_audio.RIG_PREFIX) + 10
        env = kwargs.pop("env")
        assert env["JACK_DEFAULT_SERVER"] == "users-server" and env["JACK_NO_START_SERVER"] == "1"
        assert env["PATH"] == rig_audio.os.environ["PATH"]
        assert kwargs == {"monitor": True, "open_timeout_s": rig_audio.OPEN_TIMEOUT_S,
                          "capture": str(tmp_path / f"rig-capture-{k}.f32rec"), "tone_hz": 440.0,
                          "program": str(tmp_path / "m.f32")}
    RigCapture("users-server", tmp_path).start()
    assert made[-1][1]["program"] is None and made[-1][1]["tone_hz"] == 997.0


def test_the_servers_return_is_told_at_the_moment_it_first_answered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _clock(monkeypatch, 50.0)
    capture, world, check = _ready(tmp_path, monkeypatch, agents=3)
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture.poll(check)  # outage begun (no record heard: at the clock), second agent started
    second = world.started[1]
    second.ready_msg = {"event": "opening"}
    capture.poll(check)
    assert [c[0] for c in check.calls] == ["outage_begin"]
    second.ready_msg = {"event": "ready", "opened_at": 7}
    capture.poll(check)
    capture.poll(check)
    assert check.calls[1:] == [("outage_server_back", 7.0)] and isinstance(check.calls[1][1], float)
    assert capture._back_told
    now[0] = 60.0
    _dies(second, server=True, why="again")
    capture.poll(check)  # the outage is still open (never heard again): nothing new begins
    world.started[2].ready_msg = {"event": "ready", "opened_at": "soon"}
    capture.poll(check)
    assert check.calls[1:] == [("outage_server_back", 7.0)]


def test_a_return_with_no_time_is_told_at_the_clock_and_a_check_without_the_hook_is_spared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clock(monkeypatch, 50.0)
    capture, world, check = _ready(tmp_path, monkeypatch, agents=2)
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture.poll(check)
    world.started[1].ready_msg = {"event": "ready", "opened_at": None}
    capture.poll(check)
    assert check.calls == [("outage_begin", 50.0, "the rig's capture client ended (libjack: server shut down)"),
                           ("outage_server_back", 50.0)]

    class _Plain:
        """A check with no ``system`` and no ``outage_server_back``: polled all the same."""

        def __init__(self) -> None:
            self.calls: list[str] = []

        def outage_begin(self, t0: float, why: str) -> None:
            self.calls.append("begin")

    (tmp_path / "b").mkdir()
    capture2, world2, _ = _ready(tmp_path / "b", monkeypatch, agents=2)
    plain = _Plain()
    _dies(world2.started[0], server=True, why="libjack: server shut down")
    capture2.poll(plain)
    capture2.poll(plain)
    assert plain.calls == ["begin"] and capture2._back_told


def test_a_wired_record_ends_the_outage_only_from_an_agent_started_after_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, world, check = _ready(tmp_path, monkeypatch, agents=2)
    _write(_file(tmp_path), _rec(10.0, 0))
    capture.poll(check)
    capture._outage_from, capture._outage_agent = 10.0078125, 1  # begun by the listening agent
    _write(_file(tmp_path), _marker(rig_audio.WIRED, 10.5))
    capture.poll(check)
    # the listening agent's own wiring says nothing of the server's return, nor ends the outage
    assert capture._outage_from == 10.0078125 and [c[0] for c in check.calls] == ["feed"]
    _dies(world.started[0], server=True, why="libjack: server shut down")
    capture.poll(check)
    _write(_file(tmp_path, 2), _marker(rig_audio.WIRED, 11.0), _rec(11.0, 0))
    capture.poll(check)
    names = [c[0] for c in check.calls]
    assert names[-3:] == ["outage_server_back", "outage_end", "feed"] and check.calls[-2] == ("outage_end", 11.0)
    assert capture._outage_from is None and capture.wirings == 2


def test_silent_deaths_are_kept_five_at_most_with_their_stacks_last_3000_characters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = _clock(monkeypatch)

    class _Stacked(_Agent):
        def stacks(self) -> str:
            return "a" * 100 + "b" * 3000

    agents = [_Stacked(True) for _ in range(7)]
    world = _World(monkeypatch, agents, pids=[[111]])
    capture = _capture(tmp_path)
    assert capture.wait_ready(5.0)
    check = _Feeds()
    for k in range(6):
        world.pids = [[111]]
        capture.poll(check)  # the new agent's server looked up
        world.pids = [[]]
        now[0] += 0.25
        capture.poll(check)  # first seen gone
        now[0] += rig_audio.SILENT_DEATH_GRACE_S
        capture.poll(check)  # past the grace, exactly: replaced
        assert capture.agents_started == k + 2
    assert len(capture.silent_deaths) == 5
    assert [d["agent"] for d in capture.silent_deaths] == [1, 2, 3, 4, 5]
    assert all(d["stacks"] == "b" * 3000 for d in capture.silent_deaths)
    assert capture.silent_deaths[0]["why"] == ("its server (jackd pid 111) died and libjack did not tell the "
                                               "client within 1.0 s")


def test_a_fresh_capture_has_not_failed_names_its_tone_and_watches_its_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture = RigCapture("users-server", tmp_path, tone_hz=440.0)
    assert capture.failure is None  # the runner reads ``is None``: "" would be a capture that failed
    assert capture.signal_hz == 440.0  # the audio check fits the capture's sine at this frequency
    monkeypatch.setattr(rig_audio, "server_pids", lambda name: [111] if name == "users-server" else [])
    assert capture.server_runs.find_pid() == 111  # the sampler watches the capture's own server
    monkeypatch.setattr(rig_audio, "server_pids", lambda name: [111, 222])
    assert capture.server_runs.find_pid() is None


def test_an_agent_gone_without_a_reason_is_said_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, world, check = _ready(tmp_path, monkeypatch, agents=2)
    world.started[0].killed, world.started[0].exit_reason = True, None
    capture.poll(check)
    assert capture.agent_exits == ["gone"] and len(world.started) == 2 and capture.outages == 0


def test_records_read_before_a_half_written_one_are_not_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    second = _rec(10.0078125, N)
    _write(_file(tmp_path), _rec(10.0, 0), second[:rig_audio.HEADER.size + 8])
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE)]
    _write(_file(tmp_path), second[rig_audio.HEADER.size + 8:])
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("feed", 10.0078125, N, 0, RATE)]


def test_a_jump_of_one_frame_waits_for_the_record_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.0078125, N + 1))
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE)]
    _write(_file(tmp_path), _rec(10.015625, 2 * N + 1))
    capture.poll(check)
    assert check.calls[1:] == [("missed", 10.0078125, 10.0078125, 1), ("feed", 10.0078125, N, 1, RATE),
                               ("feed", 10.015625, N, 0, RATE)]


def test_a_late_callback_across_the_counters_wrap_is_no_missed_cycle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cycle due at frame 2**32 - N read the next cycle's frame, 0 (wrapped), and the next
    record repeats 0: late, not missed, on either side of the wrap."""
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, WRAP - 2 * N), _rec(10.0078125, 0), _rec(10.015625, 0))
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("feed", 10.0078125, N, 0, RATE),
                           ("feed", 10.015625, N, 0, RATE)]
    assert capture.missed_frames == 0


def test_a_frame_half_the_counter_ahead_is_behind_even_when_the_next_record_repeats_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 0), _rec(10.0078125, N + (1 << 31)), _rec(10.015625, N + (1 << 31)))
    capture.poll(check)
    assert [c[3] for c in check.calls] == [None, 0, 0] and capture.missed_frames == 0


def test_a_frame_behind_is_fed_at_once_without_waiting_for_the_next_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0, 1000), _rec(10.0078125, 1000 + N - 7))
    capture.poll(check)
    assert check.calls == [("feed", 10.0, N, None, RATE), ("feed", 10.0078125, N, 0, RATE)]


def test_misses_across_the_wrap_and_one_after_another_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    # due at 2**32 - N, heard at N: two cycles missed across the wrap; then one more missed
    _write(_file(tmp_path), _rec(10.0, WRAP - 2 * N), _rec(10.0234375, N), _rec(10.03125, 2 * N),
           _rec(10.046875, 4 * N), _rec(10.0546875, 5 * N))
    capture.poll(check)
    assert [c for c in check.calls if c[0] == "missed"] == [("missed", 10.0078125, 10.0234375, 2 * N),
                                                            ("missed", 10.0390625, 10.046875, N)]
    assert capture.missed_frames == 3 * N


def test_the_first_heard_time_is_kept_to_the_microsecond(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), _rec(10.0000004, 0))
    capture.poll(check)
    assert capture.first_heard_at == 10.0


def test_a_blind_window_names_the_last_of_several_ears_that_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture, world, check = _ready(tmp_path, monkeypatch, agents=4)
    _write(_file(tmp_path), _rec(10.0, 0))
    capture.poll(check)
    for k, why in enumerate(("first", "second", "third")):
        _dies(world.started[k], server=False, why=why)
        capture.poll(check)
    _write(_file(tmp_path, 4), _rec(12.0, 0))
    capture.poll(check)
    assert check.calls[1] == ("blind", 10.0078125, 12.0, "the rig's capture client ended (third) and a new one "
                              "opened only now (the server died)")


def test_what_was_read_no_longer_takes_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A soak's capture needs no more disk than a poll's worth: the records read are punched out."""
    probe = tmp_path / "probe"
    probe.write_bytes(b"\1" * 4 * 65536)
    with open(probe, "r+b") as f:
        rig_audio._punch(f.fileno(), 4 * 65536)
    if probe.stat().st_blocks * 512 >= 4 * 65536:
        pytest.skip("this file system keeps punched blocks (no FALLOC_FL_PUNCH_HOLE)")
    capture, _, check = _ready(tmp_path, monkeypatch)
    records = [_rec(10.0 + k * 0.0078125, k * N) for k in range(200)]  # 200 x 1540 bytes
    _write(_file(tmp_path), *records)
    size = _file(tmp_path).stat().st_size
    capture.poll(check)
    assert len(check.calls) == 200 and _file(tmp_path).stat().st_size == size  # the size stays
    assert _file(tmp_path).stat().st_blocks * 512 <= size - (size // 65536) * 65536 + 4096


def test_a_capture_the_check_fell_behind_is_read_a_bounded_piece_a_poll_and_told_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check behind the capture by 200 cycles reads at most ``READ_MAX_BYTES`` a poll (here 10
    records and a part: records cut by the bound wait in the file), never the whole backlog at
    once; polled on, it is told the same, in the same order, as one read of it all would tell."""
    size = rig_audio.HEADER.size + 4 * N
    monkeypatch.setattr(rig_audio, "READ_MAX_BYTES", 10 * size + size // 2, raising=False)
    records = [_rec(10.0 + k * N / RATE, k * N + (N if k >= 120 else 0)) for k in range(200)]  # a cycle missed at 120
    records.insert(77, _marker(rig_audio.XRUN, 10.6))
    capture, _, check = _ready(tmp_path, monkeypatch)
    _write(_file(tmp_path), *records)
    capture.poll(check)
    assert len(check.calls) == 10 and capture._offset == 10 * size  # 10 whole records, the cut one waits
    polls = 1
    while capture._offset < sum(map(len, records)):
        capture.poll(check)
        polls += 1
    assert polls == 20  # 10 records a poll (the xrun report, a header, rides along with its ten)

    whole_dir = tmp_path / "whole"
    whole_dir.mkdir()
    monkeypatch.setattr(rig_audio, "READ_MAX_BYTES", 1 << 30)
    capture2, _, check2 = _ready(whole_dir, monkeypatch)
    _write(_file(whole_dir), *records)
    capture2.poll(check2)
    assert check.calls == check2.calls
    assert any(c[0] == "missed" for c in check.calls) and any(c[0] == "xrun" for c in check.calls)
    assert (capture.records, capture.frames, capture.missed_frames, capture.xruns) == \
        (capture2.records, capture2.frames, capture2.missed_frames, capture2.xruns)
