"""The pytest plugin, tested with pytester: options, markers, fixtures, the replay section,
histories in the report dir, xdist, allure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FAILING = """
def test_fails(audio_system, history, fault_injector):
    from harness.faults import DeviceDropout
    audio_system.start()
    fault_injector.inject(DeviceDropout(duration_s=0.1))
    audio_system.run_for(0.05)
    assert audio_system.state.value == "running"
"""


def test_options_are_in_a_soundcheck_group(pytester: pytest.Pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*soundcheck reliability harness*", "*--soundcheck-backend*",
                                 "*--soundcheck-seed=N*", "*--soundcheck-report-dir=DIR*",
                                 "*--soundcheck-hypothesis-profile=NAME*"])


def test_markers_are_registered(pytester: pytest.Pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.fault(kind)*", "@pytest.mark.soak*", "@pytest.mark.loopback*",
                                 "@pytest.mark.slow*"])
    pytester.makepyfile("import pytest\n@pytest.mark.fault('dropout')\n@pytest.mark.soak\n"
                        "@pytest.mark.loopback\n@pytest.mark.slow\ndef test_x(): pass\n")
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_fixtures_give_a_running_seeded_simulation(pytester: pytest.Pytester):
    pytester.makepyfile("""
        def test_it(audio_system, history, fault_injector, virtual_clock, sim_backend, soundcheck_seed):
            assert soundcheck_seed == 42 and audio_system.seed == 42
            assert audio_system.clock is virtual_clock and audio_system.backend is sim_backend
            audio_system.start()
            audio_system.run_for(0.1)
            assert history.transitions("system")[-1]["to_state"] == "running"
            assert fault_injector.system is audio_system and fault_injector.history is history
    """)
    pytester.runpytest("--soundcheck-seed=42").assert_outcomes(passed=1)


def test_other_backends_skip_the_sim_fixtures(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it(audio_system): pass\n")
    result = pytester.runpytest("--soundcheck-backend=jack", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*--soundcheck-backend=jack*"])


def test_failure_report_has_seed_replay_command_and_history(pytester: pytest.Pytester, tmp_path: Path):
    pytester.makepyfile(FAILING)
    report_dir = tmp_path / "reports"
    result = pytester.runpytest("--soundcheck-seed=7", f"--soundcheck-report-dir={report_dir}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- soundcheck -*", "seed: 7",
                                 "replay: * -m pytest test_failure_report_has_seed_replay_command_and_history.py"
                                 "::test_fails -p no:cacheprovider --soundcheck-seed=7",
                                 "history: *test_fails.call.history.jsonl (* entries)"])
    (path,) = report_dir.glob("*.jsonl")
    from harness.history import History
    h = History.read_jsonl(path)
    assert h.faults() and h.meta["seed"] == 7


def test_passing_tests_get_no_section(pytester: pytest.Pytester):
    pytester.makepyfile("def test_ok(audio_system): pass\n")
    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=1)
    assert "replay:" not in result.stdout.str()


def test_hypothesis_profile_option_selects_the_profile(pytester: pytest.Pytester):
    pytester.makepyfile("""
        def test_it():
            from harness.stateful import profile_settings
            assert profile_settings().max_examples == 1000
    """)
    pytester.runpytest("--soundcheck-hypothesis-profile=nightly").assert_outcomes(passed=1)
    from harness.stateful import profile_settings
    assert profile_settings().max_examples == 100  # restored for the rest of this session (ci)


def test_works_under_xdist(pytester: pytest.Pytester):
    pytester.makepyfile(FAILING + "\ndef test_ok(audio_system):\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "2", "--soundcheck-seed=3", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*replay: *::test_fails -p no:cacheprovider --soundcheck-seed=3"])


@pytest.mark.parametrize("body, outcome", [("pass", "passed"), ("assert False", "failed")])
def test_history_is_attached_to_the_allure_test_result_with_labels(pytester: pytest.Pytester, tmp_path: Path,
                                                                    body: str, outcome: str):
    pytester.makepyfile(
        "def test_it(audio_system, history, fault_injector):\n"
        "    from harness.faults import LateCallback\n"
        "    audio_system.start()\n"
        "    fault_injector.inject(LateCallback())\n"
        "    audio_system.run_for(0.1)\n"
        f"    {body}\n")
    alluredir = tmp_path / "allure"
    pytester.runpytest(f"--alluredir={alluredir}", "--soundcheck-seed=5").assert_outcomes(**{outcome: 1})
    (result,) = [json.loads(p.read_text()) for p in alluredir.glob("*-result.json")]
    names = [a["name"] for a in result.get("attachments", [])]  # on the test itself, not a fixture's
    assert any(n.startswith("history ") and n.endswith("test_it.jsonl") for n in names), names
    labels = {(lb["name"], lb["value"]) for lb in result["labels"]}
    assert {("seed", "5"), ("backend", "sim"), ("fault_kind", "xrun")} <= labels
    containers = [json.loads(p.read_text()) for p in alluredir.glob("*-container.json")]
    assert not [a for c in containers for fx in c.get("afters", []) for a in fx.get("attachments", [])]


def test_plugin_is_cheap_to_import():
    code = ("import sys, harness.pytest_plugin as p; "
            "bad = [m for m in ('system_under_test', 'numpy', 'hypothesis', 'harness.history') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
