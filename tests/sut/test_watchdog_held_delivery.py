"""The watchdog confirms a stall with the stream's own evidence before it restarts the stream.

On the JACK rig at load 20-25 a healthy run recorded a recovery nobody caused: "no callback for
0.364 s", while the device had called back 52 times (277 ms of its 5.33 ms periods) and the
delivery thread, where the system takes its blocks, had waited 308 ms for a CPU. The stream was
served; the machine held the thread that takes its blocks. A restart cannot give a thread a CPU,
so that silence is counted (``delivery_held``) and is no stall; a device that stops calling back,
or a callback that holds its thread without waiting for a CPU, is still one.

The simulated device stands in for the stream (its device is stalled so no block reaches the
system); the evidence the real stream measures is given by the test, a function of the clock.
"""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test import AudioSystem, State
from system_under_test.system import HELD_SHARE, SERVED_SHARE, held_by_the_machine, waiting_now

#: 1/64 s blocks, a 4-period bound: exact in binary
_EXACT = {"stream": {"block_size": 750}, "watchdog": {"stall_periods": 4}}
PERIOD = 1 / 64


def _running() -> AudioSystem:
    s = AudioSystem(_EXACT, seed=5)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    return s


def _measured(s: AudioSystem, last: float, *, served: float, waiting: float) -> None:
    """The stream measures, since its last block at ``last``: the device called back through
    ``served`` of the silence, and the delivery thread waited for a CPU through ``waiting`` of it."""
    stream: Any = s.stream
    stream.device_callbacks_since_block = lambda: int(served * (s.clock.now() - last) / PERIOD)
    stream.delivery_cpu_wait_since_block = lambda: waiting * (s.clock.now() - last)
    stream.delivery_cpu_run_since_block = lambda: 0.0005


def _stalls(s: AudioSystem) -> list[Any]:
    return [r for r in s.coordinator.errors() if r.error.type == "DeviceStalledError"]


def test_a_silence_the_device_served_and_the_machine_held_the_thread_through_is_no_stall() -> None:
    """Fails without ``held_by_the_machine`` in the watchdog: the stall is reported and the system
    recovers a stream that was never lost."""
    s = _running()
    s.backend.stall("sim-in")  # no block reaches the system
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=0.8, waiting=0.85)
    s.clock.run_until(last + 1.0)  # sixteen bounds of silence
    assert _stalls(s) == []
    counters = s.metrics().counters
    assert counters.get("device_stalls", 0) == 0 and counters["delivery_held"] == 1  # once a silence
    assert s.state == State.RUNNING
    s.close()


def test_the_same_silence_is_a_stall_once_the_device_stops_calling_back() -> None:
    s = _running()
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=0.8, waiting=0.85)
    s.clock.run_until(last + 0.5)
    assert _stalls(s) == []
    stopped_at = s.clock.now()
    calls = s.stream.device_callbacks_since_block()  # type: ignore[attr-defined]
    s.stream.device_callbacks_since_block = lambda: calls  # type: ignore[attr-defined]  # no callback since
    s.clock.run_until(stopped_at + 0.5)
    stalls = _stalls(s)
    assert stalls, "the device stopped calling back and no stall was reported"
    record = stalls[0]
    assert record.error.details["device_callbacks"] == calls
    assert record.error.details["device_callbacks"] * PERIOD < SERVED_SHARE * record.error.details["stalled_for_s"]
    s.close()


@pytest.mark.parametrize("served, waiting, why", [
    (0.0, 0.9, "the device stopped calling back (its server stopped): the thread's wait does not excuse it"),
    (0.9, 0.1, "the callback held its thread (a lock, a slow block) while the device was served"),
])
def test_a_silence_the_evidence_does_not_lay_on_the_machine_is_reported_at_the_bound(
        served: float, waiting: float, why: str) -> None:
    s = _running()
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=served, waiting=waiting)
    s.clock.run_until(last + 4 * PERIOD)
    assert _stalls(s) == [], why
    s.clock.run_until(last + 4 * PERIOD + 1 / 1024)
    assert len(_stalls(s)) == 1, why
    assert s.metrics().counters.get("delivery_held", 0) == 0
    s.close()


