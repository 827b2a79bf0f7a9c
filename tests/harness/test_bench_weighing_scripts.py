"""The weighing scripts of issue #17's re-weigh read what they say they read.

``bench/pyspy_top.py`` ranks every function of a py-spy raw profile by self and cumulative
samples: a function on a stack twice (recursion) must count once a sample in the cumulative
ranking, and a sample's self time goes to its innermost frame only. ``bench/live_fold_costs.py``
replays a history through the live checker's folds: they must be the very folds, in the order,
``LiveChecker._history_verdicts`` makes (a stale copy would weigh other work). Each script, given
a file that is not there, exits 2 naming it, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench_scripts import load_bench_script
from harness import invariants
from harness.history import History
from system_under_test import AudioSystem


def test_pyspy_top_counts_a_recursive_function_once_a_sample_and_self_time_innermost(tmp_path: Path) -> None:
    top = load_bench_script("pyspy_top.py", "bench_pyspy_top")
    raw = tmp_path / "p.raw"
    raw.write_text("main (a.py:1);walk (b.py:5);walk (b.py:7);leaf (c.py:2) 3\n"
                   "main (a.py:1);walk (b.py:5) 2\n"
                   "main (a.py:1) 1\n")
    total, self_fn, cumulative = top.top_functions(raw)
    assert total == 6
    assert self_fn == {"leaf (c.py)": 3, "walk (b.py)": 2, "main (a.py)": 1}
    assert cumulative == {"main (a.py)": 6, "walk (b.py)": 5, "leaf (c.py)": 3}


def test_pyspy_top_groups_charge_a_sample_to_its_innermost_group_once(tmp_path: Path) -> None:
    """A sample is charged once, to the innermost of its frames in a group: the injector's firing
    that records into the history is the history's, the collector wherever it ran is its own, and
    a stack with no group's frame is ``other``; the groups add up to every sample."""
    top = load_bench_script("pyspy_top.py", "bench_pyspy_top_groups")
    raw = tmp_path / "p.raw"
    raw.write_text("VirtualClock.run_until (clock.py:9);FaultInjector._fire (injector.py:3);"
                   "History.record (history.py:4);json_line (history.py:8) 5\n"
                   "VirtualClock.run_until (clock.py:9);FaultInjector._fire (injector.py:3) 2\n"
                   "VirtualClock.run_until (clock.py:9);History.record (history.py:4);gc_collect_main (libpython) 4\n"
                   "VirtualClock.run_until (clock.py:9) 1\n"
                   "main (cli.py:1) 3\n")
    total, shares = top.group_shares(raw)
    assert total == 15
    assert shares == {"history writing": 5, "fault injector (firing, storms, contention threads)": 2,
                      "cyclic garbage collector": 4, "event loop (virtual clock)": 1, "other": 3}


def test_gc_costs_counts_each_collection_in_its_generation_and_a_bad_command_exits_2(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import sys

    costs_module = load_bench_script("gc_costs.py", "bench_gc_costs")
    costs = costs_module.CollectionCosts()
    gc.callbacks.append(costs)
    try:
        gc.collect(1)
        gc.collect(2)
    finally:
        gc.callbacks.remove(costs)
    assert [row[0] for row in costs.by_generation.values()] == [0, 1, 1]
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # the script runs the CLI as the process's own command line
    try:
        assert costs_module.main(["/no/such", "--bogus"]) == 2
    finally:
        gc.unfreeze()  # which froze the modules it loaded: this process's tests keep their collector
    assert "/no/such" in capsys.readouterr().err


def test_gc_costs_full_every_sets_generation_2s_threshold_for_the_command_only(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import harness.cli

    costs_module = load_bench_script("gc_costs.py", "bench_gc_costs")
    seen: list[tuple[int, ...]] = []
    monkeypatch.setattr(harness.cli, "main", lambda: seen.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert costs_module.main(["--full-every", "100", "soak"]) == 0
    assert seen == [(before[0], before[1], 100)] and gc.get_threshold() == before
    for bad in (["--full-every"], ["--full-every", "0", "soak"], ["--full-every", "ten", "soak"]):
        assert costs_module.main(bad) == 2
        assert "--full-every takes a whole number" in capsys.readouterr().err
    assert seen == [(before[0], before[1], 100)]  # a bad value runs nothing


def test_live_fold_costs_weighs_the_live_checkers_own_folds_in_its_order() -> None:
    costs = load_bench_script("live_fold_costs.py", "bench_live_fold_costs")
    system = AudioSystem(seed=1)
    h = History().attach(system)
    try:
        checker = invariants.LiveChecker(system, h, linearizable=False)
        checker.check()
        kept = [type(f).__name__ for f in checker._folds or []]
    finally:
        h.detach()
        system.close()
    assert kept, "the live check kept no folds"
    assert [type(f).__name__ for f in costs.live_folds(h.initial or {})] == kept


@pytest.mark.parametrize("script, name", [("pyspy_top.py", "bench_pyspy_top_missing"),
                                          ("live_fold_costs.py", "bench_live_fold_costs_missing"),
                                          ("record_costs.py", "bench_record_costs_missing")])
def test_a_missing_file_exits_2_naming_it(script: str, name: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_bench_script(script, name)
    missing = tmp_path / "no-such.file"
    if script == "pyspy_top.py":
        monkeypatch.setattr("sys.argv", ["pyspy_top.py", str(missing)])
        with pytest.raises(SystemExit) as stop:
            module.main()
        code = stop.value.code
    else:
        code = module.main([str(missing)])
    assert code == 2
    assert str(missing) in capsys.readouterr().err


def test_analysis_call_cost_weighs_the_clean_path_and_refuses_bad_options(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``bench/analysis_call_cost.py`` times the path of a stretch with nothing to report (its
    tone finds no glitch: a damaged path would weigh other work), one figure a round; a bad
    option or round count exits 2 naming it."""
    module = load_bench_script("analysis_call_cost.py", "bench_analysis_call_cost")
    import numpy as np  # noqa: PLC0415 - only this test needs it

    figures, glitches = module.call_cost_ms(module.clean_tone(12_288, np.random.default_rng(99111)), 2)
    assert glitches == 0
    assert len(figures) == 2 and figures == sorted(figures) and figures[0] > 0
    for argv, named in ((["/no/such", "--bogus"], "--bogus"), (["--rounds", "0"], "--rounds")):
        with pytest.raises(SystemExit) as stop:
            module.main(argv)
        assert stop.value.code == 2
        assert named in capsys.readouterr().err
