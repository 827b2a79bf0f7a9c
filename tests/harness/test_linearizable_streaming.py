"""The streaming ``linearizable`` judge: the whole-history judge's verdict, holding one segment.

``check_all`` and ``check_linearizable`` run ``_StreamingLinearizability``, which judges the ops
segment by segment as the history streams past and lets each segment go once judged.
``_check_linearizable_whole`` holds every op and mark at once and is the reference: on recorded
runs, thread storms, hand-made corner cases and hypothesis-edited copies of them both must give
the same verdict, message and evidence (inconclusive included). The edits make the histories
irregular on purpose (entries dropped, duplicated, reordered, outcomes and states changed,
truncation), which also exercises the hand-over to the whole-history judge.

The live check keeps one judge, feeds it each step's new entries and reads it without settling
it (``reading``): at every entry of these histories its reading must be what a judge fed the
whole history so far afresh says (``live_readings``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import History
from harness.faults import system_storm
from harness.history import Entry
from harness.invariants import _check_linearizable_whole, _run_folds, _StreamingLinearizability
from harness.runner import ReliabilityRun, RunSpec
from live_readings import assert_every_reading_is_the_fresh_verdict
from system_under_test import AudioSystem

FUZZ = settings(derandomize=True, deadline=None, database=None, max_examples=60)


def _judged(h: History) -> tuple[tuple, tuple, _StreamingLinearizability]:
    whole = _check_linearizable_whole(h)
    judge = _StreamingLinearizability(h)
    _run_folds(h, [judge], catch=False)
    stream = judge.verdict()
    key = lambda v: (v.ok, v.inconclusive, v.message, v.evidence)  # noqa: E731
    return key(whole), key(stream), judge


def _assert_same(h: History) -> _StreamingLinearizability:
    whole, stream, judge = _judged(h)
    assert stream == whole
    return judge


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> History:
    spec = RunSpec(duration_s=40, seed=3, faults="hostile", report_root=tmp_path_factory.mktemp("runs"))
    return ReliabilityRun(spec).execute(reports=False).history


def _storm_history(storm_system: Callable[[int], AudioSystem], seed: int, threads: int = 8) -> History:
    system = storm_system(seed)
    h = History(meta={"seed": seed}).attach(system)
    system_storm(system, threads=threads, ops_per_thread=6, seed=seed, history=h)
    system.close()
    return h


@pytest.mark.parametrize("profile,seed", [("gentle", 1), ("default", 2), ("hostile", 7)])
def test_recorded_runs_are_judged_in_one_pass_with_the_same_verdict(tmp_path, profile, seed):
    h = ReliabilityRun(RunSpec(duration_s=30, seed=seed, faults=profile, report_root=tmp_path)
                       ).execute(reports=False).history
    judge = _assert_same(h)
    assert judge.whole_reason is None  # the streaming pass judged it, no hand-over


def test_a_recorded_run_read_at_every_entry_gets_the_fresh_verdict_each_time(hostile_run):
    """The live check's reading after each entry of a hostile run, against a judge fed the run so
    far afresh; reading never settles the pass, so it never hands over to the whole-history judge."""
    judge = assert_every_reading_is_the_fresh_verdict(hostile_run)
    assert judge.whole_reason is None


def test_the_pass_holds_only_the_open_segment(hostile_run):
    """What the pass holds stays small while the run's ops and moves pile up (the whole-history
    judge holds all of them)."""
    judge = _StreamingLinearizability(hostile_run)
    most_ops = most_moves = 0
    for e in hostile_run:
        if e.type in judge.types:
            judge.feed(e)
            ops, moves = judge.held()
            most_ops, most_moves = max(most_ops, ops), max(most_moves, moves)
    assert judge.whole_reason is None
    total_ops = sum(1 for _ in hostile_run.operations())
    total_moves = len(hostile_run.transitions("system"))
    assert total_ops > 100 and total_moves > 200
    assert most_ops <= 40 and most_moves <= 80, (most_ops, most_moves, total_ops, total_moves)


@pytest.mark.parametrize("seed", range(6))
def test_thread_storms_get_the_same_verdict(seed, storm_system):
    h = _storm_history(storm_system, seed, threads=8 if seed % 2 else 32)
    _assert_same(h)
    if seed % 2:  # read at every entry: a fresh judgement each time costs the square of the length
        assert_every_reading_is_the_fresh_verdict(h)


def _attach(h: History, state: str = "running", seq: int = 0) -> None:
    h.record("attach", data={"state": state, "configured": True, "pending": False, "seq": seq,
                             "components": {"system": state}, "next_seq": seq + 1})


def _obs(state: str, seq: int) -> dict:
    return {"state": state, "configured": True, "pending": False, "config": "c", "seq": seq}


def _move(h: History, seq: int, frm: str, to: str, actor: str = "system") -> None:
    h.record("transition", data={"seq": seq, "time": 0.0, "component": "system", "from_state": frm,
                                 "to_state": to, "cause": "x", "actor": actor})


def _lone_op_history() -> History:
    """A supervisor's move inside a lone op's window whose record lags past the next quiet note."""
    h = History()
    _attach(h, "running", 0)
    op = h.invoke("p", "pause")
    _move(h, 1, "running", "paused", actor="op")
    h.ok(op, pre=_obs("running", 0), post=_obs("running", 2), seqs=[1])
    h.note("quiescent", **_obs("running", 2))
    _move(h, 2, "paused", "running")  # the other actor's move, numbered inside the op's window
    return h


def test_a_lone_op_waits_for_a_transition_recorded_after_the_next_quiet_note():
    """A supervisor's move inside the op's window whose record lags past the next quiet note: the
    op is judged only once it is in (judged at once, the op would be a violation)."""
    h = _lone_op_history()
    judge = _assert_same(h)
    assert judge.whole_reason is None
    assert _check_linearizable_whole(h).ok
    # read before the move is in, the op is judged as the history so far ends: a violation then,
    # and the pass still waits for the move
    assert assert_every_reading_is_the_fresh_verdict(h).whole_reason is None


def test_ops_crossing_a_quiet_note_and_one_never_completed():
    h = History()
    _attach(h, "running", 0)
    a = h.invoke("p1", "pause")
    b = h.invoke("p2", "resume")
    h.note("quiescent", **_obs("running", 0))  # not quiet after all: a and b still run
    c = h.invoke("p3", "stop")
    h.ok(a, pre=_obs("running", 0), post=_obs("paused", 1), seqs=[1])
    _move(h, 1, "running", "paused", actor="op")
    h.ok(b, pre=_obs("paused", 1), post=_obs("running", 2), seqs=[2])
    _move(h, 2, "paused", "running", actor="op")
    h.record("fault_start", data={"kind": "xrun"})
    del c  # never completes
    _assert_same(h)
    assert_every_reading_is_the_fresh_verdict(h)


def _edit(h: History, edits: list[tuple[int, int, int]]) -> History:
    """A copy of ``h`` with entries dropped, duplicated, swapped, or with an op's outcome, its
    ``post`` state or a transition's number changed, then truncated."""
    entries = [Entry(e.index, e.type, e.time, e.process, e.op, e.op_id, e.value, dict(e.data)) for e in h]
    states = ["running", "paused", "stopped", "failed", "recovering", "configured"]
    for kind, where, what in edits:
        if not entries:
            break
        i = where % len(entries)
        e = entries[i]
        if kind == 0:
            del entries[i]
        elif kind == 1:
            entries.insert(i, entries[what % len(entries)])
        elif kind == 2:
            j = what % len(entries)
            entries[i], entries[j] = entries[j], entries[i]
        elif kind == 3 and e.type in ("ok", "fail", "info"):
            e.type = ("ok", "fail", "info")[what % 3]
        elif kind == 4 and isinstance(e.data.get("post"), dict):
            e.data["post"] = {**e.data["post"], "state": states[what % len(states)]}
        elif kind == 5 and e.type == "transition" and isinstance(e.data.get("seq"), int):
            e.data["seq"] += what % 5 - 2
        elif kind == 6:
            entries = entries[: max(1, i)]
        elif kind == 7:
            e.index += what % 7 - 3
    out = History()
    for e in entries:
        out.entries.append(e)
        out._note_entry(e)
    return out


