"""CPU of one ``AudioSystem.metrics()`` read, the read a live check of ``recoveries_timed`` makes.

Why: ``LiveChecker`` reads the live metrics at every check on a virtual clock, and ``metrics()``
summarises every histogram (percentiles over up to 65 536 reservoir samples), so its cost is what
the live ``recoveries_timed`` adds to a soak's check. Run:
``PYTHONPATH=$PWD python bench/metrics_read_cost.py [--run-s 400] [--reads 50]``; prints the
callbacks timed and the CPU (process time) per read in ms.
"""

from __future__ import annotations

import argparse
import time

from system_under_test import AudioSystem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-s", type=float, default=400.0, help="simulated seconds to run first (fills the reservoir)")
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    system = AudioSystem({}, seed=1)
    try:
        system.initialize()
        system.start()
        system.run_for(args.run_s)
        timed = system.monitoring.histogram("callback_duration_s").count
        t0 = time.process_time()
        for _ in range(args.reads):
            system.metrics()
        each_ms = (time.process_time() - t0) / args.reads * 1000
    finally:
        system.close()
    print(f"callbacks timed {timed}; metrics() {each_ms:.2f} ms of CPU each over {args.reads} reads")


if __name__ == "__main__":
    main()
