"""Faults: every kind through one interface, triggers, the seeded injector, profiles."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from harness import ScenarioFileError
from harness.faults import (
    FAULT_KINDS,
    INVALID_CONFIG_KINDS,
    PROFILES,
    At,
    BufferExhaustion,
    CallbackRaises,
    ConcurrentTransitions,
    DeviceDropout,
    DeviceStall,
    Every,
    FaultInjector,
    FaultTarget,
    InputStarved,
    InvalidConfig,
    LateCallback,
    OnCall,
    SampleRateChange,
    Schedule,
    SimulatedTarget,
    SlowDsp,
    WithProbability,
    fault_from_dict,
    invalid_config,
    load_profile,
    profile_schedule,
)
from harness import History
from harness import assert_ok, check_all
from system_under_test import AudioSystem, load_config
from system_under_test.errors import ConfigError


def test_simulated_target_is_a_fault_target(make_system):
    system = make_system(start=False)
    assert isinstance(SimulatedTarget(system.backend), FaultTarget)


def test_dropout_fires_ends_and_the_system_recovers(make_system, attached):
    system = make_system()
    h = attached(system)
    inj = FaultInjector(system, [DeviceDropout(trigger=At(0.1), duration_s=0.2)], seed=1, history=h).arm()
    system.run_for(0.15)
    assert system.state.value == "recovering"
    assert not system.backend.device("sim-in").present
    system.run_for(0.6)
    assert system.state.value == "running"
    (rec,) = inj.records
    assert (rec.fired_at, rec.ended_at) == (pytest.approx(0.1), pytest.approx(0.3))
    assert [e.type for e in h.of_type("fault_start", "fault_end")] == ["fault_start", "fault_end"]
    assert_ok(check_all(h, system))


def test_stall_is_caught_by_the_watchdog_and_ends(make_system, attached):
    system = make_system()
    h = attached(system)
    FaultInjector(system, [DeviceStall(trigger=At(0.05), duration_s=0.1)], history=h).arm()
    system.run_for(1.0)
    assert system.monitoring.value("device_stalls") >= 1
    assert system.state.value == "running"
    assert_ok(check_all(h, system))


def test_xrun_callback_raises_and_rate_change_are_counted_not_fatal(make_system, attached):
    system = make_system()
    h = attached(system, metrics_every_s=0.05)
    faults = [LateCallback(trigger=At(0.05), delay_s=0.008), CallbackRaises(trigger=At(0.1), count=2),
              SampleRateChange(trigger=At(0.2), rate=44_100)]
    FaultInjector(system, faults, history=h).arm()
    system.run_for(1.0)
    m = system.metrics().counters
    assert m["xruns"] >= 1 and m["callback_errors"] == 2
    assert system.state.value == "running"
    assert h.events("recovery_succeeded"), "the rate change was recovered by reopening"
    assert_ok(check_all(h, system))


def test_buffer_exhaustion_pool_degrades_then_recovers(make_system, attached):
    system = make_system()
    h = attached(system)
    FaultInjector(system, [BufferExhaustion(trigger=At(0.05), duration_s=0.1, mode="pool")], history=h).arm()
    system.run_for(0.1)
    assert system.degraded and system.pipeline.pool.available == 0
    system.run_for(0.2)
    assert not system.degraded and system.pipeline.pool.in_use == 0
    assert system.frame_accounts().dropped > 0
    assert_ok(check_all(h, system))


def test_buffer_exhaustion_limit_holds_the_rest_of_the_limit_then_gives_it_back(make_system):
    from system_under_test.resources import ResourceType

    system = make_system()
    inj = FaultInjector(system, [BufferExhaustion(trigger=At(0.01), duration_s=0.1, mode="limit")]).arm()
    system.run_for(0.05)
    limit = system.resources.limit(ResourceType.BUFFERS)
    assert system.resources.usage()[ResourceType.BUFFERS] == limit
    system.run_for(0.1)
    assert not system.resources.live("fault:competitor")
    assert inj.records[0].details["amount"] > 0


def test_invalid_config_while_running_is_rejected_and_changes_nothing(make_system, attached):
    system = make_system()
    h = attached(system)
    before = (system.state, system.config)
    inj = FaultInjector(system, [InvalidConfig(trigger=Every(0.05, count=len(INVALID_CONFIG_KINDS) * 2))],
                        seed=3, history=h).arm()
    system.run_for(1.0)
    assert (system.state, system.config) == before
    assert len(inj.records) == len(INVALID_CONFIG_KINDS) * 2
    assert all(r.details["outcome"] == "fail" for r in inj.records)
    assert_ok(check_all(h, system))


class _SaysYesToAnything(AudioSystem):
    """Answers an invalid configuration as if it had taken it: no error, nothing applied."""

    def configure(self, config, *a, **kw):
        try:
            return super().configure(config, *a, **kw)
        except ConfigError:
            return None


def test_an_invalid_config_the_system_accepts_fails_the_run(attached):
    """The invalid_config fault's configure is recorded as invalid: a system that answers it
    without an error fails rejected_config ("an invalid configuration was accepted"), one
    finding per firing, and the healthy system, which refuses them, holds every invariant."""
    from harness.stateful import BASE_CONFIG

    for cls, accepted in ((AudioSystem, False), (_SaysYesToAnything, True)):
        system = cls(BASE_CONFIG, seed=3)
        system.initialize()
        system.start()
        h = attached(system)
        inj = FaultInjector(system, [InvalidConfig(trigger=Every(0.05, count=4))], seed=3, history=h).arm()
        system.run_for(0.5)
        verdicts = {v.name: v for v in check_all(h, system)}
        system.close()
        assert [r.details["outcome"] for r in inj.records] == ["ok" if accepted else "fail"] * 4
        rej = verdicts["rejected_config"]
        if accepted:
            assert [e["why"] for e in rej.evidence] == ["an invalid configuration was accepted"] * 4, rej
        else:
            assert all(v.ok for v in verdicts.values()), [v for v in verdicts.values() if not v.ok]


@pytest.mark.parametrize("kind", INVALID_CONFIG_KINDS)
def test_every_invalid_config_kind_is_rejected_by_the_config_layer(kind, make_system):
    system = make_system(start=False)
    for seed in range(5):
        cfg, reason = invalid_config(random.Random(seed), kind)
        with pytest.raises(ConfigError):
            load_config(cfg, system.backend)
        assert reason


def test_slow_dsp_overruns_the_budget_on_the_virtual_clock_and_is_removed(make_system):
    system = make_system()
    FaultInjector(system, [SlowDsp(trigger=At(0.05), duration_s=0.1, factor=2.0)]).arm()
    system.run_for(0.1)
    chain = system.pipeline.chain
    assert any(getattr(s, "kind", "") == "slow" for s in chain.stages)
    assert system.monitoring.value("budget_overruns") > 0
    system.run_for(0.1)
    assert not any(getattr(s, "kind", "") == "slow" for s in chain.stages)


def test_concurrent_transitions_fault_records_every_thread(make_system, attached):
    system = make_system()
    h = attached(system)
    FaultInjector(system, [ConcurrentTransitions(trigger=At(0.01), threads=4, ops_per_thread=10)],
                  history=h).arm()
    system.run_for(0.02)
    storm_ops = [o for o in h.operations() if (o.process or "").startswith("storm-")]
    assert len(storm_ops) == 40 and all(o.completed for o in storm_ops)
    assert len({o.process for o in storm_ops}) == 4


def test_concurrent_transitions_refuses_thread_counts_outside_2_to_64(make_system):
    system = make_system()
    inj = FaultInjector(system, [])
    with pytest.raises(ValueError, match="(?s)threads.*less than or equal to 64"):
        inj.inject(ConcurrentTransitions(threads=65))


def test_triggers_every_with_probability_and_on_call(make_system):
    system = make_system()
    xr = LateCallback(trigger=Every(0.1, start_s=0.05, count=3), delay_s=0.001)
    prob = LateCallback(trigger=WithProbability(0.5, every_s=0.01, until_s=0.5), delay_s=0.001)
    on_start = DeviceStall(trigger=OnCall(1, "pause"), duration_s=0.03)  # past the watchdog's bound
    on_cb = CallbackRaises(trigger=OnCall(10, "callback"), count=1)
    inj = FaultInjector(system, [xr, prob, on_start, on_cb], seed=7).arm()
    system.run_for(0.6)
    system.pause()
    system.run_for(0.1)
    by = {k: [r for r in inj.records if r.fault_id == k] for k in (xr.fault_id, prob.fault_id,
                                                                   on_start.fault_id, on_cb.fault_id)}
    assert [round(r.fired_at, 3) for r in by[xr.fault_id]] == [0.05, 0.15, 0.25]
    assert 10 < len(by[prob.fault_id]) < 40
    assert len(by[on_start.fault_id]) == 1 and by[on_start.fault_id][0].fired_at == pytest.approx(0.6)
    assert 10 * 256 / 48_000 <= by[on_cb.fault_id][0].fired_at < 0.1  # xruns above delay callbacks
    inj.disarm()
    assert "pause" not in vars(system)  # the OnCall wrapper is removed


def _run(profile: str, seed: int) -> str:
    system = AudioSystem({"recovery": {"max_backoff_ms": 200.0}}, seed=seed)
    h = History().attach(system, metrics_every_s=0.5)
    FaultInjector(system, profile_schedule(profile, 4.0, seed), seed, history=h).arm()
    system.initialize()
    system.start()
    system.run_for(5.0)
    system.close()
    return h.to_jsonl()


def test_same_seed_same_run_different_seed_different_run():
    a, b, c = _run("hostile", 11), _run("hostile", 11), _run("hostile", 12)
    assert a == b
    assert a != c


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profiles_build_seeded_schedules(name):
    s1, s2 = profile_schedule(name, 30.0, 5), profile_schedule(name, 30.0, 5)
    assert s1.to_dict() == s2.to_dict()
    assert (len(s1) == 0) == (name == "none")
    assert all(f.trigger.time < 30.0 for f in s1)  # type: ignore[attr-defined]
    assert Schedule.from_dict(s1.to_dict()).to_dict() == s1.to_dict()


def test_hostile_is_more_hostile_than_gentle():
    assert len(profile_schedule("hostile", 60, 1)) > len(profile_schedule("default", 60, 1)) \
        > len(profile_schedule("gentle", 60, 1))


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ValueError, match="gentle"):
        profile_schedule("nasty", 1, 1)


def test_profile_from_toml(tmp_path: Path):
    p = tmp_path / "flaky.toml"
    p.write_text('name = "flaky"\ncheck_every_s = 0.5\n[probabilities]\ndropout = 0.5\nxrun = 0.25\n'
                 '[params.dropout]\nduration_s = [0.1, 0.2]\n')
    profile = load_profile(p)
    sched = profile.schedule(20.0, 3)
    kinds = {f.kind for f in sched}
    assert kinds == {"dropout", "xrun"} and sched.name == "flaky"
    assert all(0.1 <= f.duration_s <= 0.2 for f in sched if f.kind == "dropout")


@pytest.mark.parametrize("text, match", [
    ("[probabilities]\nmeteor = 0.5\n", "probabilities.meteor: unknown fault kind"),
    ("[probabilities]\nxrun = 2\n", "probabilities.xrun: Input should be less than or equal to 1"),
    ("[probabilities\n", "not valid TOML"),
    ("[probabilities]\nxrun = 0.1\n[params.xrun]\nwobble = 3\n", "params.xrun.wobble: unknown key"),
])
def test_bad_profile_files_name_the_file_and_the_problem(tmp_path: Path, text, match):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ScenarioFileError, match=match) as exc:
        load_profile(p)
    assert str(p) in str(exc.value)


def test_fault_dicts_round_trip():
    for kind, cls in FAULT_KINDS.items():
        f = cls(trigger=At(1.5))
        again = fault_from_dict(f.to_dict())
        assert type(again) is cls and again.to_dict() == f.to_dict(), kind


def test_disarm_ends_active_faults_and_cancels_pending(make_system):
    system = make_system()
    inj = FaultInjector(system, [DeviceDropout(trigger=At(0.01), duration_s=100.0),
                                 DeviceStall(trigger=At(50.0), duration_s=1.0)]).arm()
    system.run_for(0.05)
    assert inj.active
    inj.disarm()
    assert not inj.active and system.backend.device("sim-in").present
    system.run_for(60)
    assert len(inj.records) == 1


def test_the_injector_holds_only_the_timers_that_have_not_run(make_system):
    """Each firing of a fault with a duration schedules its end: a soak fires thousands, and an
    injector that kept every spent timer (and its closure) grew with the run's length, which the
    leak judge read as the process leaking. Only pending timers are held; disarm still cancels them."""
    system = make_system()
    n = 300
    # a starved input: a lasting fault no state of the system skips (a 10 ms stall is no stall)
    inj = FaultInjector(system, [InputStarved(trigger=Every(0.05, count=n), duration_s=0.01),
                                 DeviceStall(trigger=At(20.0), duration_s=1.0)], seed=1).arm()
    assert inj.pending_timers == 2  # the two triggers
    system.run_for(0.05 * n + 0.5)
    assert inj.fired == n
    assert inj.pending_timers == 1  # the far trigger only; every end and every Every step has run
    inj.disarm()
    assert inj.pending_timers == 0
    system.run_for(10.0)  # past the far trigger's time (20 s)
    assert inj.fired == n  # the far trigger was cancelled


def test_the_injector_keeps_a_bounded_window_of_firings_and_counts_them_all(make_system):
    """The injector lives in the process whose memory a soak judges: it must not keep one record
    per firing for the whole run (thousands an hour), yet the counts stay exact."""
    from harness.faults import RECORDS_KEPT

    system = make_system()
    n = RECORDS_KEPT + 200
    inj = FaultInjector(system, [LateCallback(trigger=Every(0.01, count=n), delay_s=0.001)], seed=1).arm()
    system.run_for(0.01 * n + 0.5)
    assert inj.fired == n and sum(inj.fired_by_kind.values()) == n and inj.fired_by_kind["xrun"] == n
    assert len(inj.records) == RECORDS_KEPT
    assert inj.records[-1].firing_id.endswith(f"@{n}")  # the newest are the ones kept


def test_arming_makes_no_random_generator_before_a_fault_draws(make_system):
    """A fault's generator (a Mersenne Twister: 2.5 KB of state) is made when the fault first draws
    from it: an 8-hour profile's ~35 000 faults, all armed at the start, held ~100 MB of them."""
    import tracemalloc

    system = make_system(start=False)
    schedule = profile_schedule("default", 3600.0, 1)
    inj = FaultInjector(system, schedule, seed=1)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        inj.arm()
        per_fault = (tracemalloc.get_traced_memory()[0] - before) / len(schedule)
    finally:
        tracemalloc.stop()
    assert len(schedule) > 1000
    assert per_fault < random.Random(1).__sizeof__() / 2, per_fault


