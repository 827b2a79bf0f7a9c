"""``bench/end_memory.py`` measures the end-of-run checks the runner runs, fold by fold.

Its figures are read as "what the runner's end-of-run checks hold" (bench/RESULTS.md, issue
#17): that holds only if its pass gives the verdicts ``check_all`` gives over the same history,
and if its sizes count what a fold keeps without walking into the interpreter (a bound method's
globals) or counting an object two folds share twice."""

from __future__ import annotations


from harness import ReliabilityRun, RunSpec
from harness.history import History
from harness.invariants import check_all
from bench_scripts import load_bench_script


def _end_memory():
    return load_bench_script("end_memory.py", "bench_end_memory")


def test_the_pass_measured_gives_the_runners_verdicts_and_a_size_for_every_fold(tmp_path):
    ReliabilityRun(RunSpec(duration_s=8.0, seed=3, faults="default", run_dir=tmp_path / "r")).execute()
    path = tmp_path / "r" / "history.jsonl"
    got = _end_memory().measure(path, sizes=True)
    expected = {v.name: v.to_dict() for v in check_all(History.open_jsonl(path))}
    assert got["verdicts"] == expected
    assert set(got["held_mb"]) == {*expected, "LossFold"}
    assert got["held_mb"]["recovery"] > 0


def test_held_bytes_counts_a_shared_object_once_and_follows_no_function():
    em = _end_memory()
    shared = list(range(1000))
    seen: set[int] = set()
    first = em.held_bytes({"a": shared}, seen)
    again = em.held_bytes([shared], seen)
    assert first > 1000 * 8 > again
    assert em.held_bytes(em.held_bytes, set()) == 0  # a function: its globals are not walked
