"""A ``reach`` deadline judged on simulated timelines whose right answer is known: met exactly at
its due time, failed when the state comes one tick after it, and, on a named device, met only by a
recovery onto that device to that state after the anchor. A failed deadline's message and
evidence are what a user reads to see why: compared word for word. The timeline they are judged
on runs every step, also those fired by their own observers, and ends the settle time after the
last step, not at the end of a fault that lasts until clean-up."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from harness.scenarios.executor import run_scenario
from harness.scenarios.loader import parse_scenario
from harness.verdict import Outcome

ROOT = Path(__file__).resolve().parents[2]

HEAD = """format = 1

[scenario]
id = "deadline-edges"
title = "deadlines at their due time and just after it"
reproduces = "risk: a deadline judged a tick off, or met on the wrong device"

[run]
backend = "sim"
seed = 3
settle = "500ms"
max_duration = "10s"
"""

#: paused at 0.5 s, resumed at 1.0 s, paused again at 1.5 s
PAUSES = HEAD + """
[[steps]]
op = "start"

[[steps]]
name = "hold"
op = "pause"
at = "500ms"

[[steps]]
name = "go"
op = "resume"
at = "1s"

[[steps]]
name = "again"
op = "pause"
at = "1500ms"

[[expect]]
reach = "running"
after = "hold.start"
within = "500ms"

[[expect]]
reach = "running"
after = "hold.start"
within = "499ms"

[[expect]]
reach = "failed"
after = "hold.start"
within = "200ms"

[[expect]]
reach = "paused"
after = "paused"
within = "400ms"

[[expect]]
reach = "paused"
after = "paused"
within = "600ms"

[[expect]]
reach = "running"
after = "event:recovery_started"
within = "1s"
"""

#: the input device unplugged for good at 0.2 s: the recovery moves to the fallback device
FALLBACK = HEAD + """
[system.device]
fallback_devices = ["sim-backup"]

[system.recovery]
max_attempts = 4
initial_backoff_ms = 10
deadline_ms = 2000

[[steps]]
op = "start"

[[steps]]
name = "unplug"
fault = "dropout"
at = "200ms"

[[expect]]
reach = "running"
after = "unplug.start"
within = "250ms"
device = "sim-backup"

[[expect]]
reach = "running"
after = "unplug.start"
within = "75ms"
device = "sim-backup"

[[expect]]
reach = "running"
after = "unplug.start"
within = "1s"
device = "sim-in"

[[expect]]
reach = "paused"
after = "unplug.start"
within = "1s"
device = "sim-backup"

[[expect]]
reach = "running"
after = "event:recovery_succeeded"
within = "1s"
device = "sim-backup"

[[expect]]
reach = "running"
after = "unplug.start"
within = EDGE
device = "sim-backup"
"""

#: the edge of the judge's rounding allowance: the deadline plus 1e-9 s is exactly when the
#: recovery succeeded (0.2 s + this + 1e-9 == 0.27533333333333334 in floating point)
EDGE = 0.07533333233333327


def _failures(text: str) -> list[tuple[str, str, bool, list[str]]]:
    result = run_scenario(parse_scenario(text))
    return [(f.expectation, f.message, f.inconclusive, f.evidence) for f in result.failures]


HOLD = ["#28 t=0.500 step hold", "#30 t=0.500 transition running -> paused (pause)",
        "#31 t=0.500 pause -> ok (scenario)"]
GO = ["#32 t=1.000 step go", "#34 t=1.000 transition paused -> running (resume)", "#35 t=1.000 resume -> ok (scenario)"]
AGAIN = ["#36 t=1.500 step again", "#38 t=1.500 transition running -> paused (pause)",
         "#39 t=1.500 pause -> ok (scenario)"]


def test_a_deadline_is_met_at_its_due_time_and_failed_a_millisecond_before_it() -> None:
    """Resumed exactly 500 ms after the pause: ``within 500ms`` is met, ``within 499ms`` fails
    and says when the state came. A state never entered says what the system was in instead; a
    state re-entered after it was left is reached late, not at its first entry (the anchor); a
    state entered as the anchor and kept to the deadline is met; an anchor that never happened
    cannot be judged, with the timeline's last ten entries."""
    assert _failures(PAUSES) == [
        ("expect[1]: reach running within 499ms after hold.start",
         "anchor hold.start at t=0.500 s; still 'paused' at the deadline t=0.999 s; reached 'running' at "
         "t=1.000 s, 500ms after the anchor", False, HOLD + GO),
        ("expect[2]: reach failed within 200ms after hold.start",
         "anchor hold.start at t=0.500 s; never reached 'failed' (still 'paused' at the deadline)", False, HOLD),
        ("expect[4]: reach paused within 600ms after paused",
         "anchor paused at t=0.500 s; still 'running' at the deadline t=1.100 s; reached 'paused' at t=1.500 s, "
         "1s after the anchor", False, HOLD + GO + AGAIN),
        ("expect[5]: reach running within 1s after event:recovery_started",
         "cannot judge: 'event:recovery_started' never happened", False,
         ["#27 t=0.000 start -> ok (scenario)", *HOLD, *GO, *AGAIN]),
    ]