def test_a_lazily_made_generator_draws_what_one_made_at_arming_would():
    from harness.faults.injector import _LazyRandom

    lazy, eager = _LazyRandom("7:fault-3"), random.Random("7:fault-3")
    assert [lazy.random(), lazy.uniform(1, 2), lazy.choice("abcdef"), lazy.randint(0, 99)] == \
        [eager.random(), eager.uniform(1, 2), eager.choice("abcdef"), eager.randint(0, 99)]


# -- the records of a firing, written out instead of through dataclasses.asdict ------------------

def _asdict_description(trigger) -> str:
    """``Trigger.describe``'s text as it was built, from ``dataclasses.asdict``."""
    import dataclasses
    return f"{type(trigger).__name__}({', '.join(f'{k}={v}' for k, v in dataclasses.asdict(trigger).items())})"


@pytest.mark.parametrize("trigger", [At(1.5), At(0.1 + 0.2), Every(0.5, 1.0, 3), Every(0.25),
                                     WithProbability(0.1, 0.25, 0.0, None), WithProbability(1.0, 1e-3, 2.0, 7.5),
                                     OnCall(3, "start", 0.002), OnCall(1)])
def test_a_trigger_s_description_is_the_one_asdict_gives(trigger):
    assert trigger.describe() == _asdict_description(trigger)


