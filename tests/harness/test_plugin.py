"""The pytest plugin, tested with pytester: options, markers, fixtures, the replay section,
histories in the report dir, xdist, allure, and how it behaves in a project that is not soundcheck."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The module the loopback tests patch, loaded with this file (at collection, before any in-process
# pytester run): an in-process run unloads the modules first imported inside it, so a module the
# plugin imported lazily in an earlier run would be gone from ``sys.modules`` while still reachable
# as ``harness.rig.loopback`` through its package's attribute. A patch made there (a dotted
# ``monkeypatch.setattr`` path) would then hit that stale module, and the next run's plugin would
# import a fresh, unpatched one: the rig "unavailable" only when this test ran first.
from harness.rig import loopback

pytest_plugins = ["pytester"]

FAILING = """
def test_fails(soundcheck_system, soundcheck_history, soundcheck_injector):
    from harness.faults import DeviceDropout
    soundcheck_system.start()
    soundcheck_injector.inject(DeviceDropout(duration_s=0.1))
    soundcheck_system.run_for(0.05)
    assert soundcheck_system.state.value == "running"
"""


def test_options_are_in_a_soundcheck_group(pytester: pytest.Pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*soundcheck reliability harness*", "*--soundcheck-backend*",
                                 "*--soundcheck-seed=N*", "*--soundcheck-report-dir=DIR*",
                                 "*--soundcheck-hypothesis-profile=NAME*", "*--soundcheck-system=MODULE:FACTORY*"])


def test_markers_are_registered(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.loopback(portaudio=False)*", "@pytest.mark.soak*",
                                 "@pytest.mark.slow*"])
    assert "mark.fault" not in result.stdout.str()  # nothing read it: gone
    monkeypatch.setattr(loopback, "rig_unavailable_reason", lambda: None)  # the rig "is" here
    pytester.makepyfile("import pytest\n@pytest.mark.soak\n@pytest.mark.loopback\n@pytest.mark.slow\n"
                        "def test_x(): pass\n")
    pytester.runpytest_inprocess("--strict-markers").assert_outcomes(passed=1)


def test_fixtures_give_a_running_seeded_simulation(pytester: pytest.Pytester):
    pytester.makepyfile("""
        def test_it(soundcheck_system, soundcheck_history, soundcheck_injector, soundcheck_clock,
                    soundcheck_backend, soundcheck_seed):
            assert soundcheck_seed == 42 and soundcheck_system.seed == 42
            assert soundcheck_system.clock is soundcheck_clock and soundcheck_system.backend is soundcheck_backend
            soundcheck_system.start()
            soundcheck_system.run_for(0.1)
            assert soundcheck_history.transitions("system")[-1]["to_state"] == "running"
            assert soundcheck_injector.system is soundcheck_system
            assert soundcheck_injector.history is soundcheck_history
    """)
    pytester.runpytest("--soundcheck-seed=42").assert_outcomes(passed=1)


def test_other_backends_skip_the_sim_fixtures(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it(soundcheck_system): pass\n")
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
    from harness import History
    h = History.read_jsonl(path)
    assert h.faults() and h.meta["seed"] == 7


def test_the_replay_command_of_a_failure_at_seed_0_names_seed_0(pytester: pytest.Pytester):
    """Seed 0 is a seed like any other: a project whose ini sets another seed (``addopts``) replays
    its seed-0 failure only if the command says ``--soundcheck-seed=0``."""
    pytester.makeini("[pytest]\naddopts = --soundcheck-seed=5\n")
    pytester.makepyfile(FAILING)
    result = pytester.runpytest("--soundcheck-seed=0")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["seed: 0", "replay: * -m pytest *::test_fails -p no:cacheprovider --soundcheck-seed=0"])


def test_passing_tests_get_no_section(pytester: pytest.Pytester):
    pytester.makepyfile("def test_ok(soundcheck_system): pass\n")
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
    pytester.makepyfile(FAILING + "\ndef test_ok(soundcheck_system):\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "2", "--soundcheck-seed=3", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*replay: *::test_fails -p no:cacheprovider --soundcheck-seed=3"])


@pytest.mark.parametrize("body, outcome", [("pass", "passed"), ("assert False", "failed")])
def test_history_is_attached_to_the_allure_test_result_with_labels(pytester: pytest.Pytester, tmp_path: Path,
                                                                    body: str, outcome: str):
    pytester.makepyfile(
        "def test_it(soundcheck_system, soundcheck_history, soundcheck_injector):\n"
        "    from harness.faults import LateCallback\n"
        "    soundcheck_system.start()\n"
        "    soundcheck_injector.inject(LateCallback())\n"
        "    soundcheck_system.run_for(0.1)\n"
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


# ------------------------------------------------------------------- in someone else's project ----

FOREIGN_SCENARIO = """\
format = 1

[scenario]
id = "theirs"
title = "a file that looks like a soundcheck scenario"
reproduces = "nothing"