UNPLUGGED = [
    "#28 t=0.200 step unplug", "#29 t=0.200 fault_start dropout target=sim-in id=unplug",
    "#30 t=0.205 error DeviceLostError: simulated device 'sim-in' disappeared [device]",
    "#31 t=0.205 transition running -> recovering (DeviceLostError: simulated device 'sim-in' disappeared)",
    "#36 t=0.205 event stream_closed {'cause': 'recovery'}",
    "#37 t=0.205 event recovery_started {'cause': \"DeviceLostError: simulated device 'sim-in' disappeared\", "
    "'target': 'running'}",
    "#38 t=0.205 event recovery_attempt {'attempt': 1, 'device': 'sim-in'}",
    "#39 t=0.205 event recovery_attempt_failed {'attempt': 1, 'device': 'sim-in'}",
    # the evidence keeps the first and last 8 of its 17 entries: #40 (attempt 2's start) is left out
    "#41 t=0.215 event recovery_attempt_failed {'attempt': 2, 'device': 'sim-in'}",
    "#42 t=0.235 event recovery_attempt {'attempt': 3, 'device': 'sim-in'}",
    "#43 t=0.235 event recovery_attempt_failed {'attempt': 3, 'device': 'sim-in'}",
]
RECOVERED = [
    "#44 t=0.275 event recovery_attempt {'attempt': 4, 'device': 'sim-in'}",
    "#45 t=0.275 event recovery_attempt_failed {'attempt': 4, 'device': 'sim-in'}",
    "#46 t=0.275 event recovery_attempt {'attempt': 5, 'device': 'sim-backup'}",
    "#51 t=0.275 transition recovering -> running (recovered)",
    "#52 t=0.275 event recovery_succeeded {'attempts': 5, 'seconds': 0.06999999999999998, 'device': 'sim-backup', "
    "'target': 'running'}",
]


