"""A swarm seed whose system leaks says so in its per-seed verdict, judged by the rule the run's
and the soak's reports use (``harness.leaks`` over the history's samples), and its line carries
each metric's slope. The seed ran with ``reports=False`` and was judged by its invariants alone,
so a system holding one buffer more after every recovery passed in the swarm where ``soundcheck
run`` of the same seed failed."""

from __future__ import annotations

from harness.swarm import run_seed


def test_a_swarm_seed_whose_system_leaks_fails_naming_the_leak_and_its_slope() -> None:
    row = run_seed(1, 120.0, "default", system="growing_system:make")
    assert row["violated"] == []  # every invariant held: only the slopes see it
    assert row["outcome"] == "fail"
    assert row["reasons"] == ["leak suspected: sut_buffers, sut_live_allocations"]
    assert row["leaks"]["sut_buffers"]["verdict"] == "leak"
    assert row["leaks"]["sut_buffers"]["slope_per_hour"] > 0


def test_the_same_seed_of_the_healthy_system_passes_with_flat_slopes() -> None:
    row = run_seed(1, 120.0, "default")
    assert row["outcome"] == "pass", row["reasons"]
    assert {m: d["verdict"] for m, d in row["leaks"].items() if m.startswith("sut_")} == {
        "sut_buffers": "ok", "sut_bytes": "ok", "sut_live_allocations": "ok", "sut_streams": "ok"}


def test_the_swarm_report_names_a_leak_failure_by_its_reason_not_as_a_crash(tmp_path) -> None:
    """A seed failing by its slopes violates no invariant: report.md grouped it under "(no invariant:
    the run crashed)"."""
    from harness.swarm import SwarmResult, SwarmSpec, render_report, summarize

    rows = [{"seed": 1, "outcome": "fail", "violated": [], "simulated_s": 1.0,
             "reasons": ["leak suspected: sut_buffers, sut_live_allocations"]}]
    result = SwarmResult(tmp_path, rows, {}, wall_s=1.0, workers=1)
    result.summary = summarize(SwarmSpec("1", 1.0), result)
    report = render_report(result)
    assert "### leak: sut_buffers: 1 seed(s)" in report
    assert "### leak: sut_live_allocations: 1 seed(s)" in report
    assert "crashed" not in report
