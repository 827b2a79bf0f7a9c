"""Where a state-machine mutant search's CPU goes: one ``test_mutants.py`` search under cProfile.

Runs the search ``tests/harness/test_mutants.py::test_the_state_machine_finds_the_mutant[NAME]``
runs (the mutant's machine and focus, the ci profile with ``max_examples=400``, the session's
pinned Hypothesis constants), prints its CPU seconds, the machine's examples, steps, first failing
step and example and shrunk steps, and the 60 functions of largest cumulative time; the profile is
written to ``OUT`` for ``pstats``. The profiler itself adds CPU: compare parts, not totals. The
profiler's clock is this process's CPU time: on a loaded machine a wall-clock profile charges the
time the process waited for a core to whatever call it was in (a system call such as
``time.thread_time`` looks expensive only because the scheduler switched away during it).

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/stateful_search_profile.py leak_on_error [OUT.prof]
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time

from hypothesis.stateful import run_state_machine_as_test

from harness.hypothesis_constants import pin_local_constants, pin_shrinking_time
from harness.mutants import MUTANTS, system_factory
from harness.stateful import make_machine, profile_settings


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in MUTANTS:
        print(f"usage: stateful_search_profile.py MUTANT [OUT.prof]; MUTANT one of {sorted(MUTANTS)}",
              file=sys.stderr)
        return 2
    name = argv[0]
    out = argv[1] if len(argv) > 1 else f"/tmp/{name}.prof"
    pin_local_constants()  # as tests/conftest.py does: the same search as in the suite
    pin_shrinking_time()
    mutant = MUTANTS[name]
    machine = make_machine(system_factory(name), name=f"Mutant_{name}", focus=mutant.stateful_focus)
    profile = cProfile.Profile(time.process_time)
    cpu0 = time.process_time()
    profile.enable()
    try:
        run_state_machine_as_test(machine, settings=profile_settings("ci", max_examples=400))
    except BaseException as exc:  # noqa: BLE001 - the mutant's violation is the expected end
        print("raised", type(exc).__name__)
    profile.disable()
    print("cpu", round(time.process_time() - cpu0, 2))
    s = machine.stats  # type: ignore[attr-defined]
    print(f"examples {s.examples} steps {s.steps} first failure step {s.first_failure_step} "
          f"(example {s.first_failure_example}) shrunk to {s.shrunk_steps}")
    profile.dump_stats(out)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
