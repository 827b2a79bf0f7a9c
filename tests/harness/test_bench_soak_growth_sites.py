"""``bench/soak_growth_sites.py`` names what grows inside a soak's process: its figures are per
simulated hour between two probes, its cache census finds the harness's ``lru_cache`` tables with
their caps, its traced sites are the snapshots' rises, and bad input exits 2 with nothing run."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import pytest

from bench_scripts import load_bench_script

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture()
def sites():
    sys.path.insert(0, str(BENCH))  # the script imports its sibling modules by name
    try:
        yield load_bench_script("soak_growth_sites.py", "bench_soak_growth_sites")
    finally:
        sys.path.remove(str(BENCH))


def _probe(t: float, cache: int, errors: tuple[int, int], books: int) -> dict:
    return {"t": t, "caches": {"harness.analysis._fine_templates_at": (cache, 64)},
            "types": {"system_under_test.coordinator.ErrorRecord": [errors[0], errors[1]]},
            "holdings": {"ComponentCoordinator._errors": [errors[0], errors[1]]},
            "books": {"sut_log_bytes": books, "sut_log_records": errors[0]},
            "in_use": {"before_collect": (50_000_000, 70_000_000), "after_collect": (49_000_000 + books, 66_000_000)}}


def test_growth_between_two_probes_is_per_simulated_hour(sites) -> None:
    # 1800 s apart: half an hour, so each rise is doubled
    lines = sites.report(_probe(600.0, 21, (100, 10_000), 1_000_000), _probe(2400.0, 30, (300, 40_000), 2_500_000), 5)
    text = "\n".join(lines)
    assert "600 s -> 2400 s (0.500 h)" in lines[0]
    assert "sut_log_bytes +3.000 MB/h" in text
    assert "in use after collect: malloc 51.50 MB (+3.000 MB/h), pymalloc 66.00 MB (+0.000 MB/h)" in text
    assert "harness.analysis._fine_templates_at: 21 -> 30 / 64" in text
    assert "+0.060 MB/h (+400/h) system_under_test.coordinator.ErrorRecord" in text
    assert "+0.060 MB/h (300 items now) ComponentCoordinator._errors" in text


def test_the_cache_census_finds_the_analysis_caches_with_their_caps(sites) -> None:
    import harness.analysis  # noqa: F401  (loaded, as in a soak)

    caches = sites.lru_caches()
    assert caches["harness.analysis._fine_templates_at"][1] == 64
    assert all(name.startswith(("harness", "system_under_test")) for name in caches)


def test_traced_sites_name_the_rise_per_hour(sites) -> None:
    tracemalloc.start(1)
    try:
        before = tracemalloc.take_snapshot()
        kept = [bytearray(10_000) for _ in range(50)]
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    lines = sites.traced_sites(before, after, 0.5, 3)
    assert "test_bench_soak_growth_sites.py" in lines[1]
    assert float(lines[1].split()[0]) >= 2 * 50 * 10_000 / 1e6  # 0.5 MB in half an hour: >= 1 MB/h
    assert kept


@pytest.mark.parametrize("argv", [["/no/such", "--bogus"], ["--seed", "1", "--at", "600,300"],
                                  ["--seed", "1", "--at", "600,1800", "--trace-from", "1800"],
                                  ["--seed", "1", "--at", "x"]])
def test_bad_input_exits_2_naming_the_option_and_runs_nothing(sites, argv: list[str],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert sites.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("soak_growth_sites: ") and "Traceback" not in err
