"""How much of a live history window's memory its reported bytes cover, entries made as a rig soak
makes them: a metrics snapshot of a running system and an xrun error report, one of each per step.

    PYTHONPATH=$PWD .venv/bin/python bench/history_window_live_bytes.py [--pairs 1000] [--every 250] [--step 0.5]

A soak's history keeps a window of its newest entries (``runner.HISTORY_WINDOW``) and reports the
most bytes it held (``History.bounded_logs``), a lower bound: strings and numbers are not counted.
On the rig the window fills all hour (a snapshot a second of the real clock, JACK's xrun reports as
errors), so what the lower bound misses stays in the RSS the leak judge reads.
``bench/history_window_bytes.py fill`` measures the same from a run's ``history.jsonl``, whose
entries json made afresh (every key and string a new object: the share it prints is a floor).
Here the entries are made live, by ``History.snapshot`` of a simulated system run ``--step``
seconds between them, beside an ``error`` entry shaped as the rig's ``XrunError`` reports; every
``--every`` pairs it prints the window's length, the reported bytes, tracemalloc's traced bytes
since the history was made (after a full collection) and their ratio. Deterministic (seed 1, the
virtual clock) but for tracemalloc's own figures.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import tracemalloc
from pathlib import Path

from harness.history import History
from system_under_test import AudioSystem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=1000, help="metrics + error entry pairs to record")
    ap.add_argument("--every", type=int, default=250, help="print a line every this many pairs")
    ap.add_argument("--step", type=float, default=0.5, help="simulated seconds the system runs between pairs")
    args = ap.parse_args()
    system = AudioSystem({}, seed=1)
    system.initialize()
    system.start()
    with tempfile.TemporaryDirectory() as tmp:
        gc.collect()
        tracemalloc.start(1)
        history = History(clock=system.clock, stream_to=Path(tmp) / "history.jsonl", keep=5000)
        history.attach(system)
        base = tracemalloc.get_traced_memory()[0]
        print("pairs  window  reported_bytes  traced_bytes  reported/traced")
        for i in range(1, args.pairs + 1):
            system.run_for(args.step)
            history.snapshot(system)
            history.record("error", value="error", data={
                "type": "XrunError", "message": f"{i % 13 + 1} flagged block(s): input_overflow, output_underflow",
                "component": "device", "severity": "WARNING"})
            if i % args.every == 0:
                gc.collect()
                traced = tracemalloc.get_traced_memory()[0] - base
                held = history.bounded_logs()["history_window"].held_bytes
                print(f"{i:5d}  {len(history.entries):6d}  {held:14d}  {traced:12d}  {held / traced:15.3f}", flush=True)
        history.close()
        system.stop()
        system.close()


if __name__ == "__main__":
    main()
