"""``degraded_alternates``: only the system's own stop ends a degraded episode without an event.

``stop()`` clears the system's degraded flag as the system stops, so a system transition into or
out of STOPPED closes the episode. A component stopped and started again while the system runs
(a recovery restarting the DSP or a stream) clears nothing: the episode stays open and its
``undegraded`` is in turn. A table of crafted histories with the verdict each way, then a seeded
brute-force oracle: random mixes of component and system moves with the events, judged by a
direct statement of the rule.
"""

from __future__ import annotations

import random

import pytest

from harness.history import History
from harness.invariants import Verdict, check_all, check_degraded_alternates

#: a step: "d" degraded, "u" undegraded, or "who:a>b" a transition of ``who`` from a to b
_DSP_RESTART = ["dsp:running>stopping", "dsp:stopping>stopped", "dsp:stopped>starting", "dsp:starting>running"]
_STOP = ["system:running>stopping", "system:stopping>stopped"]
_START = ["system:stopped>starting", "system:starting>running"]


def _history(steps: list[str], state: str = "running") -> History:
    h = History()
    h.record("attach", time=0.0, data={"state": state, "configured": True, "pending": False, "clock": "virtual",
                                       "components": {"system": state, "dsp": state}})
    for i, step in enumerate(steps, start=1):
        t = float(i)
        if step in ("d", "u"):
            h.record("event", time=t, value="degraded" if step == "d" else "undegraded",
                     data={"reason": "pool dry"} if step == "d" else {})
            continue
        who, move = step.split(":")
        a, b = move.split(">")
        h.record("transition", time=t, data={"seq": i, "time": t, "component": who, "from_state": a,
                                             "to_state": b, "cause": "recovery", "actor": "op"})
    return h


def _judge(h: History) -> Verdict:
    v = check_degraded_alternates(h)
    assert check_all(h, only=["degraded_alternates"])[0].to_dict() == v.to_dict()
    return v


#: (why, steps, attach state, expected ok)
TABLE = [
    ("a component restarted inside an episode: its undegraded is in turn", ["d", *_DSP_RESTART, "u"], "running", True),
    ("a component stopped after the episode ended: the next episode is new", ["d", "u", *_DSP_RESTART, "d"],
     "running", True),
    ("a component restart does not end the episode: a second degraded is out of turn",
     ["d", *_DSP_RESTART, "d"], "running", False),
    ("the system's stop ends the episode: an undegraded after it is out of turn",
     ["d", *_STOP, *_START, "u"], "running", False),
    ("the system's stop ends the episode: a degraded after it is a new one", ["d", *_STOP, *_START, "d", "u"],
     "running", True),
    ("a component stopped on a system at rest: an undegraded is out of turn",
     [*_START, *_DSP_RESTART, "u"], "stopped", False),
]


@pytest.mark.parametrize(("why", "steps", "state", "ok"), TABLE, ids=[row[0] for row in TABLE])
def test_the_table(why: str, steps: list[str], state: str, ok: bool) -> None:
    v = _judge(_history(steps, state))
    assert v.ok is ok and not v.inconclusive, (why, v)


def _oracle(steps: list[str]) -> bool:
    """The rule stated directly, for a history attached to a running system that was not degraded
    at its first event (it begins with a ``degraded``): the events alternate, and only the
    system's moves into or out of STOPPED close an episode."""
    open_ = False
    for step in steps:
        if step in ("d", "u"):
            if open_ is (step == "d"):
                return False
            open_ = step == "d"
        elif step.startswith("system:") and "stopped" in step:
            open_ = False
    return True


def _random_steps(rng: random.Random) -> list[str]:
    steps = ["d"]
    for _ in range(rng.randint(1, 8)):
        steps += rng.choice([["d"], ["u"], ["u"], _DSP_RESTART, _DSP_RESTART, [*_STOP, *_START]])
    return steps


def _restart_then_in_turn_end(steps: list[str]) -> bool:
    """A component restarted inside the first episode, then its ``undegraded``: the case the rule
    is about."""
    return "u" in steps and "dsp:running>stopping" in steps[:steps.index("u")] \
        and not any(x.startswith("system:") for x in steps[:steps.index("u")])


def test_random_histories_are_judged_as_the_oracle_judges_them() -> None:
    cases = [_random_steps(random.Random(seed)) for seed in range(480)]
    wrong = [s for s in cases if _judge(_history(s)).ok is not _oracle(s)]
    assert not wrong, wrong[:3]
    # the draws hold both verdicts, and component restarts inside an open episode ended in turn
    assert {_oracle(s) for s in cases} == {True, False}
    assert sum(_oracle(s) and _restart_then_in_turn_end(s) for s in cases) >= 10
