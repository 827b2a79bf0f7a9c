"""``ReportRuns.longest_without`` with and without its former ``lead`` argument, on seeded runs.

The argument only let runs starting within ``lead`` after ``b`` be clipped to ``b..b``, which adds
a stretch of 0 s; this checks the removal changed no figure. It loads the code before the change
from git (``REF``, default ``067ab6b``, the last main before the removal) and compares it with the worktree's on seeded report sets,
windows and idle spans, every lead the callers passed (``XRUN_LEAD_S``) and 0.

    PYTHONPATH=$PWD .venv/bin/python bench/xrun_lead_removed.py [REF]

Prints the windows compared and how many differ (exactly, not within a tolerance).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from harness.audio_check import XRUN_LEAD_S
from harness.xrun_runs import ReportRuns

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is no package
from module_at_ref import module_at_ref  # noqa: E402


def main() -> int:
    ref = sys.argv[1] if len(sys.argv) > 1 else "067ab6b"
    old_mod = module_at_ref("xrun_lead_removed.py", ref, "harness/xrun_runs.py", "xrun_runs_before")
    compared = differ = 0
    for seed in range(200):
        rng = random.Random(seed)
        new, old = ReportRuns(), old_mod.ReportRuns()
        t = 0.0
        for _ in range(rng.randint(1, 300)):
            t += rng.choice([rng.uniform(0.001, 0.03), rng.uniform(0.05, 0.3), rng.uniform(0.3, 1.2)])
            new.add(t)
            old.add(t)
        for _ in range(200):
            a = rng.uniform(-1.0, t + 1.0)
            b = a + rng.choice([rng.uniform(0.0, 0.1), rng.uniform(0.01, 3.0)])
            if rng.random() < 0.2 and new.starts:  # a window ending exactly where a run starts
                b = rng.choice(new.starts)
                a = b - rng.uniform(0.01, 1.5)
            idle = sorted((x, x + rng.uniform(0.0, 0.5)) for x in (rng.uniform(a, b) for _ in range(rng.randint(0, 3))))
            got = new.longest_without(a, b, idle)
            for lead in (XRUN_LEAD_S, 0.0):
                compared += 1
                differ += got != old.longest_without(a, b, lead, idle)
    print(f"windows compared: {compared}, differing: {differ}")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
