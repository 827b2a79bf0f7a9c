"""A JACK server stopped from outside (``kill -STOP``) is told from one the loaded machine starved.

Both run no cycle, and the rig's ``server_runs`` reads the same "did not run" of either; measured
(bench/RESULTS.md, 2026-12-07 night, seeds 97495 and 97496): a stall of a server stopped 1 s and
3 s read "the machine: the JACK server did not run for 390 ms of the 390 ms", a starved machine's
words. The server's ``/proc`` state ``T`` tells them apart: ``ServerWatch`` records the stop as an
external fault of its own (``server_stopped``), its stall is explained by it, and the run's note
names the stop, as a kill's ``server_crash (external)`` is named. A stand-in process is stopped
here (no JACK): ``waitpid(WUNTRACED)`` / ``WCONTINUED`` wait until the kernel has stopped or
continued it, so each look reads a known state.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from awake_waits import wait_until_awake_for
from harness.device_losses import device_losses, loss_note, machine_starved, summary_of
from harness.history import History
from harness.rig.rig_target import JackRigTarget, ServerWatch, UnownedServerWatch
from harness.rig.server_runs import process_stopped
from harness.runner import _raise_if_server_stopped, _ServerDiedAtStart
from harness.verdict import judge_run, recovered_from_outside
from system_under_test import AudioSystem

HELD = [{"name": "recovery", "ok": True}]


class _Clock:
    def __init__(self) -> None:
        self.t = 10.0

    def now(self) -> float:
        return self.t


class _StandInRig:
    """What the watch reads of a rig: its server's pid, whether it died, whether the rig is
    stopping the server itself, its clock."""

    running = True
    stalled = False
    lost = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.stopping_itself = False
        self.clock = _Clock()


@pytest.fixture
def server() -> Iterator[subprocess.Popen[bytes]]:
    """A stand-in for jackd: a child process of the test's, so ``waitpid`` sees it stop and go on."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait(30)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGSTOP)
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)


def _cont(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGCONT)
    _, status = os.waitpid(proc.pid, os.WCONTINUED)
    assert os.WIFCONTINUED(status)


def _stall(history: History, t: float, silent_s: float) -> None:
    """The system's watchdog's report of ``silent_s`` without a block, at ``t``."""
    history.record("error", value="error", time=t, data={
        "error": {"type": "DeviceStalledError", "message": f"no audio block for {silent_s * 1000:.0f} ms",
                  "component": "device", "details": {"silent_s": silent_s, "device": "system"}},
        "severity": "CRITICAL", "component": "device"})


def _watch(rig: _StandInRig, history: History) -> ServerWatch:
    return ServerWatch(JackRigTarget(rig), history, poll_s=0.0)  # type: ignore[arg-type]


def test_a_server_stopped_from_outside_is_recorded_from_its_stop_to_its_continue(server) -> None:
    rig, history = _StandInRig(server.pid), History()
    watch = _watch(rig, history)
    watch.look_for_a_stop()
    assert watch.stops == [] and process_stopped(server.pid) is False
    _stop(server)
    rig.clock.t = 12.0
    watch.look_for_a_stop()
    rig.clock.t = 13.0
    watch.look_for_a_stop()  # still stopped: the same record
    _cont(server)
    rig.clock.t = 15.0
    watch.look_for_a_stop()
    (stop,) = watch.stops
    assert (stop.kind, stop.trigger, stop.fired_at, stop.ended_at, stop.duration_s) == (
        "server_stopped", "external", 12.0, 15.0, 3.0)
    assert stop.details["pid"] == server.pid and stop.transient
    assert watch.records == [], "a stop is no crash"
    assert [(e.type, e.value) for e in history.entries if e.type.startswith("fault_")] == [
        ("fault_start", "server_stopped"), ("fault_end", "server_stopped")]


def test_a_stop_the_rig_makes_itself_is_not_one_from_outside(server) -> None:
    """The rig's own ``stall`` fault and ``starve_cpu``'s bursts stop the server too: the harness's
    faults, recorded as such, never as the world's."""
    rig = _StandInRig(server.pid)
    watch = _watch(rig, History())
    rig.stopping_itself = True
    _stop(server)
    watch.look_for_a_stop()
    _cont(server)
    assert watch.stops == []


def test_a_gone_process_is_neither_stopped_nor_running(server) -> None:
    server.kill()
    server.wait(30)
    assert process_stopped(server.pid) is None