EDITS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=6)


@FUZZ
@given(edits=EDITS)
def test_edited_run_histories_get_the_same_verdict(hostile_run, edits):
    _assert_same(_edit(hostile_run, edits))


@pytest.fixture(scope="module")
def storms(storm_system: Callable[[int], AudioSystem]) -> list[History]:
    return [_storm_history(storm_system, seed, threads=16) for seed in range(6)]


@FUZZ
@given(seed=st.integers(0, 5), edits=EDITS)
def test_edited_storm_histories_get_the_same_verdict(storms, seed, edits):
    _assert_same(_edit(storms[seed], edits))


@pytest.fixture(scope="module")
def small_storms(storm_system: Callable[[int], AudioSystem]) -> list[History]:
    """Storms of 4 threads: a fresh judgement at every entry costs the square of a history's length."""
    return [_storm_history(storm_system, seed, threads=4) for seed in range(6)]


@FUZZ
@given(seed=st.integers(0, 5), edits=EDITS)
def test_edited_storm_histories_read_at_every_entry_get_the_fresh_verdict(small_storms, seed, edits):
    """Irregular histories too (the hand-over to the whole-history judge mid-pass included)."""
    assert_every_reading_is_the_fresh_verdict(_edit(small_storms[seed], edits))


def test_a_history_file_is_judged_the_same_streamed_back(tmp_path, hostile_run):
    path = Path(tmp_path) / "history.jsonl"
    hostile_run.write_jsonl(path)
    judge = _assert_same(History.open_jsonl(path))
    assert judge.whole_reason is None


