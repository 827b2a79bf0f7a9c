"""Which DSP kernel a run uses is a function of its command, and the run says which.

``harness.runner.dsp_kernel_for``: the spec's explicit choice, else compiled for a simulated run
of at least ``COMPILED_DSP_MIN_S`` (long enough to repay numba's import), else numpy. The summary
names it; a compiled run is as deterministic as a numpy one (same seed, same history); the choice
does not leak past the run (a scenario or test afterwards builds numpy stages).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.runner import COMPILED_DSP_MIN_S, ReliabilityRun, RunSpec, dsp_kernel_for
from system_under_test.dsp import current_kernel


@pytest.mark.parametrize("spec, kernel", [
    (RunSpec(duration_s=60.0), "numpy"),
    (RunSpec(duration_s=COMPILED_DSP_MIN_S - 0.001), "numpy"),
    (RunSpec(duration_s=COMPILED_DSP_MIN_S), "compiled"),
    (RunSpec(duration_s=8 * 3600.0), "compiled"),
    (RunSpec(backend="jack", duration_s=3600.0), "numpy"),
    (RunSpec(backend="portaudio", device="x", duration_s=3600.0), "numpy"),
    (RunSpec(duration_s=3600.0, dsp_kernel="numpy"), "numpy"),
    (RunSpec(duration_s=10.0, dsp_kernel="compiled"), "compiled"),
])
def test_the_kernel_follows_the_command(spec, kernel):
    assert dsp_kernel_for(spec) == kernel


def test_an_unknown_kernel_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match="'gpu'.*auto, numpy, compiled"):
        dsp_kernel_for(RunSpec(dsp_kernel="gpu"))


def test_the_history_records_an_explicit_kernel_only():
    """An automatic choice leaves the run's record as it was (histories of older runs compare);
    an explicit one is part of the command, so the record keeps it."""
    assert "dsp_kernel" not in RunSpec(duration_s=600.0).to_dict()
    assert RunSpec(dsp_kernel="compiled").to_dict()["dsp_kernel"] == "compiled"


def _history_lines(run_dir: Path) -> list[str]:
    lines = []
    for line in (run_dir / "history.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry.get("type") == "meta":
            for key in ("started_at", "command", "commit", "host", "python"):
                entry["data"].pop(key, None)
        if entry.get("type") == "metrics":
            entry["data"].get("counters", {}).pop("budget_overruns", None)  # wall-clock overruns
        lines.append(json.dumps(entry, sort_keys=True))
    return lines


def test_a_compiled_run_is_deterministic_says_its_kernel_and_leaves_the_choice_behind(tmp_path):
    runs = []
    for i in range(2):
        spec = RunSpec(duration_s=6.0, seed=3, faults="default", dsp_kernel="compiled",
                       run_dir=tmp_path / f"c{i}")
        run = ReliabilityRun(spec)
        stages = []
        original = run._execute

        def execute(**kw):  # the kernel in force while the system is built and rebuilt
            stages.append(current_kernel())
            return original(**kw)

        run._execute = execute
        result = run.execute(reports=False)
        assert stages == ["compiled"] and current_kernel() == "numpy"
        assert result.summary["dsp_kernel"] == "compiled"
        assert json.loads((spec.run_dir / "summary.json").read_text())["dsp_kernel"] == "compiled"
        runs.append(_history_lines(spec.run_dir))
    assert runs[0] == runs[1]
    auto = ReliabilityRun(RunSpec(duration_s=2.0, seed=3, faults="none", run_dir=tmp_path / "a")).execute(reports=False)
    assert auto.summary["dsp_kernel"] == "numpy"


def test_the_cli_takes_the_kernel_and_refuses_an_unknown_one(tmp_path):
    cmd = [sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", "2", "--faults", "none",
           "--report-dir", str(tmp_path), "--json"]
    bad = subprocess.run(cmd + ["--dsp-kernel", "gpu"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--dsp-kernel" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run(cmd + ["--dsp-kernel", "compiled"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert json.loads(ok.stdout[ok.stdout.index("{"):])["dsp_kernel"] == "compiled"


def test_a_compiled_run_without_numba_is_a_usage_error_never_another_kernel(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a))
    with pytest.raises(UsageError, match="needs numba.*scripts/bootstrap.*--dsp-kernel numpy"):
        dsp_kernel_for(RunSpec(duration_s=COMPILED_DSP_MIN_S))
    assert dsp_kernel_for(RunSpec(duration_s=60.0)) == "numpy"  # a short run does not ask for it
