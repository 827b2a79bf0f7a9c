"""CPU of ``soundcheck run --mutant NAME`` through the CLI, with the failure export as it is and stubbed.

Why: a failing run exports a minimised replay scenario (``harness.replay.export_replay``), which
replays the history many times; this measures its share of a ``--mutant`` run's CPU (the first
call, of a mutant that crashes early, only loads the imports).

Run: PYTHONPATH=$PWD .venv/bin/python bench/failure_export_cost.py ignores_starved_input
"""
import sys, time, tempfile, io, contextlib
import harness.runner as runner
from harness.cli import main
name = sys.argv[1]
main(["run", "--report-dir", tempfile.mkdtemp(), "--mutant", "crashes_on_third_recovery"])  # warm imports
for stub in (False, True, False, True):
    if stub:
        runner.export_replay = lambda verdicts, **kw: {"path": None, "note": "stubbed"}
    else:
        from harness.replay import export_replay as real
        runner.export_replay = real
    c0 = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(["run", "--report-dir", tempfile.mkdtemp(), "--mutant", name])
    print(f"{name} export={'stubbed' if stub else 'real'} rc={rc} cpu={time.process_time()-c0:.2f}", flush=True)
