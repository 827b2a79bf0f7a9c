"""The JACK loopback rig: lifecycle, isolation, teardown, faults, iodelay, and its CLI.

Outside CI these skip when jackd is missing; with ``CI`` set they fail instead. Every wait is a
polled condition with a timeout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main as cli_main
from harness import RigError
from harness.rig.awake import wait_while_awake
from harness.rig.loopback import (
    LoopbackRig,
    SineLoop,
    lease_server_name,
    parse_iodelay,
    pid_is_jackd,
    wait_until,
)
from system_under_test.clock import VirtualClock

#: the waits below count the time the rig's processes sleep; this wall-clock bound only stops a busy hang
pytestmark = [pytest.mark.loopback, pytest.mark.timeout(300)]


@pytest.fixture
def rig() -> Iterator[LoopbackRig]:
    with LoopbackRig(rate=48000, period=256) as r:
        yield r


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


def _server_files(name: str) -> list[str]:
    return [p.name for p in Path("/dev/shm").iterdir() if f"_{name}_" in p.name]


# ---------------------------------------------------------------- pure helpers (no jackd needed)
def test_parse_iodelay_reads_jack_iodelay_lines() -> None:
    lines = ["Signal below threshold...", "   256.000 frames      5.333 ms total roundtrip latency",
             "\textra loopback latency: 256 frames", "  1024.250 frames     21.339 ms total roundtrip latency"]
    assert parse_iodelay(lines) == [(256.0, 5.333), (1024.25, 21.339)]


def test_wait_until_returns_the_value_or_times_out_on_a_virtual_clock() -> None:
    clock = VirtualClock()
    calls = iter([0, 0, 7])
    assert wait_until(lambda: next(calls), 1.0, clock=clock) == 7
    with pytest.raises(TimeoutError, match="the impossible"):
        wait_until(lambda: False, 0.5, what="the impossible", clock=clock)
    assert clock.now() >= 0.5


def test_sine_loop_records_what_comes_back() -> None:
    import numpy as np

    from system_under_test.devices.base import StatusFlags

    loop = SineLoop(48000, record_s=0.05)
    out = np.zeros((256, 2), dtype=np.float32)
    for _ in range(40):
        loop(out.copy(), out, 256, 0.0, StatusFlags())  # feed back the previous block
    assert loop.recent_rms(0.02) == pytest.approx(0.5 / 2 ** 0.5, rel=0.01)


def test_leased_names_are_distinct_while_held() -> None:
    a, b = lease_server_name(), lease_server_name()
    try:
        assert a.name != b.name and a.name.startswith("soundcheck-rig-")
    finally:
        a.release()
        b.release()


# ---------------------------------------------------------------- the rig itself
def test_rig_is_ready_when_a_client_can_connect_and_closes_cleanly() -> None:
    rig = LoopbackRig()
    with rig:
        assert rig.running and rig.ready_s is not None and rig.ready_s < rig.ready_timeout_s
        assert {"system:capture_1", "system:playback_1"} <= set(rig.ports())
        pid = rig.pid
        assert pid is not None and pid_is_jackd(pid, rig.server_name)
        assert rig.cpu_load() >= 0.0
    assert not rig.running
    wait_while_awake(lambda: _gone(pid), 5, what="jackd gone")
    assert _server_files(rig.server_name) == []
    rig.close()  # idempotent


def _fifo_threads(pid: int) -> int:
    tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    return sum(1 for tid in tids if os.sched_getscheduler(tid) == os.SCHED_FIFO)


@pytest.mark.parametrize("realtime", [False, True])
def test_the_rig_runs_jackd_realtime_only_when_asked(realtime: bool) -> None:
    import resource
    if realtime and os.geteuid() != 0 and resource.getrlimit(resource.RLIMIT_RTPRIO)[0] == 0:
        pytest.skip("SCHED_FIFO needs root or an rtprio limit")
    with LoopbackRig(realtime=realtime) as rig:
        assert rig.pid is not None
        assert (_fifo_threads(rig.pid) > 0) is realtime


def test_two_rigs_run_side_by_side_without_colliding() -> None:
    with LoopbackRig() as a, LoopbackRig(rate=44100, period=128) as b:
        assert a.server_name != b.server_name
        assert a.running and b.running
        assert a.ports() and b.ports()


def test_teardown_happens_when_the_body_fails() -> None:
    holder: list[LoopbackRig] = []
    with pytest.raises(RuntimeError, match="test failed"):
        with LoopbackRig() as rig:
            holder.append(rig)
            pid = rig.pid
            raise RuntimeError("test failed")
    assert not holder[0].running
    wait_while_awake(lambda: _gone(pid), 5, what="jackd gone")


def _probes_crashing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, crashing: int) -> list[str]:
    """The rig's first ``crashing`` readiness probes run a "python" that kills itself by SIGBUS
    (what libjack did to probes opening on a restarted server while another server shared JACK2's
    per-uid metadata database); the rest are the real agent. Returns each probe's interpreter."""
    from harness.rig import loopback

    crasher = tmp_path / "sigbus-python"
    crasher.write_text("#!/bin/sh\nkill -BUS $$\n")
    crasher.chmod(0o755)
    real = loopback.JackAgent
    made: list[str] = []

    def agent(*args: object, **kwargs: object) -> object:
        if len(made) < crashing:
            kwargs["python"] = str(crasher)
        made.append(str(kwargs.get("python", "real")))
        return real(*args, **kwargs)

    monkeypatch.setattr(loopback, "JackAgent", agent)
    return made


