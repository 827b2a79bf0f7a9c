"""The scenario collector (``harness.scenario_collect``) through ``pytester``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lossy_system import SOURCE

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
format = 1

[scenario]
id = "{id}"
title = "an xrun is counted"
reproduces = "a test"
tags = ["xrun"]

[[steps]]
name = "go"
op = "start"

[[steps]]
name = "late"
fault = "xrun"
at = "100ms"

[[expect]]
metric = "xruns"
max = {max}
"""

RIG = GOOD.replace('tags = ["xrun"]', 'tags = ["xrun"]\n\n[run]\nbackend = "jack"')


def _ini(folders: str = "scenarios") -> str:
    """The plugin's scenario folders (``soundcheck_scenarios``) and no cache."""
    return f"[pytest]\naddopts = -p no:cacheprovider\nsoundcheck_scenarios = {folders}\n"


@pytest.fixture
def scen(pytester: pytest.Pytester):
    pytester.makeini(_ini())

    def write(name: str, text: str) -> Path:
        p = pytester.path / "scenarios" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    return write


def test_each_scenario_file_is_one_item_named_by_its_id(pytester, scen):
    scen("a.toml", GOOD.format(id="first", max=1))
    scen("deep/b.toml", GOOD.format(id="second", max=1))
    (pytester.path / "notes.toml").write_text("not = 'a scenario'\n")  # outside scenarios/: ignored
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*scenarios/a.toml::first PASSED*", "*scenarios/deep/b.toml::second PASSED*"])
    assert pytester.runpytest("-k", "xrun").ret == 0


def test_failing_scenario_reports_expectation_and_evidence_not_a_traceback(pytester, scen):
    scen("strict.toml", GOOD.format(id="strict", max=0))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FAILED expect[[]0[]]: metric xruns <= 0*", "*xruns = 1*",
                                 "*fault_start xrun*"])
    assert "Traceback" not in result.stdout.str() and "def runtest" not in result.stdout.str()


def test_invalid_file_is_a_clean_collection_error(pytester, scen):
    scen("bad.toml", GOOD.format(id="bad", max=1).replace('op = "start"', 'op = "strat"'))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting scenarios/bad.toml*", "*bad.toml: 1 problem:*",
                                 "*line 11: steps[[]0[]].op: Input should be*(got 'strat')*"])
    assert "Traceback" not in result.stdout.str()


def test_rig_scenario_is_marked_and_skips_without_jackd_outside_ci(pytester, scen, monkeypatch):
    import harness.rig.loopback as loopback

    scen("rig.toml", RIG.format(id="on-the-rig", max=1))
    monkeypatch.setattr(loopback, "rig_unavailable_reason", lambda: "jackd is not installed (test)")
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest("-rs", "-m", "loopback")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*needs the JACK loopback rig: jackd is not installed (test)*"])
    assert pytester.runpytest("-m", "not loopback").ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_rig_scenario_must_run_when_ci_is_set(pytester, scen, monkeypatch):
    import harness.rig.loopback as loopback

    scen("rig.toml", RIG.format(id="on-the-rig", max=1))
    monkeypatch.setattr(loopback, "rig_unavailable_reason", lambda: "jackd is not installed (test)")
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)  # fails in setup: never a skip
    result.stdout.fnmatch_lines(["*CI is set, so the loopback tests must run*"])


def test_steps_are_allure_steps_when_allure_is_active(pytester, scen):
    scen("a.toml", GOOD.format(id="allured", max=1))
    out = pytester.path / "allure"
    result = pytester.runpytest(f"--alluredir={out}")
    result.assert_outcomes(passed=1)
    results = [json.loads(p.read_text()) for p in out.glob("*-result.json")]
    (res,) = results
    names = [s["name"] for s in res.get("steps", [])]
    assert names == ["initialize", "go: op:start", "late: fault:xrun", "cleanup"]


def test_shipped_library_collects_with_the_loopback_marker_on_rig_scenarios(pytester):
    import shutil

    pytester.makeini(_ini())
    shutil.copytree(ROOT / "scenarios", pytester.path / "scenarios")
    result = pytester.runpytest("--collect-only", "-q", "-m", "loopback")
    result.stdout.fnmatch_lines(["*alsa-jack-pcm-server-dies*", "*jack-host-api-server-dies*"])
    assert "dropout-while-paused" not in result.stdout.str()


RUNS = """\
format = 1

[scenario]
id = "runs"
title = "the system runs a while"
reproduces = "a test"

[[steps]]
op = "start"

[[steps]]
wait = "2s"

[[expect]]
state = "running"
"""


def test_an_inconclusive_scenario_is_not_green_and_is_reported_inconclusive_not_failed(pytester, tmp_path):
    pytester.makeini(_ini() + "soundcheck_system = lossy_system:LosesItsDevice\n")
    (pytester.path / "lossy_system.py").write_text(SOURCE)
    pytester.syspathinsert()
    (pytester.path / "scenarios").mkdir()
    (pytester.path / "scenarios" / "runs.toml").write_text(RUNS)
    (pytester.path / "scenarios" / "strict.toml").write_text(GOOD.format(id="strict", max=0))
    junit = tmp_path / "junit.xml"
    result = pytester.runpytest("-v", f"--junitxml={junit}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # CI does not go green on it
    assert result.parseoutcomes() == {"failed": 1, "inconclusive": 1}
    result.stdout.fnmatch_lines(["*scenarios/runs.toml::runs INCONCLUSIVE*", "*scenarios/strict.toml::strict FAILED*"])
    out = result.stdout.str()
    # the section runs from its header to the next "=" line (pytest's short summary, which lists
    # the failed scenario too, may come after it or before it, by the plugins' order)
    start = out.index("= INCONCLUSIVE (1: nothing failed")
    body = out.index("\n", start) + 1
    end = re.search(r"^=+ ", out[body:], re.M)
    section = out[start:body + end.start()] if end else out[start:]
    assert "INCONCLUSIVE (not a failure of an expectation; not a pass either): 1 device loss(es) with nothing " \
           "to explain them" in section
    assert "device 'sim-in' lost at t=0.305 s" in section and "CANNOT JUDGE: a device was lost" in section
    assert "FAILED expect[0]" not in section  # the failed scenario is in FAILURES, not here
    failures = out[out.index("= FAILURES ="):out.index("= INCONCLUSIVE (1")]
    assert "FAILED expect[0]: metric xruns <= 0" in failures
    assert "Traceback" not in out
    xml = junit.read_text()
    assert '<property name="verdict" value="inconclusive" />' in xml
    assert '<property name="verdict" value="fail" />' in xml
