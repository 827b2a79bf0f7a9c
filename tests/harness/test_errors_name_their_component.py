"""Every error the system reports names the component it came from.

``ComponentCoordinator.handle_error`` reduces an exception to its ``ErrorInfo`` with the reporting
component, and every error of the tree is raised with its own. The
``errors_name_their_component`` invariant holds each ``error`` event to name its reporting
component, and each one the shipped system routed (``requires_recovery``) the component its error
came from. A plain default run of the shipped system, the catalogued bug
``error_info_without_its_component`` planted as the catalogue patches ``handle_error`` (shown where
an exception from outside the tree is reported: no path of the shipped system hands
``handle_error`` one, each reduces it to an ``ErrorInfo`` with its component first), the live
check, and hand-written histories. Virtual clock, fixed seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench_scripts import plant_catalogued_bug
from plain_runs import plain_run_verdict
from harness.history import History
from harness.invariants import NAMES, LiveChecker, check_errors_name_their_component
from system_under_test import AudioSystem
from system_under_test.coordinator import ComponentCoordinator

NAME = "errors_name_their_component"


@pytest.fixture(autouse=True)
def _history_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


def test_the_invariant_is_registered() -> None:
    assert NAME in NAMES


def test_a_plain_run_of_the_shipped_system_holds_having_judged_its_errors(tmp_path: Path) -> None:
    result, v = plain_run_verdict(tmp_path, 92397, NAME)
    assert v.ok and not v.inconclusive and not v.evidence, v
    errors = len(result.history.errors())
    assert errors and v.message == (f"each of the {errors} error event(s) names its reporting component, and each "
                                    f"of the {errors} the shipped system routed the component its error came from")
    assert result.summary["outcome"] == "pass", result.summary["violations"]


def _foreign_error_reported(checker: bool = False) -> tuple[History, list[Any]]:
    """A running shipped system with a history (and a live checker) told of a ``ZeroDivisionError``
    by its ``dsp`` component, as a system's own code may hand ``handle_error`` any exception."""
    s = AudioSystem({}, seed=11)
    h = History().attach(s)
    live = LiveChecker(s, h, linearizable=False) if checker else None
    s.initialize()
    s.start()
    s.run_for(0.1)
    s.coordinator.handle_error("dsp", ZeroDivisionError("division by zero"), requires_recovery=False)
    verdicts = [v for v in live.check() if v.name == NAME] if live is not None else []
    s.close()
    return h, verdicts


def test_a_foreign_exception_reported_names_its_reporting_component() -> None:
    h, _ = _foreign_error_reported()
    (event,) = [e for e in h.errors() if e.data["error"]["type"] == "ZeroDivisionError"]
    assert event.data["error"]["component"] == event.data["component"] == "dsp"
    assert check_errors_name_their_component(h).ok


def test_the_catalogued_error_info_without_its_component_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    plant_catalogued_bug(monkeypatch, ComponentCoordinator, "handle_error", "error_info_without_its_component")
    h, (live,) = _foreign_error_reported(checker=True)
    v = check_errors_name_their_component(h)
    assert not v.ok and not live.ok, (v, live)
    assert [(e["type"], e["component"], e["error_component"]) for e in v.evidence] == [
        ("ZeroDivisionError", "dsp", None)]
    assert v.message.startswith("1 error(s) name no component they came from: "), v.message


def _history(*events: dict[str, Any]) -> History:
    h = History()
    h.record("attach", data={"state": "uninitialized", "clock": "virtual"}, time=0.0)
    for i, data in enumerate(events):
        h.record("error", value="error", time=1.0 + i, data=data)
    return h


def _routed(component: Any, error_component: Any) -> dict[str, Any]:
    return {"error": {"type": "DeviceLostError", "message": "m", "component": error_component},
            "component": component, "requires_recovery": True}


