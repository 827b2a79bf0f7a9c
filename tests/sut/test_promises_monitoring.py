"""Monitoring only measures: reading metrics, snapshots and summaries never changes what a later
reader sees, and what a reader got back is its own copy (scribbling on it changes nothing)."""

from __future__ import annotations

import copy
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from system_under_test import AudioSystem
from system_under_test.errors import DeviceLostError
from system_under_test.lifecycle import State
from system_under_test.system import SYSTEM
from system_under_test.monitoring import Histogram, MonitoringCoordinator

NAMES = st.sampled_from(["xruns", "callbacks", "custom_a", "custom_b"])
GNAMES = st.sampled_from(["latency_ms", "cpu_load", "custom_g"])
HNAMES = st.sampled_from(["custom_h", "custom_h", "callback_duration_s"])
VALUES = st.floats(-1e6, 1e6, allow_nan=False)

WRITES = st.one_of(
    st.tuples(st.just("inc"), NAMES, st.integers(0, 1000)),
    st.tuples(st.just("set"), GNAMES, VALUES),
    st.tuples(st.just("observe"), HNAMES, VALUES),
)
READS = st.one_of(
    st.tuples(st.just("snapshot"), st.floats(0, 100)),
    st.tuples(st.just("value"), st.sampled_from(["xruns", "custom_a", "never_written"])),
    st.tuples(st.just("summary"), HNAMES),
    st.tuples(st.just("samples"), HNAMES),
    st.tuples(st.just("percentiles"), HNAMES),
)


def _write(m: MonitoringCoordinator, op) -> None:
    kind, name, v = op
    if kind == "inc":
        m.counter(name).inc(v)
    elif kind == "set":
        m.gauge(name).set(v)
    else:
        m.histogram(name).observe(v)


def _read_and_scribble(m: MonitoringCoordinator, op) -> object:
    """Read, read again (the same answer), then scribble on what came back."""
    kind, arg = op
    if kind == "snapshot":
        first, second = m.snapshot(arg), m.snapshot(arg)
        assert first == second
        d = first.to_dict()
        first.counters["xruns"] = -1
        first.gauges.clear()
        for h in first.histograms.values():
            h["count"] = -1
        d["counters"]["callbacks"] = -7
        return second
    if kind == "value":
        first, second = m.value(arg), m.value(arg)
        assert first == second
        return first
    h = m.histograms.get(arg)
    if h is None:
        return None  # asking through histogram() would create it: a reader looks, it does not ask
    if kind == "summary":
        a, b = h.summary(), h.summary()
        assert a == b
        a["count"] = -1
        return b
    if kind == "percentiles":
        a, b = h.percentiles(), h.percentiles()
        assert a == b
        a.clear()
        return b
    a, b = h.samples(), h.samples()
    assert np.array_equal(a, b)
    a[:] = 12345.0
    return b


def _state(m: MonitoringCoordinator) -> dict:
    """What is stored, read field by field (not through the reads under test)."""
    return {
        "counters": {n: c.value for n, c in m.counters.items()},
        "gauges": {n: (g.value, g.max) for n, g in m.gauges.items()},
        "histograms": {n: (h.count, h.total, h.max, h.min, h._n, h._ring.tobytes())
                       for n, h in m.histograms.items()},
    }


#: past the end of the small reservoir, a read of each kind, then more writes
WRAPPED = [("observe", "custom_h", float(v)) for v in range(6)]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(WRITES, READS), min_size=8, max_size=40))
@example([*WRAPPED, ("samples", "custom_h"), ("observe", "custom_h", 9.0)])
@example([*WRAPPED, ("summary", "custom_h"), ("percentiles", "custom_h"), ("observe", "custom_h", -9.0),
          ("snapshot", 1.0), ("value", "never_written"), ("inc", "xruns", 1), ("set", "custom_g", 2.0)])
def test_reads_never_change_what_a_later_reader_sees(ops):
    read = MonitoringCoordinator()
    unread = MonitoringCoordinator()
    for m in (read, unread):  # a small reservoir, so the runs wrap around it
        m.histograms["custom_h"] = Histogram("custom_h", capacity=4)
    for op in ops:
        if op[0] in ("inc", "set", "observe"):
            _write(read, op)
            _write(unread, op)
        else:
            _read_and_scribble(read, op)
    assert _state(read) == _state(unread)


def test_the_scribbles_do_reach_the_copies():
    """The property above can fail: the reads hand out objects a reader can change."""
    m = MonitoringCoordinator()
    m.counter("xruns").inc(3)
    m.histogram("custom_h").observe(1.0)
    snap = m.snapshot(0.0)
    _read_and_scribble(m, ("snapshot", 0.0))
    samples = m.histograms["custom_h"].samples()
    samples[:] = 5.0
    assert snap.counters["xruns"] == 3 and m.value("xruns") == 3
    assert m.histograms["custom_h"].samples().tolist() == [1.0]


