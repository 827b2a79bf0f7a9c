"""The ``history_complete`` check's op-id sets: ``set``'s answers in memory that grows with the
gaps between the ids, not with their number."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness import History
from harness.invariants import _IdSet, check_history_complete


_ids = st.one_of(st.integers(-5, 60), st.integers(-5, 60).map(float), st.booleans(), st.none(),
                 st.sampled_from(["a", "7", 1.5, float("nan"), float("inf"), -0.0]))


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _ids), max_size=120))
def test_an_id_set_answers_as_a_set_does(steps):
    ids, plain = _IdSet(), set()
    for add, x in steps:
        if add:
            ids.add(x)
            plain.add(x)
        assert (x in ids) == (x in plain)
        assert len(ids) == len(plain)
    for probe in range(-7, 63):
        assert (probe in ids) == (probe in plain)


def test_consecutive_ids_in_any_order_are_one_range():
    ids = _IdSet()
    order = [*range(1, 10_001, 2), *range(10_000, 0, -2)]  # every odd one, then the even ones backwards
    for x in order:
        ids.add(x)
    assert len(ids) == 10_000 and ids.ranges == 1
    assert 0 not in ids and 10_001 not in ids and all(x in ids for x in (1, 5_000, 10_000))


def test_a_history_s_ops_are_counted_and_checked_as_before():
    h = History()
    for _ in range(50):
        op = h.invoke(0, "start")
        h.complete(op, "ok")
    h.record("ok", op_id=7)  # completed twice
    h.record("ok", op_id=999)  # never invoked
    v = check_history_complete(h)
    assert not v.ok
    whys = {(e.get("why"), e.get("op_id")) for e in v.evidence}
    assert ("op completed twice", 7) in whys and ("completion without invoke", 999) in whys
    h2 = History()
    for _ in range(50):
        h2.complete(h2.invoke(0, "start"), "ok")
    ok = check_history_complete(h2)
    assert ok.ok and "50 ops completed once" in ok.message


def test_the_completeness_fold_holds_no_set_of_every_op():
    """100 000 ops, each completed once: the fold's id sets held ~8 MB as plain sets."""
    import tracemalloc

    from harness.history import Entry
    from harness.invariants import _Complete

    fold = _Complete({})
    entries = [Entry(2 * i + j, kind, float(i), "p", "start", i + 1) for i in range(100_000)
               for j, kind in enumerate(("invoke", "ok"))]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for e in entries:
            fold.feed(e)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert fold.verdict().ok
    assert held < 100_000, held
