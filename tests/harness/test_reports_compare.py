"""``soundcheck compare RUN_A RUN_B`` and like-for-like baselines in the run-history database."""

from __future__ import annotations

import copy
import json
import sqlite3

import numpy as np
import pytest

from harness.cli import main
from harness.histogram import cb_bins
from harness.reports.compare import compare_reports
from harness.reports.history_db import HistoryDB, duration_class, like_key


def _report(*, shift: float = 1.0, xruns_per_hour: float = 100.0, outcome: str = "pass", n: int = 20_000,
            seed: int = 1, duration_s: float = 900.0, mutant: str | None = None, failures: int = 0,
            run_id: str = "r") -> dict:
    """A report whose callbacks are lognormal around 0.5 ms, every one multiplied by ``shift``."""
    rng = np.random.default_rng(seed)
    d = rng.lognormal(np.log(5e-4), 0.3, n) * shift
    return {
        "kind": "run", "verdict": {"outcome": outcome, "ok": outcome == "pass"},
        "run": {"run_id": run_id, "backend": "sim", "profile": "default", "seed": seed, "duration_s": duration_s,
                "mutant": mutant, "system": "AudioSystem", "status": "completed"},
        "stability": {"failure_count": failures, "xruns_per_hour": xruns_per_hour, "sim_time_s": duration_s,
                      "faults_injected": 20, "leaks": {}, "leaks_found": []},
        "performance": {"callback_duration_s": {"p50": float(np.median(d)), "p99": float(np.percentile(d, 99)),
                                                "p99_9": float(np.percentile(d, 99.9)), "max": float(d.max())},
                        "budget_share": {"p99": float(np.percentile(d, 99)) / (256 / 48_000)},
                        "callback_histogram": {"bins_per_decade": 40, "floor_s": 1e-7, "bins": cb_bins(d)},
                        "speed_x_realtime": 50.0},
        "recovery": {"episodes": [], "recovered_total": 3, "failed_count": 0},
    }


def _folder(tmp_path, name: str, report: dict):
    d = tmp_path / name
    d.mkdir()
    (d / "report.json").write_text(json.dumps(report))
    return d


def test_a_run_compared_with_a_rerun_of_itself_has_no_regression():
    c = compare_reports(_report(seed=1), _report(seed=2))  # another seed: the same distribution
    assert not c.regressed and c.callbacks["verdict"] == "same" and c.callbacks["p_value"] > 0.001
    assert {m.verdict for m in c.metrics} <= {"same", "n/a"} and c.like_for_like == []


def test_slower_callbacks_are_a_regression_found_by_the_distribution_test():
    c = compare_reports(_report(seed=1), _report(seed=2, shift=1.3))
    assert c.callbacks["verdict"] == "worse" and c.callbacks["p_value"] < 1e-10 and c.callbacks["effect"] > 0.7
    assert c.regressed and any(r.startswith("callback durations") for r in c.regressions)
    faster = compare_reports(_report(seed=1), _report(seed=2, shift=0.7))
    assert faster.callbacks["verdict"] == "better" and not any(r.startswith("callback") for r in faster.regressions)


def test_a_significant_but_negligible_shift_is_not_a_regression():
    # a million callbacks 1 % slower: the p-value is tiny, the effect is not
    c = compare_reports(_report(n=1_000_000, seed=1), _report(n=1_000_000, seed=2, shift=1.01))
    assert c.callbacks["p_value"] < 0.01 and abs(c.callbacks["effect"] - 0.5) < 0.05
    assert c.callbacks["verdict"] == "same" and not c.regressed


