"""A finished simulated soak's allocator series: rises between the judged window's quarters, and pymalloc's judged as sampled and with the bounded logs' bytes taken out.

    PYTHONPATH=$PWD .venv/bin/python bench/pymalloc_series.py RUN_DIR [RUN_DIR ...]

For each folder (``RUN_DIR/journal.jsonl``, samples carrying ``pymalloc_in_use_bytes`` and
``malloc_in_use_bytes``): the rise of pymalloc's bytes, of the bounded logs' bytes (``HELD_METRICS``
summed), of malloc's bytes and of the RSS over each quarter of the window after the 10 % warm-up
(last sample of the quarter less its first, MB: a rough figure, each end one noisy sample), and
pymalloc's series judged by ``harness.leaks.judge`` as sampled and with the logs' bytes taken out:
whether the logs' bytes belong in pymalloc's series (``harness.leaks``, point 7).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from harness.journal import JournalError
from harness.leaks import MIN_GROWTH, judge
from harness.reports.build import run_data_from_journal
from harness.reports.fold import HELD_METRICS


def quarter_rises(y: np.ndarray) -> list[float]:
    q = [int(y.size * f) for f in (0.1, 0.325, 0.55, 0.775, 1.0)]
    return [round(float(y[q[i + 1] - 1] - y[q[i]]) / 1e6, 2) for i in range(4)]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for d in argv:
        try:
            s = run_data_from_journal(Path(d) / "journal.jsonl").samples
        except JournalError as e:
            print(f"pymalloc_series.py: {e}", file=sys.stderr)
            return 2
        t = np.array([x["t"] for x in s], dtype=np.float64)
        col = {k: np.array([x.get(k, np.nan) for x in s], dtype=np.float64)
               for k in ("pymalloc_in_use_bytes", "malloc_in_use_bytes", "rss_bytes")}
        held = np.array([sum(x.get(k, 0) for k in HELD_METRICS) for x in s], dtype=np.float64)
        print(f"{d}: quarter rises MB: pymalloc {quarter_rises(col['pymalloc_in_use_bytes'])}, logs "
              f"{quarter_rises(held)}, malloc {quarter_rises(col['malloc_in_use_bytes'])}, RSS "
              f"{quarter_rises(col['rss_bytes'])}")
        for label, h in (("as sampled", None), ("logs taken out", held)):
            v = judge("pymalloc_in_use_bytes", t, col["pymalloc_in_use_bytes"], held=h,
                      min_growth=MIN_GROWTH["rss_bytes"])
            print(f"  pymalloc {label}: {v.verdict} ({v.shape}), {v.slope_per_hour:.4g} B/h, late "
                  f"{'-' if v.late_slope_per_hour is None else format(v.late_slope_per_hour, '.4g')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
