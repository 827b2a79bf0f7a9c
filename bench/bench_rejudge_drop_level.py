#!/usr/bin/env python3
"""Does the re-judge at a hidden drop need the drop's level in its lines?

``compare_to_reference_stream`` judges a window again, cut at a drop the hidden-step test placed,
each part along the lines with the drop's level taken in (``lines_h``). The catalogued bug
``rejudge_drop_level_not_taken`` (bench_realistic_bugs.py, batch 69) leaves that level out: the
part after the drop is predicted along the delay before it. This script compares the glitches
both give on seeded drops of one and two frames on the short sweep through a 0.05 fs low-pass
(the takes of tests/harness/test_analysis_reference_sweeps.py, whose hidden drops reach the
re-judge), and says for each take whether the re-judge was reached.

The variant is the module's own source with the one line replaced, loaded as a second module
(nothing on disk is changed); both run in this process, on the same takes.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/bench_rejudge_drop_level.py
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from harness import analysis as A
from harness import reference_compare as R

ROOT = Path(__file__).resolve().parent.parent
FS = 44_100
SHIPPED = "            lines_h.insert(li + 1, (ln[0], ln[1], ln[2] + size, ln[3]))\n"
LEVEL_LEFT_OUT = "            lines_h.insert(li + 1, ln)\n"
REACHED = "    if hidden_drops:\n"
#: (noise seed, delay frames, drop frame, drop frames): the sweeps file's five, then twelve of their own
TAKES = [(0, 1476.11, 8379, 2), (2, 1719.45, 8448, 2), (4, 1243.44, 8567, 2), (2, 1719.45, 8448, 5),
         (10, 1048.04, 7732, 5)] + [(s, 1000.0 + 97.3 * s, 8000 + 211 * s, d) for s in range(1, 7) for d in (1, 2)]


def _variant(name: str, old: str, new: str) -> ModuleType:
    """``harness.reference_compare`` with ``old`` replaced by ``new`` (which must occur once) and
    a counter of the re-judges reached (``_rejudged``), as a module of the harness package."""
    src = (ROOT / "harness" / "reference_compare.py").read_text()
    for text in (old, REACHED):
        if src.count(text) != 1:
            sys.exit(f"bench_rejudge_drop_level: {text.strip()!r} no longer occurs once in reference_compare.py")
    src = src.replace(old, new).replace(REACHED, REACHED + "        _rejudged.append(1)\n")
    spec = importlib.util.spec_from_loader(f"harness.{name}", loader=None)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "harness"
    mod.__dict__["_rejudged"] = []
    sys.modules[spec.name] = mod
    exec(compile(src, str(ROOT / "harness" / "reference_compare.py"), "exec"), mod.__dict__)  # noqa: S102
    return mod


def _take(seed: int, delay: float) -> tuple[np.ndarray, np.ndarray]:
    ref = A.sweep(2.0, FS, 0.5, logarithmic=False)
    return ref, R.through_system(ref, FS, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * FS, noise_rms=1e-4,
                                 tail_frames=FS // 10, seed=seed)


def main() -> int:
    shipped = _variant("_rc_shipped", SHIPPED, SHIPPED)
    left_out = _variant("_rc_level_left_out", SHIPPED, LEVEL_LEFT_OUT)
    reached = differ = 0
    for seed, delay, at, drop in TAKES:
        ref, clean = _take(seed, delay)
        take = A.drop_frames(clean, at, drop)
        rows = []
        for mod in (shipped, left_out):
            before = len(mod._rejudged)
            rep = mod.compare_to_reference(take, ref, FS)
            rows.append(([(g.kind, g.start_frame, g.size_frames) for g in rep.glitches], len(mod._rejudged) > before))
        (a, hit), (b, _hit) = rows
        reached += hit
        differ += hit and a != b
        print(f"seed {seed:2} delay {delay:8.2f} drop {drop} at {at}: re-judged {'yes' if hit else 'no '}  "
              f"shipped {a}  level left out {b}{'  DIFFER' if a != b else ''}", flush=True)
    print(f"{len(TAKES)} takes, {reached} reached the re-judge, {differ} of those differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