def test_the_rule_needs_both_measures_and_takes_the_measured_rig_stall_as_the_machine_s() -> None:
    rig = {"device_callbacks": 52, "period_s": 256 / 48_000, "callback_cpu_wait_s": 0.308, "callback_running_s": 0.040}
    assert held_by_the_machine(rig, 0.364)
    assert not held_by_the_machine({**rig, "device_callbacks": 0}, 0.364)  # jackd stopped: no callback
    assert not held_by_the_machine({**rig, "callback_cpu_wait_s": 0.01}, 0.364)  # a callback that held its thread
    for missing in ("device_callbacks", "period_s", "callback_cpu_wait_s"):
        assert not held_by_the_machine({k: v for k, v in rig.items() if k != missing}, 0.364)
    assert not held_by_the_machine({}, 0.364)  # the simulated device measures nothing
    # the shares' edges: exactly at each share is enough, just under it is not
    silent = 1.0
    at = {"device_callbacks": 32, "period_s": SERVED_SHARE * silent / 32, "callback_cpu_wait_s": HELD_SHARE * silent}
    assert held_by_the_machine(at, silent)
    assert not held_by_the_machine({**at, "device_callbacks": 31}, silent)
    assert not held_by_the_machine({**at, "callback_cpu_wait_s": HELD_SHARE * silent * 0.99}, silent)


def test_a_thread_held_off_a_cpu_since_the_silence_began_is_held_though_its_measured_wait_is_zero() -> None:
    """Measured on the rig (``test_rig_held_delivery.py``): the delivery thread held 1 s under
    ``SCHED_IDLE`` never got a CPU, so its ``schedstat`` held none of the wait (the kernel adds a
    wait when it ends): "no callback for 0.255 s" with 47 device callbacks, ``callback_cpu_wait_s``
    0.0. Fails without ``waiting_now``: the rule read no wait and reported the stall."""
    period = 256 / 48_000
    rig = {"device_callbacks": 47, "period_s": period, "callback_cpu_wait_s": 0.0, "callback_running_s": 0.0,
           "callback_cpu_s": 0.0004, "delivery_waiting_s": 0.252}
    assert waiting_now(rig, 0.255) == pytest.approx(0.252 - (0.255 - 47 * period) - period)
    assert held_by_the_machine(rig, 0.255)
    assert not held_by_the_machine({**rig, "delivery_waiting_s": 0.0}, 0.255)  # asleep: not waiting for a CPU
    assert not held_by_the_machine({k: v for k, v in rig.items() if k != "delivery_waiting_s"}, 0.255)
    # a runnable thread whose device stopped calling back: the time it may have slept waiting for
    # a tick is no wait for a CPU (jackd stopped: 5 callbacks in the silence), and the device
    # was not served either
    assert waiting_now({**rig, "device_callbacks": 5}, 0.255) < 0.1 * 0.255
    assert not held_by_the_machine({**rig, "device_callbacks": 5}, 0.255)
    # a callback running that computed (a period of CPU or more since the block), or with its
    # time on a CPU unmeasured: the system's
    computing = {**rig, "callback_running_s": 0.2, "callback_cpu_s": period}
    assert waiting_now(computing, 0.255) == 0.0
    assert not held_by_the_machine(computing, 0.255)
    unmeasured = {k: v for k, v in rig.items() if k != "callback_cpu_s"}
    assert waiting_now({**unmeasured, "callback_running_s": 0.2}, 0.255) == 0.0
    # blocked in it (not runnable): the system's
    assert not held_by_the_machine({**rig, "callback_running_s": 0.2, "delivery_waiting_s": 0.0}, 0.255)
    # never more than the silence itself
    assert waiting_now({**rig, "delivery_waiting_s": 9.0}, 0.255) <= 0.255


