"""``bench/suite_durations.py``: the per-test wall/CPU log and its table.

The log is what a loaded machine's suite timing rests on, so it must survive the tests it times (one
patches ``os.getloadavg`` to raise) and must count the CPU a test spends in the processes it runs
(a test that runs pytest or a script in a subprocess idles in its own process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench_scripts import BENCH, load_bench_script


def _plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SUITE_DURATIONS_LOG", str(tmp_path / "d.tsv"))
    return load_bench_script("suite_durations.py", "suite_durations_under_test")


def _item(nodeid: str) -> Any:
    return SimpleNamespace(nodeid=nodeid, get_closest_marker=lambda name: None)


def _timed(plugin: Any, nodeid: str, during: Any = None) -> list[str]:
    item = _item(nodeid)
    plugin.pytest_runtest_setup(item)
    if during is not None:
        during()
    plugin.pytest_runtest_teardown(item, None)
    return Path(plugin._LOG).read_text(encoding="utf-8").splitlines()[-1].split("\t")


def test_a_test_that_patches_getloadavg_to_raise_is_still_logged(tmp_path, monkeypatch):
    plugin = _plugin(tmp_path, monkeypatch)

    def no_load() -> tuple[float, float, float]:
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", no_load)  # what test_compare_speed_load.py does
    cols = _timed(plugin, "t::patched")
    assert cols[0] == "t::patched" and len(cols) == 7
    assert float(cols[4]) >= 0.0  # the load read through the function bound before the patch


def test_a_platform_with_no_load_average_logs_it_blank(tmp_path, monkeypatch):
    plugin = _plugin(tmp_path, monkeypatch)

    def no_load() -> tuple[float, float, float]:
        raise OSError("no load average")

    monkeypatch.setattr(plugin, "_getloadavg", no_load)
    cols = _timed(plugin, "t::no_load")
    assert cols[4] == ""
    assert "| ? |" in plugin.table([Path(plugin._LOG)], 5, 120.0)


def test_a_subprocess_s_cpu_is_counted_as_the_test_s_children_s(tmp_path, monkeypatch):
    plugin = _plugin(tmp_path, monkeypatch)
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    cols = _timed(plugin, "t::child", lambda: subprocess.run([sys.executable, "-c", burn], check=True))
    assert float(cols[6]) >= 0.25  # the child's CPU, deterministic: it burns until its own clock says so
    assert float(cols[2]) < float(cols[6])  # the test's own process only waited


def test_the_table_orders_by_cpu_with_the_children_s_and_reads_old_six_column_logs(tmp_path):
    log = tmp_path / "d.tsv"
    log.write_text("a::own\t10.00\t3.00\t\t1.0\t08:00:00\n"  # a log written before the children's column
                   "b::child\t5.00\t0.10\t\t1.0\t08:00:01\t4.00\n"
                   "c::slow_wall\t50.00\t1.00\t\t1.0\t08:00:02\t0.00\n", encoding="utf-8")
    plugin = load_bench_script("suite_durations.py", "suite_durations_table")
    by_cpu = [line.split("`")[1] for line in plugin.table([log], 3, 120.0, by="cpu").splitlines()[2:]]
    by_wall = [line.split("`")[1] for line in plugin.table([log], 3, 120.0).splitlines()[2:]]
    assert by_cpu == ["b::child", "a::own", "c::slow_wall"]
    assert by_wall == ["c::slow_wall", "a::own", "b::child"]
    assert "| 4.10 | 4.00 |" in plugin.table([log], 1, 120.0, by="cpu")


@pytest.mark.parametrize("argv, needle", [
    (["/no/such/d.tsv"], "/no/such/d.tsv: no such log file"),
    (["/no/such", "--bogus"], "unrecognized arguments: --bogus"),
    (["LOG", "--by", "memory"], "--by"),
    (["BADLOG"], "columns are not this plugin's"),
])
def test_bad_input_is_exit_2_naming_the_file_or_option(tmp_path, argv, needle):
    bad = tmp_path / "bad.tsv"
    bad.write_text("x\tnot-a-number\t1\t\t1.0\t08:00:00\n", encoding="utf-8")
    argv = [str(bad) if a == "BADLOG" else str(tmp_path / "d.tsv") if a == "LOG" else a for a in argv]
    got = subprocess.run([sys.executable, str(BENCH / "suite_durations.py"), *argv], capture_output=True, text=True)
    assert got.returncode == 2, got.stderr
    assert needle in got.stderr and "Traceback" not in got.stderr
