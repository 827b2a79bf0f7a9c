"""What one history record costs, by entry type and by step, replayed from a run's history.

    PYTHONPATH=$PWD .venv/bin/python bench/record_costs.py RUN_DIR/history.jsonl [--rounds 3]

Every entry of the file but the transitions (which take ``History._record_transition``'s own
path) is recorded again through ``History.record`` into a fresh history streamed to a scratch
file with a window (``keep=4096``, as a soak's), each call timed on the thread-CPU clock and
summed by type; then the same entries' three steps alone: ``jsonable`` of the value and data
(the copy the record keeps), the line's encoding (``_encode`` of ``Entry.to_dict``) and the
window's size count (``_entry_bytes``). Why: ``History.record`` is ~48 700 calls a simulated
hour of a soak; this says which step a cheaper record would have to shorten.
A benchmark: it prints figures, never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

import harness.history as hist
from harness.history import Entry, History, jsonable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", type=Path, help="a run's history.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.history.is_file():
        print(f"{args.history}: no such file; give a run folder's history.jsonl", file=sys.stderr)
        return 2
    entries = [e for e in History.open_jsonl(args.history) if e.type != "transition"]
    counts = collections.Counter(e.type for e in entries)
    n = len(entries)
    print(f"{n} entries recorded again: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    clock = time.thread_time
    with tempfile.TemporaryDirectory() as scratch:
        for rnd in range(args.rounds):
            h = History(stream_to=Path(scratch) / f"h{rnd}.jsonl", keep=4096)
            spent: dict[str, float] = collections.defaultdict(float)
            for e in entries:
                t0 = clock()
                h.record(e.type, process=e.process, op=e.op, op_id=e.op_id, value=e.value, data=e.data,
                         time=e.time)
                spent[e.type] += clock() - t0
            h.close()
            t0 = clock()
            copies = [(jsonable(e.value), jsonable(e.data)) for e in entries]
            copy_s = clock() - t0
            made = [Entry(e.index, e.type, e.time, e.process, e.op, e.op_id, v, d) for e, (v, d) in zip(entries, copies)]
            t0 = clock()
            for e in made:
                hist._encode(e.to_dict())
            encode_s = clock() - t0
            t0 = clock()
            for e in made:
                hist._entry_bytes(e)
            size_s = clock() - t0
            total = sum(spent.values())
            print(f"round {rnd + 1}: record {1e6 * total / n:.1f} us an entry ({total:.3f} s); steps alone: "
                  f"jsonable {1e6 * copy_s / n:.2f} us, encode {1e6 * encode_s / n:.2f} us, "
                  f"_entry_bytes {1e6 * size_s / n:.2f} us; by type: "
                  + ", ".join(f"{k} {1e6 * v / counts[k]:.1f} us" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
