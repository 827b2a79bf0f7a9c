"""Histories: invoke/ok/fail/info, attachment to a system, JSON Lines round trip, bad files."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from harness import InputFileError
from harness.history import History, HistoryFormatError, run_op
from system_under_test.clock import SystemClock


def test_invoke_and_complete_pair_up_with_processes():
    h = History()
    a = h.invoke(1, "start", [])
    b = h.invoke("t2", "pause")
    h.ok(a)
    h.info(b, error={"timeout": True})
    ops = {o.op_id: o for o in h.operations()}
    assert (ops[a].process, ops[a].outcome) == ("1", "ok")
    assert (ops[b].process, ops[b].outcome, ops[b].error) == ("t2", "info", {"timeout": True})
    assert ops[a].invoke_index < ops[b].invoke_index < ops[a].complete_index < ops[b].complete_index


def test_complete_rejects_unknown_outcomes():
    h = History()
    with pytest.raises(ValueError, match="outcome"):
        h.complete(h.invoke(0, "x"), "maybe")


def test_run_op_classifies_outcomes(make_system):
    system = make_system(start=False)
    system.initialize()
    h = History().attach(system)
    assert run_op(h, system, "pause").outcome == "fail"                 # illegal: no effect
    assert run_op(h, system, "start").outcome == "ok"
    assert run_op(h, system, "configure", {"stream": {"sample_rate": 1}}).outcome == "fail"
    assert run_op(h, system, "simulate_error", "dsp").outcome == "ok"   # raising is its result
    assert run_op(h, system, "recover").value is True
    system.backend.remove_device("sim-in")
    run_op(h, system, "stop")
    res = run_op(h, system, "start")                                    # the world broke part-way
    assert res.outcome == "info" and system.state.value == "failed"
    ops = h.operations()
    assert [o.outcome for o in ops] == ["fail", "ok", "fail", "ok", "ok", "ok", "info"]
    assert ops[2].error["type"] == "ConfigValidationError"
    assert ops[1].pre["state"] == "configured" and ops[1].post["state"] == "running"


def test_run_op_records_a_crash_and_reraises():
    class Broken:
        state = type("S", (), {"value": "running"})()
        config = None

        def explode(self):
            raise ZeroDivisionError("boom")

    h = History()
    with pytest.raises(ZeroDivisionError):
        run_op(h, Broken(), "explode")
    (op,) = h.operations()
    assert op.outcome == "info" and op.error["crash"] is True


def test_run_op_timeout_is_info():
    release = threading.Event()

    class Slow:
        state = type("S", (), {"value": "running"})()
        config = None

        def hang(self):
            release.wait(5)

    h = History()
    res = run_op(h, Slow(), "hang", timeout_s=0.05)
    release.set()
    assert res.outcome == "info" and h.operations()[0].error == {"timeout": True, "timeout_s": 0.05}


def test_attach_records_transitions_events_and_snapshots(make_system):
    system = make_system(start=False)
    system.initialize()
    h = History().attach(system, metrics_every_s=0.1)
    system.start()
    system.run_for(0.35)
    system.backend.remove_device("sim-in")
    system.run_for(0.05)
    assert h.initial["state"] == "configured"
    assert [t["to_state"] for t in h.transitions("system")][:2] == ["starting", "running"]
    assert len(h.snapshots()) == 3
    snap = h.snapshots()[-1].data
    assert snap["balanced"] and snap["frames"]["captured"] > 0 and snap["health"]["state"] == "running"
    assert h.errors() and h.errors()[0].data["error"]["type"] == "DeviceLostError"
    assert h.events("recovery_started")
    h.detach()
    n = len(h)
    system.run_for(0.5)
    assert len(h) == n


def test_jsonl_round_trip(tmp_path: Path, make_system):
    system = make_system()
    h = History(meta={"seed": 3}).attach(system, metrics_every_s=0.1)
    run_op(h, system, "pause")
    system.run_for(0.3)
    path = h.write_jsonl(tmp_path / "h.jsonl")
    back = History.read_jsonl(path)
    assert back.to_jsonl() == h.to_jsonl()
    assert back.meta["seed"] == 3
    assert [o.to_dict() for o in back.operations()] == [o.to_dict() for o in h.operations()]


def test_streaming_on_a_real_clock_appends_every_entry_as_it_happens(tmp_path: Path):
    path = tmp_path / "live.jsonl"
    h = History(clock=SystemClock(), stream_to=path)
    for i in range(3):
        h.record("event", value="tick", data={"i": i})
        lines = path.read_text().splitlines()
        assert len(lines) == len(h) and json.loads(lines[-1])["data"] == {"i": i}
    h.close()


def test_streaming_on_the_virtual_clock_flushes_at_errors_faults_snapshots_and_every_256_lines(
        tmp_path: Path, make_system):
    system = make_system()
    path = tmp_path / "live.jsonl"
    h = History(stream_to=path).attach(system)
    run_op(h, system, "pause")
    run_op(h, system, "resume")
    assert len(path.read_text().splitlines()) < len(h)  # batched: not a write per line

    def on_disk() -> list[dict]:
        return [json.loads(line) for line in path.read_text().splitlines()]

    for kind in ("error", "fault_start", "fault_end", "metrics"):
        h.record(kind, data={"what": kind})
        lines = on_disk()
        assert len(lines) == len(h) and lines[-1]["type"] == kind  # everything up to it, at once
    for i in range(255):
        h.record("event", value="tick", data={"i": i})
    assert len(on_disk()) == len(h) - 255
    h.record("event", value="tick", data={"i": 255})
    assert len(on_disk()) == len(h)  # the 256th waiting line flushes them all
    h.record("event", value="tick", data={"i": 256})
    assert [e.data for e in h.since(len(h) - 1)] == [{"i": 256}]
    h.flush()
    assert len(on_disk()) == len(h)
    run_op(h, system, "pause")
    h.close()
    assert History.read_jsonl(path).to_jsonl() == h.to_jsonl()


def test_readers_of_the_stream_file_see_the_lines_not_yet_flushed(tmp_path: Path, make_system):
    system = make_system()
    h = History(stream_to=tmp_path / "h.jsonl", keep=5).attach(system)
    for i in range(40):
        h.record("event", value="tick", data={"i": i})
    assert [e.data for e in h.of_type("event") if "i" in e.data] == [{"i": i} for i in range(40)]
    h.close()


@pytest.mark.parametrize("line, message", [
    ('{"index": 0, "type": "meta"', "line 2: not valid JSON"),
    ('[1, 2]', "line 2: expected a JSON object"),
    ('{"type": "ok"}', "line 2: missing field(s) index"),
    ('{"index": 1, "type": "bogus"}', "line 2: unknown entry type 'bogus'"),
    ('{"index": "x", "type": "ok"}', "line 2: malformed entry"),
])
def test_malformed_lines_name_file_and_line(tmp_path: Path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"index": 0, "type": "meta", "time": 0}\n' + line + "\n")
    with pytest.raises(HistoryFormatError) as exc:
        History.read_jsonl(path)
    assert str(path) in str(exc.value) and message in str(exc.value) and exc.value.line == 2


def test_missing_file_is_an_input_file_error(tmp_path: Path):
    with pytest.raises(InputFileError, match="cannot read the history"):
        History.read_jsonl(tmp_path / "nope.jsonl")


def test_concurrent_recording_keeps_indices_gap_free():
    h = History()

    def work(i: int) -> None:
        for _ in range(200):
            h.ok(h.invoke(i, "op"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.index for e in h.entries] == list(range(3200))
    assert all(o.outcome == "ok" for o in h.operations())


def _fill(h: History, n: int) -> None:
    for i in range(n):
        op = h.invoke(i % 3, "pause" if i % 2 else "resume", [i])
        h.record("event", value="tick", data={"i": i})
        (h.ok if i % 5 else h.fail)(op, i)


def test_keep_bounds_memory_and_readers_stream_the_rest_back_from_the_file(tmp_path: Path):
    full = History(meta={"seed": 1})
    _fill(full, 600)
    h = History(meta={"seed": 1}, stream_to=tmp_path / "h.jsonl", keep=50)
    _fill(h, 600)
    h.close()
    assert len(h) == len(full) == 1801
    assert 50 <= len(h.entries) < 100 and h.first_index == len(h) - len(h.entries)  # only a window in memory
    assert h.to_jsonl() == full.to_jsonl()                              # every entry, in order
    assert [o.to_dict() for o in h.operations()] == [o.to_dict() for o in full.operations()]
    assert [e.to_dict() for e in h.since(7)] == [e.to_dict() for e in list(full)[7:]]
    assert [e.index for e in h.since(len(h) - 3)] == [1798, 1799, 1800]  # from memory
    assert h.meta["seed"] == 1 and h.end_time == full.end_time
    assert h.last("event").data == {"i": 599}


def test_keep_without_a_stream_keeps_everything():
    h = History(keep=10)
    _fill(h, 100)
    assert len(h.entries) == len(h) == 300 and h.first_index == 0


def test_complete_finds_the_invoke_by_op_id_not_by_scanning(tmp_path: Path, monkeypatch):
    h = History(stream_to=tmp_path / "h.jsonl", keep=20)
    op = h.invoke("worker-7", "start")
    _fill(h, 100)  # the invoke is long gone from memory
    monkeypatch.setattr(h, "_iter_all", lambda **kw: pytest.fail("complete() scanned the history"))
    e = h.ok(op)
    h.close()
    assert (e.process, e.op) == ("worker-7", "start")


def test_open_jsonl_streams_a_history_file_without_loading_it(tmp_path: Path):
    src = History(meta={"seed": 5})
    _fill(src, 300)
    path = src.write_jsonl(tmp_path / "h.jsonl")
    h = History.open_jsonl(path)
    assert h.entries == [] and len(h) == len(src) and h.meta["seed"] == 5
    assert h.to_jsonl() == src.to_jsonl() and h.end_time == src.end_time
    assert [o.to_dict() for o in h.operations()] == [o.to_dict() for o in src.operations()]


def test_jsonable_fast_path_is_the_general_path_for_every_kind_of_value():
    """``jsonable`` takes exact str/int/bool/None, dicts and floats on a fast path; every value
    comes out as the general path (``_jsonable_other``) makes it: subclasses (an IntEnum, numpy
    scalars), enum keys, non-finite floats, nested containers, records and exceptions."""
    import dataclasses
    import enum

    import numpy as np

    from harness.history import _jsonable_other, jsonable

    class Mode(enum.Enum):
        A = "a"

    class Level(enum.IntEnum):
        X = 3

    @dataclasses.dataclass
    class Rec:
        x: int
        y: float

    values = [None, True, 1, "s", 1.5, float("nan"), float("-inf"), np.float64(2.5), np.int64(3),
              np.float32(1.25), Mode.A, Level.X, {"a": {"b": [1, 2, (3, 4)]}, Mode.A: 1, 3: float("nan"),
                                                   Level.X: Mode.A, "r": Rec(1, 2.0)},
              [1, {2, 3}], Rec(1, float("inf")), ValueError("x"), object]
    for value in values:
        fast, general = jsonable(value), _jsonable_other(value)
        assert json.dumps(fast) == json.dumps(general), value
        assert type(fast) is type(general), value


# -- transition lines written from their fields --------------------------------------------------

_ODD_CAUSES = ["start", "", 'a "quoted" cause', "back\\slash", "tab\there\nnewline\r\x00\x1f\x7f",
               "non-ASCII: \u00e9\u00fc \u4e2d \U0001f3b5", "lone \ud800 surrogate", "x" * 5000,
               "DeviceStalledError: no callback for 0.123 s (8 periods of 5.33 ms)"]
_ODD_TIMES = [0.0, -0.0, 0.1 + 0.2, 1e-7, 5e-324, 123456789.123456789, 1e16, 1.7976931348623157e308, 3.0]


def _general_history(tmp_path: Path, name: str, records, actors) -> History:
    """The records written the general way: ``record("transition", data={**to_dict(), "actor"})``."""
    h = History(stream_to=tmp_path / name)
    for rec, actor in zip(records, actors):
        h.record("transition", data={**rec.to_dict(), "actor": actor}, time=rec.time)
    h.close()
    return h


def test_a_transition_line_written_from_its_fields_is_the_encoder_s_line(tmp_path: Path):
    from system_under_test.lifecycle import State, TransitionRecord

    states = list(State)
    records, actors = [], []
    seq = 0
    for cause in _ODD_CAUSES:
        for t in _ODD_TIMES:
            seq += 1
            records.append(TransitionRecord(seq, t, ["system", "dsp", "dev\u00efce \"x\""][seq % 3],
                                            states[seq % len(states)], states[(seq * 5) % len(states)], cause))
            actors.append("op" if seq % 2 else "system")
    records.append(TransitionRecord(2**70, 1.5, "system", State.RUNNING, State.PAUSED, "a big seq"))
    actors.append("system")
    fast = History(stream_to=tmp_path / "fast.jsonl")
    for rec, actor in zip(records, actors):
        assert fast._record_transition(rec, actor)
    fast.close()
    general = _general_history(tmp_path, "general.jsonl", records, actors)
    assert (tmp_path / "fast.jsonl").read_bytes() == (tmp_path / "general.jsonl").read_bytes()
    assert [e.to_dict() for e in fast.entries] == [e.to_dict() for e in general.entries]
    assert [type(e.time) for e in fast.entries] == [type(e.time) for e in general.entries]


def test_a_transition_with_a_field_of_another_type_is_recorded_the_general_way(tmp_path: Path):
    from system_under_test.lifecycle import State, TransitionRecord

    class Name(str):
        pass

    class Sub(TransitionRecord):
        __slots__ = ()

        def to_dict(self):
            return {**super().to_dict(), "extra": True}

    odd = [TransitionRecord(1, float("nan"), "system", State.RUNNING, State.PAUSED, "nan time"),
           TransitionRecord(2, float("inf"), "system", State.PAUSED, State.RUNNING, "inf time"),
           TransitionRecord(3, 7, "system", State.RUNNING, State.PAUSED, "an int time"),
           TransitionRecord(4, 1.0, Name("dsp"), State.RUNNING, State.PAUSED, "a str subclass"),
           TransitionRecord(True, 1.0, "dsp", State.RUNNING, State.PAUSED, "a bool seq"),
           TransitionRecord(5, 1.0, "dsp", State.RUNNING, State.PAUSED, None),
           Sub(6, 2.0, "dsp", State.PAUSED, State.RUNNING, "its own to_dict")]
    h = History(stream_to=tmp_path / "observed.jsonl")
    for rec in odd:
        assert not h._record_transition(rec, "system")
        h._on_transition(rec)  # the observer itself records each the general way
    h.close()
    general = _general_history(tmp_path, "general.jsonl", odd, ["system"] * len(odd))
    assert (tmp_path / "observed.jsonl").read_bytes() == (tmp_path / "general.jsonl").read_bytes()
    assert [e.to_dict() for e in h.entries] == [e.to_dict() for e in general.entries]


def test_an_attached_system_s_transitions_are_the_lines_the_general_way_writes(tmp_path: Path, make_system):
    system = make_system(start=False)
    h = History(stream_to=tmp_path / "h.jsonl").attach(system)
    system.initialize()
    assert run_op(h, system, "start").outcome == "ok"
    system.pause()
    assert run_op(h, system, "simulate_error", "dsp").outcome == "ok"
    system.recover()
    system.stop()
    h.close()
    lines = (tmp_path / "h.jsonl").read_text().splitlines()
    transitions = [line for line in lines if json.loads(line)["type"] == "transition"]
    assert len(transitions) >= 20
    assert {json.loads(line)["data"]["actor"] for line in transitions} == {"op", "system"}
    for line in transitions:
        assert line == json.JSONEncoder(separators=(",", ":")).encode(json.loads(line))


def test_every_firing_of_a_fault_is_its_own_window_even_when_the_same_fault_fires_again(make_system):
    """``faults()`` gives one dict per firing, its start merged with its own end: a fault of a
    periodic trigger fires under one ``fault_id`` several times, and each firing is a window of its
    own (the reports' fault timeline, the per-kind counts), never merged into the last one."""
    from harness.faults import DeviceStall, Every, FaultInjector

    system = make_system()
    h = History().attach(system)
    stall = DeviceStall(trigger=Every(0.1, start_s=0.05, count=3), duration_s=0.03)  # past the 27.67 ms bound
    inj = FaultInjector(system, [stall], seed=1, history=h).arm()
    system.run_for(0.5)
    assert inj.fired == 3
    fired = h.faults()
    assert [f["fault_id"] for f in fired] == [stall.fault_id] * 3
    assert len({f["firing_id"] for f in fired}) == 3
    assert [round(f["fired_at"], 3) for f in fired] == [0.05, 0.15, 0.25]
    assert [round(f["ended_at"], 3) for f in fired] == [0.08, 0.18, 0.28]
    for f in fired:  # each start with its own end
        assert f["start_index"] < f["end_index"]
    assert fired[0]["end_index"] < fired[1]["start_index"] < fired[1]["end_index"] < fired[2]["start_index"]