def test_a_threads_state_is_read_from_its_stat_whatever_its_name() -> None:
    """``thread_runnable`` reads the field after the name's last parenthesis: a thread named with
    spaces and parentheses is still read; this thread, running the test, is runnable."""
    import threading

    from system_under_test.devices.portaudio import thread_runnable

    assert thread_runnable(threading.get_native_id()) is True
    asleep = threading.Event()
    done = threading.Event()
    tid: list[int] = []

    def sleeper() -> None:
        tid.append(threading.get_native_id())
        asleep.set()
        done.wait(30)

    t = threading.Thread(target=sleeper, name="a (b) c")
    t.start()
    try:
        assert asleep.wait(30)
        for _ in range(1000):  # it blocks in done.wait a moment after setting ``asleep``
            if thread_runnable(tid[0]) is False:
                break
            threading.Event().wait(0.001)
        assert thread_runnable(tid[0]) is False
    finally:
        done.set()
        t.join(30)
    assert thread_runnable(2**31 - 1) is None  # no such thread


def test_a_thread_preempted_inside_a_callback_it_barely_ran_is_held() -> None:
    """Measured on the rig at load 15 (``test_rig_held_delivery.py``, 1 of 8 holds missed there):
    the held thread got a slice, began a callback and lost the CPU in it. "no callback for
    0.452 s": 67 device callbacks, the callback under way for 0.314 s with 0.4 ms of CPU since
    the block, 0.225 s of completed wait (just under ``HELD_SHARE``), runnable for 0.452 s. Fails
    without the callback's CPU read in ``waiting_now``: a callback under way counted no wait, and
    the system recovered a stream that was never lost."""
    period = 256 / 48_000
    rig = {"device_callbacks": 67, "period_s": period, "callback_running_s": 0.31395964400144294,
           "callback_cpu_wait_s": 0.22470584600000004, "delivery_waiting_s": 0.4517868319962872,
           "callback_cpu_s": 0.00041057499999999636}
    silent = 0.4517033669981174
    assert rig["callback_cpu_wait_s"] < HELD_SHARE * silent  # the measured wait alone falls short
    assert waiting_now(rig, silent) == pytest.approx(silent - (silent - 67 * period) - period - rig["callback_cpu_s"])
    assert held_by_the_machine(rig, silent)
    # the same thread having computed a period in the callback: the system's, a stall
    assert not held_by_the_machine({**rig, "callback_cpu_s": period}, silent)
    # asleep in the callback (a lock, a blocking call): the system's
    assert not held_by_the_machine({**rig, "delivery_waiting_s": 0.0}, silent)
    # the device stopped calling back (jackd stopped): a stall whatever the thread did
    assert not held_by_the_machine({**rig, "device_callbacks": 5}, silent)


def test_the_held_silence_is_told_from_its_last_callback_to_the_next() -> None:
    """``held_silences``: where the listening check finds the silence the machine held (open while
    no callback came, ended at the first one after it); none for a silence reported as a stall."""
    s = _running()
    assert s.held_silences() == ([], None, 0)
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=0.8, waiting=0.85)
    s.clock.run_until(last + 1.0)
    assert s.held_silences() == ([], last, 0)  # open: no callback yet
    s.backend.unstall("sim-in")
    s.run_for(0.1)
    (span,), open_t0, unkept = s.held_silences()
    assert open_t0 is None and unkept == 0
    assert span[0] == last and last + 1.0 <= span[1] <= last + 1.0 + 2 * PERIOD, span
    assert s.stream.stats.last_callback_at > span[1] - PERIOD
    # a stall (the device stops calling back) is no held silence
    t = s.stream.stats.last_callback_at
    s.backend.stall("sim-in")
    _measured(s, t, served=0.0, waiting=0.85)
    s.clock.run_until(t + 1.0)
    assert len(s.held_silences()[0]) == 1 and s.held_silences()[1] is None
    assert _stalls(s)


def test_nothing_is_held_in_no_silence_or_with_a_figure_missing() -> None:
    served = {"device_callbacks": 64, "period_s": PERIOD, "callback_cpu_wait_s": 1.0}
    assert held_by_the_machine(served, 1.0)
    assert not held_by_the_machine(served, 0.0) and not held_by_the_machine(served, -1.0)
    for missing in served:
        assert not held_by_the_machine({k: v for k, v in served.items() if k != missing}, 1.0)
    # the wait the thread is in now needs the device's figures too
    now = {"delivery_waiting_s": 0.875, "device_callbacks": 48, "period_s": PERIOD}
    assert waiting_now(now, 1.0) == 0.875 - 0.25 - PERIOD  # runnable, less the 0.25 s unserved, less a period
    for missing in ("device_callbacks", "period_s", "delivery_waiting_s"):
        assert waiting_now({k: v for k, v in now.items() if k != missing}, 1.0) == 0.0


