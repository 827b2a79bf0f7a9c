#!/usr/bin/env python3
"""How far does ``_splits_refitted`` stray from a refit from scratch with the catalogue's
``splits_rows_short_of_the_path`` (batch 71), and does it move the step?

Loads ``harness/reference_compare.py`` as it is and with that bug's patch (the rows a split moves
taken from the judge filter's reach only, not the path filter's too), and on seeded noise through a
9-tap path with a 3-frame step at frame 1500 prints, per cutoff and seed, the largest relative
difference over 41 splits between each one's error and ``_step_error``'s refit from scratch, and
the split of least error both ways.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/bench_splits_refitted_rows.py
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np

from harness import reference_compare as healthy

ROOT = Path(__file__).resolve().parent.parent


def _with_the_bug() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("brb", ROOT / "bench/bench_realistic_bugs.py")
    assert spec is not None and spec.loader is not None
    brb = importlib.util.module_from_spec(spec)
    sys.modules["brb"] = brb
    spec.loader.exec_module(brb)
    bug = {b.name: b for b in brb.BUGS}["splits_rows_short_of_the_path"]
    src = (ROOT / bug.path).read_text()
    mod = types.ModuleType("harness._reference_compare_bug")
    mod.__package__ = "harness"
    sys.modules[mod.__name__] = mod
    exec(compile(src.replace(bug.old, bug.new), bug.path, "exec"), mod.__dict__)  # noqa: S102
    return mod


def main() -> int:
    buggy = _with_the_bug()
    print(f"{'cutoff':>6} {'seed':>4} {'healthy max rel':>15} {'bug max rel':>11} {'least (refit/healthy/bug)':>26}")
    for cutoff in (0.05, 0.2):
        for seed in (5, 6):
            rng = np.random.default_rng(seed)
            n, at = 3000, 1500
            ref = np.convolve(rng.standard_normal(n + 10), np.ones(4) / 4, "same")
            pa, pb = ref[:n], ref[3:n + 3]
            path = rng.standard_normal(9) * np.hanning(9)
            r = np.convolve(np.concatenate((pa[:at], pb[at:])), path, "same") + 1e-3 * rng.standard_normal(n)
            want = {sp: healthy._step_error(np.concatenate((pa[:sp], pb[sp:])), r, cutoff)[0]
                    for sp in range(at - 20, at + 21)}
            got = {name: m._splits_refitted(pa, pb, r, cutoff, (), at - 20, at + 20)
                   for name, m in (("healthy", healthy), ("bug", buggy))}
            dev = {name: max(abs(g[s] / want[s] - 1) for s in want) for name, g in got.items()}
            least = "/".join(str(min(d, key=d.get)) for d in (want, got["healthy"], got["bug"]))
            print(f"{cutoff:>6} {seed:>4} {dev['healthy']:>15.2e} {dev['bug']:>11.2e} {least:>26}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
