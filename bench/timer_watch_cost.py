"""What the ``timers_let_go`` watch's reading of the clock costs in a run, and whether the tree's
reading gives the answer of the generator form it replaced, at every call.

    PYTHONPATH=$PWD .venv/bin/python bench/timer_watch_cost.py soak --backend sim --duration 1h \\
        --seed 1 --no-progress --run-dir DIR

runs the ``soundcheck`` command with the watch's reading of the clock wrapped
(``TimerWatch._owned_now``, at every exit from RECOVERING and every close; or, in a tree without
it, ``owned_live_timers``): each call is answered by the tree's code, and the same question is
put to ``reference`` (the whole queue read, ``callback_owners`` and ``any`` per timer) on the same
clock at the same moment; the two lists must hold the same timers in the same order. At exit it prints to stderr the calls, the live
timers read (median and largest queue), the calls whose answers differed (0, or the first few
listed), and each form's thread CPU (``time.thread_time``) summed over the calls: the load does
not enter it, but it is the cost at this machine's state. Exit status is the command's, or 1 when
any answer differed.

Why: the watch reads every live timer on the clock (every scheduled fault's, every stream's) at
each of a soak's thousands of recoveries; py-spy put a fifth of a simulated hour's samples in it
(bench/RESULTS.md, issue #17).
"""

from __future__ import annotations

import atexit
import statistics
import sys
import time
from typing import Any


def reference(system: Any, clock: Any, *, recovery_only: bool = False) -> list[Any]:
    """The generator form (``callback_owners`` per timer under ``any``), as it stood before."""
    from harness.timer_watch import _recoverer_of, callback_owners  # noqa: PLC0415

    recoverer = _recoverer_of(system)
    owners = {id(recoverer)} if recovery_only else {id(system), id(recoverer)}
    owners.discard(id(None))
    return [t for t in clock.live_timers() if any(id(o) in owners for o in callback_owners(t.callback))]


def main(argv: list[str]) -> int:
    from harness import timer_watch  # noqa: PLC0415 - wrapped before the command imports its users

    watch_reads = getattr(timer_watch.TimerWatch, "_owned_now", None)
    seconds = {"tree": 0.0, "reference": 0.0}
    queues: list[int] = []
    differed: list[str] = []

    def compared(read: Any, system: Any, clock: Any, recovery_only: bool) -> list[Any]:
        t0 = time.thread_time()
        answer = read()
        t1 = time.thread_time()
        expected = reference(system, clock, recovery_only=recovery_only)
        t2 = time.thread_time()
        seconds["tree"] += t1 - t0
        seconds["reference"] += t2 - t1
        queues.append(len(clock.live_timers()))
        if len(answer) != len(expected) or any(a is not b for a, b in zip(answer, expected)):
            differed.append(f"call {len(queues)} at t={clock.now():.6f}: {len(answer)} against {len(expected)}")
        return answer

    if watch_reads is not None:
        def owned_now(self: Any, system: Any, *, recovery_only: bool = False) -> list[Any]:
            return compared(lambda: watch_reads(self, system, recovery_only=recovery_only),
                            system, system.clock, recovery_only)

        timer_watch.TimerWatch._owned_now = owned_now  # type: ignore[method-assign]
    else:
        tree = timer_watch.owned_live_timers

        def owned(system: Any, clock: Any, *, recovery_only: bool = False) -> list[Any]:
            return compared(lambda: tree(system, clock, recovery_only=recovery_only), system, clock, recovery_only)

        timer_watch.owned_live_timers = owned  # type: ignore[assignment]

    @atexit.register
    def report() -> None:
        print(f"the watch's reads: {len(queues)} calls; live timers median "
              f"{statistics.median(queues) if queues else 0}, largest {max(queues, default=0)}; "
              f"answers differed in {len(differed)} call(s)" + (": " + "; ".join(differed[:5]) if differed else ""),
              file=sys.stderr)
        print(f"thread CPU: tree {seconds['tree']:.3f} s, reference {seconds['reference']:.3f} s", file=sys.stderr)

    from harness.cli import main as soundcheck  # noqa: PLC0415

    status = soundcheck(argv)
    return 1 if differed else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
