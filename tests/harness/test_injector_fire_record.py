"""What one firing of ``FaultInjector._fire`` leaves behind: the record's fields as the fault
gave them, the run's configuration handed to the fault, and a fault fired again while it is
still active counted as skipped each time, never started twice, and fired again once ended."""

from __future__ import annotations

from typing import Any, ClassVar

from running_system import running_system

from harness.faults import FaultInjector
from harness.faults.kinds import Fault, FaultContext
from harness.faults.triggers import At


class _Lasting(Fault):
    """Not transient, on the coordinator: both unlike the base's defaults, so a record that lost
    either is told from one that kept it. Its details are the run's block size as handed to it, and
    it notes its start in the history it was handed, as the storms note their operations."""

    kind: ClassVar[str] = "lasting_probe"
    transient: ClassVar[bool] = False

    def start(self, ctx: FaultContext) -> Any:
        if ctx.history is not None:
            ctx.history.note("probe_started")
        return {"block_size": None if ctx.base_config is None else ctx.base_config.get("block_size")}

    def end(self, ctx: FaultContext, token: Any) -> None:
        return None


def _injector(base_config: dict[str, Any] | None = None) -> tuple[FaultInjector, Any]:
    system, history = running_system()
    return FaultInjector(system, [], seed=1, history=history, base_config=base_config), history


def test_a_firing_s_record_names_the_fault_s_target_trigger_and_lasting_kind() -> None:
    injector, history = _injector({"block_size": 256})
    fault = _Lasting(trigger=At(0.5), target="coordinator", fault_id="probe", duration_s=1.0)
    record = injector.inject(fault)
    assert record is not None
    assert (record.firing_id, record.fault_id, record.kind, record.target, record.trigger, record.transient) == (
        "probe@1", "probe", "lasting_probe", "coordinator", At(0.5).describe(), False)
    assert record.details == {"block_size": 256}  # the run's configuration reached the fault
    assert [e.value for e in history.entries if e.type == "note" and e.value == "probe_started"] == ["probe_started"]
    (start,) = [e for e in history.entries if e.type == "fault_start"]
    assert (start.data["target"], start.data["trigger"], start.data["transient"]) == (
        "coordinator", At(0.5).describe(), False)


def test_a_fault_fired_again_while_still_active_is_skipped_each_time_and_fires_again_once_ended() -> None:
    injector, history = _injector()
    fault = _Lasting(target="coordinator", fault_id="probe", duration_s=1.0)
    assert injector.inject(fault) is not None
    assert injector.inject(fault) is None and injector.inject(fault) is None
    assert (injector.skipped, injector.fired) == (2, 1)
    assert len([e for e in history.entries if e.type == "fault_start"]) == 1
    injector.end(fault)
    again = injector.inject(fault)  # ended, it fires again: the run's second firing
    assert again is not None and again.firing_id == "probe@2" and injector.fired == 2
    assert injector.fired_by_kind == {"lasting_probe": 2}


class _Instant(Fault):
    """Instantaneous: its end, within its firing, notes the token its start gave, through the
    context it was handed."""

    kind: ClassVar[str] = "instant_probe"

    def start(self, ctx: FaultContext) -> Any:
        return {"mark": 7}

    def end(self, ctx: FaultContext, token: Any) -> None:
        assert ctx.history is not None
        ctx.history.note("probe_ended", mark=token["mark"])


def test_an_instantaneous_fault_is_ended_within_its_firing_and_its_listeners_told_so() -> None:
    """A fault without a duration is started and ended in one firing: the end has the start's token
    and context, the record its end time at once, nothing is left active, and a listener hears
    ``fault_start`` then ``fault_end``."""
    injector, history = _injector()
    heard: list[tuple[str, str]] = []
    injector.add_listener(lambda what, record: heard.append((what, record.firing_id)))
    record = injector.inject(_Instant(fault_id="now"))
    assert record is not None and record.ended_at == record.fired_at and injector.active == []
    assert heard == [("fault_start", "now@1"), ("fault_end", "now@1")]
    (ended,) = [e for e in history.entries if e.type == "note" and e.value == "probe_ended"]
    assert ended.data["mark"] == 7
    assert [e.type for e in history.entries if e.type in ("fault_start", "fault_end")] == ["fault_start", "fault_end"]
