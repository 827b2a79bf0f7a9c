"""A swarm stopped before its end (SIGTERM, Ctrl-C) and a swarm refused for its scheduler address.

A SIGTERM (a CI job cancelled) killed the driver outright: exit -15, no summary.json, no
report.md, the swarm's temp folder and its workers' semaphores left behind. A ``--scheduler``
that is no address (``foo``) was an "internal error" (exit 1), and a swarm refused for its
scheduler left a swarm folder holding only its spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]

#: runs ``main(["swarm", ...])`` in a fresh interpreter (its own main thread and signal handlers)
#: whose first finished seed sends the process a SIGTERM, as a CI runner cancelling the job does:
#: deterministic, no timer
_SIGTERM_AFTER_THE_FIRST_SEED = """
import os, signal, sys
import harness.swarm as swarm
from harness.cli import main

real = swarm.run_swarm

def run_swarm(*args, **kwargs):
    kwargs["on_row"] = lambda row: os.kill(os.getpid(), signal.SIGTERM)
    kwargs["in_flight"] = 1
    return real(*args, **kwargs)

swarm.run_swarm = run_swarm
sys.exit(main(sys.argv[1:]))
"""


def test_a_swarm_stopped_by_sigterm_is_inconclusive_in_its_exit_code_console_summary_and_report(tmp_path):
    out = tmp_path / "swarm"
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp))
    proc = subprocess.run([sys.executable, "-c", _SIGTERM_AFTER_THE_FIRST_SEED, "swarm", "--seeds", "1-4",
                           "--duration", "1s", "--workers", "1", "--no-shrink", "--quiet", "--no-history",
                           "--out", str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert "soundcheck swarm: INTERRUPTED: 1 of 4 seeds run: pass 1, fail 0, inconclusive 0" in proc.stdout
    assert f"soundcheck swarm --resume {out}" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["exit_code"] == 3
    assert (summary["seeds_done"], summary["seeds_total"]) == (1, 4)
    report = (out / "report.md").read_text()
    assert "**INTERRUPTED** before its end: 3 of 4 seed(s) not run" in report
    assert "exit code 3" in report
    assert sorted(p.name for p in tmp.iterdir()) == []  # the swarm's temp folder went with its cluster


def test_a_scheduler_that_is_no_address_is_refused_and_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "swarm"
    code = main(["swarm", "--seeds", "1-2", "--duration", "1s", "--scheduler", "foo", "--quiet",
                 "--no-history", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip().splitlines() == ["soundcheck: error: --scheduler foo: not a Dask scheduler address "
                                        "(missing port number in address 'foo'); give tcp://HOST:PORT"]
    assert not out.exists()
