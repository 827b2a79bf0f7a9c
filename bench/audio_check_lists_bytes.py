"""What ``AudioCheck``'s two lists of up to 1 000 entries can hold at most, traced: the bound on what
they can add to a soak's judged RSS, against the leak judge's threshold.

    PYTHONPATH=$PWD .venv/bin/python bench/audio_check_lists_bytes.py

``_tone_awaited`` keeps ``[outage end, inf]`` per outage end whose tone is still awaited (at most
1 000, later ones counted only) and ``_program_outside`` one float per program block heard outside
a fault window (at most 1 000). Neither is taken out of the RSS the leak judge reads (not a
``bounded_logs`` of the soak's sampler). Each is filled here to its bound the way
``harness/audio_check.py`` fills it (a fresh float each, as the analysis computes them), under
tracemalloc; printed: the bytes each holds full, and that as a share of the RSS threshold's growth
over a 1-h soak's judged 54 minutes (bench/RESULTS.md, issue #11).
"""

from __future__ import annotations

import math
import tracemalloc

from harness.leaks import DEFAULT_THRESHOLDS

BOUND = 1000  # harness/audio_check.py: ``len(...) < 1000`` before each append


def _traced(fill) -> int:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = fill()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return after - before


def main() -> None:
    awaited = _traced(lambda: [[float(i) * 1.000001, math.inf] for i in range(BOUND)])
    outside = _traced(lambda: [float(i) * 1.000001 for i in range(BOUND)])
    per_hour_window = DEFAULT_THRESHOLDS["rss_bytes"] * 3240.0 / 3600.0
    print("| list (bound) | bytes full, traced | share of the threshold's growth over 54 min |")
    print("|---|---|---|")
    for name, b in (("_tone_awaited (1 000)", awaited), ("_program_outside (1 000)", outside),
                    ("both", awaited + outside)):
        print(f"| {name} | {b} | {b / per_hour_window:.2%} |")


if __name__ == "__main__":
    main()
