"""``bench/soak_same.py`` compares what the simulation decides, not what the machine measured.

A run's summary records the machine's load average at its start and end (``machine``); two
runs of one seed from two trees read different loads, so a comparison that kept them would call
every pair different (it did, on the first pair of 120 s runs compared after the summary grew
them: only ``machine.load_1min_*`` differed)."""

from __future__ import annotations

from bench_scripts import load_bench_script


def test_two_summaries_that_differ_only_in_the_machines_load_are_the_same() -> None:
    strip = load_bench_script("soak_same.py", "bench_soak_same").strip
    a = {"frames": {"played": 10}, "machine": {"cpus": 2, "load_1min_start": 25.45, "load_1min_end": 24.69}}
    b = {"frames": {"played": 10}, "machine": {"cpus": 2, "load_1min_start": 36.49, "load_1min_end": 38.94}}
    assert strip(a) == strip(b)
    assert strip(a) != strip({**b, "frames": {"played": 11}})  # the simulation's own figures still count
