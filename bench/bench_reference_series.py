"""A series of ``bench_reference_clipping``'s takes, one line each, then the tally.

    python bench/bench_reference_series.py SEEDS RATES MATERIALS TAKES
    python bench/bench_reference_series.py 50 96000 high clean   # 100 clean 96 kHz takes

Seeds 0..SEEDS-1 of MATERIALS (comma-separated: ``music``, ``high``) at RATES (comma-separated
sample rates) through both of the bench's paths (noiseless, -80 dBFS), for TAKES (comma-separated:
``clean``, ``full scale``, ``fade``, ``hard 0.7``, ``hard 0.9``, ``tanh``), judged two at a time.
The tally counts takes, false glitches (clean takes: any glitch; damaged ones: glitches outside the
damaged stretch), missed damage and refusals. It exists because a refusal or a false glitch is rare
(a few in a hundred takes): one take per cell, as the clipping bench's grid gives, cannot show it.

A benchmark, not a test: it prints figures and never fails.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_reference_clipping as clipping  # noqa: E402


def _stamp() -> str:
    return f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {open('/proc/loadavg').read().split()[:3]}"


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        seeds, rates = int(argv[0]), [int(x) for x in argv[1].split(",")]
    except ValueError:
        print(f"bench_reference_series: SEEDS and RATES are whole numbers (got {argv[0]!r}, {argv[1]!r}), "
              "e.g. 50 96000 or 10 44100,48000", file=sys.stderr)
        return 2
    materials, takes = argv[2].split(","), argv[3].split(",")
    unknown = [m for m in materials if m not in clipping.MATERIALS] + [t for t in takes if t not in clipping.TAKES]
    if unknown:
        print(f"bench_reference_series: unknown material or take {unknown}; materials: "
              f"{', '.join(clipping.MATERIALS)}; takes: {', '.join(clipping.TAKES)}", file=sys.stderr)
        return 2
    cells = [clipping.Cell(fs, m, noise, take, s) for s in range(seeds) for m in materials for fs in rates
             for noise in clipping.NOISES for take in takes]
    t0 = time.time()
    print("start", _stamp(), flush=True)
    n = false = refused = missed = 0
    with ProcessPoolExecutor(2) as pool:
        for r in pool.map(clipping.judge, cells, chunksize=1):
            c = r["cell"]
            n += 1
            if r["refused"]:
                refused += 1
                what = "REFUSED " + r["refused"]
            elif "found" in r:
                false += r["outside"] > 0
                missed += not r["found"]
                what = f"found={r['found']} named={r['named']} outside={r['outside']} {r['glitches']}"
            else:
                false += r["n"] > 0
                what = ("FALSE " if r["n"] else "ok ") + str(r["glitches"])
            print(f"{c.rate} | {c.material} | {c.noise} | {c.take} | seed {c.seed} | {what}", flush=True)
    print(f"TALLY {n} takes, false-or-outside {false}, missed {missed}, refused {refused}, "
          f"{time.time() - t0:.0f} s wall; end {_stamp()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