def test_a_trigger_with_a_value_of_another_type_is_described_through_asdict():
    import numpy as np

    class Loud(float):  # a subclass may print otherwise than the float it holds
        def __str__(self) -> str:
            return "loud"

    for trigger in (At(np.float64(0.1) + np.float64(0.2)), At(Loud(2.0)), At([1, (2, 3)]), At({"a": 1}),
                    At(At(1.0)), At([At(1.0)])):  # a dataclass inside: asdict makes it a dict
        assert trigger.describe() == _asdict_description(trigger)


def test_every_kind_s_parameters_are_its_fields_but_trigger_and_fault_id_in_order():
    import dataclasses

    from harness.faults.kinds import NOT_PARAMETERS

    for kind, cls in FAULT_KINDS.items():
        fault = cls(fault_id=f"{kind}#1")
        expected = {f.name: getattr(fault, f.name) for f in dataclasses.fields(fault)
                    if f.name not in NOT_PARAMETERS and getattr(fault, f.name) is not None}
        assert list(fault.params().items()) == list(expected.items()), kind
    assert "config" not in InvalidConfig().params()  # None: not given, left out
    assert InvalidConfig(config={"stream": {"block_size": 7}}).params()["config"] == {"stream": {"block_size": 7}}


def _records():
    from harness.faults.injector import FaultRecord

    class Tagged(str):
        pass

    def record(details, params, **kw):
        fields = dict(firing_id="xrun#1@1", fault_id="xrun#1", kind="xrun", target="sim-in",
                      trigger="At(time=1.0)", fired_at=1.0, ended_at=None, transient=True, duration_s=0.0)
        fields.update(kw)
        return FaultRecord(details=details, params=params, **fields)

    plain = {"reason": "x", "count": 3, "ratio": 0.5, "ok": False, "none": None, "restored_with": ["resume", "start"]}
    yield record({}, {})
    yield record(plain, {"duration_s": 0.25, "target": "sim-in", "delay_s": 0.01}, ended_at=1.25)
    yield record({"outcomes": {"ok": 3}}, {})  # a nested dict
    yield record({}, {"operations": ("start", "stop")})  # a tuple stays a tuple in asdict
    yield record({"nested": [[1, 2], {"a": 1}]}, {})
    yield record({1: "int key"}, {})
    yield record({"tag": Tagged("t")}, {})
    yield record({}, {}, trigger=At(2.0))  # a dataclass where a description belongs: asdict's dict
    yield record({}, {}, fired_at=__import__("numpy").float64(1.5))