class _Spec:
    def __init__(self, **devices: Any) -> None:
        self.__dict__.update(devices)


class _Stream:
    def __init__(self, spec: Any) -> None:
        self.spec = spec


#: (the stream's spec, the stall's device details)
DEVICES: list[tuple[Any, dict[str, str]]] = [
    (_Spec(input_device="hw:1", output_device="hw:1"),
     {"device": "hw:1", "input_device": "hw:1", "output_device": "hw:1"}),
    (_Spec(input_device="mic", output_device="dac"), {"device": "mic/dac", "input_device": "mic", "output_device": "dac"}),
    (_Spec(input_device="mic", output_device=None), {"device": "mic", "input_device": "mic", "output_device": ""}),
    (_Spec(input_device=None, output_device="dac"), {"device": "dac", "input_device": "", "output_device": "dac"}),
    (_Spec(input_device=3, output_device=""), {"device": "3", "input_device": "3", "output_device": ""}),
    (_Spec(output_device="dac"), {"device": "dac", "input_device": "", "output_device": "dac"}),
    (_Spec(input_device="mic"), {"device": "mic", "input_device": "mic", "output_device": ""}),
    (_Spec(input_device=None, output_device=None), {}),
    (_Spec(), {}),
]


@pytest.mark.parametrize(("spec", "details"), DEVICES)
def test_a_stall_names_the_devices_its_stream_was_opened_on(spec: Any, details: dict[str, str]) -> None:
    from system_under_test.system import _stream_devices

    assert _stream_devices(_Stream(spec)) == details
    assert _stream_devices(object()) == {}  # a stream without a spec


def _held_once(s: AudioSystem) -> None:
    """One held silence, ended: the device stalls for a second while the evidence lays it on the
    machine (``_measured``: the device called back through 80 % of it, the delivery thread waited
    for a CPU through 85 %), then a callback ends it."""
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=0.8, waiting=0.85)
    s.clock.run_until(last + 1.0)
    s.backend.unstall("sim-in")
    s.run_for(0.1)


