"""Whether the JACK server itself ran (``harness.rig.server_runs``), and what the audio check and
the loss rule make of a silence or a stall while it did not: constructed samples of the server's
scheduler counters, on the virtual clock with a scripted capture."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness.audio_check import AudioCheck
from harness.device_losses import device_losses
from harness.faults import FaultRecord
from harness.history import History
from harness.rig.awake import wait_while_awake
from harness.rig.loopback import LoopbackRig
from harness.rig.rig_audio import RigCapture
from harness.rig.server_runs import ServerRuns
from system_under_test import AudioSystem

from scripted_capture import FS, ScriptedCapture, ScriptedSpec, tone_block

N = 256
TIDS = (100, 101, 102, 103)


def _sampled(t0: float, t1: float, stops: list[tuple[float, float]], *, every: float = 0.01,
             keep: int = 4096) -> ServerRuns:
    """A sampler fed every ``every`` s from ``t0`` to ``t1`` with a server whose threads ran (a run
    and a slice more at each sample) except inside ``stops`` (stopped: counters still, state T)."""
    runs = ServerRuns(None, keep=keep)
    ran = slices = wait = 0
    for k in range(int(round((t1 - t0) / every)) + 1):
        s = t0 + k * every
        stopped = any(a <= s < b for a, b in stops)
        if not stopped:
            ran, slices, wait = ran + 50_000, slices + 2, wait + 1_000
        runs.feed(s, s + 1e-4, 42, (TIDS, ran, slices, wait, stopped))
    return runs


def test_a_server_whose_counters_stood_still_did_not_run_between_those_samples() -> None:
    runs = _sampled(10.0, 12.0, [(11.0, 11.4)])
    (s,) = runs.between(10.0, 12.0) or []
    # from the last sample that saw it run (its read's end) to the last that saw it still
    assert (s.t0, s.t1) == (pytest.approx(10.9901), pytest.approx(11.39))
    assert s.stopped
    assert runs.idle_s(11.1, 11.2) == pytest.approx(0.1)
    assert runs.idle_s(10.0, 10.9) == 0.0
    assert runs.summary()["stretches"] == 1


def test_a_healthy_servers_counters_and_its_short_pauses_claim_nothing() -> None:
    """A running server's counters grow at every sample; a pause shorter than ``min_stretch_s``
    (a sample between two of its cycles) is never taken for a server that did not run."""
    assert _sampled(10.0, 12.0, []).between(10.0, 12.0) == []
    assert _sampled(10.0, 12.0, [(11.0, 11.03)]).between(10.0, 12.0) == []


def test_a_sampler_that_ran_late_claims_only_the_stretch_the_counters_prove() -> None:
    """The sampler starved for 0.3 s while the server ran: its counters grew across the gap, so
    nothing is claimed; a new thread, or a new server pid, between two samples breaks the bracket."""
    runs = ServerRuns(None)
    runs.feed(1.0, 1.0001, 42, (TIDS, 10, 2, 0, False))
    runs.feed(1.3, 1.3001, 42, (TIDS, 11, 3, 0, False))
    runs.feed(1.6, 1.6001, 42, (TIDS + (104,), 11, 3, 0, False))  # a thread more: not comparable
    runs.feed(1.9, 1.9001, 43, (TIDS + (104,), 11, 3, 0, False))  # another server
    runs.feed(2.2, 2.2001, 43, None)  # gone
    assert runs.between(0.0, 3.0) == [] and runs.max_interval_s == pytest.approx(0.3, abs=1e-3)
    runs.feed(2.5, 2.5001, 43, (TIDS, 11, 3, 0, False))
    runs.feed(2.8, 2.8001, 43, (TIDS, 11, 3, 0, False))  # still (its wait is counted once it runs)
    runs.feed(2.9, 2.9001, 43, (TIDS, 12, 4, 290_000_000, False))
    (s,) = runs.between(0.0, 3.0) or []
    assert (s.t0, s.t1, s.stopped) == (pytest.approx(2.5001), pytest.approx(2.8), False)
    assert s.waited_s == pytest.approx(0.29)


def test_what_the_sampler_keeps_is_bounded_and_says_where_it_let_go() -> None:
    stops = [(10.0 + k, 10.2 + k) for k in range(5)]
    runs = _sampled(9.5, 15.0, stops, keep=2)
    assert len(runs.stretches) == 2 and runs.summary()["stretches"] == 5
    assert runs.between(10.0, 10.3) is None  # let go: not known, never "it ran"
    assert runs.idle_s(14.0, 14.3) == pytest.approx(0.2, abs=0.011)


def test_a_server_restarted_under_a_new_pid_is_found_and_watched_again() -> None:
    """An external kill's server comes back as a new process (``jackd`` restarted: a new pid): the
    sampler looks the server up again once the old one is gone, and a stop of the restarted
    server is claimed as one of the first would be. Driven through ``sample()`` on a scripted
    clock and ``/proc``: the first server from 0 to 1 s, none until 2 s, the second one after,
    stopped from 3.0 to 3.4 s."""
    now = [0.0]
    counters = {42: [0, 0], 43: [0, 0]}

    def current() -> int | None:
        return 42 if now[0] < 1.0 else None if now[0] < 2.0 else 43

    def read(pid: int) -> tuple[tuple[int, ...], int, int, int, bool] | None:
        if pid != current():
            return None  # that process is gone
        stopped = pid == 43 and 3.0 <= now[0] < 3.4
        if not stopped:
            counters[pid][0] += 50_000
            counters[pid][1] += 2
        return TIDS, counters[pid][0], counters[pid][1], 0, stopped

    runs = ServerRuns(current, read=read, clock=lambda: now[0])
    for k in range(401):
        now[0] = k * 0.01
        runs.sample()
    assert runs.pid == 43
    idle = runs.idle_s(3.0, 3.4)
    assert idle is not None and idle == pytest.approx(0.39, abs=0.011), runs.summary()
    (s,) = runs.between(2.5, 4.0) or []
    assert s.stopped


def _stopped_server(stopped: bool, *, silent_after_s: float = 0.02, recorded: bool = False) -> tuple[AudioCheck, Any]:
    """The rig's capture around jackd stopped for 0.4 s from outside, as measured (bench/RESULTS.md,
    2026-12-04 night, a FAIL of the healthy system): the system's output silent for 0.15 s before
    the stop (its stream had stalled), no cycle at all for 0.4 s (the server's frame counter runs
    on: the next cycle follows the last one's frame, 0.4 s later), then ``silent_after_s`` more of
    silence and the tone again; JACK reported an xrun 0.12 s before the silence, one as the
    server ran again and one as the tone came back, none in between (a stopped server reports
    nothing). ``stopped``: what the
    rig's sampler saw of the server (counters still from 2.0 to 2.4 s, or growing throughout).
    ``recorded``: the run's watch recorded the stop from outside (from 2.02 s to 2.43 s, its polls')."""
    system = AudioSystem({}, seed=1)
    cap = ScriptedCapture()
    check = AudioCheck.attach(system, None, capture=cap)
    system.initialize()
    system.start()
    t = float(system.clock.now())
    if recorded:
        stop = FaultRecord(firing_id="external-stop-1", fault_id="external", kind="server_stopped", target="system",
                           trigger="external", fired_at=t + 2.02, ended_at=t + 2.43)
        check.server_stops = lambda: [stop]
    cap.server_runs = _sampled(t, t + 5.0, [(t + 2.0, t + 2.4)] if stopped else [])  # type: ignore[attr-defined]
    calls: list[tuple[float, tuple[str, Any]]] = []
    frame = 0
    for seg_t0, seconds, silent in ((0.0, 1.85, False), (1.85, 0.15, True), (2.4, silent_after_s, True),
                                    (2.4 + silent_after_s, 2.0, False)):
        for i in range(int(round(seconds * FS / N))):
            tc = t + seg_t0 + i * N / FS
            block = np.zeros((N, 1), np.float32) if silent else tone_block(frame, N)
            calls.append((tc, ("feed", (ScriptedSpec, block, tc, None if frame == 0 else 0))))
            frame += N
    calls += [(t + r + 1e-4, ("xrun", (t + r,))) for r in (1.73, 2.41, 2.41 + silent_after_s)]
    cap.pending.extend(call for _, call in sorted(calls, key=lambda c: c[0]))
    system.run_for(6.0)
    check.poll()
    system.stop()
    check.finish()
    return check, check.verdict()


def test_a_silence_while_the_jack_server_did_not_run_is_the_machines() -> None:
    """0.57 s from the silence's first frame to its last, 0.4 s of it with no cycle of the graph
    at all: what the system could have played there is nothing, and JACK reports no xrun for a
    server that does not run. Judged the system's 0.5 s silence "with no xrun report in it", a
    false FAIL; net of the server's stop, 0.17 s, a missed deadline's damage."""
    check, verdict = _stopped_server(True)
    assert check.long_mute_count == 0, check.long_mutes
    assert verdict.ok and not verdict.inconclusive, verdict
    assert check.server_idle_mute_count == 1, check.server_idle_mutes
    assert "while the JACK server did not run" in check.server_idle_mutes[0]
    assert check.summary()["windows"]["server_idle_mute_count"] == 1


def test_a_silence_while_the_server_was_stopped_from_outside_says_stopped() -> None:
    """The server's idle time reads alike for a stop and a starved machine; where the run's watch
    recorded a stop from outside over the silence, the check says the server was stopped (its
    words said "did not run", a starved machine's), and the glitch's cause is the stop's."""
    check, verdict = _stopped_server(True, recorded=True)
    assert verdict.ok and not verdict.inconclusive, verdict
    (mute,) = check.server_idle_mutes
    assert "while the JACK server was stopped from outside: " in mute and "did not run" not in mute, mute
    (glitch,) = [g for g in check.glitch_rows if g["kind"] == "mute"]
    assert check.machine_cause(glitch) == "server_stopped"
    starved, _ = _stopped_server(True)
    (glitch,) = [g for g in starved.glitch_rows if g["kind"] == "mute"]
    assert starved.machine_cause(glitch) == "server_idle"


def test_the_servers_idle_time_is_counted_net_of_the_period_its_last_cycle_played_into() -> None:
    """The counters stand still from the read after the server's last cycle (1.9901 s) to the
    last still sample (2.39 s): 0.3999 s. That last cycle played one period (256 frames at
    48 kHz: 5.3 ms) of audio time into the stretch, which the system could have filled like any
    other: only the rest, 0.3946 s, is the machine's, and the other 0.175 s of the 0.570 s
    silence were served."""
    check, _ = _stopped_server(True)
    (mute,) = check.server_idle_mutes
    idle = (2.39 - 1.9901) - N / FS
    assert f"a silence of 0.570 s that only xrun reports hold, {idle:.3f} s of it while the JACK server " \
           f"did not run: {0.570 - idle:.3f} s while it served" in mute, mute


def test_the_same_silence_while_the_server_ran_stays_the_systems() -> None:
    """No loss of power: with the server seen running throughout, the same capture is the
    system's 0.5 s silence with no xrun report in it, as before."""
    check, verdict = _stopped_server(False)
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.long_mute_count == 1 and check.server_idle_mute_count == 0, check.long_mutes
    assert "longer than the machine's missed deadlines" in check.long_mutes[0]


def test_a_silence_that_outlasts_the_servers_stop_by_half_a_second_stays_the_systems() -> None:
    """A stream that stayed mute after the server ran again (0.6 s more): the stop explains its
    own 0.4 s, not the rest."""
    check, verdict = _stopped_server(True, silent_after_s=0.6)
    assert not verdict.ok and not verdict.inconclusive, verdict
    assert check.long_mute_count == 1 and check.server_idle_mute_count == 0, check.long_mutes


def _stall(h: History, t: float, silent_s: float) -> None:
    h.record("error", value="error", time=t, data={
        "error": {"type": "DeviceStalledError", "message": f"no audio block for {silent_s * 1000:.0f} ms",
                  "component": "device", "details": {"silent_s": silent_s, "device": "system"}},
        "severity": "CRITICAL", "component": "device"})


@pytest.mark.parametrize("stop, explained", [
    ((14.25, 14.7), True),    # measured: stopped from before the silence, still stopped at the report
    ((14.37, 14.7), True),    # stopped for half of it
    ((14.45, 14.7), False),   # for 50 ms of it: the server ran 200 ms and no block came
    (None, False),            # ran throughout
], ids=["stopped_throughout", "stopped_half", "stopped_a_fifth", "running"])
def test_a_stall_while_the_jack_server_did_not_run_is_the_machines(stop: tuple[float, float] | None,
                                                                      explained: bool) -> None:
    """A stopped (or unscheduled) jackd reports no xrun (measured in a loaded run: two stalls with
    no JACK xrun report within 3 s, unexplained). The server's own counters say it did not run:
    the machine's, when it did not run for at least half of the silence."""
    h = History()
    h.record("note", value="start", time=10.0)
    _stall(h, 14.5, 0.25)
    runs = _sampled(13.0, 15.0, [stop] if stop else [])
    (loss,) = device_losses(h, lambda t0, t1: 0, runs.idle_s)
    if explained:
        assert loss.explained_by is not None and loss.explained_by.startswith(
            "the machine: the JACK server did not run for "), loss
        assert loss.explained_by.endswith("ms of the 250 ms without a block")
    else:
        assert loss.explained_by is None, loss
    (no_sampler,) = device_losses(h, lambda t0, t1: 0)
    assert no_sampler.explained_by is None


def _all_stopped(pid: int) -> bool:
    """Every thread of ``pid`` in state T (a group stop takes each thread as it next runs)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
            stat = f.read()
        if stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] not in (b"T", b"t"):
            return False
    return True


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_the_rigs_capture_sees_its_real_jackd_stopped_from_outside(tmp_path: Path) -> None:
    """A real jackd, stopped with SIGSTOP for 0.4 s by the test (as a shell loop outside the
    harness does): the rig's capture's sampler finds the server by its name and says it did not
    run, and stopped, over the stop. The stop's edges are observable events (every thread of
    jackd in state T; a sample after SIGCONT that saw it run): the samples inside the stop are
    taken by the test itself, so a starved sampler thread cannot miss it."""
    with LoopbackRig(rate=48000, period=256, monitor=False) as rig:
        cap = RigCapture(rig.server_name, tmp_path)
        runs = cap.server_runs.start()
        try:
            wait_while_awake(lambda: runs.pid == rig.pid, 10.0, what="the sampler to find jackd")
            os.kill(rig.pid, signal.SIGSTOP)
            try:
                wait_while_awake(lambda: _all_stopped(rig.pid), 10.0, what="every thread of jackd to stop")
                runs.sample()
                t_stopped = time.monotonic()
                time.sleep(0.4)  # the stop itself
                runs.sample()
                t_cont = time.monotonic()
            finally:
                os.kill(rig.pid, signal.SIGCONT)
            wait_while_awake(lambda: any(x.t0 <= t_stopped and x.t1 >= t_cont - 0.001 for x in list(runs.stretches)),
                       10.0, what="a sample that saw jackd run again")
            (s,) = runs.between(t_stopped, t_cont) or []
            assert s.stopped, s
            idle = runs.idle_s(t_stopped, t_cont)
            assert idle is not None and idle >= t_cont - t_stopped - 0.01, (idle, t_cont - t_stopped)
            assert cap.describe()["server_not_running"]["stretches"] >= 1
        finally:
            cap.close()