[[steps]]
name = "go"
op = "start"

[[expect]]
metric = "xruns"
max = 100
"""


@pytest.fixture
def foreign(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project that installed soundcheck but is not soundcheck: its own ``scenarios/`` folder of
    TOML files, its own fixtures named like soundcheck's old ones, its own Hypothesis ``ci``."""
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    for rel in ("scenarios/a.toml", "data/scenarios/b.toml", "conf/c.toml"):
        path = pytester.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FOREIGN_SCENARIO)
    pytester.makeconftest("""
        import pytest
        from hypothesis import settings

        settings.register_profile("ci", max_examples=7)
        settings.load_profile("ci")

        @pytest.fixture
        def history():
            return "their history"
    """)
    return pytester


def test_in_a_foreign_project_no_scenario_file_becomes_a_test(foreign: pytest.Pytester):
    foreign.makepyfile("def test_theirs(history):\n    assert history == 'their history'\n")
    result = foreign.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_theirs*", "1 test collected*"])
    assert ".toml" not in result.stdout.str()
    foreign.runpytest().assert_outcomes(passed=1)  # their own `history` fixture, not ours


def test_in_a_foreign_project_scenarios_come_only_from_the_configured_folder(foreign: pytest.Pytester):
    foreign.makeini("[pytest]\naddopts = -p no:cacheprovider\nsoundcheck_scenarios = data/scenarios\n")
    result = foreign.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["data/scenarios/b.toml::theirs"])
    assert "scenarios/a.toml" not in result.stdout.str().replace("data/scenarios/b.toml", "")
    assert "conf/c.toml" not in result.stdout.str()


def test_in_a_foreign_project_every_fixture_of_the_plugin_is_prefixed(foreign: pytest.Pytester):
    result = foreign.runpytest("--fixtures", "-v")
    lines = result.stdout.str().splitlines()
    start = next(i for i, line in enumerate(lines) if "fixtures defined from harness.pytest_plugin" in line)
    ours = []
    for line in lines[start + 1:]:
        if "fixtures defined from" in line or line.startswith("="):
            break  # the next plugin's section
        if line and not line.startswith(" ") and " -- " in line:
            ours.append(line.split()[0])
    assert ours, lines[start:start + 5]
    assert all(n.startswith(("soundcheck_", "_soundcheck_")) for n in ours), ours
    from harness.pytest_plugin import FIXTURES
    assert set(FIXTURES) <= set(ours)


def test_in_a_foreign_project_its_hypothesis_profile_stays_its_own(foreign: pytest.Pytester):
    foreign.makepyfile("""
        from hypothesis import settings

        def test_profiles():
            from harness.stateful import profile_settings
            assert settings().max_examples == 7               # their loaded profile, untouched
            assert profile_settings().max_examples == 100     # soundcheck's ci, under its own name
            assert settings.get_profile("ci").max_examples == 7
            assert settings.get_profile("soundcheck-ci").max_examples == 100
            assert settings().max_examples == 7
    """)
    foreign.runpytest().assert_outcomes(passed=1)


def test_in_a_foreign_project_the_loopback_marker_skips_outside_ci_and_fails_in_ci(
        foreign: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(loopback, "rig_unavailable_reason", lambda: "no jackd here (test)")
    foreign.makepyfile("""
        import pytest

        started = []

        @pytest.fixture
        def rig():
            started.append(1)  # a rig fixture must not even start without the rig
            yield

        @pytest.mark.loopback
        def test_on_the_rig(rig):
            pass

        @pytest.mark.loopback(portaudio=True)
        def test_on_the_rig_via_portaudio():
            pass

        def test_elsewhere():
            assert started == []
    """)
    monkeypatch.delenv("CI", raising=False)
    result = foreign.runpytest_inprocess("-rs", "-p", "no:randomly")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*needs the JACK loopback rig: no jackd here (test)*"])
    monkeypatch.setenv("CI", "true")
    result = foreign.runpytest_inprocess()
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*CI is set, so the loopback tests must run, but: no jackd here (test)*"])


def test_a_bad_soundcheck_system_option_names_the_option(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it(soundcheck_system): pass\n")
    result = pytester.runpytest("--soundcheck-system=no_such_module_xyz:make")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--soundcheck-system no_such_module_xyz:make: no module named*"])


def test_soundcheck_system_option_builds_the_named_system(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))  # examples/ is in the repository
    pytester.makepyfile("""
        def test_it(soundcheck_system, soundcheck_injector):
            from harness.faults import DeviceDropout
            assert type(soundcheck_system).__name__ == "PlayerSystem"
            soundcheck_system.start()
            soundcheck_injector.inject(DeviceDropout(duration_s=0.1))
            soundcheck_system.run_for(1.0)
            assert soundcheck_system.state.value == "running" and soundcheck_system.player.stats["restarts"] == 1
    """)
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nsoundcheck_system = examples.simple_player:make_fixed_system\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