def test_the_held_silences_kept_stop_at_their_bound_and_the_rest_are_counted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``held_silences`` keeps the first ``HELD_KEPT`` ended silences and counts the others: a
    machine that holds the delivery thread all run long must not grow the list without end, and
    the listener must learn how many it was not given. The bound is lowered to 3 so that five
    silences cross it; each is made as in the test above (stalled device, evidence laid on the
    machine, then a callback ends it)."""
    monkeypatch.setattr("system_under_test.system.HELD_KEPT", 3)
    s = _running()
    for n in range(1, 6):
        _held_once(s)
        spans, open_t0, unkept = s.held_silences()
        assert open_t0 is None
        assert (len(spans), unkept) == (min(n, 3), max(0, n - 3)), (n, spans, unkept)
    assert _stalls(s) == []
    s.close()


class _Running:
    """A pipeline whose callback has been running ``running`` s (None: a virtual clock)."""

    def __init__(self, running: float | None) -> None:
        self.running = running

    def callback_running_s(self) -> float | None:
        return self.running


class _Measuring:
    """A stream that measures every figure of a stall's evidence, each a known value (by default
    those of ``_FIGURES``)."""

    def __init__(self, callbacks: int = 47, cpu_wait: float = 0.25, waiting: float = 0.375,
                 cpu_run: float = 0.0005) -> None:
        self.callbacks, self.cpu_wait, self.waiting, self.cpu_run = callbacks, cpu_wait, waiting, cpu_run

    def device_callbacks_since_block(self) -> Any:
        import numpy as np

        return np.int64(self.callbacks)  # a count as numpy gives it: the details hold a Python int

    def delivery_cpu_wait_since_block(self) -> float:
        return self.cpu_wait

    def delivery_waiting_s(self) -> float:
        return self.waiting

    def delivery_cpu_run_since_block(self) -> float:
        return self.cpu_run


#: each figure of the evidence: the stream's method, the details' keys it gives
_FIGURES = {
    "device_callbacks_since_block": {"device_callbacks": 47, "period_s": PERIOD},
    "delivery_cpu_wait_since_block": {"callback_cpu_wait_s": 0.25},
    "delivery_waiting_s": {"delivery_waiting_s": 0.375},
    "delivery_cpu_run_since_block": {"callback_cpu_s": 0.0005},
}


def test_a_stall_s_evidence_is_every_figure_the_stream_measures_under_its_own_key() -> None:
    evidence = AudioSystem._stall_evidence(_Running(0.125), _Measuring(), PERIOD)
    assert evidence == {"callback_running_s": 0.125, "device_callbacks": 47, "period_s": PERIOD,
                        "callback_cpu_wait_s": 0.25, "delivery_waiting_s": 0.375, "callback_cpu_s": 0.0005}
    assert type(evidence["device_callbacks"]) is int
    # no callback under way is a figure too (0.0); a virtual clock's pipeline has none (None)
    assert AudioSystem._stall_evidence(_Running(0.0), object(), PERIOD) == {"callback_running_s": 0.0}
    assert AudioSystem._stall_evidence(_Running(None), object(), PERIOD) == {}


@pytest.mark.parametrize("method", list(_FIGURES))
def test_each_figure_of_a_stall_s_evidence_is_read_alone_and_only_from_its_own_method(method: str) -> None:
    """A stream that measures one figure gives that figure's keys alone; one whose method answers
    None (nothing measured yet), or that holds a value where the method should be, gives none."""

    class _One:
        pass

    one = _One()
    setattr(one, method, getattr(_Measuring(), method))
    assert AudioSystem._stall_evidence(_Running(None), one, PERIOD) == _FIGURES[method]
    unmeasured = _One()
    setattr(unmeasured, method, lambda: None)
    assert AudioSystem._stall_evidence(_Running(None), unmeasured, PERIOD) == {}
    not_callable = _One()
    setattr(not_callable, method, 3.0)
    assert AudioSystem._stall_evidence(_Running(None), not_callable, PERIOD) == {}


@pytest.mark.parametrize("method", list(_FIGURES))
def test_a_figure_measured_as_zero_is_kept_in_a_stall_s_evidence(method: str) -> None:
    """Zero is a measurement (no device callback since the block, no wait for a CPU yet, a thread
    asleep, no CPU run), not a figure missing: the stall judge reads a missing figure as nothing
    measured and never lays the silence on the machine."""

    class _One:
        pass

    one = _One()
    setattr(one, method, lambda: 0)
    assert AudioSystem._stall_evidence(_Running(None), one, PERIOD) == \
        {key: (PERIOD if key == "period_s" else 0) for key in _FIGURES[method]}


def test_the_rig_s_stall_with_no_wait_measured_yet_is_the_machine_s_read_from_the_stream() -> None:
    """The rig's stall above ("no callback for 0.255 s", 47 device callbacks), its figures read from
    the stream as the watchdog reads them: a thread held off a CPU since the silence began has a
    measured wait of 0.0 s, which stays in the evidence, and the silence is the machine's."""
    held = _Measuring(callbacks=47, cpu_wait=0.0, waiting=0.252, cpu_run=0.0004)
    evidence = AudioSystem._stall_evidence(_Running(0.0), held, 256 / 48_000)
    assert evidence["callback_cpu_wait_s"] == 0.0
    assert held_by_the_machine(evidence, 0.255)


@pytest.mark.parametrize(("floor", "bound"), [
    (None, "(4 periods of 15.62 ms)"),  # a stream that keeps no floor of its own
    (0.0, "(4 periods of 15.62 ms)"),
    (0.25, "(4 periods of 15.62 ms, the stream's floor 250 ms)"),
])
def test_a_stall_report_names_the_bound_it_passed_and_the_stream_s_floor_only_if_it_has_one(
        floor: float | None, bound: str) -> None:
    s = _running()

    class _Stream:
        pass

    stream = _Stream()
    if floor is not None:
        stream.min_stall_s = floor  # type: ignore[attr-defined]
    s._report_stall(stream, s.config, "no callback for 0.100 s", 0.1, {"device": "sim"})  # type: ignore[arg-type]
    (record,) = _stalls(s)
    assert record.error.message == f"no callback for 0.100 s {bound}"
    assert record.error.details == {"stalled_for_s": 0.1, "device": "sim"}
    assert s.metrics().counters["device_stalls"] == 1
    s.close()


