"""The `recovery` invariant's rules, each against an independent reading of it.

Whose is the excess (``invariants._judge_excess``)? The open of an attempt begun by the deadline
(each up to ``OPEN_ALLOWANCE_S``), the supervisor's late timers, the owner's operations (only
what neither of those covers): explained; what the machine's measured starvation could cover
(its timers' lateness, the opens' CPU wait): inconclusive; the rest: the system's. Every figure
of the evidence a user reads is that rule's arithmetic, rounded to 0.1 ms. Here it is computed a
second way (each union as merged disjoint intervals, every sum written out) on seeded random
episodes whose times are multiples of 1/1024 s, so the float sums are exact and every boundary
(an attempt begun at the deadline plus the tolerance, a late timer at the episode's entry, a
lateness equal to ``STARVED_LATE_S``) is met exactly, and the two must agree to the last figure.
"""

from __future__ import annotations

import math
import random

import pytest

from harness.invariants import (
    EXTERNAL_LEAD_S,
    OPEN_ALLOWANCE_S,
    STARVED_LATE_S,
    GiveUp,
    RecoveryBudget,
    _budget_of,
    _gave_up_on_a_gone_device,
    _judge_excess,
    _prefix_latest,
    _state_before_external,
)

INF = math.inf
GRID = 1 / 1024


