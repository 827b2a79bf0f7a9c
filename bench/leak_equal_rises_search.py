"""Seeded small series on which ``harness.leaks._one_step`` answers otherwise than at a git ref
(default ``067ab6b``, the last main before the rule): used to find where taking out every one of equal largest rises (this tree)
differs from taking out the later one only (main's stable sort, reversed).

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/leak_equal_rises_search.py SEED [REF]

Prints how many of 40 000 series differ, the five shortest, then those of six samples or more
whose tied rises span equal times (the trend left, not ``_stands_out``, tells them apart).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

import harness.leaks as leaks

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is no package
from module_at_ref import module_at_ref  # noqa: E402


def small_series(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """One seeded small input of ``_one_step`` (``t``, ``y``, ``g``, ``thr``, ``need``): 3-13 samples
    1-2 s apart, a walk of small integer rises (or, three times in ten, levels drawn alone, where
    equal rises are common), in up to three groups. Also drawn by bench/mutation_helpers/search.py."""
    n = int(rng.integers(3, 14))
    t = np.cumsum(rng.integers(1, 3, n)).astype(float)
    y = rng.integers(-3, 4, n).cumsum().astype(float) * rng.choice([1, 1, -1])
    if rng.random() < 0.3:
        y = rng.integers(0, 5, n).astype(float)
    g = np.sort(rng.integers(0, int(rng.integers(1, 4)), n))
    thr = float(rng.choice([0.0, 3600.0, 7200.0]))
    need = float(rng.choice([0.0, 1.0, 3.0]))
    return t, y, g, thr, need


def main() -> int:
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        print("leak_equal_rises_search: give a seed (a whole number), then optionally a git ref", file=sys.stderr)
        return 2
    seed = int(sys.argv[1])
    ref = sys.argv[2] if len(sys.argv) > 2 else "067ab6b"
    old = module_at_ref("leak_equal_rises_search.py", ref, "harness/leaks.py", "leaks_at_ref")
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(40000):
        t, y, g, thr, need = small_series(rng)
        was, now = old._one_step(t, y, g, thr, need), leaks._one_step(t, y, g, thr, need)
        if was != now:
            found.append((t.tolist(), y.tolist(), g.tolist(), thr, need, was, now))
    found.sort(key=lambda f: len(f[0]))
    print(f"differ: {len(found)} of 40000 (t, y, g, thr, need, at ref, now)")
    for f in found[:5]:
        print(f)
    print("six samples or more, tied rises over equal times:")
    for f in found:
        t, y, g = (np.asarray(v) for v in f[:3])
        rises = np.where(g[1:] == g[:-1], np.diff(y), -np.inf)
        ties = np.flatnonzero(rises == rises.max())
        if len(t) >= 6 and len(set(np.diff(t)[ties].tolist())) == 1:
            print(f, "tied at", ties.tolist())
    return 0


if __name__ == "__main__":
    sys.exit(main())
