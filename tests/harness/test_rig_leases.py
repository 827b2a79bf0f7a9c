"""The rig's pooled server names are given back on every path that takes one.

A clean-clone CI run under ``-n 2`` stalled with its two workers holding all six leases: each
set-up that failed after its rig had leased a name kept that name until the worker ended. These
tests take names from a private pool (``tempfile.tempdir`` moved under ``tmp_path``) and never start
a jackd, so they run beside the real rig tests of another worker without touching their names.
"""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from harness.errors import RigError
from harness.rig import loopback
from harness.rig.loopback import POOL_SIZE, LoopbackRig, lease_server_name

#: More failures in a row than the pool has names: the last one needs a name given back.
IN_A_ROW = POOL_SIZE + 1


@pytest.fixture
def private_pool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Lock files under ``tmp_path``; no orphan reaping (the names are the real pool's, and a
    jackd of that name belongs to whichever worker holds the real lock); a short wait for a name."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(loopback, "_reap_orphan_server", lambda name: None)
    monkeypatch.setattr(loopback, "LEASE_WAIT_S", 1.0)
    return tmp_path


def _start_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def start(self: LoopbackRig) -> float:
        raise RigError(f"jackd {self.server_name!r} not ready after 10.0 s")

    monkeypatch.setattr(LoopbackRig, "start", start)


def _all_names_free() -> None:
    """Every pooled name can be leased at once (raises RigError otherwise)."""
    held = [lease_server_name(timeout_s=0.5) for _ in range(POOL_SIZE)]
    try:
        assert len({lease.name for lease in held}) == POOL_SIZE
    finally:
        for lease in held:
            lease.release()


def test_a_with_whose_start_raises_gives_the_name_back(private_pool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails without ``LoopbackRig.__enter__`` closing the rig: a raising ``__enter__`` never reaches
    ``__exit__``. The errors are kept, as pytest keeps a failed fixture's, so each rig stays alive."""
    _start_fails(monkeypatch)
    kept: list[Any] = []
    for _ in range(IN_A_ROW):
        with pytest.raises(RigError, match="not ready") as info:
            with LoopbackRig():
                pass
        kept.append(info)
    _all_names_free()


def test_a_rig_dropped_without_close_gives_the_name_back_when_collected(private_pool: Path) -> None:
    """A test that builds a rig and fails before its ``with`` (or its ``try``) drops the rig: its
    lease's finalizer closes the lock. Fails without the finalizer."""
    for _ in range(IN_A_ROW):
        LoopbackRig()
        gc.collect()
    _all_names_free()


def test_a_lease_held_by_a_killed_process_is_free(private_pool: Path) -> None:
    """The lock is an ``flock``: SIGKILL of its holder (a crashed xdist worker) frees it."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import tempfile, sys; tempfile.tempdir = sys.argv[1]\n"
         "from harness.rig import loopback\n"
         "loopback._reap_orphan_server = lambda name: None\n"
         f"held = [loopback.lease_server_name(timeout_s=5) for _ in range({POOL_SIZE})]\n"
         "print('held', flush=True)\n"
         "sys.stdin.read()\n",
         str(private_pool)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(RigError, match="in use"):
            lease_server_name(timeout_s=0.0)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()
    _all_names_free()


def test_a_jack_run_whose_set_up_raises_after_the_rig_started_gives_the_name_back(
        private_pool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's rig is closed when a step between its start and the run's own clean-up raises
    (here the composition of the system on it). Fails without ``ReliabilityRun.execute`` closing
    the rig."""
    from harness import runner

    monkeypatch.setattr(LoopbackRig, "start", lambda self: 0.0)

    def composition_refused(*args: Any, **kwargs: Any) -> Any:
        raise RigError("the system could not be composed on the rig")

    monkeypatch.setattr(runner, "compose", composition_refused)
    kept: list[Any] = []  # the runs stay alive, as a caller's do: only a close gives the name back
    for seed in range(IN_A_ROW):
        run = runner.ReliabilityRun(runner.RunSpec(backend="jack", duration_s=1.0, seed=seed, faults="none",
                                                   report_root=private_pool / "reports"))
        with pytest.raises(RigError, match="could not be composed"):
            run.execute()
        kept.append(run)
    _all_names_free()


def test_a_scenario_whose_rig_start_raises_gives_the_name_back(
        private_pool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails without ``_start_rig`` closing the rig it could not start (the executor's clean-ups
    are not yet armed then)."""
    from harness.scenarios.executor import _start_rig
    from harness.scenarios.loader import load_scenario, system_config_dict

    _start_fails(monkeypatch)
    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "loopback" / "jack-host-api-server-dies.toml")
    kept: list[Any] = []  # the errors stay alive, as pytest keeps a failed test's
    for _ in range(IN_A_ROW):
        cleanups: list[Any] = []
        with pytest.raises(RigError, match="not ready") as info:
            _start_rig(scenario, system_config_dict(scenario), cleanups)
        assert cleanups == []
        kept.append(info)
    _all_names_free()
