"""What a short ``soundcheck run`` loads before it needs it: a check of imported modules, not of time.

A 60 s simulated run is a few seconds of CPU, most of it start-up and report rendering; the
report's figures are SVG drawn from the data, so the figures' library (matplotlib, ~0.5 s of CPU to
import, ~1 s to rasterise five PNGs) is on neither the run's path nor report rendering's, and the
CLI pins OpenBLAS to one thread before numpy loads it (its spinning threads cost ~0.9 s of CPU per
short run on a busy machine). scipy is on neither path either: the DSP chain's biquad filters with
numpy alone and the run's listening check calls no scipy function (``scipy.signal`` alone costs
~0.55 s of CPU to import, ``scipy.fft`` ~0.2 s). Each test runs a fresh interpreter: ``sys.modules``
of the test process has everything loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

#: numba: the DSP chain's compiled kernel, ~0.35 s of CPU to import and ~0.45 s at its first call,
#: loaded only by runs of ``harness.runner.COMPILED_DSP_MIN_S`` and more
HEAVY = ("matplotlib", "scipy", "numba")
#: modules a passing run has no use for: the scenario package (a failing run's replay export) and
#: allure (attaching reports to an allure that something else loaded)
IDLE = ("harness.scenarios", "allure", "allure_commons")


def _modules_after(code: str, env: dict[str, str] | None = None) -> dict[str, object]:
    probe = (f"{code}\nimport json, os, sys\n"
             "print(json.dumps({'heavy': sorted(m for m in sys.modules if m.split('.')[0] in "
             f"{HEAVY!r}), 'idle': sorted(m for m in {IDLE!r} if m in sys.modules), "
             "'blas': os.environ.get('OPENBLAS_NUM_THREADS'), "
             "'numpy': 'numpy' in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_run_path_does_not_import_the_figure_library_or_scipy() -> None:
    # the run command's import path: the CLI, its run parser, the runner and the system
    code = "import harness.cli as c; c.build_parser('run'); import harness.commands.run, harness.runner"
    assert _modules_after(code)["heavy"] == []


def test_report_rendering_does_not_import_the_figure_library_or_scipy() -> None:
    # the report's figures are SVG drawn from the data: writing a run's reports needs no matplotlib
    code = "import harness.reports, harness.reports.plots, harness.reports.html, harness.reports.timeline"
    assert _modules_after(code)["heavy"] == []


def test_the_probe_sees_the_figure_library_when_it_is_loaded() -> None:
    """The probes above can fail: a module that loads matplotlib shows up in them."""
    assert _modules_after("import matplotlib.figure")["heavy"] != []


def test_the_probe_sees_scipy_when_the_analysis_needs_it() -> None:
    """``harness.analysis`` imports scipy on first use, and a function that uses it loads it."""
    assert _modules_after("import harness.analysis")["heavy"] == []
    assert "scipy.signal" in _modules_after("import harness.analysis as a; a._tukey(64)")["heavy"]


def test_a_short_simulated_run_loads_no_scipy(tmp_path) -> None:
    """The whole run, not only its imports: a 2 s simulated run with the default faults, its
    listening check and its reports, ends with no scipy module loaded, nor a module only a failing
    run needs."""
    code = ("import sys\nfrom harness.cli import main\n"
            f"rc = main(['run', '--backend', 'sim', '--duration', '2', '--seed', '1', '--report-dir', {str(tmp_path)!r}])\n"
            "assert rc == 0, rc")
    env = {**os.environ, "SOUNDCHECK_HISTORY_DB": str(tmp_path / "h.sqlite")}
    loaded = _modules_after(code, env)
    assert loaded["heavy"] == [] and loaded["idle"] == []


def test_the_probe_sees_numba_when_a_run_compiles_its_dsp(tmp_path) -> None:
    """A run with ``--dsp-kernel compiled`` loads numba, so the short run's probe above can fail."""
    code = ("import sys\nfrom harness.cli import main\n"
            f"rc = main(['run', '--backend', 'sim', '--duration', '1', '--faults', 'none', '--dsp-kernel', "
            f"'compiled', '--report-dir', {str(tmp_path)!r}])\n"
            "assert rc == 0, rc")
    env = {**os.environ, "SOUNDCHECK_HISTORY_DB": str(tmp_path / "h.sqlite")}
    assert "numba" in _modules_after(code, env)["heavy"]


def test_the_probe_sees_a_module_a_passing_run_does_not_need() -> None:
    assert _modules_after("import harness.scenarios")["idle"] == ["harness.scenarios"]


def test_the_cli_sets_one_blas_thread_before_numpy_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    # ``harness`` itself (imported before harness.cli runs a line) must not load numpy, or the
    # setting would come after OpenBLAS read its environment
    assert _modules_after("import harness", env) == {"heavy": [], "idle": [], "blas": None, "numpy": False}
    assert _modules_after("import harness.cli", env)["blas"] == "1"


def test_the_users_blas_setting_wins() -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "3"}
    assert _modules_after("import harness.cli", env)["blas"] == "3"


def test_the_command_line_loads_its_modules_without_the_collector_and_freezes_them() -> None:
    """``soundcheck`` (``main()`` of the process's own command line) loads the command's modules
    with the cyclic collector off and then freezes them out of its reach (``cli._load_quietly``);
    the collector is on again for the command itself."""
    probe = ("import gc, json, sys\n"
             "sys.argv = ['soundcheck', 'devices', '--help']\n"
             "import harness.cli as c\n"
             "seen = []\n"
             "real = c.build_parser\n"
             "c.build_parser = lambda only=None: (seen.append(gc.isenabled()), real(only))[1]\n"
             "try:\n    c.main()\nexcept SystemExit:\n    pass\n"
             "print(json.dumps({'during': seen, 'after': gc.isenabled(), 'frozen': gc.get_freeze_count()}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    assert got["during"] == [False] and got["after"] is True and got["frozen"] > 10_000, got


def test_main_called_from_python_leaves_the_callers_collector_as_it_was() -> None:
    import gc

    from harness.cli import main

    frozen = gc.get_freeze_count()
    assert main(["devices", "--help"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def _profile_file_models_after(code: str) -> list[str]:
    """The names of the profile file format's pydantic models built once ``code`` has run."""
    probe = (f"{code}\nimport json\nfrom pydantic import BaseModel\n"
             "def walk(c):\n    for s in c.__subclasses__():\n        yield s\n        yield from walk(s)\n"
             "print(json.dumps(sorted({c.__name__ for c in walk(BaseModel) "
             "if c.__module__ == 'harness.faults.profiles' and c.__name__ in ('ProfileFile', 'Probabilities', 'Params')})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_run_path_builds_no_profile_file_model() -> None:
    """The profile file's models (one per fault kind and table, a validator per numeric parameter)
    are built when a profile file is read, not when a run's modules load: a run under a built-in
    profile never validates through them."""
    code = "import harness.cli as c; c.build_parser('run'); import harness.commands.run, harness.runner, harness.faults"
    assert _profile_file_models_after(code) == []


def test_the_profile_file_models_are_built_when_a_file_is_read(tmp_path) -> None:
    """The probe above can fail: reading a profile file builds the models it looks for."""
    path = tmp_path / "p.toml"
    path.write_text("[probabilities]\nxrun = 0.1\n")
    code = f"from harness.faults.profiles import load_profile; load_profile({str(path)!r})"
    assert _profile_file_models_after(code) == ["Params", "Probabilities", "ProfileFile"]