@pytest.mark.parametrize(("within", "met"), [(EDGE, True), (math.nextafter(EDGE, 0.0), False)], ids=["at-the-edge", "just-under"])
def test_a_deadline_on_a_device_is_met_only_by_a_recovery_onto_it_to_its_state_after_the_anchor(
        within: float, met: bool) -> None:
    """The recovery onto ``sim-backup`` succeeded 75.33 ms after the unplug: met within 250 ms and
    at the rounding allowance's edge, failed within 75 ms or a float under the edge (the state at
    the deadline named). A recovery onto another device, to another state, or before the anchor
    (the anchor is that recovery) never meets it, and the device is named."""
    edge = ("expect[5]: reach running within 0.075333s after unplug.start on device sim-backup",
            "anchor unplug.start at t=0.200 s; still 'recovering' at the deadline t=0.275 s; reached 'running' at "
            "t=0.275 s, 0.075333s after the anchor", False, UNPLUGGED + RECOVERED)
    assert _failures(FALLBACK.replace("EDGE", repr(within))) == [
        ("expect[1]: reach running within 75ms after unplug.start on device sim-backup",
         "anchor unplug.start at t=0.200 s; still 'recovering' at the deadline t=0.275 s; reached 'running' at "
         "t=0.275 s, 0.075333s after the anchor", False, UNPLUGGED + RECOVERED),
        ("expect[2]: reach running within 1s after unplug.start on device sim-in",
         "anchor unplug.start at t=0.200 s; never reached 'running' on 'sim-in' (still 'running' at the deadline)",
         False, UNPLUGGED + RECOVERED),
        ("expect[3]: reach paused within 1s after unplug.start on device sim-backup",
         "anchor unplug.start at t=0.200 s; never reached 'paused' on 'sim-backup' (still 'running' at the deadline)",
         False, UNPLUGGED + RECOVERED),
        ("expect[4]: reach running within 1s after event:recovery_succeeded on device sim-backup",
         "anchor event:recovery_succeeded at t=0.275 s; never reached 'running' on 'sim-backup' (still 'running' at "
         "the deadline)", False, RECOVERED),
        *([] if met else [edge]),
    ]


def test_the_components_entering_a_state_is_not_the_system_entering_it() -> None:
    """Unplugged while paused: the components come back RUNNING, the system back to PAUSED, so
    ``reach running`` is never met (the system's state is the one judged)."""
    text = (ROOT / "scenarios/sim/dropout-while-paused.toml").read_text(encoding="utf-8")
    text += '\n[[expect]]\nreach = "running"\nafter = "dropout.start"\nwithin = "1s"\n'
    got = [(f.expectation, f.message) for f in run_scenario(parse_scenario(text)).failures]
    assert got == [("expect[8]: reach running within 1s after dropout.start",
                    "anchor dropout.start at t=0.150 s; never reached 'running' (still 'paused' at the deadline)")]


# -- the timeline the deadlines are judged on (``_Execution.run``) -----------------------------
def test_steps_fired_by_their_own_observer_do_not_end_the_timeline() -> None:
    """The dropout fires inside start() (its observer, as the system enters STARTING): the step
    after it, a recover() once FAILED, still runs."""
    result = run_scenario(ROOT / "scenarios/sim/dropout-while-starting.toml")
    assert result.steps_fired == ["start", "dropout", "recover"]
    assert result.verdict.outcome is Outcome.PASS, [f.render() for f in result.failures]


def test_a_fault_lasting_until_clean_up_does_not_hold_the_timeline_to_its_max_duration() -> None:
    """Unplugged for good at 0.2 s: the timeline ends the settle time (500 ms) after the last
    step, not at ``max_duration`` (10 s) waiting for a fault that lasts until clean-up."""
    result = run_scenario(parse_scenario(FALLBACK.replace("EDGE", "1")))
    assert result.sim_seconds == pytest.approx(0.7, abs=1e-9)


def test_a_step_fired_by_its_own_observer_while_waited_for_does_not_end_the_timeline() -> None:
    """The second dropout fires from its observer the moment the system enters RECOVERING after
    the first one, while the timeline waits for it: the pause after it still runs."""
    text = HEAD + """
[[steps]]
op = "start"

[[steps]]
name = "first"
fault = "dropout"
at = "200ms"
duration_s = "100ms"

[[steps]]
name = "second"
fault = "dropout"
when = "recovering"
duration_s = "50ms"

[[steps]]
name = "later"
op = "pause"
at = "1s"

[[expect]]
state = "paused"
"""
    result = run_scenario(parse_scenario(text))
    assert result.steps_fired == ["step1", "first", "second", "later"]
    assert result.verdict.outcome is Outcome.PASS, [f.render() for f in result.failures]