@pytest.mark.parametrize(("data", "ok"), [
    (_routed("device", "device"), True),
    (_routed("device", "input"), True),  # an error of the tree keeps its own component
    (_routed("device", None), False),
    (_routed("device", ""), False),
    (_routed(None, "device"), False),
    ({"error": {"type": "CallbackError", "message": "counted"}, "component": "stream"}, True),  # a system of its own
    ({"error": {"type": "CallbackError", "message": "counted"}}, False),  # ... still names its reporter
])
def test_each_event_names_its_reporter_and_a_routed_error_its_own_component(data: dict[str, Any], ok: bool) -> None:
    v = check_errors_name_their_component(_history(data))
    assert v.ok is ok and not v.inconclusive, v
    assert len(v.evidence) == (0 if ok else 1)


def test_a_history_without_errors_has_nothing_to_judge() -> None:
    v = check_errors_name_their_component(_history())
    assert v.ok and v.message == "no error reported: nothing to judge"


def test_the_verdict_counts_each_way_an_error_names_no_component_and_shows_each_case() -> None:
    """What a reader of a failed run is given to find the errors: how many events name no reporter
    and how many routed errors no origin (apart), and for the first ones their time, index, type,
    both components and what each lacks."""
    nameless = {"error": {"type": "CallbackError", "message": "counted"}}
    v = check_errors_name_their_component(_history(_routed("device", "device"), _routed("device", None), nameless,
                                                   _routed(None, ""), {**nameless, "error": "not a mapping"}))
    assert not v.ok
    assert v.message == ("3 error event(s) name no reporting component; 2 error(s) name no component they came "
                         "from: t=2.000 s: DeviceLostError ('m') names no component it was from"), v.message
    assert v.evidence[:3] == [
        {"time": 2.0, "index": 2, "type": "DeviceLostError", "component": "device", "error_component": None,
         "message": "t=2.000 s: DeviceLostError ('m') names no component it was from"},
        {"time": 3.0, "index": 3, "type": "CallbackError", "component": None, "error_component": None,
         "message": "t=3.000 s: CallbackError ('counted') names no component it was reported by"},
        {"time": 4.0, "index": 4, "type": "DeviceLostError", "component": None, "error_component": "",
         "message": "t=4.000 s: DeviceLostError ('m') names no component it was reported by"}]
    assert len(v.evidence) == 5 and v.evidence[4]["type"] is None


def test_a_pass_says_how_many_errors_it_judged_each_way() -> None:
    v = check_errors_name_their_component(_history(_routed("device", "device"), _routed("input", "input"),
                                                   {"error": {"type": "CallbackError"}, "component": "stream"}))
    assert v.ok and v.message == ("each of the 3 error event(s) names its reporting component, and each of the "
                                  "2 the shipped system routed the component its error came from"), v


def test_the_evidence_is_bounded_and_timed_to_the_microsecond_while_every_case_is_counted() -> None:
    from harness.invariants import _MAX_EVIDENCE

    h = History()
    h.record("attach", data={"state": "uninitialized", "clock": "virtual"}, time=0.0)
    for i in range(_MAX_EVIDENCE + 2):
        h.record("error", value="error", time=1.12345678 + i, data=_routed("device", None))
    v = check_errors_name_their_component(h)
    assert not v.ok and len(v.evidence) == _MAX_EVIDENCE, len(v.evidence)
    assert v.message.startswith(f"{_MAX_EVIDENCE + 2} error(s) name no component they came from: "), v.message
    assert v.evidence[0]["time"] == 1.123457 and v.evidence[-1]["time"] == round(1.12345678 + _MAX_EVIDENCE - 1, 6)


def test_every_verdict_carries_the_invariant_s_name_and_each_count_only_when_it_is_not_zero() -> None:
    unreported = check_errors_name_their_component(_history(_routed(None, "device")))
    assert (unreported.name, unreported.ok) == (NAME, False)
    assert unreported.message == ("1 error event(s) name no reporting component: t=1.000 s: DeviceLostError ('m') "
                                  "names no component it was reported by"), unreported.message
    assert check_errors_name_their_component(_history()).name == NAME
    assert check_errors_name_their_component(_history(_routed("device", "device"))).name == NAME