OPS = ("configure", "start", "pause", "resume", "stop", "recover", "simulate_error")
STATES = ("running", "paused", "configured", "stopped", "failed", "recovering")


def _synthetic(steps: list[tuple[int, int]]) -> History:
    """A history of concurrent ops with quiet notes, faults and the system's own moves between
    them, from ``steps`` (what happens next, and a number to pick with): it reaches the segment
    rules a recorded run rarely does (a concurrent island first or later, autonomous entries
    before, inside and between islands, lone ops checked or not)."""
    h = History()
    _attach(h, "running", 0)
    running: list[int] = []
    seq = 0
    for kind, n in steps:
        if kind == 0 or (kind == 1 and not running):
            running.append(h.invoke(f"p{n % 5}", OPS[n % len(OPS)]))
        elif kind == 1:
            op = running.pop(n % len(running))
            outcome = ("ok", "ok", "fail", "info")[n % 4]
            kw = {"pre": _obs(STATES[n % 6], seq), "post": _obs(STATES[n // 6 % 6], seq)} if n % 3 else {}
            h.complete(op, outcome, **kw, seqs=[] if n % 5 == 0 else None)
        elif kind == 2:
            h.note("quiescent", **_obs(STATES[n % 6], seq))
        elif kind == 3:
            h.record("fault_start", data={"kind": "xrun"})
        else:
            seq += 1
            _move(h, seq, STATES[n % 6], STATES[n // 6 % 6], actor="system" if kind == 4 else "op")
    return h


@settings(FUZZ, max_examples=300)
@given(steps=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10**4)), max_size=40))
def test_synthetic_concurrent_histories_get_the_same_verdict(steps):
    judge = _assert_same(_synthetic(steps))
    assert judge.whole_reason is None


@settings(FUZZ, max_examples=300)
@given(steps=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10**4)), max_size=40))
def test_synthetic_concurrent_histories_read_at_every_entry_get_the_fresh_verdict(steps):
    """Segments open, closed and judged between readings; lone ops waiting for their window's
    moves; islands open at a reading and closed after it."""
    judge = assert_every_reading_is_the_fresh_verdict(_synthetic(steps))
    assert judge.whole_reason is None


def test_a_reading_settles_its_copy_without_the_whole_history_judge(monkeypatch: pytest.MonkeyPatch):
    """A reading costs what the pass holds (the live check reads after every step): the copy it
    settles has its own move log and settles on it. A copy that could not settle would hand the
    reading to the whole-history judge, the same verdict at a cost growing with the history."""
    import harness.invariants as invariants

    h = _lone_op_history()

    def whole(*_: object, **__: object) -> None:
        raise AssertionError("a reading went to the whole-history judge")

    monkeypatch.setattr(invariants, "_check_linearizable_whole", whole)
    judge = _StreamingLinearizability(h)
    for e in h:
        if e.type in judge.types:
            judge.feed(e)
            assert judge.reading().ok is not None
    assert judge.whole_reason is None and judge.verdict().ok
