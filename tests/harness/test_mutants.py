"""Proof that the harness catches bugs: every mutant in harness.mutants is found, by the invariant
it is meant to trip, with a shrunk example; the steps it took are printed and recorded."""

from __future__ import annotations

import pytest
from hypothesis.stateful import run_state_machine_as_test

from harness.faults import coordinator_storm
from harness import History
from harness import InvariantViolation, check_all
from harness.mutants import MUTANTS, make_coordinator, make_system, system_factory
from harness.stateful import make_machine, profile_settings

STATEFUL = sorted(n for n, m in MUTANTS.items() if m.detector == "stateful")


def _violations(exc: BaseException) -> list[InvariantViolation]:
    if isinstance(exc, InvariantViolation):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):
        return [v for e in exc.exceptions for v in _violations(e)]
    return []


@pytest.mark.parametrize("name", STATEFUL)
def test_the_state_machine_finds_the_mutant(name, record_property):
    mutant = MUTANTS[name]
    Machine = make_machine(system_factory(name), name=f"Mutant_{name}", focus=mutant.stateful_focus)
    with pytest.raises((InvariantViolation, BaseExceptionGroup)) as exc:
        run_state_machine_as_test(Machine, settings=profile_settings("ci", max_examples=400))
    found = {n for v in _violations(exc.value) for n in v.names}
    assert found & set(mutant.caught_by), f"{name}: caught by {found}, expected one of {mutant.caught_by}"
    stats = Machine.stats  # type: ignore[attr-defined]
    assert stats.first_failure_step is not None
    # A run is at most 30 steps, so a bound of 30 could never fail. The derandomized search, its
    # pinned constants and its unbounded shrinking time make the shrunk example the same on every
    # machine: 2 or 3 steps for each mutant (the step that breaks the promise and the one that
    # shows it). A longer one means the state machine lost shrinking power.
    assert stats.shrunk_steps <= 4, f"{name}: shrunk to {stats.shrunk_steps} steps, expected at most 4"
    print(f"{name}: caught by {sorted(found)} after {stats.first_failure_step} steps "
          f"(example {stats.first_failure_example}), shrunk to {stats.shrunk_steps} steps")
    record_property("steps_to_find", stats.first_failure_step)
    record_property("shrunk_steps", stats.shrunk_steps)


def test_the_coordinator_storm_finds_the_missing_lock(record_property):
    ops = 0
    for attempt in range(1, 201):
        h = History()
        stats = coordinator_storm(make_coordinator("coordinator_no_lock"), h, threads=8, ops_per_thread=40,
                                  components=("a",), seed=attempt)
        ops += stats.ops
        bad = [v for v in check_all(h, only=["legal_transitions", "linearizable"]) if not v.ok]
        if bad:
            break
    else:
        pytest.fail("200 storms did not expose the unlocked coordinator")
    assert {v.name for v in bad} & set(MUTANTS["coordinator_no_lock"].caught_by)
    print(f"coordinator_no_lock: caught by {[v.name for v in bad]} after {attempt} storm(s), {ops} ops; "
          f"evidence: {bad[0].evidence[:1]}")
    record_property("ops_to_find", ops)


def test_the_real_coordinator_survives_the_same_storms():
    for attempt in range(1, 21):
        h = History()
        coordinator_storm(make_coordinator(None), h, threads=8, ops_per_thread=40, components=("a",), seed=attempt)
        assert all(v.ok for v in check_all(h, only=["legal_transitions", "linearizable"]))


def test_mutants_are_selectable_by_name():
    assert set(MUTANTS) == {"coordinator_no_lock", "illegal_transition", "leak_on_error", "ring_loses_frame",
                            "half_reconfigure", "recovery_never_completes", "ignores_starved_input", "silent_give_up",
                            "output_overdrive", "holds_buffer_per_recovery", "crashes_on_third_recovery"}
    for name in MUTANTS:
        system = make_system(name, {}, seed=1)
        system.initialize()
        system.start()
        system.run_for(0.05)
        system.close()
    with pytest.raises(KeyError):
        make_system("no_such_mutant")
