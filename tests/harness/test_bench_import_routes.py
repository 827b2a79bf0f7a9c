"""The bench routes a harness bug to the test files that import its module, read from their
import lines (``importing_tests``), besides its fixed routes: a bug in a module no fixed route's
test imports (the incidents, the rig's hold) was otherwise tried only against tests that never
run its code, and read as missed while the suite held the test that catches it."""

from __future__ import annotations

from pathlib import Path

from bench_scripts import load_bench_script

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    return load_bench_script("bench_realistic_bugs.py", "bench_realistic_bugs_routes")


def test_a_module_s_importers_are_found_by_every_form_of_import_and_nothing_else(tmp_path: Path) -> None:
    files = {
        "test_from.py": "from harness.reports.incidents import IncidentFold\n",
        "test_parent.py": "def test_x():\n    from harness.reports import (build,\n        incidents)\n",
        "test_dotted.py": "import os\nimport harness.reports.incidents as inc\n",
        "test_package_only.py": "import harness.reports\nfrom harness.reports.incidents_extra import x\n",
        "test_text_only.py": '"""harness.reports.incidents is named here, never imported."""\n',
        "test_broken.py": "from harness.reports.incidents import (\n",
        "helper.py": "from harness.reports.incidents import IncidentFold\n",  # no test file
    }
    for name, text in files.items():
        (tmp_path / "tests" / "harness").mkdir(parents=True, exist_ok=True)
        (tmp_path / "tests" / "harness" / name).write_text(text)
    b = _bench()
    found = b.importing_tests("harness/reports/incidents.py", tmp_path)
    assert sorted(found) == [f"tests/harness/{n}" for n in ("test_dotted.py", "test_from.py", "test_parent.py")]
    sizes = [(tmp_path / t).stat().st_size for t in found]
    assert sizes == sorted(sizes)  # smallest first
    # the package is named by ``import harness.reports`` and by ``from harness.reports import ...``
    assert sorted(b.importing_tests("harness/reports/__init__.py", tmp_path)) == [
        "tests/harness/test_package_only.py", "tests/harness/test_parent.py"]


def test_module_of_reads_a_path_from_the_root() -> None:
    b = _bench()
    assert b.module_of("harness/reports/incidents.py") == "harness.reports.incidents"
    assert b.module_of("harness/scenarios/__init__.py") == "harness.scenarios"
    assert b.module_of("harness/rig/hold.py") == "harness.rig.hold"


def test_a_harness_bug_is_tried_on_its_module_s_importers_after_its_own_tests_and_before_the_judges() -> None:
    b = _bench()
    bug = b.Bug("x", "harness/reports/incidents.py", "", "", "", "")
    sel = b.selection_for(bug, [])
    own = [t for prefix, tests in b.HARNESS_OWN_TESTS.items() if bug.path.startswith(prefix) for t in tests]
    assert "tests/harness/test_incidents.py" in sel
    assert sel.index("tests/harness/test_incidents.py") < sel.index("tests/harness/test_run.py")
    assert sel[: len(own)] == [t for t in dict.fromkeys(own) if (ROOT / t.split("::")[0]).exists()]
    whole = [t for t in sel if "::" not in t]
    assert len(whole) == len(set(whole))  # a file given whole runs once
    assert not {t.split("::")[0] for t in sel if "::" in t} & set(whole)  # nor again in part
    hold = b.selection_for(b.Bug("y", "harness/rig/hold.py", "", "", "", ""), [])
    assert hold[0] == "tests/harness/test_rig_hold.py"


def test_a_name_a_package_re_exports_routes_to_the_module_it_comes_from(tmp_path: Path) -> None:
    """``from harness import PROFILES`` reaches harness/faults/profiles.py through two packages'
    faces (a lazy face's ``TYPE_CHECKING`` imports and a plain one); a name the face takes from
    another module does not, nor does a package without the name."""
    tree = {
        "pkg/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                           "    from .faults import PROFILES\n    from .runner import Run\n",
        "pkg/faults/__init__.py": "from .profiles import PROFILES as PROFILES\nfrom . import kinds\n",
        "pkg/faults/profiles.py": "PROFILES = {}\n",
        "pkg/faults/kinds.py": "",
        "pkg/runner.py": "class Run: ...\n",
        "tests/test_face.py": "from pkg import PROFILES\n",
        "tests/test_other_name.py": "from pkg import Run\n",
        "tests/test_kinds.py": "from pkg.faults import kinds\n",
        "tests/test_missing.py": "from pkg import NotThere\n",
    }
    for name, text in tree.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    b = _bench()
    assert b.importing_tests("pkg/faults/profiles.py", tmp_path) == ("tests/test_face.py",)
    assert b.importing_tests("pkg/runner.py", tmp_path) == ("tests/test_other_name.py",)
    assert b.importing_tests("pkg/faults/kinds.py", tmp_path) == ("tests/test_kinds.py",)
    assert sorted(b.importing_tests("pkg/faults/__init__.py", tmp_path)) == [
        "tests/test_face.py", "tests/test_kinds.py"]