def test_figures_beyond_their_margin_and_a_worse_verdict_regress():
    # xruns are judged as counts over the runs' time, allowing for their measured spread
    base = _report(xruns_per_hour=12_000.0)
    same = compare_reports(base, _report(xruns_per_hour=14_400.0))  # +20 %: within the healthy spread
    assert not same.regressed
    worse = compare_reports(base, _report(xruns_per_hour=48_000.0))
    (xr,) = [m for m in worse.metrics if m.name == "xruns_per_hour"]
    assert xr.verdict == "worse" and xr.delta == 36_000.0 and 12_000.0 < xr.limit < 48_000.0 and worse.regressed
    failed = compare_reports(base, _report(outcome="fail", failures=1))
    assert "verdict: pass -> fail" in failed.regressions


@pytest.mark.parametrize(("run", "name"), [("a", "report.json"), ("b", "summary.json"), ("b", "report.html")])
def test_compare_html_never_overwrites_a_file_of_a_compared_run(tmp_path, capsys, run, name):
    """``--html`` naming a file of RUN_A or RUN_B would destroy the evidence compared (a run's
    report.json overwritten by the page, the next compare of it refused): refused, exit 2, that
    file untouched; a new file in a run folder is still written."""
    a = _folder(tmp_path, "a", _report(run_id="a"))
    b = _folder(tmp_path, "b", _report(run_id="b"))
    target = {"a": a, "b": b}[run] / name
    if not target.exists():
        target.write_text("{}")
    before = target.read_bytes()
    assert main(["compare", str(a), str(b), "--html", str(target)]) == 2
    err = capsys.readouterr().err
    assert name in err and "--html" in err and "Traceback" not in err, err
    assert target.read_bytes() == before
    assert main(["compare", str(a), str(b), "--html", str(b / "compare.html")]) == 0
    assert (b / "compare.html").read_text().startswith("<!doctype html>")


@pytest.mark.parametrize("a, b, regressed", [
    ("pass", "inconclusive", True), ("inconclusive", "fail", True), ("pass", "fail", True),
    ("pass", "pass", False), ("inconclusive", "inconclusive", False), ("inconclusive", "pass", False),
    ("fail", "inconclusive", False), ("fail", "pass", False),
])
def test_a_verdict_that_got_worse_by_one_step_is_a_regression(a, b, regressed):
    c = compare_reports(_report(outcome=a), _report(outcome=b))
    assert c.verdict_change == {"a": a, "b": b, "regressed": regressed}
    assert (f"verdict: {a} -> {b}" in c.regressions) is regressed
    assert c.regressed is regressed  # the figures and the callbacks are the same report's