def test_a_snapshots_dict_is_the_readers_own_copy():
    """``to_dict()`` (what the reports and the journal serialise) hands out a copy at every level:
    scribbling on one changes neither the snapshot nor the next ``to_dict()``."""
    m = MonitoringCoordinator()
    m.counter("xruns").inc(2)
    m.gauge("latency_ms").set(5.0)
    m.histogram("custom_h").observe(0.25)
    snap = m.snapshot(3.0)
    want = copy.deepcopy(snap.to_dict())
    d = snap.to_dict()
    d["time"] = -1.0
    d["counters"]["xruns"] = -1
    d["gauges"].clear()
    d["histograms"]["custom_h"]["count"] = -1
    d["histograms"]["custom_h"].clear()
    d["histograms"]["scribbled"] = {}
    assert snap.to_dict() == want
    assert snap.histograms["custom_h"]["count"] == 1 and "scribbled" not in snap.histograms


#: callback timings measured with the host's performance counter, not the virtual clock
WALL_TIMED = ("callback_duration_s", "callback_load")


def _drive(system: AudioSystem, *, read: bool) -> dict:
    system.initialize()
    system.start()
    for step in range(12):
        system.run_for(0.05)
        if step == 4:
            system.backend.remove_device("sim-in")
        if step == 7:
            system.backend.restore_device("sim-in")
        if read:
            a, b = system.metrics(), system.metrics()
            assert a.counters == b.counters and a.gauges == b.gauges
            system.health()
            system.frame_accounts()
            system.is_healthy()
            system.monitoring.snapshot(system.clock.now()).counters.clear()
    system.run_for(1.0)
    metrics = system.metrics().to_dict()
    for name in WALL_TIMED:  # measured on the host's clock: they differ between any two runs
        metrics["histograms"].pop(name)
    metrics["gauges"].pop("cpu_load")
    out = {"metrics": metrics, "raw": _state(system.monitoring),
           "history": [r.to_dict() for r in system.coordinator.history.records()],
           "accounts": system.frame_accounts()}
    system.close()
    return out


def test_a_system_read_at_every_step_behaves_like_one_nobody_watched():
    watched = _drive(AudioSystem({}, seed=21), read=True)
    unwatched = _drive(AudioSystem({}, seed=21), read=False)
    assert watched["history"] == unwatched["history"]
    assert watched["metrics"] == unwatched["metrics"]
    assert watched["accounts"] == unwatched["accounts"]
    for name in WALL_TIMED:
        watched["raw"]["histograms"].pop(name), unwatched["raw"]["histograms"].pop(name)
    watched["raw"]["gauges"].pop("cpu_load"), unwatched["raw"]["gauges"].pop("cpu_load")
    assert watched["raw"] == unwatched["raw"]
    assert watched["metrics"]["counters"]["recoveries"] == 1  # the run did go through a recovery


# -- what each metric reports (the report schema reads these exact names and values) ----------
def test_metrics_carry_their_names_and_start_at_zero():
    m = MonitoringCoordinator()
    for name, c in m.counters.items():
        assert c.name == name and c.value == 0
    for name, g in m.gauges.items():
        assert g.name == name and (g.value, g.max) == (0.0, 0.0)
    for name, h in m.histograms.items():
        assert h.name == name and h.count == 0
    for make, registry in ((m.counter, m.counters), (m.gauge, m.gauges), (m.histogram, m.histograms)):
        created = make("new_metric")
        assert created.name == "new_metric" and registry["new_metric"] is created
        assert make("new_metric") is created and None not in registry


def test_a_systems_metrics_name_the_report_schemas_standard_metrics_each_under_its_kind():
    """Every system's metrics, from the first snapshot on, carry the standard names of the report
    schema (``final_metrics`` in report.json): a run with no recovery still reports
    ``recovery_time_s`` and ``detect_time_s`` (count 0), and a gauge is never also a histogram."""
    s = AudioSystem({}, seed=1)
    s.initialize()
    s.start()
    s.run_for(0.05)
    snap = s.metrics()
    assert set(snap.histograms) == {"callback_duration_s", "callback_load", "recovery_time_s", "detect_time_s"}
    assert set(snap.gauges) == {"buffer_fill_input", "buffer_fill_output", "pool_in_use", "latency_ms",
                                "cpu_load"}
    assert snap.histograms["recovery_time_s"]["count"] == 0 and snap.histograms["detect_time_s"]["count"] == 0
    assert {"callbacks", "xruns", "device_losses", "recoveries"} <= set(snap.counters)
    s.close()


