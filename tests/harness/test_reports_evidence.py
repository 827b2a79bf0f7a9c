"""The evidence of every violated or inconclusive invariant is in report.html, as complete as in
report.json: which op, the state before and after it, the configuration digest, the ops a
linearizability search could not place, the transitions another actor made."""

from __future__ import annotations

import html
import re
from typing import Any

from harness import RunData, write_reports
from harness.reports.model import normalize_verdicts
from harness.reports.evidence import MAX_ROWS, render_evidence

OP_EVIDENCE = {
    "op_id": 6, "op": "recover", "args": [], "meta": {}, "outcome": "ok", "value": False, "error": None,
    "pre": {"state": "failed", "configured": True, "pending": False, "config": "7ce73de9eb2a", "seq": 32},
    "post": {"state": "recovering", "configured": True, "pending": False, "config": "7ce73de9eb2a", "seq": 37},
    "allowed": [["failed", True, False]],
}
SEARCH_EVIDENCE = {
    "segment_start": 118, "linearized": 3, "of": 5, "model_state": ["running", True, False], "explored": 41,
    "stuck_ops": [
        {"op_id": 19, "process": "storm-2", "op": "stop", "args": [], "outcome": "ok", "value": None, "error": None},
        {"op_id": 21, "process": "storm-0", "op": "configure", "args": [{"stream": {"block_size": 512}}],
         "outcome": "fail", "value": None, "error": "ConfigError"}],
}
REJECTED_EVIDENCE = {
    "why": "rejected configuration changed the system", "op_id": 44, "reason": "block_size 3 is not a power of 2",
    "pre": {"state": "running", "config": "aaaa11112222", "seq": 90},
    "post": {"state": "running", "config": "bbbb33334444", "seq": 91},
    "other_actor": [{"seq": 91, "to_state": "running", "cause": "watchdog <restart>"}],
}


#: fields the HTML writes as a sentence or a table of their own rather than under their name
LAID_OUT = {"op_id", "process", "op", "args", "outcome", "value", "error", "meta", "pre", "post", "allowed",
            "why", "stuck_ops", "linearized", "of", "model_state", "explored"}


def _report(tmp_path, verdicts: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    rd = RunData(kind="run", meta={"seed": 1}, sim_time_s=10.0,
                 entries=[{"type": "attach", "time": 0.0, "data": {"state": "running"}}],
                 verdicts=normalize_verdicts(verdicts))
    paths = write_reports(tmp_path, rd, history_db=False, allure=False)
    return paths.report, paths.html.read_text()


def _section(page: str, name: str) -> str:
    """The visible text of one invariant's evidence section."""
    m = re.search(rf'<section class="evidence" id="evidence-{name}">(.*?)</section>', page, re.S)
    assert m, f"no evidence section for {name}"
    return html.unescape(re.sub(r"<[^>]+>", " ", m.group(1)))


def _leaves(v: Any) -> list[str]:
    """Every scalar in an evidence item, as the HTML writes it, and the names of the fields that are
    not laid out as a sentence (an op's call line, the observations table, the search summary)."""
    if isinstance(v, dict):
        return [s for x in v.values() for s in _leaves(x)] + [str(k) for k in v if k not in LAID_OUT]
    if isinstance(v, (list, tuple)):
        return [s for x in v for s in _leaves(x)]
    if v is None:
        return []
    if isinstance(v, bool):
        return ["true" if v else "false"]
    return [str(v)]


def test_every_value_of_the_evidence_is_in_the_html(tmp_path):
    report, page = _report(tmp_path, [
        {"name": "linearizable", "ok": False, "message": "2 op(s) or set(s) of ops not allowed",
         "evidence": [OP_EVIDENCE, SEARCH_EVIDENCE]},
        {"name": "rejected_config", "ok": False, "message": "1 rejected-config problem(s)",
         "evidence": [REJECTED_EVIDENCE]},
        {"name": "legal_transitions", "ok": True, "message": "52 transitions, all legal"}])
    by_name = {v["name"]: v for v in report["stability"]["invariants"]}
    for name in ("linearizable", "rejected_config"):
        text = _section(page, name)
        for leaf in _leaves(by_name[name]["details"]["evidence"]):
            assert leaf in text, f"{name}: {leaf!r} is in report.json but not in report.html"
        assert f'href="#evidence-{name}"' in page  # the invariants table links to it
    assert 'id="evidence-legal_transitions"' not in page  # a held invariant has nothing to show


def test_an_op_reads_as_a_call_with_its_states_before_and_after(tmp_path):
    _, page = _report(tmp_path, [{"name": "linearizable", "ok": False, "message": "m",
                                  "evidence": [OP_EVIDENCE, SEARCH_EVIDENCE]}])
    text = re.sub(r"\s+", " ", _section(page, "linearizable"))
    assert "op #6 recover() → ok , returned false" in text
    assert "state failed recovering" in text and "config digest 7ce73de9eb2a 7ce73de9eb2a" in text
    assert "transition seq 32 37" in text
    assert "states the model allows after it: (failed, true, false)" in text
    assert "linearized 3 of 5 ops" in text and "(running, true, false)" in text
    assert "storm-2" in text and "ConfigError" in text and "block_size" in text
    # only the fields that changed are marked
    rows = re.findall(r'<tr class=changed><th>([^<]+)</th>', page)
    assert rows == ["state", "transition seq"]


def test_inconclusive_checks_show_why_they_could_not_decide(tmp_path):
    report, page = _report(tmp_path, [{
        "name": "linearizable", "ok": True, "inconclusive": True, "message": "5 ops conform; 1 set not judged",
        "evidence": ["3 concurrent ops at entry 12: the system changed state on its own meanwhile"]}])
    assert report["verdict"]["outcome"] == "inconclusive"
    text = _section(page, "linearizable")
    assert "Inconclusive" in text and "3 concurrent ops at entry 12" in text


def test_evidence_is_escaped_and_long_lists_say_how_much_is_left_out():
    out = str(render_evidence([{"why": "<script>alert(1)</script>", "op_id": 1, "op": "start", "args": []}]
                              + ["x"] * (MAX_ROWS + 5)))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert f"... 6 more" in out  # 1 + 55 items, 50 shown