def _clip(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


def _union(spans: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Length of the union of ``spans`` inside [lo, hi]: merged into disjoint intervals first."""
    merged: list[list[float]] = []
    for a, b in sorted((max(a, lo), min(b, hi)) for a, b in spans):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return sum(b - a for a, b in merged)


def reference(excess: float, deadline_at: float, left: float, entered: float, attempt_spans, late,
              owner_spans, open_waits, tol: float) -> dict:
    begun = [(a, b) for a, b in attempt_spans if a <= deadline_at + tol and b != INF]
    opening = sum(min(_clip(a, b, deadline_at, left), OPEN_ALLOWANCE_S) for a, b in begun)
    waited = sum(min(l, t - deadline_at) for t, l in late if deadline_at <= t <= left)
    late_spans = [(t - l, t) for t, l in late]
    covered = _union(begun + late_spans, deadline_at, left)
    owned = max(0.0, _union(begun + late_spans + list(owner_spans), deadline_at, left) - covered)
    unexplained = excess - opening - waited - owned
    lateness = [l for t, l in late if entered <= t <= left]
    open_wait = sum(min(w, _clip(a, b, deadline_at, left)) for a, b, w in open_waits
                    if a <= deadline_at + tol and b != INF)
    explained = unexplained <= tol
    machine = (sum(lateness) if lateness and max(lateness) >= STARVED_LATE_S else 0.0) + open_wait
    return {"explained": explained,
            "starved": (not explained) and machine > 0 and unexplained <= machine,
            "figures": {"excess_s": round(excess, 4), "in_open_past_deadline_s": round(opening, 4),
                        "timers_late_past_deadline_s": round(waited, 4),
                        "owner_ops_past_deadline_s": round(owned, 4), "unexplained_s": round(unexplained, 4),
                        "supervisor_late_in_episode_s": round(sum(lateness), 4),
                        "supervisor_late_max_s": round(max(lateness, default=0.0), 4),
                        "open_cpu_wait_past_deadline_s": round(open_wait, 4)}}


def _t(rng: random.Random, lo: float, hi: float) -> float:
    """A time on the 1/1024 s grid in [lo, hi]."""
    return rng.randint(math.ceil(lo / GRID), math.floor(hi / GRID)) * GRID


def _episode(rng: random.Random, tol: float):
    entered = _t(rng, 0, 4)
    dl = _t(rng, GRID, 2)
    deadline_at = entered + dl
    left = deadline_at + _t(rng, GRID, 3)
    attempt_spans = []
    for _ in range(rng.randint(0, 5)):
        a = rng.choice([deadline_at + tol, deadline_at, _t(rng, entered, left + 0.5)])
        b = rng.choice([INF, a + _t(rng, 0, 7)])
        attempt_spans.append((a, b))
    attempt_spans.sort()
    late = sorted((rng.choice([entered, deadline_at, _t(rng, entered - 0.5, left + 0.5)]),
                   rng.choice([STARVED_LATE_S, _t(rng, 0, 0.1), _t(rng, 0, 2)]))
                  for _ in range(rng.randint(0, 4)))
    owner_spans = sorted((a, a + _t(rng, 0, 2)) for a in (_t(rng, entered - 1, left + 0.5)
                                                          for _ in range(rng.randint(0, 3))))
    open_waits = sorted((a, b, rng.choice([_t(rng, 0, 0.5), _t(rng, 1, 6)]))
                        for a, b in attempt_spans if rng.random() < 0.7)
    return left - entered - dl, deadline_at, left, entered, attempt_spans, late, owner_spans, open_waits


@pytest.mark.parametrize("tol", [0.0, 48 * GRID, 0.05], ids=["virtual", "grid", "real"])
def test_the_excess_rule_and_every_figure_agree_with_an_independent_reading(tol):
    rng = random.Random(20261205)
    verdicts = {"explained": 0, "starved": 0, "violated": 0}
    for case in range(4000):
        args = _episode(rng, tol)
        got = _judge_excess(*args, tolerance_s=tol)
        want = reference(*args, tol=tol)
        assert got == want, (case, args)
        verdicts["explained" if got["explained"] else "starved" if got["starved"] else "violated"] += 1
    # every outcome of the rule is reached, so none of them is compared only when it cannot differ
    assert min(verdicts.values()) >= 200, verdicts


# --------------------------------------------------- an observed outage: what it hit, who gave up ----

def test_a_give_up_after_the_server_was_back_is_the_outages_only_when_its_last_attempt_began_before():
    """After an observed outage's server served again at ``end``, a recovery failure in
    ``[end, hi]`` is the outage's when the last attempt made by then began before ``end`` (its
    attempts ran out on the dead server); one whose last attempt began at or after ``end`` gave up
    on a device that was there. Seeded cases on a 1/1024 s grid, every boundary met exactly,
    against the rule written out."""
    rng = random.Random(12)
    outcomes = {True: 0, False: 0}
    for case in range(4000):
        end = _t(rng, 1, 3)
        hi = end + rng.choice([0.0, _t(rng, 0, 2)])
        starts = sorted({rng.choice([end, _t(rng, 0, end), _t(rng, 0, 5)]) for _ in range(rng.randint(0, 4))})
        spans = [(a, a + _t(rng, 0, 1)) for a in starts]
        failed = sorted(rng.choice([end, hi, _t(rng, end, hi), _t(rng, 0, 5), *starts[-1:]])
                        for _ in range(rng.randint(0, 3)))
        want = any(end <= t <= hi and [a for a in starts if a <= t] and max(a for a in starts if a <= t) < end
                   for t in failed)
        assert _gave_up_on_a_gone_device(failed, spans, end, hi) is bool(want), (case, failed, spans, end, hi)
        outcomes[bool(want)] += 1
    assert min(outcomes.values()) >= 500, outcomes


def test_the_state_an_observed_outage_hit_steps_back_over_a_recovery_it_began_at_most_the_lead_before():
    """The state before an outage recorded at ``fired``: the latest state stamped at or before it
    (the highest sequence among equal times), or, while that is RECOVERING from an episode begun
    at most ``EXTERNAL_LEAD_S`` before ``fired``, the state before that one, back to the initial
    state at most. Seeded state sequences, against that rule walked one state at a time."""
    rng = random.Random(34)
    seen: set[str] = set()
    for case in range(3000):
        init = rng.choice(["uninitialized", "running", "recovering"])
        states = [(-1, 0.0, init)]
        t = 0.0
        for i in range(rng.randint(0, 6)):
            t += rng.choice([0.0, _t(rng, 0, 3), EXTERNAL_LEAD_S])
            states.append((i, t, rng.choice(["running", "recovering", "recovering", "paused", "failed"])))
        fired = rng.choice([t, t + _t(rng, 0, 6), states[rng.randrange(len(states))][1] + EXTERNAL_LEAD_S,
                            _t(rng, 0, t + 1)])
        by_time = _prefix_latest([(st[1], k) for k, st in enumerate(states)])
        k = max(j for j, st in enumerate(states) if st[1] <= fired)
        while k > 0 and states[k][2] == "recovering" and states[k][1] >= fired - EXTERNAL_LEAD_S:
            k -= 1
        assert _state_before_external(states, by_time, fired) == states[k][2], (case, states, fired)
        seen.add(states[k][2])
    assert seen == {"uninitialized", "running", "recovering", "paused", "failed"}


# ------------------------------------------------------------------ the give-up rule's figures ----

@pytest.mark.parametrize("fallbacks, devices", [
    ([], 1), (["usb"], 2), (["usb", "hdmi"], 3),
    (["sim-in", "usb"], 2),  # the primary listed among its own fallbacks is not a second device
])
@pytest.mark.parametrize("recovery", [
    {}, {"max_attempts": 3, "initial_backoff_ms": 100, "backoff_factor": 2, "max_backoff_ms": 1000,
         "deadline_ms": 2500},
])
def test_a_recorded_configurations_budget_is_its_policys_schedule_on_every_candidate_device(
        fallbacks, devices, recovery):
    """The budget a give-up is held to (``GiveUp``: spent or not) is read from the configuration
    the history recorded: the policy's own back-off schedule (``RecoveryPolicy.backoff``) on the
    primary and on each other fallback device, and its deadline; the system's defaults where the
    configuration says nothing."""
    from system_under_test.config import RecoveryConfig
    from system_under_test.recovery import RecoveryPolicy

    config = {"recovery": recovery, "device": {"input_device": "sim-in", "fallback_devices": fallbacks}}
    delays = list(RecoveryPolicy(RecoveryConfig(**recovery)).backoff())
    budget = _budget_of(config)
    assert budget == RecoveryBudget(len(delays) * devices, pytest.approx(sum(delays) * devices),
                                    RecoveryConfig(**recovery).deadline_ms / 1000)


BUDGET = RecoveryBudget(4, 1.5, 10.0)


@pytest.mark.parametrize("last_attempt, at", [(3.0, "3.000"), (None, "5.000")])
def test_a_give_up_after_the_device_was_back_names_its_last_attempt_or_else_its_own_time(last_attempt, at):
    """A give-up whose last attempt (or, with none made, the give-up itself) came after the device
    was back breaks the rule, and says when that was against when the device came back."""
    g = GiveUp(5.0, 1.0, 4, "sim-in", "absent (dropout f1 from t=1.000 s to t=2.000 s)", 2.0, BUDGET, True,
               last_attempt)
    assert not g.honest
    assert g.describe() == (f"gave up after 4 attempt(s) over 4.00 s, its last attempt at t={at} s after "
                            "'sim-in' was back at t=2.000 s (it was absent (dropout f1 from t=1.000 s to "
                            "t=2.000 s)); " + BUDGET.describe())
