"""A soak imports what its analysis defers before its first memory sample.

A module first used minutes into a soak is imported then, a one-time step of megabytes the leak
judge reads as growth (a healthy hour's RSS read "leak" at 11.6 MB/h that way)."""

from __future__ import annotations

import subprocess
import sys

import harness.analysis
from harness.leaks import ResourceSampler
from harness.soak import SoakRunner, SoakSpec


def test_import_deferred_loads_every_module_the_analysis_defers() -> None:
    code = ("import sys, harness.analysis as a; names = a.import_deferred(); "
            "print(len(names), all(n in sys.modules for n in names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, loaded = out.stdout.split()
    assert int(count) >= 3 and loaded == "True"


def test_a_soak_imports_the_deferred_modules_before_its_first_memory_sample(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOUNDCHECK_HISTORY_DB", str(tmp_path / "history.sqlite"))
    order: list[str] = []
    real_import, real_sample = harness.analysis.import_deferred, ResourceSampler.sample

    def imported() -> tuple[str, ...]:
        order.append("import")
        return real_import()

    def sampled(self, *args, **kwargs):  # noqa: ANN001, ANN202 - the sampler's own signature
        order.append("sample")
        return real_sample(self, *args, **kwargs)

    monkeypatch.setattr(harness.analysis, "import_deferred", imported)
    monkeypatch.setattr(ResourceSampler, "sample", sampled)
    SoakRunner(SoakSpec(duration_s=30.0, seed=97810, checkpoint_s=10.0, run_dir=tmp_path / "run")).start()
    assert order and order[0] == "import" and "sample" in order
