"""timeline.html: one lane per process, the fault injector and the system; ops as bars from invoke
to completion coloured by outcome; windows on a long history; written next to report.html."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from harness import RunData, write_reports
from harness.reports.timeline import COLOURS, WINDOW, read_timeline, render_timeline


def _e(i: int, kind: str, t: float, **kw) -> str:
    return json.dumps({"index": i, "type": kind, "time": t, **kw})


SMALL = [
    _e(0, "attach", 0.0, data={"state": "running"}),
    _e(1, "invoke", 0.1, process="storm-1", op="stop", op_id=1, data={"args": []}),
    _e(2, "invoke", 0.1, process="storm-0", op="configure", op_id=2, data={"args": [{"stream": {"block_size": 3}}]}),
    _e(3, "transition", 0.1, data={"component": "system", "from_state": "running", "to_state": "stopped",
                                   "seq": 7, "actor": "op"}),
    _e(4, "fail", 0.1, process="storm-0", op="configure", op_id=2,
       data={"error": {"type": "ConfigError"}, "pre": {"state": "running"}, "post": {"state": "stopped"}}),
    _e(5, "ok", 0.1, process="storm-1", op="stop", op_id=1, data={"pre": {"state": "running"},
                                                                  "post": {"state": "stopped"}}),
    _e(6, "fault_start", 0.2, value="dropout", data={"firing_id": "dropout#0@1", "kind": "dropout",
                                                      "target": "device"}),
    _e(7, "transition", 0.2, data={"component": "system", "from_state": "stopped", "to_state": "recovering",
                                   "seq": 8, "actor": "system", "cause": "DeviceLostError"}),
    _e(8, "transition", 0.2, data={"component": "dsp", "from_state": "a", "to_state": "b", "actor": "system"}),
    _e(9, "invoke", 0.3, process="nemesis", op="recover", op_id=3, data={"args": []}),
    _e(10, "info", 0.4, process="nemesis", op="recover", op_id=3, data={"error": {"type": "DeviceError"}}),
    _e(11, "fault_end", 0.5, value="dropout", data={"firing_id": "dropout#0@1"}),
    "{ not json",
    _e(13, "invoke", 0.6, process="operator", op="close", op_id=4, data={"args": []}),
]


def test_history_becomes_lanes_of_ops_faults_and_system_moves():
    tl = read_timeline(SMALL)
    assert tl.processes == ["nemesis", "operator", "storm-0", "storm-1"]
    assert [(o.op_id, o.invoke, o.done, o.outcome) for o in tl.ops] == [
        (1, 1, 5, "ok"), (2, 2, 4, "fail"), (3, 9, 10, "info"), (4, 13, None, "open")]
    (f,) = tl.faults
    assert (f.kind, f.start, f.end, f.t0, f.t1) == ("dropout", 6, 11, 0.2, 0.5)
    assert [m.index for m in tl.marks] == [7]  # the system's own move; an op's and a component's are not
    assert tl.states == [(3, "stopped"), (7, "recovering")] and tl.bad_lines == 1


def test_each_op_is_a_bar_coloured_by_outcome_with_its_details_on_hover():
    report = {"verdict": {"outcome": "fail", "headline": "FAIL: invariants violated: linearizable"},
              "stability": {"invariants": [{"name": "linearizable", "ok": False,
                                            "details": {"evidence": [{"op_id": 2, "op": "configure"}]}}]}}
    page = render_timeline(read_timeline(SMALL), report)
    bars = re.findall(r'<rect [^>]*fill="(#[0-9a-f]+)"([^>]*)><title>(op #\d+[^<]*)</title>', page)
    by_op = {int(re.match(r"op #(\d+)", t).group(1)): (fill, extra, t) for fill, extra, t in bars}
    assert {k: v[0] for k, v in by_op.items()} == {1: COLOURS["ok"], 2: COLOURS["fail"], 3: COLOURS["info"],
                                                   4: COLOURS["open"]}
    assert 'stroke="#000"' in by_op[2][1] and "stroke" not in by_op[1][1]  # the op the evidence names
    assert "op #2 configure({&#34;stream&#34;: {&#34;block_size&#34;: 3}}) by storm-0: fail" in by_op[2][2]
    assert "error ConfigError" in by_op[2][2] and "state running -&gt; stopped" in by_op[2][2]
    assert "fault dropout (dropout#0@1) on device: t=0.2-0.5 s, entries 6-11" in page
    assert "system: stopped -&gt; recovering (cause DeviceLostError, seq 8)" in page
    assert "1 unreadable line(s) skipped" in page and "<script" not in page
    assert "FAIL: invariants violated: linearizable" in page


def _long_history(n: int, seed: int = 1) -> list[str]:
    """``n`` entries: four storm threads, faults, system transitions, metrics."""
    rnd = random.Random(seed)
    out = [_e(0, "attach", 0.0, data={"state": "running"})]
    t, op_id, open_ops, fault = 0.0, 0, {}, None
    for i in range(1, n):
        t += rnd.random() * 0.01
        r = rnd.random()
        if r < 0.45:
            p = f"storm-{rnd.randrange(4)}"
            if p in open_ops:
                oid, name = open_ops.pop(p)
                out.append(_e(i, rnd.choice(["ok", "ok", "fail", "info"]), t, process=p, op=name, op_id=oid, data={}))
            else:
                op_id += 1
                open_ops[p] = (op_id, rnd.choice(["start", "stop", "pause"]))
                out.append(_e(i, "invoke", t, process=p, op=open_ops[p][1], op_id=op_id, data={"args": []}))
        elif r < 0.47:
            kind = "fault_start" if fault is None else "fault_end"
            fault = f"dropout#{i}" if fault is None else fault
            out.append(_e(i, kind, t, value="dropout", data={"firing_id": fault, "kind": "dropout"}))
            fault = None if kind == "fault_end" else fault
        elif r < 0.5:
            out.append(_e(i, "transition", t, data={"component": "system", "to_state": rnd.choice(
                ["running", "recovering"]), "seq": i, "actor": rnd.choice(["op", "system"])}))
        else:
            out.append(_e(i, "metrics", t, data={}))
    return out


def test_a_history_of_100_000_entries_is_drawn_in_windows_around_the_first_violation():
    tl = read_timeline(_long_history(100_000))
    assert tl.entries == 100_000 and len(tl.ops) > 20_000
    violating = next(o for o in tl.ops if o.invoke > 60_000)
    report = {"verdict": {"outcome": "fail", "headline": "FAIL"}, "stability": {"invariants": [
        {"name": "linearizable", "ok": False, "details": {"evidence": [{"op_id": violating.op_id}]}}]}}
    page = render_timeline(tl, report)
    windows = [(int(a), int(b)) for a, b in re.findall(r"<h2 id=\"window-\d+\">Entries (\d+)&ndash;(\d+)", page)]
    assert windows[0] == (0, WINDOW - 1) and windows[-1] == (100_000 - WINDOW, 99_999) and len(windows) == 3
    lo, hi = windows[1]
    assert "around the first violation" in page and lo <= violating.invoke <= hi and hi - lo + 1 == WINDOW
    assert f"op #{violating.op_id} " in page
    assert len(page) < 2_000_000 and page.count("<rect") < 20_000  # drawn in windows, not whole


def test_write_reports_writes_the_timeline_and_links_it(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "history.jsonl").write_text("\n".join(SMALL) + "\n")
    rd = RunData(kind="run", meta={"seed": 1}, sim_time_s=1.0,
                 entries=[{"type": "attach", "time": 0.0, "data": {"state": "running"}}])
    paths = write_reports(tmp_path / "run", rd, history_db=False, allure=False)
    assert paths["timeline"] == tmp_path / "run" / "timeline.html" and paths["timeline"].is_file()
    assert paths.report["timeline_html"] == "timeline.html"
    assert json.loads(paths.json.read_text())["timeline_html"] == "timeline.html"
    assert '<a href="timeline.html" id="timeline-link">' in paths.html.read_text()
    # no history in the folder: no timeline, no link
    bare = write_reports(tmp_path / "bare", rd, history_db=False, allure=False)
    assert bare.report["timeline_html"] is None and "timeline" not in bare
    assert "timeline-link" not in bare.html.read_text() and not (tmp_path / "bare" / "timeline.html").exists()


def test_a_history_that_is_a_link_is_not_drawn(tmp_path):
    """A run folder's ``history.jsonl`` that is a link (to a file outside the run) is never
    followed: the reports write no timeline of it and link none, as for a folder without one."""
    outside = tmp_path / "someone-else.jsonl"
    outside.write_text("\n".join(SMALL) + "\n")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "history.jsonl").symlink_to(outside)
    rd = RunData(kind="run", meta={"seed": 97253}, sim_time_s=1.0,
                 entries=[{"type": "attach", "time": 0.0, "data": {"state": "running"}}])
    paths = write_reports(tmp_path / "run", rd, history_db=False, allure=False)
    assert paths.report["timeline_html"] is None and "timeline" not in paths
    assert not (tmp_path / "run" / "timeline.html").exists() and "timeline-link" not in paths.html.read_text()


def test_a_runs_timeline_outlines_the_op_its_violation_names(tmp_path, monkeypatch):
    from harness import system_factory
    from harness import ReliabilityRun, RunSpec

    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    ReliabilityRun(RunSpec(duration_s=20.0, seed=3, run_dir=tmp_path / "run"),
                   system_factory=system_factory("recovery_never_completes")).execute()
    r = json.loads((tmp_path / "run" / "report.json").read_text())
    (lin,) = [v for v in r["stability"]["invariants"] if v["name"] == "linearizable"]
    op_ids = {e["op_id"] for e in lin["details"]["evidence"] if "op_id" in e}
    assert op_ids and not lin["ok"]
    page = Path(tmp_path / "run" / "timeline.html").read_text()
    outlined = re.findall(r'stroke="#000" stroke-width="2"><title>op #(\d+)', page)
    assert {int(x) for x in outlined} == op_ids
    assert "lane\">operator<" in page and "lane\">faults<" in page and "lane\">system<" in page


def _spanning_history(n: int) -> list[str]:
    """``_long_history`` with what reaches into a window from outside it: an op invoked at entry 5
    and completed in the middle, one never completed, a fault over almost the whole run, an op id
    used twice far apart, and system transitions only every 6 000 entries (each window starts in a
    state entered before it, another than the one before the window ahead of it)."""
    base = [json.loads(line) for line in _long_history(n, seed=3)]
    for e in base:
        if e["type"] == "transition":
            e["type"] = "metrics"
    base[5] = {"index": 5, "type": "invoke", "time": base[5]["time"], "process": "operator", "op": "close",
               "op_id": "long", "data": {"args": ["a"]}}
    base[6] = {"index": 6, "type": "invoke", "time": base[6]["time"], "process": "nemesis", "op": "hang",
               "op_id": "never", "data": {"args": []}}
    base[7] = {"index": 7, "type": "fault_start", "time": base[7]["time"], "value": "stall",
               "data": {"firing_id": "stall#7", "kind": "stall", "target": "device"}}
    base[8] = {"index": 8, "type": "invoke", "time": base[8]["time"], "process": "operator", "op": "start",
               "op_id": "twice", "data": {"args": []}}
    base[70_000] = {"index": 70_000, "type": "invoke", "time": base[70_000]["time"], "process": "operator",
                    "op": "stop", "op_id": "twice", "data": {"args": []}}
    mid = n // 2
    base[mid] = {"index": mid, "type": "ok", "time": base[mid]["time"], "process": "operator", "op": "close",
                 "op_id": "long", "data": {"post": {"state": "closed"}}}
    base[n - 50] = {"index": n - 50, "type": "fault_end", "time": base[n - 50]["time"], "value": "stall",
                    "data": {"firing_id": "stall#7"}}
    for k, i in enumerate(range(3, n, 6_000)):
        base[i] = {"index": i, "type": "transition", "time": base[i]["time"], "data": {
            "component": "system", "to_state": ("running", "recovering", "degraded")[k % 3], "actor": "system"}}
    return [json.dumps(e) for e in base]


@pytest.mark.parametrize("evidence", [None, {"op_id": "long"}, {"op_id": "twice"}, {"time": "entry 61234"},
                                      {"index": 61_234}])
def test_a_history_read_in_windows_draws_the_same_page_as_one_read_whole(tmp_path, evidence):
    """``timeline_from_file`` keeps only what the windows draw; its page is the whole read's."""
    from harness.reports.timeline import timeline_from_file

    lines = _spanning_history(100_000)
    if evidence == {"time": "entry 61234"}:  # a time some entry has exactly: the window starts at it
        evidence = {"time": json.loads(lines[61_234])["time"]}
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = {"verdict": {"outcome": "pass", "headline": "PASS"}, "stability": {"invariants": []}}
    if evidence is not None:
        report["stability"]["invariants"] = [{"name": "linearizable", "ok": False,
                                              "details": {"evidence": [evidence]}}]
    whole = render_timeline(read_timeline(lines), report)
    assert timeline_from_file(path, report) == whole
    assert "op #long close" in whole and "fault stall (stall#7)" in whole


def test_a_history_that_cannot_be_read_in_windows_is_read_whole(tmp_path):
    from harness.reports.timeline import timeline_from_file

    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(SMALL) + "\n")  # an unreadable line and an entry numbered past it
    assert timeline_from_file(path, {}) == render_timeline(read_timeline(SMALL), {})


def test_a_history_line_is_parsed_as_json_loads_parses_it():
    """History read-backs (the end-of-run checks, the timeline's first pass) parse with
    pydantic-core's parser; a line it refuses that ``json.loads`` reads (a lone surrogate escape)
    gets ``json.loads``'s value, and a bad line ``json.loads``'s error."""
    import json

    from harness.history import json_line

    for line in ('{"index":0,"type":"note","time":0.5,"data":{"s":"\\ud800"}}\n',
                 '{"index":1,"type":"note","time":NaN,"data":{"big":123456789012345678901234567890}}\n'):
        assert repr(json_line(line)) == repr(json.loads(line))
    with pytest.raises(json.JSONDecodeError):
        json_line('{"index":2,"type":"note"} trailing\n')