def test_the_stall_of_a_stopped_server_is_explained_by_the_stop_and_the_note_names_it(server) -> None:
    """The stall reported while the server is stopped is laid on the stop's record, not on the
    machine (the sampler's idle time says "did not run" of it all the same), and the run's note,
    on a run with no fault of its own, says the server was stopped from outside."""
    rig, history = _StandInRig(server.pid), History()
    history.record("note", value="start", time=5.0)
    watch = _watch(rig, history)
    _stop(server)
    rig.clock.t = 12.0
    watch.look_for_a_stop()
    _stall(history, 12.39, 0.39)
    _cont(server)
    rig.clock.t = 15.0
    watch.look_for_a_stop()
    (stall,) = device_losses(history, server=lambda t0, t1: t1 - t0)
    assert stall.explained_by == "server_stopped (external) external-stop-1 from t=12.000 s to t=15.000 s"
    note = loss_note(summary_of([stall]))
    assert note is not None and note.startswith(
        "1 device loss(es) or stall(s), each explained by the JACK server stopped from outside"), note
    assert "did not run" not in note and "xrun" not in note
    verdict = judge_run(HELD, device_losses=summary_of([stall]),
                        steady={"faults": False, "before": "yes", "after": "yes"})
    assert recovered_from_outside(note) in verdict.notes


def test_a_starved_server_s_stall_still_reads_did_not_run() -> None:
    """No stop seen: the sampler's idle time is the machine's starvation, in its own words."""
    history = History()
    history.record("note", value="start", time=5.0)
    _stall(history, 12.39, 0.39)
    (stall,) = device_losses(history, server=lambda t0, t1: t1 - t0)
    assert stall.explained_by == "the machine: the JACK server did not run for 390 ms of the 390 ms without a block"
    assert machine_starved(12.39, 0.39, server=lambda t0, t1: t1 - t0) == ("server_idle", pytest.approx(0.39))


def test_a_starved_server_s_stall_is_noted_as_a_server_the_machine_did_not_run_not_as_xrun_reports() -> None:
    """The note named every stall laid on the machine "JACK's xrun reports", also one over which
    JACK reported nothing and the server itself did not run (measured: 98730, 98731)."""
    history = History()
    history.record("note", value="start", time=5.0)
    _stall(history, 12.39, 0.251)
    note = loss_note(summary_of(device_losses(history, server=lambda t0, t1: t1 - t0)))
    assert note is not None and note.startswith(
        "1 device loss(es) or stall(s), each explained by a JACK server the loaded machine did not run,"), note
    xruns = loss_note(summary_of(device_losses(history, lambda t0, t1: 36)))
    assert xruns is not None and xruns.startswith("1 device loss(es) or stall(s), each explained by JACK's xrun reports,")


# -- a server the run does not own ---------------------------------------------------------------


def test_a_server_the_run_does_not_own_is_watched_for_a_stop_by_its_pid_and_never_touched(server) -> None:
    """A user's JACK server (``JACK_DEFAULT_SERVER``, ``--backend portaudio``): the capture hears a
    kill (``ObservedOutages``), but a stop ends no client and libjack says nothing of it. The watch
    reads its process's state by the pid the capture's sampler found and records the stop as the
    rig's own server's is recorded; it ends the record when the process runs again."""
    clock, history = _Clock(), History()
    watch = UnownedServerWatch(lambda: server.pid, history, clock, server="users-server", poll_s=0.0)
    watch.look()
    assert watch.stops == [] and watch.records == ()
    _stop(server)
    clock.t = 12.0
    watch.look()
    clock.t = 13.0
    watch.look()
    _cont(server)
    clock.t = 14.5
    watch.look()
    (stop,) = watch.stops
    assert (stop.kind, stop.trigger, stop.firing_id, stop.fired_at, stop.ended_at) == (
        "server_stopped", "external", "external-stop-1", 12.0, 14.5)
    assert (stop.details["pid"], stop.details["server"], stop.details["owned"]) == (server.pid, "users-server", False)
    assert process_stopped(server.pid) is False, "the watch continued nothing itself: the test did"
    assert [(e.type, e.value) for e in history.entries if e.type.startswith("fault_")] == [
        ("fault_start", "server_stopped"), ("fault_end", "server_stopped")]


def test_an_unowned_server_killed_while_stopped_ends_its_stop_record(server) -> None:
    clock = _Clock()
    pid: list[int | None] = [server.pid]
    watch = UnownedServerWatch(lambda: pid[0], History(), clock, poll_s=0.0)
    _stop(server)
    watch.look()
    server.kill()
    server.wait(30)
    pid[0] = None  # the sampler finds no server of that name any more
    clock.t = 11.0
    watch.look()
    (stop,) = watch.stops
    assert stop.ended_at == 11.0 and stop.details["end"] == f"jackd {server.pid} gone while stopped"


