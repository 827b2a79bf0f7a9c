import numpy as np
import pytest

from system_under_test.config import RecoveryConfig
from system_under_test.errors import (
    BackendUnavailableError,
    BufferPoolExhaustedError,
    CallbackError,
    ConfigValidationError,
    DeviceLostError,
    DeviceStalledError,
    XrunError,
)
from system_under_test.monitoring import Histogram, MonitoringCoordinator
from system_under_test.recovery import RecoveryAction, RecoveryPolicy


def test_histogram_percentiles_and_exact_totals():
    h = Histogram("x", capacity=1000)
    for v in range(1, 1001):
        h.observe(v / 1000)
    s = h.summary()
    assert s["count"] == 1000 and s["max"] == 1.0 and s["min"] == 0.001
    assert s["p50"] == pytest.approx(0.5, abs=0.002) and s["p99"] == pytest.approx(0.99, abs=0.002)


def test_histogram_reservoir_is_bounded_but_totals_are_exact():
    h = Histogram("x", capacity=10)
    for v in range(100):
        h.observe(float(v))
    assert h.samples().shape == (10,) and h.count == 100 and h.total == sum(range(100))


def test_monitoring_only_measures_and_snapshots_are_copies():
    m = MonitoringCoordinator()
    m.counter("xruns").inc(2)
    m.gauge("latency_ms").set(5.0)
    snap = m.snapshot(1.0)
    m.counter("xruns").inc()
    assert snap.counters["xruns"] == 2 and m.value("xruns") == 3
    assert snap.to_dict()["gauges"]["latency_ms"] == 5.0
    assert not any(hasattr(m, attr) for attr in ("state", "transition", "recover"))


@pytest.mark.parametrize("error, action", [
    (XrunError("late"), RecoveryAction.IGNORE),
    (BufferPoolExhaustedError("dry"), RecoveryAction.DEGRADE),
    (DeviceLostError("gone"), RecoveryAction.RESTART),
    (DeviceStalledError("quiet"), RecoveryAction.RESTART),
    (BackendUnavailableError("no portaudio"), RecoveryAction.FAIL),
    (ConfigValidationError([("a", "b")]), RecoveryAction.IGNORE),
])
def test_policy_routes_by_error_class(error, action):
    assert RecoveryPolicy(RecoveryConfig()).decide(error) == action


def test_callback_errors_restart_only_when_they_persist():
    policy = RecoveryPolicy(RecoveryConfig())
    assert policy.decide(CallbackError("x"), consecutive_callback_errors=1) == RecoveryAction.IGNORE
    assert policy.decide(CallbackError("x"), consecutive_callback_errors=3) == RecoveryAction.RESTART


def test_backoff_is_exponential_capped_and_bounded():
    cfg = RecoveryConfig(max_attempts=6, initial_backoff_ms=10, backoff_factor=3, max_backoff_ms=200)
    delays = list(RecoveryPolicy(cfg).backoff())
    assert delays == pytest.approx([0.0, 0.01, 0.03, 0.09, 0.2, 0.2])


def test_pool_exhaustion_can_be_configured_to_restart():
    cfg = RecoveryConfig(degrade_on_exhaustion=False)
    assert RecoveryPolicy(cfg).decide(BufferPoolExhaustedError("dry")) == RecoveryAction.RESTART
