"""``bench/rig_recovery_gaps.py``: each recovery's gaps read from a history, and its usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_scripts import load_bench_script


def _transition(t: float, component: str, from_state: str, to_state: str) -> dict:
    return {"type": "transition", "time": t,
            "data": {"component": component, "from_state": from_state, "to_state": to_state}}


def _event(t: float, kind: str) -> dict:
    return {"type": "event", "time": t, "value": kind, "data": {}}


def test_a_recovery_s_gap_close_and_length_are_read_from_its_history():
    """The gap runs from the system's RECOVERING to the first component's, the close from the
    last component's to ``stream_closed``, the length to the system leaving RECOVERING."""
    gaps = load_bench_script("rig_recovery_gaps.py", "rig_recovery_gaps_under_test")
    entries = [_transition(10.0, "system", "running", "recovering"),
               _transition(12.5, "dsp", "running", "recovering"),
               _transition(12.75, "device", "running", "recovering"),
               _event(13.0, "stream_closed"), _event(13.5, "recovery_attempt"), _event(15.0, "recovery_attempt"),
               _transition(17.0, "system", "recovering", "running")]
    (found,) = gaps.recoveries(entries)
    assert (found["gap"], found["close"], found["to"]) == (2.5, 0.25, 7.0)
    assert (found["attempts"], found["ended"]) == (2, "running")


def test_bad_input_exits_2_naming_the_directory(tmp_path: Path, capsys):
    gaps = load_bench_script("rig_recovery_gaps.py", "rig_recovery_gaps_under_test")
    with pytest.raises(SystemExit) as exc:
        gaps.main(["/no/such", "--bogus"])
    assert exc.value.code == 2 and "/no/such" in capsys.readouterr().err
    run = tmp_path / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "history.jsonl").write_text(json.dumps(_transition(1.0, "system", "running", "recovering")) + "\n")
    assert gaps.main([str(tmp_path)]) == 0
    assert "no summary: gap - close - to - (0 attempt(s), not ended)" in capsys.readouterr().out


def test_each_close_is_printed_with_its_longest_wait(tmp_path: Path, capsys):
    """A ``stream_closed`` carrying its stream's close log names the close's longest wait, in its
    recovery's part and on the run's ``closes`` line; one without a log says so."""
    gaps = load_bench_script("rig_recovery_gaps.py", "rig_recovery_gaps_under_test")
    log = {"took_s": 4.96, "waits": {"delivery_join": 0.01, "kill": 0.15, "reader_join": 4.8}, "longest": "reader_join"}
    entries = [_transition(10.0, "system", "running", "recovering"),
               _transition(10.0, "device", "running", "recovering"),
               {"type": "event", "time": 14.96, "value": "stream_closed", "data": {"cause": "recovery", "close": log}},
               _transition(17.0, "system", "recovering", "running"),
               {"type": "event", "time": 20.0, "value": "stream_closed", "data": {"cause": "stop"}}]
    (found,) = gaps.recoveries(entries)
    assert found["close_wait"] == ("reader_join", 4.8)
    assert gaps.closes(entries) == [("recovery", 4.96, ("reader_join", 4.8)), ("stop", None, None)]
    run = tmp_path / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "history.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert gaps.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "close 4.960 (longest wait reader_join 4.800 s)" in out
    assert "  closes: recovery 4.960 s (longest reader_join 4.800 s); stop no close log" in out


def test_each_loss_is_printed_with_what_explained_it(tmp_path: Path, capsys):
    gaps = load_bench_script("rig_recovery_gaps.py", "rig_recovery_gaps_under_test")
    run = tmp_path / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "history.jsonl").write_text(json.dumps(_transition(1.0, "system", "running", "recovering")) + "\n")
    (run / "summary.json").write_text(json.dumps({"verdict": {"outcome": "pass"}, "device_losses": {"items": [
        {"kind": "stalled", "into_run_s": 7.5, "explained_by": "server_stopped (external) external-stop-1 from t=1 s"},
        {"kind": "lost", "into_run_s": 9.25, "explained_by": None}]}}))
    assert gaps.main([str(tmp_path)]) == 0
    assert ("  losses: stalled 7.50 s: server_stopped (external) external-stop-1 from t=1 s; lost 9.25 s: unexplained"
            in capsys.readouterr().out)