def test_a_readiness_probe_killed_by_a_signal_does_not_take_a_live_server_down(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A probe that crashes is the rig's client failing, not the server refusing it: the server
    stays up and a second probe finds it ready (before, ``start`` killed it, and the system's
    reopens failed for the rest of its run)."""
    made = _probes_crashing(monkeypatch, tmp_path, crashing=1)
    with LoopbackRig() as rig:
        assert rig.running
        assert rig.probe_crashes == ["killed by SIGBUS"]
        assert "killed by SIGBUS" in rig.agent_exits
        assert made[1:] == ["real"]
        assert {"system:capture_1", "system:playback_1"} <= set(rig.ports())


def test_a_server_whose_every_readiness_probe_crashes_is_a_rig_error_naming_the_crash(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Probing again is bounded: after READY_PROBE_CRASHES_MAX crashes the start fails, says why,
    and leaves no jackd behind."""
    from harness.rig.loopback import READY_PROBE_CRASHES_MAX

    made = _probes_crashing(monkeypatch, tmp_path, crashing=100)
    rig = LoopbackRig()
    try:
        with pytest.raises(RigError, match="killed by SIGBUS"):
            rig.start()
        assert len(made) == READY_PROBE_CRASHES_MAX
        assert rig.probe_crashes == ["killed by SIGBUS"] * READY_PROBE_CRASHES_MAX
        assert not rig.running
    finally:
        rig.close()


def test_a_server_that_cannot_start_is_a_rig_error_with_its_log(rig: LoopbackRig) -> None:
    clash = LoopbackRig(server_name=rig.server_name, ready_timeout_s=5)
    try:
        with pytest.raises(RigError, match="already running"):
            clash.start()
        assert not clash.running
    finally:
        clash.close()
    assert rig.running and rig.ports()


def test_kill_and_restart_the_server(rig: LoopbackRig) -> None:
    old = rig.pid
    rig.kill_server()
    assert not rig.running
    with pytest.raises(RigError, match="not running"):
        rig.ports()
    ready = rig.restart_server()
    assert rig.running and rig.pid != old and ready < rig.ready_timeout_s
    assert "system:capture_1" in rig.ports()


def test_stall_and_resume_freeze_the_server_process(rig: LoopbackRig) -> None:
    pid = rig.pid
    assert pid is not None

    def state() -> str:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]

    with rig.stalled_for():
        wait_while_awake(lambda: state() == "T", 5, what="jackd stopped")
        with pytest.raises(RigError, match="stalled"):
            rig.ports()
    wait_while_awake(lambda: state() in "SR", 5, what="jackd running again")
    assert rig.ports()


def test_close_resumes_and_kills_a_stalled_server() -> None:
    rig = LoopbackRig()
    try:
        rig.start()
        pid = rig.pid
        rig.stall()
    finally:
        rig.close()  # the test's subject; in a finally so a failed start gives the leased name back
    wait_while_awake(lambda: _gone(pid), 5, what="jackd gone")


def _stream_on(rig: LoopbackRig):  # type: ignore[no-untyped-def]
    from system_under_test.devices.base import StreamSpec
    from system_under_test.devices.jack import JackBackend
    from system_under_test.devices.portaudio import PortAudioBackend

    ok, why = PortAudioBackend.available()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    loop = SineLoop(rig.rate)
    errors: list = []
    stream = JackBackend(rig.server_name).open_stream(StreamSpec("system", "system", 2, 2, rig.rate, rig.period),
                                                      loop, errors.append)
    stream.start()
    return stream, loop, errors


def test_disconnect_and_reconnect_ports(rig: LoopbackRig) -> None:
    stream, loop, _ = _stream_on(rig)
    try:
        pairs = rig.connect_loopback(channels=2)
        assert pairs == [("PortAudio:out_0", "PortAudio:in_0"), ("PortAudio:out_1", "PortAudio:in_1")]
        assert set(pairs) <= set(rig.connections())
        assert not any(dst.startswith("system:") for src, dst in rig.connections() if src in dict(pairs))
        assert rig.disconnect_ports() == pairs
        assert not set(pairs) & set(rig.connections())
        assert rig.reconnect_ports() == pairs
        assert set(pairs) <= set(rig.connections())
    finally:
        stream.close()


