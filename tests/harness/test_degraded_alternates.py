"""The ``degraded_alternates`` invariant: ``degraded`` and ``undegraded`` alternate, so a degraded
episode is announced once and ends at most once (``stop()`` ends one without an event). A table
of crafted histories each way, then the shipped system degrading for real on a dry block pool,
and the same system announcing ``degraded`` at every report of exhaustion."""

from __future__ import annotations

import pytest

from harness.history import History
from harness.invariants import NAMES, Verdict, check_all, check_degraded_alternates
from system_under_test import AudioSystem
from system_under_test.errors import BufferPoolExhaustedError

from miscounting_systems import DegradedEveryReport

# a step: "d" degraded, "u" undegraded, or "a>b" a system transition from a to b
_STOP = ["running>stopping", "stopping>stopped"]
_START = ["stopped>starting", "starting>running"]


def _history(steps: list[str], *, state: str = "running", attach: bool = True) -> History:
    h = History()
    if attach:
        h.record("attach", time=0.0, data={"state": state, "configured": True, "pending": False,
                                           "clock": "virtual", "components": {"system": state}})
    for i, step in enumerate(steps, start=1):
        t = float(i)
        if step in ("d", "u"):
            kind = "degraded" if step == "d" else "undegraded"
            h.record("event", time=t, value=kind, data={"reason": "pool dry"} if step == "d" else {})
        else:
            a, b = step.split(">")
            h.record("transition", time=t, data={"seq": i, "time": t, "component": "system", "from_state": a,
                                                 "to_state": b, "cause": "op", "actor": "op"})
    return h


def _judge(h: History) -> Verdict:
    v = check_degraded_alternates(h)
    assert check_all(h, only=["degraded_alternates"])[0].to_dict() == v.to_dict()
    return v


def test_it_is_registered() -> None:
    assert "degraded_alternates" in NAMES


#: (why, steps, attach state, expected ok)
TABLE = [
    ("no episode", [], "uninitialized", True),
    ("one episode, announced and ended", ["d", "u"], "running", True),
    ("episodes one after another", ["d", "u", "d", "u", "d"], "running", True),
    ("an episode stop() ended silently, then a new one", ["d", *_STOP, *_START, "d", "u"], "running", True),
    ("a history begun mid-run: its first event is taken as the truth", ["u", "d", "u"], "running", True),
    ("a history begun at rest, its system stopped", [*_START, "d", "u"], "stopped", True),
    ("degraded announced at every report of one episode", ["d", "d", "d", "u"], "running", False),
    ("an episode ended twice", ["d", "u", "u"], "running", False),
    ("an end with no episode, on a system that never ran", [*_START, "u"], "uninitialized", False),
    ("an end after stop() closed the episode", ["d", *_STOP, *_START, "u"], "running", False),
]


@pytest.mark.parametrize(("why", "steps", "state", "ok"), TABLE, ids=[row[0] for row in TABLE])
def test_the_table(why: str, steps: list[str], state: str, ok: bool) -> None:
    v = _judge(_history(steps, state=state))
    assert v.ok is ok and not v.inconclusive, (why, v)


def test_a_history_without_an_attach_takes_its_first_event_as_the_truth() -> None:
    assert _judge(_history(["u", "d"], attach=False)).ok


def test_a_second_announcement_names_its_time_and_why() -> None:
    v = _judge(_history(["d", "d", "u"]))
    assert [(e["why"], e["time"]) for e in v.evidence] == [("degraded announced inside an open degraded episode", 2.0)]
    assert v.message == "1 degraded/undegraded event(s) out of turn"


def _degrade_for_real(cls: type[AudioSystem]) -> Verdict:
    """A one-block pool held dry, exhaustion reported twice more, the pool refilled, the system
    stopped and started, the pool dry again: two episodes."""
    system = cls({"buffers": {"pool_blocks": 1}}, seed=5)
    h = History().attach(system, metrics_every_s=0.05)
    try:
        system.initialize()
        system.start()
        system.run_for(0.05)
        idx = system.pipeline.pool.acquire()
        system.run_for(0.05)
        for _ in range(2):
            system.coordinator.handle_error("dsp", BufferPoolExhaustedError("still dry", component="dsp"))
        system.pipeline.pool.release(idx)
        system.run_for(0.05)
        system.pipeline.pool.acquire()
        system.run_for(0.05)
        system.stop()  # the second episode ends without an event
        system.start()
        system.run_for(0.05)
        system.pipeline.pool.acquire()
        system.run_for(0.05)
        assert system.degraded
    finally:
        system.close()
        h.detach()
    return check_degraded_alternates(h)


def test_the_shipped_system_announces_each_episode_once() -> None:
    v = _degrade_for_real(AudioSystem)
    assert v.ok and not v.inconclusive, v
    assert v.message == "3 degraded episode(s), each announced once and ended at most once"


def test_a_system_that_announces_degraded_at_every_report_is_caught() -> None:
    v = _degrade_for_real(DegradedEveryReport)
    assert not v.ok
    assert [e["why"] for e in v.evidence] == ["degraded announced inside an open degraded episode"] * 2
