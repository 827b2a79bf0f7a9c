"""How long a replayed lifetime's levels take to settle after a simulated soak's resume.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_replay_settling.py [--cut-every S] RUN_DIR [RUN_DIR ...]

Why: a simulated resume replays the run from t=0 in a new process before it journals on, so a
resumed lifetime's levels carry on from the previous lifetime's, except while the new process
settles after its replay (``harness.leaks.REPLAY_SETTLE_S`` is the minutes each resumed lifetime
leaves out before the lifetimes are judged as one series). This prints, for each resumed lifetime,
each series' level in each minute after the resume (the minute's median) less the previous
lifetime's level over its last ``BEFORE_S`` (the median), in MB: the RSS with the bounded logs'
bytes taken out (as the judge reads it), pymalloc's and malloc's bytes in use. ``--cut-every S``
reads an uninterrupted soak as if resumed every ``S`` seconds: the same offsets with no resume at
all, the wander a settled lifetime's offsets are measured against. A bad argument or a folder that
is not a soak's: exit 2, nothing printed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from harness.reports.fold import HELD_METRICS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from leak_resumed_pooled import each_folder, soak_samples  # noqa: E402

#: the previous lifetime's last seconds whose median is the level a resumed lifetime is read against
BEFORE_S = 300.0
#: the minutes after each resume printed
MINUTES = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15)
SERIES = ("rss_less_held", "pymalloc_in_use_bytes", "malloc_in_use_bytes")


def _columns(samples: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Time, lifetime and each printed series as arrays (NaN where a sample lacks one)."""
    def col(key: str) -> np.ndarray:
        return np.array([float(s.get(key, np.nan)) for s in samples], dtype=np.float64)
    held = sum((np.nan_to_num(col(m)) for m in HELD_METRICS), np.zeros(len(samples)))
    return {"t": col("t"), "segment": np.array([int(s.get("segment", 0)) for s in samples]),
            "rss_less_held": col("rss_bytes") - held,
            "pymalloc_in_use_bytes": col("pymalloc_in_use_bytes"), "malloc_in_use_bytes": col("malloc_in_use_bytes")}


def offsets(samples: list[dict[str, Any]]) -> list[tuple[int, str, list[float]]]:
    """(lifetime, series, offset in MB at each of ``MINUTES``) for every lifetime after the first."""
    c = _columns(samples)
    t, g = c["t"], c["segment"]
    keys = np.unique(g)
    out = []
    for prev, k in zip(keys[:-1], keys[1:]):
        tp, tk = t[g == prev], t[g == k]
        start = tk.min()
        for name in SERIES:
            yp, yk = c[name][g == prev], c[name][g == k]
            before = yp[tp >= tp.max() - BEFORE_S]
            if not np.isfinite(before).any():
                continue
            level = float(np.nanmedian(before))
            row = []
            for m in MINUTES:
                inside = yk[(tk >= start + 60 * m) & (tk < start + 60 * (m + 1))]
                row.append(float(np.nanmedian(inside)) - level if np.isfinite(inside).any() else np.nan)
            out.append((int(k), name, [v / 1e6 for v in row]))
    return out


def main(argv: list[str]) -> int:
    read = each_folder(argv, __doc__.split("\n\n")[0], lambda path, cut: (path.name, offsets(soak_samples(path, cut))))
    if isinstance(read, int):
        return read
    rows = [(name, k, series, vals) for name, found in read for k, series, vals in found]
    print("| run | lifetime | series | " + " | ".join(f"min {m}" for m in MINUTES) + " |")
    print("|---|---|---|" + "---|" * len(MINUTES))
    for name, k, series, vals in rows:
        print(f"| {name} | {k} | {series} | " + " | ".join("-" if np.isnan(v) else f"{v:+.2f}" for v in vals) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
