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
