"""CPU of ``soundcheck run --mutant NAME`` through the CLI, with the failure export as it is and stubbed.

Why: a failing run exports a minimised replay scenario (``harness.replay.export_replay``), which
replays the history many times; this measures its share of a ``--mutant`` run's CPU (the first
call, of a mutant that crashes early, only loads the imports).

Run: PYTHONPATH=$PWD .venv/bin/python bench/failure_export_cost.py ignores_starved_input
"""
import argparse
import contextlib
import io
import sys
import tempfile
import time

import harness.runner as runner
from harness.cli import main as cli
from harness.mutants import MUTANTS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mutant", choices=sorted(MUTANTS))
    name = ap.parse_args(argv).mutant
    cli(["run", "--report-dir", tempfile.mkdtemp(), "--mutant", "crashes_on_third_recovery"])  # warm imports
    from harness.replay import export_replay as real  # noqa: PLC0415 - after the warm-up, as the CLI loads it
    for stub in (False, True, False, True):
        runner.export_replay = (lambda verdicts, **kw: {"path": None, "note": "stubbed"}) if stub else real
        c0 = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            rc = cli(["run", "--report-dir", tempfile.mkdtemp(), "--mutant", name])
        print(f"{name} export={'stubbed' if stub else 'real'} rc={rc} cpu={time.process_time()-c0:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
