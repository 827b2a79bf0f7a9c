"""A fault kind more of whose firings were refused than acted makes a completed run inconclusive,
on every surface: a run whose xruns all came while the system was failed has not shown the system
survives xruns, however well it survived the dropout that did fire (issue #11: a 1500 s default
run printed PASS with 63 faults refused as the system sat failed or recovering).

The profile of ``test_unfired_kinds``: for seed 20 a 60 s run draws xrun at 39.4 s and 45.5 s and
one dropout at 58.8 s. Here the xruns are refused as a failed system refuses them (the late
callback's own ``why_not_now`` says "the system is failed" when no stream runs); the dropout fires.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import main
from harness.faults.kinds import LateCallback

PROFILE = 'name = "late"\ncheck_every_s = 40\n[probabilities]\nxrun = 1.0\ndropout = 0.5\n'
REFUSAL = "the system is failed: no running stream whose next callback could be late"
DOUBT = ("fault kinds most of whose faults were refused when they fired: "
         f"xrun (2 of 2 refused: {REFUSAL} x2): the run barely tried them")


def _run(tmp_path: Path, seed: int) -> tuple[int, dict, dict]:
    profile = tmp_path / "late.toml"
    profile.write_text(PROFILE)
    out_dir = tmp_path / f"runs{seed}"
    code = main(["run", "--faults", str(profile), "--duration", "60", "--seed", str(seed),
                 "--report-dir", str(out_dir)])
    (run_dir,) = out_dir.iterdir()
    return (code, json.loads((run_dir / "summary.json").read_text()),
            json.loads((run_dir / "report.json").read_text()))


def test_a_run_whose_xruns_were_all_refused_is_inconclusive_on_every_surface(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    monkeypatch.setattr(LateCallback, "why_not_now", lambda self, system: REFUSAL)
    code, summary, report = _run(tmp_path, 20)
    out = capsys.readouterr().out
    assert summary["faults"]["by_kind"] == {"dropout": 1}
    assert summary["faults"]["skipped"] == {"xrun": {REFUSAL: 2}}
    assert summary["faults"]["mostly_refused"] == {"xrun": {"fired": 0, "refused": 2, "reasons": {REFUSAL: 2}}}
    assert code == 3
    assert f"INCONCLUSIVE: {DOUBT}" in out
    assert summary["outcome"] == "inconclusive" and DOUBT in summary["verdict"]["doubts"]
    assert report["verdict"]["outcome"] == "inconclusive" and DOUBT in report["verdict"]["doubts"]


def test_a_kind_refused_at_most_as_often_as_it_acted_leaves_the_run_a_pass(tmp_path, monkeypatch):
    """One xrun of two refused: the kind was tried, the refusal is the skips' note."""
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    calls = {"n": 0}
    real = LateCallback.why_not_now

    def refuse_after_first(self, system):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return REFUSAL if calls["n"] > 1 else real(self, system)

    monkeypatch.setattr(LateCallback, "why_not_now", refuse_after_first)
    code, summary, report = _run(tmp_path, 20)
    assert summary["faults"]["by_kind"] == {"dropout": 1, "xrun": 1}
    assert summary["faults"]["mostly_refused"] == {}
    assert code == 0, summary["verdict"]["headline"]
    assert report["verdict"]["outcome"] == "pass"
    assert any("1 fault(s) skipped: xrun x1" in n for n in summary["verdict"]["notes"])
