"""The rig's server run realtime on request (``run --backend jack --rig-realtime``), and refused
when the machine keeps it from realtime scheduling.

Measured on the 2-core machine at load 25-32 (bench/RESULTS.md, "the restarted route's extra damage
measured from inside the run"): the rig's default ``jackd --no-realtime`` misses 25-30 cycles a
second under load, so killed and healthy runs end INCONCLUSIVE for the machine's damage; ``-R``
took glitches from 12.6-18.7/s to 0.5/s. ``jackd -R`` runs on without realtime scheduling when the
kernel refuses it, saying so only in its log: a rig asked to be realtime that is not must be refused,
never run as if it were.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest
from cli_capture import cli

from harness.errors import RigError
from harness.rig import loopback
from harness.rig.loopback import LoopbackRig, realtime_threads, server_pids
from harness.runner import RunSpec

#: root, or an rtprio limit, lets jackd -R have SCHED_FIFO (CI runs as root)
MAY_RUN_REALTIME = os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_RTPRIO)[0] > 0


def test_rig_realtime_without_the_rig_is_refused_before_a_run_folder_exists(tmp_path: Path) -> None:
    code, out, err = cli("run", "--backend", "sim", "--rig-realtime", "--duration", "1",
                         "--report-dir", tmp_path / "reports")
    assert code == 2, (code, out, err)
    assert "--rig-realtime" in err and "--backend jack" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()  # refused before the report folder is made


def test_a_realtime_rig_run_says_so_in_its_record_and_a_default_one_stays_as_it_was() -> None:
    assert RunSpec(backend="jack", rig_realtime=True).to_dict()["rig_realtime"] is True
    assert "rig_realtime" not in RunSpec(backend="jack").to_dict()


def test_a_process_s_realtime_threads_are_counted_from_its_policies() -> None:
    assert realtime_threads(os.getpid()) == 0  # the test process runs SCHED_OTHER
    assert realtime_threads(2**22 + 7) == 0  # no such process: nothing counted, nothing raised


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_the_rig_asked_for_realtime_runs_its_server_realtime_and_the_default_does_not() -> None:
    assert MAY_RUN_REALTIME, "this machine grants no realtime scheduling (not root, RLIMIT_RTPRIO 0)"
    with LoopbackRig(realtime=True) as rig:
        assert realtime_threads(rig.pid) >= 1, rig.pid
    with LoopbackRig() as rig:
        assert realtime_threads(rig.pid) == 0, rig.pid


@pytest.mark.loopback
@pytest.mark.timeout(300)  # a busy hang's guard: measured at load ~23, CPU <= 10.1 s and wall <= 44 s
def test_a_rig_asked_for_realtime_that_got_none_is_refused_and_its_server_stopped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopback, "realtime_threads", lambda pid: 0)  # as a kernel refusing SCHED_FIFO
    rig = LoopbackRig(realtime=True)
    try:
        with pytest.raises(RigError, match="without realtime scheduling.*--rig-realtime"):
            rig.start()
        assert not rig.running and not server_pids(rig.server_name)
    finally:
        rig.close()