def test_a_fault_record_s_dict_is_the_one_asdict_gives_and_a_copy():
    import dataclasses

    for rec in _records():
        d = rec.to_dict()
        expected = dataclasses.asdict(rec)
        assert d == expected and list(d) == list(expected)
        assert [type(v) for v in d.values()] == [type(v) for v in expected.values()]
        for name in ("details", "params"):
            assert d[name] is not getattr(rec, name)
            for key, value in d[name].items():
                if isinstance(value, (list, dict, tuple)):
                    assert value is not getattr(rec, name)[key]


def test_timed_faults_are_armed_a_horizon_ahead_and_fire_in_the_old_order(make_system):
    """A profile's schedule is drawn for the whole run: armed all at once, an 8-hour soak's ~35 000
    ``At`` faults each held a timer and its closures until it fired, and the process's small-object
    heap fell ~4 MB an hour as they drained, hiding a small-objects leak of that size from the leak
    judge. On a virtual clock the injector holds only the next horizon's, and they still fire in
    time order, faults of one time in the schedule's order (as when each was queued at arming)."""
    from harness.faults.injector import TIMED_HORIZON_S

    system = make_system()
    rng = random.Random(94501)
    span = 5 * TIMED_HORIZON_S
    times = [round(rng.uniform(0.1, span), 6) for _ in range(240)]
    times[7] = times[150] = times[60]  # three faults at one instant, far apart in the schedule
    faults = [InputStarved(trigger=At(t), duration_s=0.01) for t in times]
    inj = FaultInjector(system, faults, seed=1).arm()
    due_within_horizon = sum(1 for t in times if t < TIMED_HORIZON_S)
    held = [inj.pending_timers]
    for _ in range(int(span / 5) + 2):
        system.run_for(5.0)
        held.append(inj.pending_timers)
    assert inj.fired == len(faults)
    assert held[0] <= due_within_horizon + 1  # the horizon's faults and the next arming, not all 240
    assert max(held) <= 2 * due_within_horizon + 10
    fired = [(r.fired_at, r.fault_id) for r in inj.records]
    order = sorted(range(len(faults)), key=lambda i: times[i])  # stable: a time's faults in schedule order
    assert [fault_id for _, fault_id in fired] == [faults[i].fault_id for i in order]
    assert held[-1] == 0