#: a thread runnable for 0.875 s of a 1 s silence, the device calling back on time through it
_RUNNABLE = {"delivery_waiting_s": 0.875, "device_callbacks": 64, "period_s": PERIOD, "callback_cpu_wait_s": 0.0}


@pytest.mark.parametrize(("evidence", "wait", "held"), [
    # the device served every period: nothing unserved, the runnable time less a period
    (_RUNNABLE, 0.875 - PERIOD, True),
    # a device that called back more often than the silence's periods (a burst after a late
    # wakeup) served no less: its extra callbacks are no extra wait, never more than the thread
    # was runnable
    ({**_RUNNABLE, "device_callbacks": 80}, 0.875 - PERIOD, True),
    # a callback under way that has had no CPU at all since the block (its thread preempted as it
    # began): a measured 0.0 s of CPU is less than a period, so the wait is the machine's
    ({**_RUNNABLE, "callback_running_s": 0.5, "callback_cpu_s": 0.0}, 0.875 - PERIOD, True),
    # the same callback with a period of CPU: computing, the system's
    ({**_RUNNABLE, "callback_running_s": 0.5, "callback_cpu_s": PERIOD}, 0.0, False),
    # its CPU time unmeasured: nothing laid on the machine
    ({k: v for k, v in {**_RUNNABLE, "callback_running_s": 0.5}.items()}, 0.0, False),
])
def test_the_wait_now_is_the_runnable_time_less_what_was_unserved_and_what_the_callback_ran(
        evidence: dict[str, float], wait: float, held: bool) -> None:
    """``waiting_now`` on the boundaries of its rule, with the answer each way: unserved time is
    never negative (a device that called back often adds no wait), and a callback's CPU time of
    0.0 is a measure (none ran), not a missing one."""
    assert waiting_now(evidence, 1.0) == wait
    assert waiting_now(evidence, 1.0) <= evidence["delivery_waiting_s"] - PERIOD or wait == 0.0
    assert held_by_the_machine(evidence, 1.0) is held


def test_a_held_silence_a_new_stream_ends_ends_at_that_stream_s_start() -> None:
    """A silence still open when a reconfiguration replaces the stream ends where the new stream
    begins, after the silence began: the end the watchdog takes is always later than the start
    (``_end_held`` is given the new reference itself, never the time of the pass)."""
    s = _running()
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    _measured(s, last, served=0.8, waiting=0.85)
    s.clock.run_until(last + 1.0)
    assert s.held_silences() == ([], last, 0)
    s.backend.unstall("sim-in")
    reconfigured_at = s.clock.now()
    s.reconfigure({**_EXACT, "stream": {"block_size": 375}})
    s.run_for(0.1)
    (span,), open_t0, unkept = s.held_silences()
    assert open_t0 is None and unkept == 0
    # the new stream's start, which its first watchdog pass notes at the reconfiguration's instant
    assert span == (last, reconfigured_at) and last < reconfigured_at < s.clock.now(), span
    assert _stalls(s) == []
    s.close()


def test_the_held_silences_a_listener_took_are_its_own_copy() -> None:
    """``held_silences`` is a read: a listener that keeps what it was given (the listening check
    keeps the spans it took at a checkpoint) sees it unchanged by a silence that ends later, and
    what it does to it is not the watchdog's."""
    s = _running()
    _held_once(s)
    taken, _, _ = s.held_silences()
    assert len(taken) == 1
    _held_once(s)
    assert len(taken) == 1  # the listener's copy: the second silence is not in it
    taken.clear()
    spans, open_t0, unkept = s.held_silences()
    assert (len(spans), open_t0, unkept) == (2, None, 0)
    assert _stalls(s) == []
    s.close()
