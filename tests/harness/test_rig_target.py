"""``JackRigTarget``: real faults on the JACK loopback rig, driven through ``FaultInjector``.

Each real fault (server kill + restart, pulled cable, SIGSTOP/SIGCONT stall, CPU starvation) is
injected while the system is RUNNING, while PAUSED and in the middle of a stream-reopening
reconfigure (from the RECONFIGURING transition observer, the way a device dies mid-operation).
Every test checks: the fault was noticed the way it should be (an error and RECOVERING for a
dead or frozen device; xrun flags for starvation; *no* false alarm for a pulled cable, which is
silence by design), the system came back to its state, frames stayed accounted for and the gap
was measured, nothing hung (every wait is a bounded condition), and after close() no stream,
thread, device-host process or shared-memory segment was left.

Outside CI these skip when jackd is missing; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import faults as F
from harness import HarnessError, RigError
from harness.history import History, run_op
from harness.invariants import check_all, check_frame_accounting, check_resources
from harness.rig.awake import wait_while_awake
from harness.rig.loopback import LoopbackRig
from harness.rig.rig_target import (
    UNSUPPORTED,
    JackRigTarget,
    PulledCable,
    ServerWatch,
    UnsupportedFault,
)
from harness import ReliabilityRun, RunSpec
from harness.rig.rig_target import target_for as rig_target_for
from system_under_test import AudioSystem, State
from system_under_test.errors import DeviceError, DeviceStalledError

RATE, PERIOD = 48000, 256
RECOVERY = {"max_attempts": 30, "initial_backoff_ms": 20, "max_backoff_ms": 100, "deadline_ms": 15000}
#: Bound on every wait in this file: generous for a loaded 2-core machine, never reached when healthy.
WAIT_S = 10.0


# ------------------------------------------------------------------ no jackd needed
class _FakeRig:
    running = True
    stalled = False
    rate, period = RATE, PERIOD


def test_unsupported_fault_is_a_rig_error_and_a_not_implemented_error() -> None:
    target = JackRigTarget(_FakeRig())  # type: ignore[arg-type]
    with pytest.raises(UnsupportedFault, match="callback_raises") as info:
        target.raise_in_callback("system", 1)
    assert isinstance(info.value, RigError) and isinstance(info.value, HarnessError)
    assert isinstance(info.value, NotImplementedError)
    assert target.unsupported_reason("callback_raises") == UNSUPPORTED["callback_raises"]
    # a hung capture side cannot be caused on the rig alone: refused with its own reason
    assert target.unsupported_reason("input_starved") == UNSUPPORTED["input_starved"]
    assert target.unsupported_reason("dropout") is None


def test_runnable_schedule_drops_what_the_rig_cannot_do_and_notes_why() -> None:
    schedule = F.Schedule([F.DeviceDropout(trigger=F.At(1.0)), F.CallbackRaises(trigger=F.At(2.0)),
                           F.DeviceStall(trigger=F.At(3.0))])
    history = History()
    kept = schedule.runnable_on(JackRigTarget(_FakeRig()), history)  # type: ignore[arg-type]
    assert [f.kind for f in kept] == ["dropout", "stall"]
    notes = [e for e in history.entries if e.type == "note" and e.value == "fault_skipped"]
    assert [n.data["kind"] for n in notes] == ["callback_raises"]
    assert "cannot corrupt the callback" in notes[0].data["reason"]
    # A target that can do everything gets the schedule back untouched.
    assert schedule.runnable_on(F.SimulatedTarget(None), history) is schedule


def test_target_for_returns_the_rig_target_for_jack_only_when_given_a_rig() -> None:
    from system_under_test.devices.jack import JackBackend

    system = AudioSystem(None, backend=JackBackend("soundcheck-never-started"))
    target = rig_target_for(system, rig=_FakeRig())
    assert isinstance(target, JackRigTarget) and target.system is system
    assert isinstance(target, F.FaultTarget)
    # Without a rig the device is out of the harness's hands: device faults drop out with a note,
    # system-level faults stay, and nothing is ever fired at the device.
    bare = F.target_for(system)
    assert isinstance(bare, F.UncontrolledDevice) and isinstance(bare, F.FaultTarget)
    schedule = F.Schedule([F.DeviceDropout(trigger=F.At(1.0)), F.InvalidConfig(trigger=F.At(2.0)),
                           F.DeviceStall(trigger=F.At(3.0))])
    history = History()
    assert [f.kind for f in schedule.runnable_on(bare, history)] == ["invalid_config"]
    assert len([e for e in history.entries if e.type == "note" and e.value == "fault_skipped"]) == 2
    with pytest.raises(NotImplementedError):
        bare.drop_device("system")


def test_a_schedule_shifted_to_the_run_start_keeps_its_spacing() -> None:
    schedule = F.Schedule([F.DeviceDropout(trigger=F.At(1.5)), F.DeviceStall(trigger=F.Every(2.0, 0.5, 3)),
                           F.LateCallback(trigger=F.WithProbability(0.1, 0.25, 1.0, 4.0)),
                           F.CallbackRaises(trigger=F.OnCall(5))])
    moved = schedule.shifted(10_000.0)
    assert moved.faults[0].trigger == F.At(10_001.5)
    assert moved.faults[1].trigger == F.Every(2.0, 10_000.5, 3)
    assert (moved.faults[2].trigger.start_s, moved.faults[2].trigger.until_s) == (10_001.0, 10_004.0)
    assert moved.faults[3].trigger == F.OnCall(5)
    assert schedule.faults[0].trigger == F.At(1.5)  # the original is untouched


class _TestClock:
    """The rig's clock, moved by the test."""

    def __init__(self, t: float) -> None:
        self.t = t

    def now(self) -> float:
        return self.t