#: the counters a reader of a run's metrics (the harness's judges, report.json's ``final_metrics``)
#: finds in every snapshot, each named here rather than read from the system's own list, so that a
#: name lost from that list fails here
COUNTERS_FROM_THE_START = (
    "callbacks", "xruns", "frames_captured", "frames_played", "frames_dropped", "frames_inserted",
    "errors", "callback_errors", "recoveries", "recovery_failures", "pool_exhaustions",
    "status_input_underflow", "status_input_overflow", "status_output_underflow",
    "status_output_overflow", "budget_overruns", "device_losses", "device_stalls",
)


def test_every_standard_counter_is_in_the_first_snapshot_at_zero_not_made_at_its_first_count():
    """A counter made only when it first counts is missing from every snapshot before that: a
    stall-free run's report would say nothing of ``device_stalls`` (0 is the figure), and the
    ``stalls_counted`` judge, which reads the counter at each snapshot, would have none to read."""
    s = AudioSystem({}, seed=1)
    s.initialize()
    counters = s.metrics().counters
    assert {name: counters.get(name) for name in COUNTERS_FROM_THE_START} == dict.fromkeys(COUNTERS_FROM_THE_START, 0)
    s.close()


def test_a_gauge_keeps_its_highest_value():
    m = MonitoringCoordinator()
    g = m.gauge("fill")
    g.set(0.5)
    g.set(0.25)
    assert (g.value, g.max) == (0.25, 0.5)
    g.set(-1.0)
    assert (g.value, g.max) == (-1.0, 0.5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_a_gauges_max_is_the_largest_value_it_was_ever_set_to(values):
    """The high-water mark takes every value set, the latest too (a fill's one-off peak just before
    a stop is the one that matters); it starts at 0.0, so it is never below that."""
    g = MonitoringCoordinator().gauge("fill")
    for v in values:
        g.set(v)
    assert g.value == values[-1]
    assert g.max == max(0.0, *values)


def test_a_snapshot_reports_each_metrics_current_value():
    """A snapshot is what a reader sees now: a gauge's value (not its high-water mark), a
    counter's count, a histogram's summary."""
    m = MonitoringCoordinator()
    m.gauge("fill").set(0.5)
    m.gauge("fill").set(0.25)
    m.counter("xruns").inc(3)
    m.histogram("h").observe(2.0)
    snap = m.snapshot(1.5)
    assert snap.gauges["fill"] == 0.25 and snap.gauges["latency_ms"] == 0.0
    assert snap.counters["xruns"] == 3
    assert snap.histograms["h"] == m.histograms["h"].summary()


def test_an_empty_histogram_reports_zeros():
    h = Histogram("x", capacity=4)
    assert h.percentiles() == {"p50": 0.0, "p90": 0.0, "p99": 0.0, "p99.9": 0.0}
    assert h.summary() == {"count": 0, "mean": 0.0, "max": 0.0, "min": 0.0,
                           "p50": 0.0, "p90": 0.0, "p99": 0.0, "p99.9": 0.0}


def test_a_histogram_summary_is_exact():
    h = Histogram("x", capacity=8)
    for v in (2.0, 4.0, 9.0):
        h.observe(v)
    s = h.summary()
    assert {k: s[k] for k in ("count", "mean", "max", "min", "p50")} == {
        "count": 3, "mean": 5.0, "max": 9.0, "min": 2.0, "p50": 4.0}
    neg = Histogram("y", capacity=2)
    neg.observe(-3.0)
    assert (neg.summary()["max"], neg.summary()["min"]) == (-3.0, -3.0)


def test_a_full_reservoir_s_percentiles_follow_every_sample_observed_after_it_filled():
    """A summary's percentiles are computed again once a sample was observed since they last were.
    A full reservoir still changes with every sample (its oldest goes), so what says "a sample came"
    is the count observed, never the reservoir's fill, which stops moving once it is full."""
    h = Histogram("x", capacity=4)
    for v in (1.0, 2.0, 3.0, 4.0):
        h.observe(v)
    assert h.summary()["p50"] == 2.5
    for v in (10.0, 20.0, 30.0, 40.0):
        h.observe(v)
    assert h.summary()["p50"] == 25.0
    h.observe_repeated(100.0, 4)
    assert h.summary()["p50"] == 100.0


def test_the_default_reservoir_holds_65536_samples():
    h = Histogram("x")
    assert h._ring.shape == (65_536,)


def test_a_snapshot_is_stamped_and_serialises_with_its_time():
    m = MonitoringCoordinator()
    m.counter("xruns").inc(2)
    snap = m.snapshot(2.5)
    assert snap.time == 2.5
    d = snap.to_dict()
    assert d["time"] == 2.5 and d["counters"]["xruns"] == 2 and set(d) == {"time", "counters", "gauges",
                                                                           "histograms"}
    assert m.value("never_written") == 0 and "never_written" not in m.counters


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 9), st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=40))
def test_a_histogram_against_a_plain_model(capacity, values):
    """The reservoir holds exactly the newest ``capacity`` samples (none lost, none stale, also
    after it wrapped); count, mean, max and min are exact over every sample ever observed, the
    percentiles over the reservoir (a summary is about all the history, a percentile about the
    recent past)."""
    h = Histogram("x", capacity=capacity)
    for v in values:
        h.observe(v)
    recent = values[-capacity:]
    assert sorted(h.samples().tolist()) == sorted(recent)
    s = h.summary()
    assert s["count"] == len(values)
    if values:
        total = 0.0
        for v in values:  # in order, as the histogram adds (sum() compensates on 3.12)
            total += v
        assert s["mean"] == total / len(values)
        assert (s["max"], s["min"]) == (max(values), min(values))
        want = np.percentile(np.array(recent, dtype=np.float64), (50, 90, 99, 99.9))
        assert [s[k] for k in ("p50", "p90", "p99", "p99.9")] == [float(x) for x in want]


