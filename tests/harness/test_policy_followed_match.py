"""``policy_followed`` matches a recovery to its error event by comparing whole only the kept errors
whose content hash (``invariants._content_hash``) is the recovery's: the matches must be those of
comparing every kept error, so the hash must be equal wherever the records are equal (numbers of
different types, keys in another order), and absent (compare whole) for a record holding a type
whose equality its hash does not follow. Seeded draws: deterministic."""

from __future__ import annotations

import random
from typing import Any

import pytest

from harness import invariants
from harness.history import History

SEEDS = range(40)


def _draw_value(rng: random.Random, depth: int) -> Any:
    pick = rng.randrange(7 if depth < 3 else 4)
    if pick == 0:
        return rng.choice(["DeviceStalledError", "no callback", "", "sim-in", "x" * rng.randrange(5)])
    if pick == 1:
        return rng.choice([0, 1, 2, 7, -3])
    if pick == 2:
        return rng.choice([0.0, -0.0, 1.0, 0.021333333333333426, 2.5, True, False, None])
    if pick == 3:
        return rng.random()
    if pick in (4, 5):
        return {f"k{rng.randrange(6)}": _draw_value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [_draw_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _equal_copy(rng: random.Random, value: Any) -> Any:
    """A value equal to ``value`` built anew: dicts with their keys shuffled, lists as lists, each
    int that has one as an equal float or bool (and the other way round)."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _equal_copy(rng, v) for k, v in items}
    if isinstance(value, list):
        return [_equal_copy(rng, v) for v in value]
    if type(value) is int and rng.random() < 0.5:
        return float(value) if value not in (0, 1) or rng.random() < 0.5 else bool(value)
    if type(value) in (float, bool) and float(value).is_integer() and rng.random() < 0.5:
        return int(value)
    return value


@pytest.mark.parametrize("seed", SEEDS)
def test_equal_records_share_a_content_hash(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        record = {"type": "DeviceStalledError", "details": _draw_value(rng, 0), "n": _draw_value(rng, 1)}
        copy = _equal_copy(rng, record)
        assert copy == record
        assert invariants._content_hash(record) is not None
        assert invariants._content_hash(copy) == invariants._content_hash(record)


@pytest.mark.parametrize("odd", [{1, 2}, b"bytes", object(), 1 + 2j, frozenset({1})])
def test_a_record_holding_another_type_has_no_content_hash(odd: Any) -> None:
    assert invariants._content_hash({"type": "X", "details": {"odd": odd}}) is None
    assert invariants._content_hash(["a", odd]) is None


def _steps(rng: random.Random) -> list[tuple[Any, ...]]:
    """Error events and recoveries for them, most alike but for a nested float (as the simulated
    stall errors are), some equal in content with numbers of another type, severities that sometimes disagree; more errors than the match window keeps."""
    steps: list[tuple[Any, ...]] = []
    recent: list[dict[str, Any]] = []
    for _ in range(rng.randrange(200, 700)):
        roll = rng.random()
        if roll < 0.55 or not recent:
            err = {"type": rng.choice(["DeviceStalledError", "BufferPoolExhaustedError", "XrunError"]),
                   "message": rng.choice(["no callback for 0.021 s", "pool exhausted"]),
                   "component": "device", "severity": rng.choice(["CRITICAL", "ERROR", "WARNING"]),
                   "recoverable": rng.random() < 0.8,
                   "details": {"stalled_for_s": rng.choice([0.021333333333333426, 0.02133333333333365, 1.0, 2]),
                               "device": "sim-in/sim-out"}}
            severity = err["severity"] if rng.random() < 0.9 else rng.choice(["CRITICAL", "WARNING"])
            steps.append(("error", err, severity))
            recent.append(err)
        else:
            err = _equal_copy(rng, rng.choice(recent[-300:]))
            steps.append(("restart", err))
    return steps


def _history(steps: list[tuple[Any, ...]]) -> History:
    h = History()
    h.record("attach", time=0.0, data={"state": "uninitialized", "clock": "virtual",
                                       "config": {"recovery": {"degrade_on_exhaustion": True}},
                                       "components": {"system": "uninitialized"}})
    for t, step in enumerate(steps, start=1):
        err = step[1]
        if step[0] == "error":
            h.record("error", time=float(t), value="error",
                     data={"error": err, "severity": step[2], "component": err["component"]})
        else:
            h.record("event", time=float(t), value="recovery_started",
                     data={"cause": f"{err['type']}: {err['message']}", "error": err, "target": "running"})
    return h


def _fold(history: History) -> invariants._PolicyFollowed:
    fold = invariants._PolicyFollowed(history.initial or {})
    invariants._run_folds(history, [fold], catch=False)
    return fold


@pytest.mark.parametrize("seed", range(12))
def test_the_matches_are_those_of_comparing_every_kept_error(seed: int, monkeypatch) -> None:
    history = _history(_steps(random.Random(seed)))
    hashed = _fold(history)
    monkeypatch.setattr(invariants, "_content_hash", lambda value: None)  # every kept error compared whole
    whole = _fold(history)
    assert (hashed.judged, hashed.unmatched, hashed.unjudged, hashed.bad) == \
        (whole.judged, whole.unmatched, whole.unjudged, whole.bad)
    assert hashed.evidence == whole.evidence
    assert hashed.verdict().to_dict() == whole.verdict().to_dict()
    assert [x["index"] for x in hashed.errors] == [x["index"] for x in whole.errors]
    assert hashed.judged > 0 and hashed.unmatched > 0 and hashed.bad > 0, "a draw with nothing to match tests nothing"