class _ScriptedRig:
    """A rig whose server is driven by the test: every call the target or the watch makes is
    recorded, and time is a counter the test moves (no jackd, no sleep)."""

    def __init__(self, *, stalled: bool = False, restart_fails: bool = False) -> None:
        self.running, self.stalled = True, stalled
        self.rate, self.period = RATE, PERIOD
        self.pid = 4242
        self.calls: list[str] = []
        self.clock = _TestClock(10.0)
        self.lost: int | None = None
        self.restart_fails = restart_fails
        self.on_restart: Callable[[], None] = lambda: None
        self.probe_crashes: list[str] = []
        self.probes_crashing = 0

    def kill_server(self) -> None:
        self.calls.append(f"kill_server@{self.rate}")
        self.running = False

    def restart_server(self) -> float:
        self.calls.append(f"restart_server@{self.rate}")
        self.clock.t += 1.5
        self.probe_crashes += ["killed by SIGBUS"] * self.probes_crashing
        self.on_restart()
        if self.restart_fails:
            raise RigError("jackd did not come up within 10 s")
        self.running, self.lost = True, None
        return 0.25

    def starve_cpu(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("starve_cpu")
        raise AssertionError("a stalled server was starved: its SIGCONT at the end would undo the stall")

    def agent_status(self) -> str | None:
        return None


def test_an_xrun_fired_during_a_stall_leaves_the_stalled_server_alone() -> None:
    """Starving the CPU ends with SIGCONT: on a stalled server that would end the stall half-way, so
    a stall and an xrun at once would be a shorter stall than the history says. The xrun is a
    recorded no-op instead."""
    rig = _ScriptedRig(stalled=True)
    target = JackRigTarget(rig)  # type: ignore[arg-type]
    target.xrun("system", 0.2)
    assert rig.calls == []
    assert target.notes == ["xrun: server stalled"]


def test_a_sample_rate_change_returns_and_records_the_rate_it_changed_from() -> None:
    """``change_sample_rate`` returns the rate the device had (the ``FaultTarget`` protocol): the
    ``sample_rate_change`` fault records it as ``previous_rate``, the evidence of what the device
    switched from."""
    rig = _ScriptedRig()
    target = JackRigTarget(rig)  # type: ignore[arg-type]
    assert target.change_sample_rate("system", 44_100) == RATE
    assert rig.calls == [f"kill_server@{RATE}", "restart_server@44100"]
    assert rig.rate == 44_100
    assert [a.detail for a in target.actions] == [f"{RATE} -> 44100 Hz"]


def _watch_once(rig: _ScriptedRig, history: History) -> ServerWatch:
    """A ``ServerWatch`` run in the test's thread over one unannounced death of ``rig``'s server:
    the watch stops itself once it has tried the restart."""
    watch = ServerWatch(JackRigTarget(rig), history, restart_after_s=0.0, poll_s=0.0)  # type: ignore[arg-type]
    rig.lost, rig.running = -9, False
    rig.on_restart = watch._stop.set  # the one restart is the last thing this watch does
    watch._run()
    return watch


@pytest.mark.parametrize("restart_fails", [False, True], ids=["server back", "server never back"])
def test_a_crash_the_server_never_came_back_from_is_recorded_as_not_transient(restart_fails: bool) -> None:
    """The recovery judge expects the system back in RUNNING after a *transient* fault ends: a
    server that could not be restarted is not one (the device is gone), and the recorded fault
    must say so, or a healthy system is failed for not recovering from a device that never
    returned."""
    rig = _ScriptedRig(restart_fails=restart_fails)
    history = History()
    watch = _watch_once(rig, history)
    assert len(watch.records) == 1
    record = watch.records[0]
    assert (record.kind, record.fired_at, record.ended_at) == ("server_crash", 10.0, 11.5)
    assert record.transient is (not restart_fails)
    ends = [e for e in history.entries if e.type == "fault_end"]
    assert [(e.value, e.data["transient"]) for e in ends] == [("server_crash", not restart_fails)]
    expected = "restart failed: jackd did not come up within 10 s" if restart_fails else "jackd ready in 0.250 s"
    assert record.details["restart"] == expected


def test_a_restart_keeps_the_readiness_probes_that_crashed_opening_on_the_new_server() -> None:
    """A probe's crash on a restarted server is the rig's evidence (JACK2's per-uid shared files),
    kept in the crash's fault record beside the restart; a restart with none records none."""
    rig = _ScriptedRig()
    rig.probe_crashes = ["killed by SIGSEGV"]  # an earlier start's, not this restart's
    rig.probes_crashing = 2
    watch = _watch_once(rig, History())
    record = watch.records[0]
    assert record.details["restart"] == "jackd ready in 0.250 s"
    assert record.details["probe_crashes"] == ["killed by SIGBUS", "killed by SIGBUS"]
    quiet = _watch_once(_ScriptedRig(), History())
    assert "probe_crashes" not in quiet.records[0].details


def test_a_stale_error_from_a_replaced_stream_starts_no_second_recovery(make_system: Any) -> None:
    """SUT fix (measured on the rig's ALSA route): only the current stream's errors are routed."""
    system = make_system()
    sinks: list[Callable[[Any], None]] = []
    opener = system.backend.open_stream
    system.backend.open_stream = lambda spec, cb, on_error: (sinks.append(on_error), opener(spec, cb, on_error))[1]
    target = F.SimulatedTarget(system.backend)
    target.drop_device("sim-in")
    system.run_for(0.05)
    target.return_device("sim-in")
    system.run_for(1.0)
    assert system.state == State.RUNNING and system.metrics().counters["recoveries"] == 1
    assert len(sinks) >= 2  # the first stream, then the one(s) recovery opened
    current_before = system.stream
    stale_sinks = sinks[:-1]  # every stream but the current one
    for sink in stale_sinks:
        sink(DeviceStalledError("late watchdog report from a dead stream", component="device"))
    system.run_for(0.5)
    assert system.metrics().counters["recoveries"] == 1, "a stale error started a second recovery"
    assert system.stream is current_before and system.state == State.RUNNING
    assert system.metrics().counters.get("stale_device_errors", 0) == len(stale_sinks)
    # The current stream's errors still count.
    sinks[-1](DeviceStalledError("the current stream stalls", component="device"))
    system.run_for(1.0)
    assert system.metrics().counters["recoveries"] == 2


# ------------------------------------------------------------------ the rig


class Rigged:
    """A system on the JACK host API route of a fresh rig, its history, injector and target."""

    def __init__(self, rig: LoopbackRig) -> None:
        from system_under_test.devices.jack import JackBackend

        self.rig = rig
        self.threads_before = list(threading.enumerate())
        self.system = AudioSystem({"device": {"backend": "jack", "input_device": "system",
                                              "output_device": "system"},
                                   "recovery": RECOVERY}, backend=JackBackend(rig.server_name))
        self.history = History(meta={"test": "rig_target"}).attach(self.system)
        self.target = rig_target_for(self.system, rig=rig)
        self.injector = F.FaultInjector(self.system, [], seed=1, target=self.target, history=self.history)
        self.host_pids: set[int] = set()
        self.shm: set[str] = set()
        self.system.add_observer(lambda rec: self._note_stream())

    def _note_stream(self) -> None:
        stream = self.system.stream
        if stream is not None:
            if getattr(stream, "host_pid", None):
                self.host_pids.add(stream.host_pid)
            self.shm.add(stream.shm_name)

    def start(self) -> None:
        assert run_op(self.history, self.system, "initialize").ok
        assert run_op(self.history, self.system, "start").ok
        self._note_stream()
        self.wait_blocks(20)

    def callbacks(self) -> int:
        return int(self.system.metrics().counters.get("callbacks", 0))

    def wait_blocks(self, n: int) -> None:
        goal = self.callbacks() + n
        wait_while_awake(lambda: self.callbacks() >= goal, WAIT_S, what=f"{n} more audio blocks")

    def story(self) -> str:
        """The system's transitions and events so far (for failure messages)."""
        t0 = self.history.entries[0].time if self.history.entries else 0.0
        lines = [f"{e.time - t0:7.3f} {e.type} {e.value or ''} "
                 f"{(e.data or {}).get('to_state', '') if e.type == 'transition' else ''}"
                 f"{(e.data or {}).get('error', {}).get('message', '') if e.type == 'error' else ''}"
                 for e in self.history.entries
                 if e.type in ("transition", "event", "error", "fault_start", "fault_end", "invoke", "ok",
                               "fail", "info") and (e.type != "transition" or e.data.get("component") == "system")]
        return "\n".join(lines[-40:])

    def recoveries(self) -> int:
        return int(self.system.metrics().counters.get("recoveries", 0))

    def close(self) -> None:
        self.injector.disarm()
        run_op(self.history, self.system, "close")
        self.history.close()


@pytest.fixture
def rigged() -> Iterator[Rigged]:
    with LoopbackRig(rate=RATE, period=PERIOD) as rig:
        r = Rigged(rig)
        try:
            yield r
        finally:
            if r.system.state != State.CLOSED:
                r.close()


def _pid_alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


def _assert_clean_close(r: Rigged) -> None:
    r.close()
    assert r.system.state == State.CLOSED
    verdicts = {v.name: v for v in check_all(r.history, r.system, threads_before=r.threads_before)}
    for name in ("resources", "legal_transitions", "frame_accounting", "history_complete"):
        assert verdicts[name].ok, f"{name}: {verdicts[name].message} {verdicts[name].evidence[:3]}"
    assert check_resources(None, r.system, threads_before=r.threads_before).ok
    assert r.host_pids, "no device host was ever seen"
    wait_while_awake(lambda: not any(_pid_alive(p) for p in r.host_pids), 5.0, what="device hosts to exit")
    left = [n for n in r.shm if Path(f"/dev/shm/{n}").exists()]
    assert left == [], f"shared memory left behind: {left}"


# The fault matrix -----------------------------------------------------------------------------
FAULTS: dict[str, Callable[[], F.Fault]] = {
    "server_kill": lambda: F.DeviceDropout(target="system", duration_s=0.4),
    "stall": lambda: F.DeviceStall(target="system", duration_s=0.4),  # > the stream's 250 ms watchdog
    "cpu_starvation": lambda: F.LateCallback(target="system", delay_s=0.1),
    "pulled_cable": lambda: PulledCable(target="system", duration_s=0.3),
}
#: Faults the system must notice as a broken device (error + RECOVERING + back).
BREAKING = {"server_kill", "stall"}
WHEN = ("running", "paused", "reconfigure")


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("fault_name", list(FAULTS))
def test_real_fault_is_detected_and_recovered(rigged: Rigged, fault_name: str, when: str,
                                              record_property: Callable[[str, Any], None]) -> None:
    r = rigged
    r.start()
    if when == "paused":
        assert run_op(r.history, r.system, "pause").ok
    before_state = State.PAUSED if when == "paused" else State.RUNNING
    fault = FAULTS[fault_name]()
    fault.fault_id = f"{fault_name}@{when}"
    counters0 = dict(r.system.metrics().counters)
    cb0, t0 = r.callbacks(), r.system.clock.now()
    rig_xruns0 = r.rig.xruns
    records: list[Any] = []

    if when == "reconfigure":
        fired = threading.Event()

        def on_transition(rec: Any) -> None:
            if rec.component == "system" and rec.to_state == State.RECONFIGURING and not fired.is_set():
                fired.set()
                records.append(r.injector.inject(fault))

        r.system.add_observer(on_transition)
        # A stream setting change: the stream is torn down and reopened inside RECONFIGURING.
        res = run_op(r.history, r.system, "reconfigure",
                     {"device": {"backend": "jack", "input_device": "system", "output_device": "system"},
                      "recovery": RECOVERY, "buffers": {"ring_blocks": 4}})
        assert fired.is_set(), "the fault never fired inside reconfigure"
        # Either the reconfigure made it through, or it failed with a device error and handed
        # over to recovery (outcome "info": it changed state before it raised).
        assert res.outcome == "ok" or isinstance(res.error, DeviceError), res
    else:
        records.append(r.injector.inject(fault))
    record = records[0]
    assert record is not None

    # The fault ends by itself (its duration on the injector's scheduler thread).
    wait_while_awake(lambda: record.ended_at is not None, WAIT_S, what="the fault to end")
    if fault_name in BREAKING and when == "reconfigure":
        # Inside reconfigure the dead/frozen device meets the stream being reopened: the operation
        # itself must notice - fail with a device error (then roll back or hand over to recovery)
        # - or wait the fault out and open the new stream on the device that came back.
        ended_op = [e for e in r.history.entries if e.type in ("ok", "fail", "info")][-1]
        rolled_back = bool(r.history.events("config_rolled_back"))
        recovered = r.recoveries() > counters0.get("recoveries", 0) or r.system.recovering
        waited_out = res.outcome == "ok" and ended_op.time >= record.ended_at
        # Or the reconfigure finished before the fault's end was recorded: its new stream opened
        # either on the dying server (a killed server takes a moment to die; on a loaded machine
        # the open can win), and the running system must then notice the broken device and
        # recover from it, as it would outside a reconfigure; or on the restarted one (the end is
        # recorded once the new server answers, measured 0.1 s after such an open at load 4),
        # and then its audio simply flows: 200 blocks (about a second) after the fault ended,
        # which no stream on a dead server delivers.
        opened_first = res.outcome == "ok" and not waited_out
        if opened_first:
            recoveries0, blocks_goal = counters0.get("recoveries", 0), r.callbacks() + 200
            try:
                wait_while_awake(lambda: r.recoveries() > recoveries0 or r.callbacks() >= blocks_goal, WAIT_S,
                           what="the system to recover from the device broken after its reconfigure, "
                                "or its new stream to play on the restarted server")
            except TimeoutError as exc:
                raise AssertionError(f"{exc}; state {r.system.state}\n{r.story()}") from None
        assert (isinstance(res.error, DeviceError) and (rolled_back or recovered)) or waited_out or opened_first, \
            f"{res}\n{r.story()}"
        record_property("reconfigure_path", "waited out" if waited_out else "opened first" if opened_first else
                        "rolled back" if rolled_back else "recovery")
    elif fault_name in BREAKING:
        try:
            wait_while_awake(lambda: r.recoveries() > counters0.get("recoveries", 0), WAIT_S,
                       what="the system to recover from the broken device")
        except TimeoutError as exc:
            raise AssertionError(f"{exc}; state {r.system.state}\n{r.story()}") from None
        assert any(t["to_state"] == "recovering" for t in r.history.transitions("system")), "never RECOVERING"
        errors = r.history.errors()
        assert any(e.data["error"]["type"] in ("DeviceLostError", "DeviceStalledError", "DeviceNotFoundError",
                                               "DeviceTimeoutError") for e in errors), r.story()
    wait_while_awake(lambda: r.system.state == before_state and not r.system.recovering, WAIT_S,
               what=f"the system back in {before_state}")
    r.wait_blocks(20)  # audio flows again on the (possibly new) stream
    assert r.system.is_healthy(), r.system.health()
    counters = r.system.metrics().counters

    if fault_name == "cpu_starvation":
        # JACK saw its client miss cycles; the system saw flagged blocks; nobody called it a dead device.
        flagged = counters.get("xruns", 0) - counters0.get("xruns", 0)
        assert r.rig.xruns > rig_xruns0 or flagged > 0, (r.rig.xruns, flagged)
        assert r.target.actions and r.target.actions[-1].done, r.target.notes
    if fault_name == "pulled_cable":
        # Silence, no error: a pulled cable must not look like a dead device (no false recovery).
        assert record.details["removed"], "no connection was pulled"
        if when != "reconfigure":
            assert r.recoveries() == counters0.get("recoveries", 0)
        assert r.target.actions[-1].method == "replug_cable"

    # Frames: still accounted for, and the outage measured (blocks the device did not deliver).
    assert check_frame_accounting(None, r.system).ok
    elapsed = r.system.clock.now() - t0
    delivered = (r.callbacks() - cb0) * PERIOD
    lost = max(0, round(elapsed * RATE) - delivered)
    record_property("frames_lost", lost)
    record_property("outage_s", lost / RATE)
    if fault_name in ("server_kill", "stall"):
        assert lost > RATE * 0.1, f"a {fault_name} lost only {lost} frames?"
    _assert_clean_close(r)


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
def test_stop_under_a_stalled_server_does_not_wait_the_control_timeout(rigged: Rigged) -> None:
    """SUT fix: stop() used to wait the whole control timeout while holding the op lock.

    The control timeout is raised to 20 s here so that the bound tells the two paths apart on a
    loaded machine: waiting it takes 20 s whatever the load, a stop that does not wait it (a
    stalled stream's host is killed at once, or asked with the short teardown bound) takes well
    under a second idle and a few seconds at a load average of 35, where a 1 s bound failed."""
    r = rigged
    r.system.backend.control_timeout_s = 20.0
    r.start()
    with r.rig.stalled_for():
        t0 = r.system.clock.now()
        assert run_op(r.history, r.system, "stop").ok
        took = r.system.clock.now() - t0
    assert took < 10.0, f"stop() took {took:.2f} s under a stalled server: it waited the control timeout"
    _assert_clean_close(r)


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
def test_alsa_route_server_kill_recovers_exactly_once() -> None:
    """SUT fix: the dead ALSA stream's late watchdog report used to start a second recovery."""
    from system_under_test.devices.portaudio import PortAudioBackend

    with LoopbackRig(rate=RATE, period=PERIOD) as rig:
        system = AudioSystem({"device": {"backend": "portaudio", "input_device": "jack", "output_device": "jack"},
                              "recovery": RECOVERY},
                             backend=PortAudioBackend(host_api="ALSA", jack_server=rig.server_name))
        history = History().attach(system)
        target = JackRigTarget(rig, system)
        try:
            system.initialize()
            system.start()
            wait_while_awake(lambda: system.metrics().counters.get("callbacks", 0) > 20, WAIT_S, what="audio")
            target.drop_device("jack")
            wait_while_awake(lambda: system.state == State.RECOVERING, WAIT_S, what="RECOVERING")
            target.return_device("jack")
            wait_while_awake(lambda: system.metrics().counters.get("recoveries", 0) >= 1, WAIT_S, what="recovery")
            # The dead stream's own watchdog (250 ms) has long fired by the time these blocks arrive.
            goal = system.metrics().counters["callbacks"] + int(0.5 * RATE / PERIOD)
            wait_while_awake(lambda: system.metrics().counters["callbacks"] >= goal, WAIT_S, what="0.5 s of audio")
            # each episode's cause, so that a second one says whether a stall of the starved
            # machine's or the dead stream's late report began it
            starts = [(e.time, (e.data or {}).get("error")) for e in history.events("recovery_started")]
            assert system.metrics().counters["recoveries"] == 1, starts
            assert len(starts) == 1, starts
            assert system.state == State.RUNNING
        finally:
            system.close()
            history.close()


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
def test_reliability_run_on_the_jack_rig_with_faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))  # not the shared reports/
    profile = tmp_path / "rig.toml"
    # Sparse device faults (seed 43: a dropout at 1.2 s, a stall at 4.56 s, xruns and callback_raises
    # between): the recovery invariant judges each fault cluster alone, so a new device fault inside
    # the previous one's recovery window would be blamed on the first (an invariant limitation).
    profile.write_text('name = "rig"\ncheck_every_s = 1.0\n[probabilities]\ndropout = 0.3\nstall = 0.3\n'
                       'xrun = 0.3\ncallback_raises = 0.5\n[params.dropout]\nduration_s = [0.1, 0.4]\n'
                       '[params.stall]\nduration_s = [0.05, 0.3]\n')
    spec = RunSpec(backend="jack", duration_s=6.0, seed=43, faults=str(profile), report_root=tmp_path,
                   # The recovery invariant allows max back-off + 0.5 s after a fault ends; a real
                   # reopen (server back, a fresh device host, PortAudio open) needs ~0.3-0.7 s.
                   config={"recovery": {**RECOVERY, "max_backoff_ms": 500}})
    run = ReliabilityRun(spec)
    kinds = {f.kind for f in run.schedule.faults}
    assert "callback_raises" in kinds and "dropout" in kinds, kinds  # the seed draws both
    result = run.execute()
    s = result.summary
    # every invariant held. The dropout is a server kill: the rig's capture reconnects and the
    # outage is a window of its own, so the audio is judged. clean_audio holds, unless the machine
    # gave a reason of its own to doubt it, which the verdict must then name: xruns it reported
    # (a loaded machine) or a stretch the rig could not hear. Nothing else may make it inconclusive.
    # (`recovery` may doubt too, only where the machine starved the supervisor: a recovery past its
    # deadline by no more than the supervisor's measured late timers cannot be told from the machine's)
    assert not s["violations"], s["violations"]
    assert set(result.verdict.inconclusive) <= {"clean_audio", "recovery"}, result.verdict
    checks = {c["name"]: c for c in result.verdict.checks}
    if "clean_audio" in result.verdict.inconclusive:
        why = checks["clean_audio"]["message"]
        assert "xrun" in why or "could not hear" in why, why
    if "recovery" in result.verdict.inconclusive:
        assert "starved the supervisor" in checks["recovery"]["message"], checks["recovery"]["message"]
    # (a glitch outside every window on a loaded machine that missed deadlines of its own is a
    # doubt as well, never a violation: audio_check.AudioCheck.verdict)
    assert s["audio"]["analysed"], s["audio"]
    assert s["backend"] == "jack" and s["final_state"] == "closed"
    assert s["faults"]["total"] > 0 and "callback_raises" not in s["faults"]["by_kind"]
    assert s["faults"]["by_kind"].get("dropout", 0) > 0 and s["recoveries"] > 0
    # Faults fire when the schedule says (seconds into the run), not all at once when armed.
    fired = sorted(f["fired_at"] for f in result.history.faults())
    assert fired[-1] - fired[0] > 2.0, fired
    assert all(s["invariants"].values())
    assert (result.run_dir / "summary.json").exists() and (result.run_dir / "history.jsonl").exists()
    assert (tmp_path / "history.sqlite").exists()
    skipped = [e for e in result.history.entries if e.type == "note" and e.value == "fault_skipped"]
    assert skipped and {e.data["kind"] for e in skipped} == {"callback_raises"}


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
def test_a_slow_start_on_a_real_device_does_not_bunch_the_faults(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Measured: at load average 16 the rig run above fired its 5 faults (meant for 1.2-4.6 s into
    the run) within 0.27 s. Its schedule counted from before the system's start, which on a
    loaded machine (a device host spawned, PortAudio initialised, the capture waited for) took
    seconds. A start made 3 s slow here: every fault still fires at its own offset after the
    system started running (plus the steady-state window), none early."""
    import time as _time

    from system_under_test import system as system_module

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    real_start = system_module.AudioSystem.start

    def slow_start(self: Any, *args: Any, **kwargs: Any) -> Any:
        _time.sleep(3.0)  # a start as slow as a starved machine's
        return real_start(self, *args, **kwargs)

    monkeypatch.setattr(system_module.AudioSystem, "start", slow_start)
    profile = tmp_path / "rig.toml"
    profile.write_text('name = "rig"\n[probabilities]\nxrun = 0.5\nstall = 0.3\n'
                       '[params.stall]\nduration_s = [0.05, 0.1]\n')
    spec = RunSpec(backend="jack", duration_s=4.0, seed=43, faults=str(profile), report_root=tmp_path)
    run = ReliabilityRun(spec)
    offsets = {f.fault_id: f.trigger.time for f in run.schedule.faults}
    assert offsets and min(offsets.values()) < 3.0, offsets  # faults the slow start would have fired early
    result = run.execute(reports=False)
    running = min(float(t["time"]) for t in result.history.transitions("system")
                  if t["to_state"] in (State.RUNNING, State.RUNNING.value))
    window = run.steady_window_s
    fired = {f["fault_id"]: f["fired_at"] for f in result.history.faults()}
    assert fired, "no fault fired"
    for fault_id, at in fired.items():
        assert at >= running + window + offsets[fault_id] - 0.05, (fault_id, at - running, offsets[fault_id])


def test_cli_run_on_jack_without_jackd_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli import main as cli_main

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no jackd on it
    code = cli_main(["run", "--backend", "jack", "--duration", "5", "--report-dir", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert "jackd is not installed" in err and "apt-get install jackd2" in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists(), "a run folder was created for a run that cannot start"


class _HeldOnce:
    """A DSP stage whose first block holds the callback until ``release`` is set (a lock held in
    the audio callback), bounded by ``WAIT_S``; every later block passes straight through."""

    kind = "held_once"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.held = threading.Event()

    def process(self, block: Any) -> Any:
        if not self.held.is_set():
            self.held.set()
            self.release.wait(WAIT_S)
        return block

    def reset(self) -> None:
        pass

    def output_channels(self, input_channels: int) -> int:
        return input_channels


def _stalls(r: Rigged) -> list[Any]:
    return [rec for rec in r.system.coordinator.errors() if rec.error.type == "DeviceStalledError"]


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: the waits count the rig's sleep
def test_a_stall_the_systems_own_callback_held_is_its_own_and_jackd_stopped_from_outside_is_the_machines(
        rigged: Rigged) -> None:
    """Whose xrun is it? On the JACK route a loaded machine reports xruns all the time, so the loss
    rule's "JACK reported xruns over the silence" excused a stall the system made itself. The
    system's watchdog now measures, at the report, whether its own callback had been running and
    whether the device kept calling back: a callback held (a lock in the DSP) until the stall is
    reported is the system's lateness, which no xrun report explains; jackd stopped from outside
    until a stall is reported is the machine's, as before. The xrun reports are given (36 over
    each silence): what is tested is the evidence the real device and watchdog put on each stall."""
    from system_under_test.dsp import Stage

    class Held(_HeldOnce, Stage):
        pass

    r = rigged
    r.start()
    stage = Held()
    first = len(_stalls(r))  # a loaded machine may have stalled the stream already: those are not judged here
    r.system.pipeline.chain.add_stage(stage)
    try:
        wait_while_awake(lambda: len(_stalls(r)) > first, WAIT_S, what="the system's watchdog to report the held callback")
    finally:
        stage.release.set()
    wait_while_awake(lambda: r.system.state == State.RUNNING and r.recoveries() >= 1, WAIT_S,
               what="the system to recover from its own stall")
    r.wait_blocks(20)
    second = len(_stalls(r))
    with r.rig.stalled_for():
        wait_while_awake(lambda: len(_stalls(r)) > second, WAIT_S, what="a stall while jackd is stopped")
    from harness.device_losses import device_losses

    stalls = [x for x in device_losses(r.history, lambda t0, t1: 36) if x.kind == "stalled"]
    own, machine = stalls[first], stalls[second]
    details = [dict(rec.error.details) for rec in (_stalls(r)[first], _stalls(r)[second])]
    assert stage.held.is_set()
    assert {"callback_running_s", "device_callbacks", "period_s", "callback_cpu_wait_s"} <= set(details[0]), details[0]
    assert own.explained_by is None, (own, details[0], r.story())
    assert own.own_lateness is not None and "its own lateness" in own.own_lateness, (own, details[0])
    assert machine.explained_by is not None, (machine, details[1], r.story())
    assert machine.explained_by.startswith("the machine: 36 JACK xrun report(s)"), machine
    _assert_clean_close(r)
