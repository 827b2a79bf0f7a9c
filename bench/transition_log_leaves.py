"""What the coordinator's transition log holds at a simulated soak's end, part by part, as traced by
``tracemalloc``, beside what the log counts of itself (``TransitionHistory.fill().held_bytes``, the
figure the leak judge takes out of the series it fits as a bounded log's).

    PYTHONPATH=$PWD .venv/bin/python bench/transition_log_leaves.py --seed S [--duration-s 600]
        [--faults default] [--run-dir DIR]

Why: the log counts each record, its slot and its seq, and each cause string once while only its
records hold it, never a time (it may be shared: ``system_under_test.held``); what it leaves out
stays in the judged series as a filling log's growth.
How much is measured here, not reckoned: the soak (built as ``soundcheck soak --backend sim`` builds
it) runs under ``tracemalloc``; at its end, with the harness's own references gone, the log is
emptied into lists and the lists are let go one at a time (records first, then each leaf field), the
traced bytes each release frees being what only the log held of that part. Bad input: exit 2, a
message, nothing run.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from collections import deque
from pathlib import Path
from typing import Any

from bench_usage import Parser, Usage
from soak_hook import after_each_chunk, private_history_db

#: the leaf fields of a ``TransitionRecord``, released one at a time after the records
LEAF_FIELDS = ("cause", "time", "seq", "component")


def _args(argv: list[str]) -> argparse.Namespace:
    p = Parser(prog="transition_log_leaves.py", add_help=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--duration-s", type=float, default=600.0)
    p.add_argument("--faults", default="default")
    p.add_argument("--run-dir", type=Path, default=None)
    a = p.parse_args(argv)
    if a.seed < 0:
        raise Usage(f"--seed {a.seed}: give a seed >= 0")
    if not 10.0 <= a.duration_s <= 86_400.0:
        raise Usage(f"--duration-s {a.duration_s:g}: give 10 to 86400 simulated seconds")
    from harness.faults.profiles import PROFILES  # noqa: PLC0415
    if a.faults not in PROFILES:
        raise Usage(f"--faults {a.faults!r}: give a built-in profile ({', '.join(sorted(PROFILES))})")
    if a.run_dir is not None and a.run_dir.exists():
        raise Usage(f"--run-dir {a.run_dir}: already exists; give a new folder")
    return a


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def released_by_part(log: Any) -> tuple[int, int, dict[str, int], dict[str, int]]:
    """Empty ``log`` (a ``TransitionHistory``) and let its parts go one at a time: (records, the
    bytes the log counted, part -> traced bytes freed, part -> distinct objects). The log's own
    slots go first (its deque's blocks), then the records, then its runs of causes (when it keeps
    them: ``held.CauseRuns``), then each leaf field; each part's list is measured first and its own
    bytes taken off what its release frees."""
    records = log.records()
    gc.collect()  # the harness's history let go may sit in a cycle, still holding the newest causes
    counted = log.fill().held_bytes
    n = len(records)
    leaves = {name: [getattr(r, name) for r in records] for name in LEAF_FIELDS}
    distinct = {"slot": n, "record": n, **{name: len({id(v) for v in values}) for name, values in leaves.items()}}
    freed: dict[str, int] = {}
    # the log's deque let go whole (a deque cleared keeps up to 16 of its 528-byte blocks for reuse),
    # its empty stand-in made before the count: only the lists above hold what it held
    empty: Any = deque(maxlen=log._records.maxlen)
    before = _traced()
    log._records, empty = empty, None
    freed["slot"] = before - _traced()
    before = _traced()
    own = sys.getsizeof(records)
    del records
    freed["record"] = before - _traced() - own
    runs = getattr(log, "_causes", None)  # the log's runs of causes, if it keeps them
    distinct["runs"] = len(runs._causes) if runs is not None else 0
    empties: Any = (deque(), deque())
    before = _traced()
    if runs is not None:  # let go whole, as the log's deque
        (runs._causes, runs._lengths), empties = empties, None
    freed["runs"] = before - _traced()
    for name in LEAF_FIELDS:
        values = leaves.pop(name)
        own = sys.getsizeof(values)
        before = _traced()
        del values
        freed[name] = before - _traced() - own
    return n, counted, freed, distinct


def main(argv: list[str]) -> int:
    try:
        a = _args(argv)
    except Usage as exc:
        print(f"transition_log_leaves: {exc}", file=sys.stderr)
        return 2
    private_history_db("tlog-db-")
    from harness import soak as soak_module  # noqa: PLC0415

    run_dir = a.run_dir or Path(tempfile.mkdtemp(prefix="tlog-run-")) / "soak"
    seen: list[Any] = []

    def keep_the_system(system: Any, history: Any) -> None:
        if not seen:
            seen.append(system)

    spec = soak_module.SoakSpec(duration_s=a.duration_s, backend="sim", seed=a.seed, run_dir=run_dir,
                                faults=a.faults)
    with after_each_chunk(keep_the_system):
        tracemalloc.start(1)
        try:
            result = soak_module.SoakRunner(spec).start()
            status = f"{result.status}, {getattr(result.verdict, 'outcome', '?')}"
            del result
            if not seen:
                print("transition_log_leaves: the soak ran no chunk; nothing to measure", file=sys.stderr)
                return 1
            coordinator = seen[0].coordinator
            # the harness's history (an observer) keeps its window's newest entries, which refer to
            # the newest records' leaves: let it go, so what is freed below is the log's alone
            coordinator._observers.clear()
            coordinator._error_observers.clear()
            log = coordinator.history
            n, counted, freed, distinct = released_by_part(log)
        finally:
            tracemalloc.stop()
    total = sum(freed.values())
    print(f"soak {run_dir}: {status}; seed {a.seed}, {a.duration_s:g} s, faults {a.faults}")
    print(f"transition log: {n} records, dropped {log.dropped}; counted {counted} B "
          f"({counted / max(n, 1):.1f} B a record)")
    print(f"traced bytes only the log held: {total} B ({total / max(n, 1):.1f} B a record); "
          f"counted / traced {counted / max(total, 1):.1%}")
    for part, size in freed.items():
        print(f"  {part:<10} {size:>10} B  {size / max(total, 1):6.1%}  ({distinct[part]} distinct objects)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
