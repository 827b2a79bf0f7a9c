"""``History.end_time`` kept as entries are noted: the number a pass over the window gave, without the pass."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.history import Entry, History


def _scanned(h: History) -> float:
    """``end_time`` as a pass over the window gives it (the property's meaning)."""
    window = max((e.time for e in h.entries), default=0.0)
    return window if h.first_index == 0 else max(h._end_time, window)


class _NoPass(list):  # type: ignore[type-arg]
    """A window that refuses to be walked: ``end_time`` must not read it."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("end_time walked the window")


_times = st.lists(st.one_of(st.floats(0.0, 1e6, allow_nan=False), st.sampled_from([0.0, 1.5, 1.5, 7.25])),
                  max_size=60)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(times=_times, keep=st.one_of(st.none(), st.integers(1, 6)), direct=st.lists(st.integers(0, 59), max_size=3))
def test_end_time_is_the_window_pass_s_number(tmp_path_factory, times: list[float], keep: int | None,
                                              direct: list[int]) -> None:
    """Any times (out of order, repeated, 0.0), with and without eviction, and entries appended to
    the window directly (as tests and readers do): the same float as the pass over the window."""
    stream = tmp_path_factory.mktemp("h") / "h.jsonl" if keep is not None else None
    h = History(stream_to=stream, keep=keep)
    for i, t in enumerate(times):
        if i in direct:
            h.entries.append(Entry(len(h), "note", t + 3.0))
        else:
            h.record("note", time=t)
        got, want = h.end_time, _scanned(h)
        assert got == want and repr(got) == repr(want)
    h.close()


def test_end_time_reads_no_entry_of_the_window(tmp_path: Path) -> None:
    """Fails on a pass over the window (the property's cost grew with the window, and the live checks
    read it at every interval of a soak)."""
    for keep, stream in ((None, None), (4, tmp_path / "h.jsonl")):
        h = History(stream_to=stream, keep=keep)
        h.entries = _NoPass()
        for t in (2.0, 9.5, 3.0, 9.5, 1.0, 0.5, 11.0, 4.0, 4.0, 2.0):
            h.record("note", time=t)
        assert h.end_time == 11.0
        h.close()


def test_end_time_after_loading_a_file(tmp_path: Path) -> None:
    """Read back whole (``read_jsonl``) and streamed (``open_jsonl``): the recorded history's end."""
    src = History(stream_to=tmp_path / "h.jsonl")
    for t in (0.25, 8.0, 3.0):
        src.record("note", time=t)
    src.close()
    assert History.read_jsonl(tmp_path / "h.jsonl").end_time == 8.0
    assert History.open_jsonl(tmp_path / "h.jsonl").end_time == 8.0
    assert History().end_time == 0.0
