"""Reports: JSON schema sections, self-contained HTML, figures, damaged journals, runner hand-off."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from harness.cli import main
from harness.journal import JOURNAL_NAME
from harness.reports import RunData, attach_report_to_allure, build_report, write_reports
from harness.histogram import bins_percentiles, cb_bins, merge_bins
from harness import SoakRunner, SoakSpec


@pytest.fixture(autouse=True)
def _history_db(tmp_path, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))


@pytest.fixture(scope="module")
def soak_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("soak")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
    try:
        SoakRunner(SoakSpec(duration_s=60.0, seed=2, checkpoint_s=10.0, run_dir=root / "run")).start()
    finally:
        mp.undo()
    return root / "run"


def _copy(soak_dir, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(soak_dir, dst)
    for f in ("report.json", "report.html"):
        (dst / f).unlink()
    return dst


def test_report_json_has_the_documented_sections(soak_dir):
    r = json.loads((soak_dir / "report.json").read_text())
    assert r["schema_version"] == 4 and r["kind"] == "soak"
    st = r["stability"]
    for key in ("sim_time_s", "wall_time_s", "faults_by_type", "failures", "mtbf_s", "time_in_state_s",
                "xruns_per_hour", "leaks", "invariants"):
        assert key in st, key
    assert sum(st["time_in_state_s"].values()) == pytest.approx(st["sim_time_s"], abs=1e-6)
    pf = r["performance"]
    for q in ("p50", "p99", "p99_9", "max"):
        assert pf["callback_duration_s"][q] is not None and pf["budget_share"][q] is not None
    assert pf["callback_duration_s"]["p50"] <= pf["callback_duration_s"]["p99"] <= pf["callback_duration_s"]["max"] * 1.07
    assert pf["speed_x_realtime"] > 1
    rc = r["recovery"]
    for kind, v in rc["by_fault_type"].items():
        assert set(v) >= {"faults", "episodes", "recovered_share", "time_to_detect_s", "time_to_recover_s",
                          "frames_lost"}, kind
    assert set(r["figures"]) >= {"state_timeline", "xruns_callbacks", "recovery_times", "resources"}
    for rel in r["figures"].values():
        svg = ET.fromstring((soak_dir / rel).read_bytes())  # a well-formed standalone SVG document
        assert svg.tag == "{http://www.w3.org/2000/svg}svg" and float(svg.get("width")) > 100
    # readable: each figure's axes are labelled with their units
    labels = {name: _svg_texts(soak_dir / rel) for name, rel in r["figures"].items()}
    assert "time (h)" in labels["state_timeline"] or "time (s)" in labels["state_timeline"]
    assert "system state" in labels["state_timeline"]
    assert {"callback duration (ms)", "xruns per checkpoint"} <= labels["xruns_callbacks"]
    assert "time to recover (ms, fault -> healthy)" in labels["recovery_times"]
    assert "RSS (MiB)" in labels["resources"]


def _svg_texts(path) -> set[str]:
    return {t.text for t in ET.fromstring(path.read_bytes()).iter("{http://www.w3.org/2000/svg}text")}


def test_html_is_one_self_contained_file(soak_dir):
    html = (soak_dir / "report.html").read_text()
    assert html.count("data:image/svg+xml;base64,") >= 4
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "no network references"
    assert "<script" not in html
    for section in ("Stability", "Performance", "Recovery", "Leaks", "Invariants"):
        assert f">{section}<" in html


def test_report_command_rebuilds_from_the_journal(soak_dir, tmp_path, capsys):
    d = _copy(soak_dir, tmp_path)
    assert main(["report", str(d), "--no-history"]) == 0
    rebuilt = json.loads((d / "report.json").read_text())
    original = json.loads((soak_dir / "report.json").read_text())
    for section in ("stability", "performance", "recovery"):
        assert rebuilt[section] == original[section], section


def test_truncated_journal_gives_a_partial_report_that_says_what_is_missing(soak_dir, tmp_path, capsys):
    d = _copy(soak_dir, tmp_path)
    j = d / JOURNAL_NAME
    raw = j.read_bytes()
    lines = raw.split(b"\n")
    cut = len(b"\n".join(lines[:4])) + 1 + len(lines[4]) // 2  # header + 3 checkpoints + half a line
    j.write_bytes(raw[:cut])
    assert main(["report", str(d), "--no-history"]) == 3  # inconclusive: the run did not finish
    out = capsys.readouterr().out
    assert "partial report" in out and "truncated" in out
    r = json.loads((d / "report.json").read_text())
    assert r["run"]["status"] == "partial" and not r["completeness"]["complete"]
    assert any("did not finish" in m and "30.0 s of the requested 60.0 s" in m for m in r["completeness"]["missing"])
    assert r["stability"]["sim_time_s"] == pytest.approx(30.0)
    assert "This report is incomplete" in (d / "report.html").read_text()


def test_corrupt_journal_line_is_dropped_and_named(soak_dir, tmp_path, capsys):
    d = _copy(soak_dir, tmp_path)
    j = d / JOURNAL_NAME
    lines = j.read_bytes().split(b"\n")
    lines[2] = lines[2][:100] + b"#" + lines[2][101:]
    j.write_bytes(b"\n".join(lines))
    assert main(["report", str(d), "--no-history"]) == 3  # inconclusive: part of the run was lost
    r = json.loads((d / "report.json").read_text())
    missing = " ".join(r["completeness"]["missing"])
    assert "line 3" in missing and "checksum" in missing and "checkpoints 1..1 are missing" in missing


@pytest.mark.parametrize("content,needle", [(b"", "empty"), (b"garbage\n", "no readable header")])
def test_empty_or_garbage_journal_is_a_clear_exit_2(tmp_path, capsys, content, needle):
    (tmp_path / JOURNAL_NAME).write_bytes(content)
    assert main(["report", str(tmp_path), "--no-history"]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_runner_hands_its_result_to_write_reports(tmp_path):
    from harness import ReliabilityRun, RunSpec

    result = ReliabilityRun(RunSpec(duration_s=20.0, seed=4, run_dir=tmp_path / "run")).execute()
    assert set(result.report_paths) >= {"json", "html"}
    r = json.loads((tmp_path / "run" / "report.json").read_text())
    assert r["kind"] == "run" and r["stability"]["invariants"]
    assert r["stability"]["faults_injected"] == result.summary["faults"]["total"]
    assert r["performance"]["block_budget_s"] == pytest.approx(256 / 48_000)


def test_a_runs_summary_and_performance_section_cover_every_callback_against_the_budget(tmp_path):
    from harness import ReliabilityRun, RunSpec

    # 80 s at 48 kHz / 256 frames: up to 15,000 callbacks (fewer while an operator's calls pause or
    # stop the stream); folded every chunk, none is missed
    result = ReliabilityRun(RunSpec(duration_s=80.0, seed=4, run_dir=tmp_path / "run")).execute()
    s = result.summary
    cb, callbacks = s["callback_duration_s"], s["callbacks"]
    assert s["schema_version"] == 3 and cb["count"] == callbacks > 13_000 and cb["missed"] == 0
    assert cb["p50"] <= cb["p99"] <= cb["p99_9"] <= cb["max"] * 1.07
    assert cb["budget_s"] == pytest.approx(256 / 48_000)
    assert sum(b["count"] for b in cb["budget_histogram"]) == callbacks
    assert sum(cb["histogram"]["bins"].values()) == callbacks
    assert cb["over_budget"] == sum(b["count"] for b in cb["budget_histogram"] if (b["le_share"] or 99) > 1)
    assert s["xruns_per_hour"] == pytest.approx(s["xruns"] * 3600 / s["simulated_s"], rel=1e-3)
    assert s["cpu"]["process_cpu_s"] > 0 and s["cpu"]["callback_load_mean"] == cb["budget_share"]["mean"]
    pf = json.loads((tmp_path / "run" / "report.json").read_text())["performance"]
    assert pf["callback_duration_source"].startswith("run summary (all callbacks")
    assert pf["callback_duration_s"]["count"] == callbacks and pf["callback_duration_s"]["p99"] == cb["p99"]
    assert sum(b["count"] for b in pf["budget_histogram"]) == callbacks
    assert pf["cpu"]["process_cpu_s"] == s["cpu"]["process_cpu_s"] and pf["xruns_per_hour"] is not None


def test_every_xruns_per_hour_of_a_run_is_per_hour_of_its_simulated_time(tmp_path):
    """The run's summary and its report's stability and performance sections all give xruns per
    hour of the run's simulated time: one figure, whichever section a user reads. Seed 1 over
    10 s: 50 xruns."""
    from harness import ReliabilityRun, RunSpec

    result = ReliabilityRun(RunSpec(duration_s=10.0, seed=1, run_dir=tmp_path / "run")).execute()
    s = result.summary
    per_hour = s["xruns"] * 3600 / s["simulated_s"]
    assert s["xruns"] > 0 and s["xruns_per_hour"] == pytest.approx(per_hour, rel=1e-3)
    r = json.loads((tmp_path / "run" / "report.json").read_text())
    assert r["stability"]["xruns_per_hour"] == pytest.approx(per_hour, rel=1e-3)
    assert r["performance"]["xruns_per_hour"] == pytest.approx(per_hour, rel=1e-3)


def test_schema_md_documents_every_report_and_summary_field(soak_dir, tmp_path):
    from pathlib import Path

    import harness.reports
    from harness import ReliabilityRun, RunSpec

    doc = (Path(harness.reports.__file__).parent / "SCHEMA.md").read_text()
    assert f"`report.json`, schema version {harness.reports.SCHEMA_VERSION}" in doc
    # a field counts as documented where SCHEMA.md names it in code: `name`, `a`/`b`, `a, b`, `{a, b}`
    code = " ".join(re.findall(r"`([^`]+)`", doc))
    documented = set(re.findall(r"[a-z_][a-z_0-9]*", code))
    r = json.loads((soak_dir / "report.json").read_text())
    result = ReliabilityRun(RunSpec(duration_s=5.0, seed=1, run_dir=tmp_path / "run")).execute()
    missing = [k for k in r if k not in documented]
    for section in ("stability", "performance", "recovery"):
        missing += [f"{section}.{k}" for k in r[section] if k not in documented]
    missing += [f"summary.{k}" for k in result.summary if k not in documented]
    missing += [f"summary.callback_duration_s.{k}" for k in result.summary["callback_duration_s"]
                if k not in documented]
    assert not missing, f"report/summary fields SCHEMA.md does not mention: {missing}"


def test_empty_run_data_builds_a_report_listing_every_gap(tmp_path):
    paths = write_reports(tmp_path, RunData(kind="scenario", status="failed"), history_db=False)
    r = paths.report
    assert not r["verdict"]["ok"] and not r["completeness"]["complete"]
    missing = " ".join(r["completeness"]["missing"])
    assert "no resource samples" in missing and "no invariant verdicts" in missing and "no metrics" in missing
    assert paths.html.exists() and paths.json.exists()


def test_failed_recovery_names_its_replay_scenario_or_says_why_not():
    ev = lambda t, kind, **d: {"type": "event", "time": t, "value": kind, "data": d}  # noqa: E731
    rd = RunData(kind="run", meta={"seed": 9, "profile": "hostile"}, sim_time_s=10.0, entries=[
        {"type": "attach", "time": 0.0, "data": {"state": "running"}},
        {"type": "fault_start", "time": 1.0, "value": "dropout",
         "data": {"kind": "dropout", "firing_id": "dropout#0:1", "fired_at": 1.0}},
        {"type": "error", "time": 1.01, "data": {"type": "DeviceLostError"}},
        ev(1.02, "recovery_started", cause="DeviceLostError"),
        {"type": "transition", "time": 1.02, "data": {"from_state": "running", "to_state": "recovering"}},
        ev(3.0, "recovery_failed", reason="deadline passed"),
        {"type": "transition", "time": 3.0, "data": {"from_state": "recovering", "to_state": "failed"}},
    ], verdicts=[{"name": "recovery", "ok": False, "message": "recovery outlived its deadline"}])
    r = build_report(rd)
    rc = r["recovery"]
    assert rc["failed_count"] == 1 and rc["by_fault_type"]["dropout"]["recovered_share"] == 0.0
    failed = rc["failed"][0]
    assert failed["time_to_detect_s"] == pytest.approx(0.01)
    # the report runs no exporter: a failing run's driver hands it the replay (RunData.replay); without
    # one the note says how to make one, and never "raised TypeError"
    assert failed["scenario"] is None
    assert "soundcheck scenario from-history history.jsonl" in failed["scenario_note"]
    assert "seed 9 and profile hostile" in failed["scenario_note"]
    passing = build_report(dataclasses.replace(rd, verdicts=[{"name": "recovery", "ok": True, "message": ""}]))
    assert passing["recovery"]["failed"][0]["scenario"] is None
    assert passing["recovery"]["failed"][0]["scenario_note"].startswith("nothing to replay: the run held every invariant")
    st = r["stability"]
    # two failures (the FAILED entry and the violated invariant), one incident, never recovered:
    # MTBF is the operating time over the incidents
    assert st["failure_count"] == 2 and st["incident_count"] == 1 and st["unrecovered_incidents"] == 1
    assert st["mtbf_s"] == pytest.approx(10.0)
    assert st["time_in_state_s"] == {"failed": pytest.approx(7.0), "recovering": pytest.approx(1.98),
                                     "running": pytest.approx(1.02)}
    assert "recovery" in st["invariants_broken"]


def test_failed_recovery_names_the_scenario_its_driver_exported():
    rd = RunData(kind="run", meta={"seed": 9, "profile": "hostile"}, sim_time_s=10.0, entries=[
        {"type": "attach", "time": 0.0, "data": {"state": "running"}},
        {"type": "fault_start", "time": 1.0, "value": "dropout",
         "data": {"kind": "dropout", "firing_id": "dropout#0:1", "fired_at": 1.0}},
        {"type": "event", "time": 1.02, "value": "recovery_started", "data": {"cause": "DeviceLostError"}},
        {"type": "event", "time": 3.0, "value": "recovery_failed", "data": {"reason": "deadline passed"}},
    ], scenarios=[{"firing_id": "dropout#0:1", "path": "scenarios/sim/repro.toml"}])
    failed = build_report(rd)["recovery"]["failed"][0]
    assert failed["scenario"] == "scenarios/sim/repro.toml" and failed["scenario_note"] is None


def test_mergeable_histogram_percentiles_are_within_a_bin():
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.lognormal(-9, 0.5, 5000), rng.lognormal(-8, 0.3, 5000)
    merged = bins_percentiles(merge_bins([cb_bins(a), cb_bins(b)]), (50, 99))
    both = np.concatenate([a, b])
    for q in (50, 99):
        exact = float(np.percentile(both, q))
        assert abs(merged[f"p{q}"] / exact - 1) < 0.07


def test_allure_attach_is_a_no_op_without_allure_reporting(soak_dir):
    assert attach_report_to_allure([soak_dir / "report.json"]) is False


def test_allure_attaches_figures_and_labels_when_reporting(tmp_path, soak_dir):
    import os
    import subprocess
    import sys
    from pathlib import Path

    test = tmp_path / "test_attach.py"
    test.write_text(
        "from pathlib import Path\n"
        "from harness.reports import attach_report_to_allure\n"
        "def test_attach():\n"
        f"    assert attach_report_to_allure([Path({str(soak_dir / 'report.json')!r}),\n"
        f"                                    Path({str(soak_dir / 'figures' / 'resources.svg')!r})])\n")
    out = tmp_path / "allure"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--alluredir={out}",
                           "--rootdir", str(tmp_path), "-c", os.devnull, str(test)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=100,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = [json.loads(p.read_text()) for p in out.glob("*-result.json")]
    names = {a["name"] for r in results for a in r.get("attachments", [])}
    assert names == {"report.json", "resources.svg"}
    labels = {(lb["name"], lb["value"]) for r in results for lb in r.get("labels", [])}
    assert ("feature", "soundcheck soak") in labels and ("severity", "normal") in labels
    report = json.loads((soak_dir / "report.json").read_text())
    assert ("seed", str(report["run"]["seed"])) in labels and ("backend", "sim") in labels
    assert ("outcome", report["verdict"]["outcome"]) in labels
    kinds = {v for n, v in labels if n == "fault_kind"}
    assert kinds == set(report["stability"]["faults_by_type"]) and kinds


def test_a_failing_runs_replay_cell_is_a_minimised_scenario_that_fails_on_the_broken_system(tmp_path, monkeypatch):
    """The mutant leaks its stream when a reopen fails: a failed recovery and a violated invariant;
    the report's replay cell is a scenario file that fails under the mutant and passes on the healthy
    system (it used to say "export_failure raised TypeError")."""
    from harness.scenarios import run_scenario
    from harness.scenarios.executor import mutant_factory

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "h.sqlite"))
    code = main(["run", "--report-dir", str(tmp_path / "runs"), "--duration", "8", "--seed", "1",
                 "--faults", "hostile", "--mutant", "leak_on_error"])
    (run_dir,) = (tmp_path / "runs").iterdir()
    r = json.loads((run_dir / "report.json").read_text())
    assert code == 1 and r["recovery"]["failed"], r["verdict"]
    cell = r["recovery"]["failed"][0]
    assert cell["scenario"] and cell["scenario"].endswith(".toml"), cell["scenario_note"]
    assert "raised" not in cell["scenario_note"] and "minimised scenario" in cell["scenario_note"]
    invariant = r["verdict"]["violated"][0]
    broken = run_scenario(cell["scenario"], system_factory=mutant_factory("leak_on_error"))
    assert any(f.invariant == invariant for f in broken.failures)
    assert run_scenario(cell["scenario"]).passed


# -- a report built from a journal folds its entries as it reads them ------------------------------
def test_the_report_of_the_folded_journal_is_the_report_of_all_its_entries(soak_dir):
    """``write_reports`` rebuilds a soak's run data with ``report_only=True``: the journal is
    folded as it is read (``harness.reports.fold``) and no entry is kept; the report and every
    figure must be the ones built from all of the journal's entries."""
    from harness.reports.build import REPORT_EVENTS, run_data_from_journal
    from harness.reports.plots import draw_all

    whole = run_data_from_journal(soak_dir)
    kept = run_data_from_journal(soak_dir, report_only=True)
    assert kept.folded is not None and not kept.entries and not kept.samples and not kept.chunks
    # the soak made entries the report does not read, and ones it does
    assert "fault_end" in {e["type"] for e in whole.entries}
    assert any(e["type"] == "event" and e.get("value") not in REPORT_EVENTS for e in whole.entries)
    assert any(e["type"] == "event" and e.get("value") == "recovery_started" for e in whole.entries)
    report_whole = build_report(whole, run_dir=soak_dir)
    report_kept = build_report(kept, run_dir=soak_dir)
    assert report_whole["recovery"]["episodes_total"] > 0 and report_whole["stability"]["errors_by_type"]
    del report_whole["generated_at"], report_kept["generated_at"]
    assert report_kept == report_whole
    assert draw_all(kept, report_kept) == draw_all(whole, report_whole)