def test_a_start_refused_while_the_server_was_stopped_from_outside_is_the_environments(server) -> None:
    """A stop during start-up: a server that runs no cycle answers no client, and the refusal that
    follows is the environment's (a run judged inconclusive), not a usage error. The refusal looks
    once more itself, so a stop the watch's poll has not seen yet is found."""
    clock = _Clock()
    watch = UnownedServerWatch(lambda: server.pid, History(), clock, poll_s=0.0)
    _raise_if_server_stopped(watch, clock, "started", "no audio block")  # running: nothing raised
    _stop(server)
    clock.t = 11.0
    with pytest.raises(_ServerDiedAtStart, match=rf"the JACK server \(pid {server.pid}\) was stopped from outside "
                       r"\(seen stopped at t=11.000 s, still stopped\) while the system was being started"):
        _raise_if_server_stopped(watch, clock, "started", "no audio block")
    _cont(server)


def test_a_start_refused_on_the_rigs_own_stopped_server_is_the_environments(server) -> None:
    rig = _StandInRig(server.pid)
    watch = _watch(rig, History())
    _stop(server)
    with pytest.raises(_ServerDiedAtStart, match="was stopped from outside"):
        _raise_if_server_stopped(watch, rig.clock, "configured", "timeout")
    rig.stopping_itself = True  # the rig's own stall fault: no stop from outside
    _cont(server)
    watch.look()
    other = _watch(_StandInRig(server.pid), History())
    _raise_if_server_stopped(other, rig.clock, "configured", "timeout")


class _ServerStoppedAtStart(AudioSystem):
    """Test-only environment fault: the JACK server the system plays on (the run's own rig's, or
    one a user started) is stopped from outside (``SIGSTOP``) as the system starts, and continued
    once the start has returned; the system itself is the shipped one."""

    def start(self, *args: Any, **kwargs: Any) -> Any:
        from harness.rig.loopback import server_pids  # noqa: PLC0415

        (pid,) = server_pids(self.backend.jack_server)  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGSTOP)
        try:
            # the kernel stops it at once; bounded by the time this process's tree sleeps
            wait_until_awake_for(lambda: process_stopped(pid) is True, os.getpid(), 30.0, what="jackd stopped")
            return super().start(*args, **kwargs)
        finally:
            os.kill(pid, signal.SIGCONT)


@pytest.mark.loopback(portaudio=True)
@pytest.mark.timeout(300)  # a busy hang's guard
@pytest.mark.parametrize("owned", [True, False], ids=["the_runs_own_server", "a_users_server"])
def test_a_server_stopped_from_outside_during_start_up_is_an_inconclusive_run_not_a_usage_error(
        owned: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured with the CLI (``bench/rig_kill_series.sh`` ``startstop``, jackd stopped 8 s as the
    system entered STARTING): exit 2, "the system did not start: [device] device host did not
    initialise PortAudio within 5.0 s (is the audio server stalled?)", a usage error, no report.
    The stop is the environment's: an inconclusive run that says the server was stopped from
    outside, with its reports; on a user's server too (``UnownedServerWatch``)."""
    from harness.rig.loopback import LoopbackRig  # noqa: PLC0415
    from harness.runner import ReliabilityRun, RunSpec  # noqa: PLC0415

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    rig = None if owned else LoopbackRig()
    try:
        if rig is not None:
            rig.start()  # inside the try: a start that fails still gives the leased name back
            monkeypatch.setenv("JACK_DEFAULT_SERVER", rig.server_name)
        spec = RunSpec(backend="jack", duration_s=2.0, seed=3, faults="none", report_root=tmp_path) if owned else \
            RunSpec(backend="portaudio", device="system", duration_s=2.0, seed=3, faults="none", report_root=tmp_path)
        result = ReliabilityRun(spec, system_factory=_ServerStoppedAtStart).execute()
    finally:
        if rig is not None:
            rig.close()
    assert result.exit_code == 3, result.verdict
    doubts = " ".join(result.verdict.doubts)
    assert "the system never ran: the JACK server (pid " in doubts and ") was stopped from outside" in doubts, doubts
    assert "while the system was being started" in doubts, doubts
    history = (result.run_dir / "history.jsonl").read_text()
    assert '"server_stopped"' in history and ('"owned":false' in history) is not owned
    report = json.loads((result.run_dir / "report.json").read_text())
    assert report["verdict"]["outcome"] == "inconclusive", report["verdict"]
