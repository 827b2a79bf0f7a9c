"""Where a soak's recorder and live checks spend their CPU: ``bench/cpu_parts.py``'s weighing
(thread CPU time of each outermost call) over the recorder's own parts.

    PYTHONPATH=$PWD .venv/bin/python bench/recorder_parts.py [--segment-items N] \\
        soak --backend sim --duration 1h --seed 1 --no-progress --run-dir DIR

runs the soundcheck command with ``_Recorder``'s parts (its live check, its resource sample,
its checkpoint), the live checker's history verdicts, the recovery fold's judgements and feeds,
``_PolicyFollowed.feed`` and the end's ``check_all`` and ``write_reports`` wrapped, and prints the
process's CPU and each part's seconds and calls to stderr at exit. ``--segment-items`` sets
``invariants.RECOVERY_SEGMENT_ITEMS`` first (the segment size's lever, measured per size).
Parts nest (the recovery fold's ``_judge`` is inside the live check): read each row as "of which".
A benchmark: it prints figures and never fails on a slow machine.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu_parts  # noqa: E402 - the bench folder's own module, found by the line above

#: (module, class or None, function): the recorder's parts and what they call
PARTS: tuple[tuple[str, str | None, str], ...] = (
    ("system_under_test.clock", "VirtualClock", "run_until"),
    ("harness.soak", "_Recorder", "__call__"),
    ("harness.soak", "_Recorder", "_check_live"),
    ("harness.soak", "_Recorder", "_collect"),
    ("harness.soak", "_Recorder", "_checkpoint"),
    ("harness.leaks", "ResourceSampler", "sample"),
    ("harness.invariants", "LiveChecker", "_history_verdicts"),
    ("harness.invariants", "_Recovery", "verdict"),
    ("harness.invariants", "_Recovery", "_judge"),
    ("harness.invariants", "_Recovery", "_judge_segment"),
    ("harness.invariants", "_Recovery", "feed"),
    ("harness.invariants", "_StarvedInput", "_judge_segment"),
    ("harness.invariants", "_PolicyFollowed", "feed"),
    ("harness.invariants", None, "check_all"),
    ("harness.reports", None, "write_reports"),
)


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    if argv[:1] == ["--segment-items"]:
        if len(argv) < 2 or not argv[1].isdigit() or int(argv[1]) < 1:
            print("recorder_parts: --segment-items takes a whole number of items, e.g. 256", file=sys.stderr)
            return 2
        from harness import invariants  # noqa: PLC0415 - after the environment is set

        invariants.RECOVERY_SEGMENT_ITEMS = int(argv[1])
        argv = argv[2:]
    weigher = cpu_parts.Weigher()
    weigher.install(PARTS)
    atexit.register(lambda: print(weigher.table(), file=sys.stderr))
    from harness.cli import main as soundcheck  # noqa: PLC0415 - after the parts are wrapped

    return soundcheck(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