def test_a_journal_read_whole_for_the_report_keeps_only_what_it_reads(soak_dir, monkeypatch):
    """A journal the fold cannot read exactly is read keeping of each entry only what the report
    reads (``report_entry``), equal ``data`` dicts shared (``_pooled``): the same report."""
    from harness.reports import build
    from harness.reports.build import run_data_from_journal

    def refuse(journal):
        raise build.NotFoldable("refused for the test")

    monkeypatch.setattr(build, "_folded_from_journal", refuse)
    whole = run_data_from_journal(soak_dir)
    kept = run_data_from_journal(soak_dir, report_only=True)
    assert kept.folded is None and 0 < len(kept.entries) < len(whole.entries)
    report_whole, report_kept = build_report(whole, run_dir=soak_dir), build_report(kept, run_dir=soak_dir)
    del report_whole["generated_at"], report_kept["generated_at"]
    assert report_kept == report_whole
    errors = [e for e in kept.entries if e["type"] == "error"]
    assert len({id(e["data"]) for e in errors}) == len({e["data"]["type"] for e in errors}) < len(errors)


def test_report_entry_keeps_what_the_report_reads():
    from harness.reports.build import report_entry

    transition = {"type": "transition", "time": 1.0, "data": {"to_state": "failed", "cause": "x", "seq": 4}}
    assert report_entry(transition) == {"type": "transition", "time": 1.0,
                                        "data": {"to_state": "failed", "cause": "x"}}
    fault = {"type": "fault_start", "time": 1.5, "value": "stall", "data": {
        "firing_id": "stall#1", "kind": "stall", "fired_at": 1.5, "target": "device", "params": {"s": 1}}}
    assert report_entry(fault) == {"type": "fault_start", "time": 1.5, "value": "stall", "data": {
        "kind": "stall", "firing_id": "stall#1", "fired_at": 1.5}}
    error = {"type": "error", "time": 2.0, "data": {"type": "DeviceLostError", "message": "m" * 300,
                                                     "component": "device", "severity": "error"}}
    assert report_entry(error) == {"type": "error", "time": 2.0, "data": {"type": "DeviceLostError"}}
    assert report_entry({"type": "event", "time": 3.0, "value": "recovery_attempt", "data": {}}) is None
    started = {"type": "event", "time": 3.0, "value": "recovery_started", "data": {"cause": "c", "seconds": 0.1}}
    assert report_entry(started) == {"type": "event", "time": 3.0, "value": "recovery_started",
                                     "data": {"cause": "c"}}
    assert report_entry({"type": "fault_end", "time": 4.0, "data": {}}) is None
    assert report_entry({"type": "note", "time": 4.0, "data": {}}) is None


def test_shared_entry_data_is_shared_only_between_equal_values_of_one_type():
    """``_pooled`` shares equal ``data`` dicts; ``1``, ``1.0`` and ``True`` are equal dict keys
    but print differently in the report, so each keeps its own."""
    from harness.reports.build import _pooled

    pool: dict = {}
    first = _pooled({"type": "event", "time": 1.0, "data": {"cause": "c", "attempts": 1}}, pool)
    again = _pooled({"type": "event", "time": 2.0, "data": {"cause": "c", "attempts": 1}}, pool)
    as_float = _pooled({"type": "event", "time": 3.0, "data": {"cause": "c", "attempts": 1.0}}, pool)
    as_bool = _pooled({"type": "event", "time": 4.0, "data": {"cause": "c", "attempts": True}}, pool)
    assert again["data"] is first["data"]
    assert repr(as_float["data"]["attempts"]) == "1.0" and as_bool["data"]["attempts"] is True
    nested = {"type": "fault_start", "time": 5.0, "data": {"params": {"s": 1}}}
    assert _pooled(nested, pool) is nested  # a nested value: kept as it is