def test_starving_the_client_of_cpu_makes_jack_report_xruns(rig: LoopbackRig) -> None:
    stream, loop, _ = _stream_on(rig)
    try:
        rig.connect_loopback(channels=2)
        wait_while_awake(lambda: loop.samples > rig.rate // 4, 10, what="audio")
        report = rig.starve_cpu(0.5, pids=[stream.host_pid])
        assert report.xruns > 0 and report.bursts > 0
        assert report.method == "sigstop-clients"
        # the stream survives and counts flagged blocks
        wait_while_awake(lambda: stream.stats.flagged_callbacks > 0, 5, what="flagged blocks")
    finally:
        stream.close()
    host = stream.host
    assert host is not None and not host.alive


def test_measure_iodelay_of_a_software_loop(rig: LoopbackRig) -> None:
    result = rig.measure_iodelay(samples=3)
    # A JACK self-loop costs exactly one period (measured: 256.000 frames at -p 256).
    assert result.frames == pytest.approx(rig.period, abs=2)
    assert result.ms == pytest.approx(rig.period / rig.rate * 1000, abs=0.1)
    assert "jack_delay:in" not in rig.ports()  # jack_iodelay was stopped


# ---------------------------------------------------------------- CLI
def test_cli_up_status_down(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.json"
    lease = lease_server_name()  # a pooled name: its registry slot is reclaimed on reuse
    lease.release()
    name = lease.name + "-cli"
    try:
        assert cli_main(["loopback", "--state", str(state), "up", "--server-name", name, "--period", "128"]) == 0
        up = json.loads(capsys.readouterr().out.split("\nexport")[0])
        assert up["server_name"] == name and up["period"] == 128 and pid_is_jackd(up["pid"], name)
        assert json.loads(state.read_text())["pid"] == up["pid"]
        assert cli_main(["loopback", "--state", str(state), "up", "--server-name", name]) == 2
        capsys.readouterr()
        assert cli_main(["loopback", "--state", str(state), "status"]) == 0
        assert json.loads(capsys.readouterr().out)["alive"] is True
    finally:
        assert cli_main(["loopback", "--state", str(state), "down"]) == 0
    assert not state.exists()
    wait_while_awake(lambda: not pid_is_jackd(up["pid"]), 5, what="jackd gone")
    capsys.readouterr()
    assert cli_main(["loopback", "--state", str(state), "status"]) == 1
    assert json.loads(capsys.readouterr().out)["alive"] is False


def test_cli_down_never_kills_a_pid_that_is_not_our_jackd(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"pid": os.getpid(), "server_name": "not-a-server"}))
    assert cli_main(["loopback", "--state", str(state), "down"]) == 0
    assert not state.exists()
    os.kill(os.getpid(), 0)  # we are, of course, still alive


def test_cli_devices_lists_every_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["devices", "--json", "--backend", "sim"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"sim"}
    assert report["sim"]["available"] is False or report["sim"]["devices"]


# ---------------------------------------------------------------- port listings that race
def test_a_port_vanishing_mid_listing_makes_the_agent_read_again_not_fail() -> None:
    """JACK-Client looks each listed name up; a port gone in between must cost a re-read only."""
    import jack

    from harness.rig._jackagent import SNAPSHOT_TRIES, consistent_snapshot

    reads = iter([jack.JackError("Port 'jack_delay:in' not available")] * 3 + [["a:out"]])

    def racing_read() -> list[str]:
        item = next(reads)
        if isinstance(item, Exception):
            raise item
        return item

    assert consistent_snapshot(racing_read) == ["a:out"]

    def always_racing() -> list[str]:
        raise jack.JackError("Port 'x:y' not available")

    with pytest.raises(jack.JackError, match="not available"):
        consistent_snapshot(always_racing)  # a graph that never settles still says so

    calls = []

    def other_error() -> list[str]:
        calls.append(1)
        raise jack.JackError("Error connecting ports")

    with pytest.raises(jack.JackError, match="connecting"):
        consistent_snapshot(other_error)
    assert len(calls) == 1 < SNAPSHOT_TRIES  # only the vanished-port race is read again


def test_the_level_that_came_back_leaves_silent_blocks_out_and_says_how_many() -> None:
    class _Status:
        def any(self) -> bool:
            return False

    loop = SineLoop(48000)
    n = 48000
    x = (0.5 * np.sin(2 * np.pi * 997 * np.arange(n) / 48000)).astype(np.float32)
    x[10 * 256: 29 * 256] = 0.0  # 19 silent blocks of 187: an xrun's gap
    loop(x[:, None], np.zeros((n, 1), np.float32), n, 0.0, _Status())
    level, silent = loop.recent_level(1.0)
    assert level == pytest.approx(0.5 / 2 ** 0.5, rel=0.005)  # two blocks half silent: the grid is the tail's
    assert silent == pytest.approx(19 / 187, abs=0.011)
    assert loop.recent_rms(1.0) < 0.96 * level  # what the plain RMS would have said
    quiet = SineLoop(48000)
    quiet(0.8 * x[:, None], np.zeros((n, 1), np.float32), n, 0.0, _Status())
    assert quiet.recent_level(1.0)[0] == pytest.approx(0.8 * 0.5 / 2 ** 0.5, rel=0.005)  # a wrong level shows