class _WrittenUnderLock(dict):
    """A metric registry that refuses a write made without the coordinator's lock held."""

    def __init__(self, lock, items) -> None:
        super().__init__(items)
        self.lock = lock
        self.writes = 0

    def __setitem__(self, key, value) -> None:
        assert self.lock.locked(), f"metric {key!r} registered without the lock"
        self.writes += 1
        super().__setitem__(key, value)

    def setdefault(self, key, default=None):
        assert self.lock.locked(), f"metric {key!r} registered without the lock"
        self.writes += 1
        return super().setdefault(key, default)


def test_a_new_metric_is_registered_under_the_lock():
    """Two threads asking for the same new metric must get one object, or the increments of one
    of them land in an object nobody reads: so the look-up that missed and the registration are
    one step under the coordinator's lock (checked here without threads: every write to the
    registry holds the lock, and the second request gets the first one's object)."""
    m = MonitoringCoordinator()
    m.counters = _WrittenUnderLock(m._lock, m.counters)
    m.gauges = _WrittenUnderLock(m._lock, m.gauges)
    m.histograms = _WrittenUnderLock(m._lock, m.histograms)
    c = m.counter("new_counter")
    c.inc(3)
    assert m.counter("new_counter") is c and m.value("new_counter") == 3
    assert m.gauge("new_gauge") is m.gauge("new_gauge")
    assert m.histogram("new_h") is m.histogram("new_h")
    assert (m.counters.writes, m.gauges.writes, m.histograms.writes) == (1, 1, 1)


# -- a read while work waits for the supervisor ------------------------------------------------
#: every read a user has of a running system's condition
SYSTEM_READS = {
    "health": lambda s: s.health(),
    "is_healthy": lambda s: s.is_healthy(),
    "metrics": lambda s: s.metrics(),
    "frame_accounts": lambda s: s.frame_accounts(),
}


def _observed(s: AudioSystem) -> dict:
    """Everything a later reader could see, read field by field (not through the reads under test)."""
    return {"state": s.state, "states": s.coordinator.states(),
            "last_seq": s.coordinator.history.last_seq, "errors": s.coordinator.error_count,
            "recovering": s.recovering, "degraded": s.degraded,
            "counters": {n: c.value for n, c in s.monitoring.counters.items()},
            "gauges": {n: (g.value, g.max) for n, g in s.monitoring.gauges.items()},
            "histograms": {n: (h.count, h.total, h.max, h.min)
                           for n, h in s.monitoring.histograms.items()}}


@pytest.mark.parametrize("read", sorted(SYSTEM_READS))
def test_a_read_while_a_device_report_waits_for_the_supervisor_changes_nothing(read):
    """A device reports from its own thread by queueing (``_on_device_error``, the callback every
    backend is given); the supervisor's next pass routes the report. A read in between (health, a
    snapshot, the frame accounts) only looks: the report stays queued, no transition, no error
    counted, no recovery begun, no metric moved. The reads after ``run_for`` in
    ``test_a_system_read_at_every_step_behaves_like_one_nobody_watched`` come when the supervisor
    has already drained everything, so only a read at this moment tells a look from a pass."""
    s = AudioSystem({}, seed=22)
    s.initialize()
    s.start()
    s.run_for(0.05)
    s._on_device_error(DeviceLostError("simulated device 'sim-in' disappeared", component="device"))
    before = _observed(s)
    SYSTEM_READS[read](s)
    SYSTEM_READS[read](s)
    assert _observed(s) == before
    # the report was there to act on: the supervisor's pass, once the clock moves, routes it
    s.run_for(0.001)
    after = [r for r in s.coordinator.history.records(SYSTEM) if r.seq > before["last_seq"]]
    assert [r.to_state for r in after][:1] == [State.RECOVERING]
    assert s.coordinator.error_count == before["errors"] + 1
    s.close()