def test_compare_command_prints_deltas_and_exits_1_on_a_regression(tmp_path, capsys):
    a = _folder(tmp_path, "a", _report(run_id="a"))
    b = _folder(tmp_path, "b", _report(run_id="b", seed=2, shift=1.3, xruns_per_hour=48_000.0))
    html = tmp_path / "cmp.html"
    assert main(["compare", str(a), str(b), "--html", str(html)]) == 1
    out = capsys.readouterr().out
    assert "xruns/h" in out and "worse" in out and "REGRESSION" in out and "Mann-Whitney" in out
    page = html.read_text()
    assert 'id="verdict"><b>REGRESSION</b>' in page and "<script" not in page
    assert main(["compare", str(a), str(a), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["regressed"] is False


def test_unlike_runs_are_compared_with_a_warning(tmp_path, capsys):
    a = _folder(tmp_path, "a", _report(duration_s=60.0))
    b = _folder(tmp_path, "b", _report(mutant="half_reconfigure", duration_s=3600.0))
    assert main(["compare", str(a), str(b)]) == 0
    captured = capsys.readouterr()
    assert "NOT LIKE FOR LIKE" in captured.out
    assert "duration_class: under 2 min vs 1-4 h" in captured.err and "mutant: None vs half_reconfigure" in captured.err


@pytest.mark.parametrize("setup, needle", [
    (lambda d: None, "no such run folder"),
    (lambda d: d.mkdir(), "report.json: missing; write it with `soundcheck report"),
    (lambda d: (d.mkdir(), (d / "report.json").write_text("{nope")), "not valid JSON"),
    (lambda d: (d.mkdir(), (d / "report.json").write_text("[]")), "not a soundcheck report"),
    # a run folder from another machine whose report.json links elsewhere (here: to a valid
    # report) is refused, not followed
    (lambda d: (d.mkdir(), (d / "report.json").symlink_to(d.parent / "good" / "report.json")),
     "report.json: is a symbolic link"),
])
def test_a_folder_without_a_usable_report_is_exit_2(tmp_path, capsys, setup, needle):
    good = _folder(tmp_path, "good", _report())
    bad = tmp_path / "bad"
    setup(bad)
    assert main(["compare", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_duration_classes():
    assert [duration_class(s) for s in (20, 120, 600, 3599, 8 * 3600, None)] == [
        "under 2 min", "2-15 min", "2-15 min", "15-60 min", "over 4 h", None]


def test_history_baselines_compare_like_with_like(tmp_path):
    """The false alarm of a mixed baseline: a mutant's or a longer run's xruns/h against short
    runs of the real system. Only a like run is judged against them, and it can still regress."""
    with HistoryDB(tmp_path / "h.sqlite") as db:
        for i, x in enumerate([9000, 9100, 8900, 9050, 8950]):
            db.record(_report(xruns_per_hour=x, duration_s=20.0, seed=i, run_id=f"s{i}"), run_dir=tmp_path / f"s{i}")
        for name, report in (("mutant", _report(xruns_per_hour=17_800, duration_s=20.0, mutant="coordinator_no_lock")),
                             ("long", _report(xruns_per_hour=17_800, duration_s=3600.0))):
            db.record(report, run_dir=tmp_path / name)
            assert db.regressions(db.runs(limit=1)[0]) == [], name  # no like runs before it: nothing to judge
        db.record(_report(xruns_per_hour=17_800, duration_s=20.0, seed=9), run_dir=tmp_path / "like")
        (reg,) = db.regressions(db.runs(limit=1)[0])
    assert reg.figure == "xruns_per_hour" and reg.runs_compared == 5


def test_an_older_database_gets_the_like_columns_filled_from_its_reports(tmp_path):
    path = tmp_path / "old.sqlite"
    with HistoryDB(path) as db:
        db.record(_report(duration_s=3600.0, mutant="leak_on_error"), run_dir=tmp_path / "r")
    con = sqlite3.connect(path)  # make it look like a database from before the like columns
    for col in ("duration_class", "mutant", "system"):
        con.execute(f"ALTER TABLE runs DROP COLUMN {col}")
    con.commit()
    con.close()
    with HistoryDB(path) as db:
        (row,) = db.runs()
    assert (row["duration_class"], row["mutant"], row["system"]) == ("1-4 h", "leak_on_error", "AudioSystem")


def test_like_key_of_a_real_report_names_its_system_and_mutant(tmp_path, monkeypatch):
    from harness import system_factory
    from harness import ReliabilityRun, RunSpec

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    ReliabilityRun(RunSpec(duration_s=5.0, seed=1, run_dir=tmp_path / "m"),
                   system_factory=system_factory("ring_loses_frame")).execute()
    ReliabilityRun(RunSpec(duration_s=5.0, seed=1, run_dir=tmp_path / "r")).execute()
    keys = [like_key(json.loads((tmp_path / d / "report.json").read_text())) for d in ("m", "r")]
    assert keys[0] == {**keys[1], "system": "LossyRingSystem", "mutant": "ring_loses_frame"}
    assert keys[1]["system"] == "AudioSystem" and keys[1]["mutant"] is None
    assert keys[1]["duration_class"] == "under 2 min"
    c = compare_reports(*(json.loads((tmp_path / d / "report.json").read_text()) for d in ("r", "m")))
    assert c.like_for_like == ["system: AudioSystem vs LossyRingSystem", "mutant: None vs ring_loses_frame"]