def test_the_profiles_test_that_reads_them_through_the_harness_face_is_routed_to_their_module() -> None:
    """test_default_outage.py reads the profiles as ``from harness import PROFILES``: a bug in
    harness/faults/profiles.py is tried on it with no route written by hand."""
    b = _bench()
    assert "tests/harness/test_default_outage.py" in b.importing_tests("harness/faults/profiles.py", ROOT)
    written = [t for prefix, tests in b.HARNESS_OWN_TESTS.items() for t in tests]
    assert "tests/harness/test_default_outage.py" not in written  # found, not written by hand


def test_a_system_bug_is_tried_last_on_the_harness_tests_that_import_its_module_by_name(tmp_path: Path) -> None:
    """A system method only a harness judge reads (``VirtualClock.timers_queued_after``, the timer
    watch's) is held to its promise by a harness test: batch 74's ``queued_after_lists_cancelled``
    read as missed on the default selection while test_timer_watch_reads.py catches it. The system's
    face (imported by nearly every harness test) routes nothing."""
    b = _bench()
    default = b.default_selection()
    bug = next(x for x in b.BUGS if x.name == "queued_after_lists_cancelled")
    sel = b.selection_for(bug, default)
    assert sel[: len(default)] == default
    assert "tests/harness/test_timer_watch_reads.py" in sel[len(default):]
    assert len(sel) == len(set(sel))
    files = {"test_clock_reader.py": "from system_under_test.clock import VirtualClock\n",
             "test_face_only.py": "from system_under_test import AudioSystem\n",
             "test_other.py": "import system_under_test.monitoring\n"}
    (tmp_path / "tests" / "harness").mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / "tests" / "harness" / name).write_text(text)
    assert b.harness_readers("clock.py", tmp_path) == ("tests/harness/test_clock_reader.py",)
    assert b.harness_readers("__init__.py", tmp_path) == ()


def test_a_module_a_test_reaches_through_its_folder_s_helpers_routes_to_that_test(tmp_path: Path) -> None:
    """A test that imports its folder's helper, which imports another helper, which imports the
    module, is routed to the module; a helper named like a test, a dotted name and a helper that
    imports itself back lead nowhere else."""
    files = {
        "test_through_helpers.py": "from outer_helper import wait\n",
        "outer_helper.py": "import inner_helper\nfrom outer_helper import again\n",
        "inner_helper.py": "from harness.rig.awake import any_runnable\n",
        "test_through_a_test.py": "from test_direct import any_runnable\n",
        "test_direct.py": "from harness.rig.awake import any_runnable\n",
        "test_dotted_helper.py": "import os.inner_helper\n",
        "test_unrelated_helper.py": "from unrelated import x\n",
        "unrelated.py": "import harness.rig.loopback\n",
    }
    (tmp_path / "tests" / "harness").mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / "tests" / "harness" / name).write_text(text)
    b = _bench()
    assert sorted(b.importing_tests("harness/rig/awake.py", tmp_path)) == [
        "tests/harness/test_direct.py", "tests/harness/test_through_helpers.py"]


def test_the_awake_waits_tests_that_read_the_module_through_their_helper_are_routed_to_it() -> None:
    """test_awake_waits.py reads ``harness.rig.awake`` only as ``from awake_waits import ...``: a bug
    in harness/rig/awake.py is tried on it (a thread that reads /proc counted as runnable was
    missed while the file held the test that catches it)."""
    assert "tests/harness/test_awake_waits.py" in _bench().importing_tests("harness/rig/awake.py", ROOT)
