"""The listening check's analysis on a worker process (``harness.analysis_worker``): the same
judgement as in-process, bounded, its errors the harness's own, no process left behind."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

from harness import ReliabilityRun, RunSpec
from harness.analysis_worker import AnalysisWorker
from harness.errors import AnalysisError, AnalysisWorkerError, HarnessError, UsageError
from harness.runner import analysis_worker_for, install_stop_signals

ROOT = Path(__file__).resolve().parents[2]


def _tone(frames: int = 48_000, fs: int = 48_000) -> np.ndarray:
    return (0.25 * np.sin(2 * np.pi * 997.0 * np.arange(frames) / fs)).astype(np.float32)


def _workers() -> set[int]:
    """This process's children that are multiprocessing workers (not its resource tracker)."""
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "spawn_main" in cmd:
            out.add(p.pid)
    return out


def _gone(pids: set[int]) -> bool:
    """Every one of ``pids`` exited (and was reaped, or is a zombie no longer running)."""
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


def _run(tmp_path: Path, mode: str, **kw: Any) -> tuple[Any, list[str]]:
    run = ReliabilityRun(RunSpec(duration_s=kw.pop("duration_s", 30.0), seed=kw.pop("seed", 3), faults="default",
                                 analysis_worker=mode, run_dir=tmp_path / mode, **kw))
    result = run.execute(reports=False)
    lines = (tmp_path / mode / "history.jsonl").read_text().splitlines()
    return result, lines


def _same_lines(a: list[str], b: list[str]) -> None:
    """History lines equal, but for the meta line's start time (the two runs began apart)."""
    assert len(a) == len(b)
    for la, lb in zip(a, b):
        if la != lb:
            ja, jb = json.loads(la), json.loads(lb)
            assert ja["type"] == "meta", (la[:300], lb[:300])
            ja["data"].pop("started_at"), jb["data"].pop("started_at")
            assert ja == jb


def test_the_worker_gives_the_judgement_in_process_analysis_gives(tmp_path, monkeypatch):
    """Takes handed to the worker come back and are judged where the check analyses its ring:
    glitches, windows, verdicts and the history are those of the in-process run, line for line."""
    taken: list[int] = []
    result_of = AnalysisWorker.result

    def counted(self: AnalysisWorker, fut: Any) -> Any:
        taken.append(1)
        return result_of(self, fut)

    monkeypatch.setattr(AnalysisWorker, "result", counted)
    inline, inline_lines = _run(tmp_path, "inline")
    assert taken == []
    worker, worker_lines = _run(tmp_path, "process")
    assert len(taken) >= 10  # most of a 30 s run's ~20 takes were analysed by the worker
    assert worker.summary["cpu"]["analysis_worker_s"] > 0
    assert "analysis_worker_s" not in inline.summary["cpu"]
    assert worker.summary["audio"] == inline.summary["audio"]
    assert worker.summary["audio"]["glitches"]["total"] > 0  # damage was heard, not nothing twice
    assert [v.to_dict() for v in worker.verdicts] == [v.to_dict() for v in inline.verdicts]
    assert worker.summary["invariant_status"] == inline.summary["invariant_status"]
    _same_lines(inline_lines, worker_lines)


def test_a_take_judged_by_the_worker_is_the_take_judged_in_process():
    worker = AnalysisWorker()
    try:
        x = _tone()
        x[20_000:20_100] = 0.0  # a drop-out: glitches to compare, not only a clean report
        kw = {"max_glitches": 10_000, "measure_levels": False, "frequency_known": True, "fine": True}
        fut = worker.submit(x, 48_000, 997.0, **kw)
        assert fut is not None
        from harness.analysis import analyze_glitches

        here = analyze_glitches(x, 48_000, 997.0, **kw)
        there = worker.result(fut)
        assert there.glitches and repr(there) == repr(here)
    finally:
        worker.close()


def test_an_analysis_error_comes_back_as_the_analysis_error_it_is():
    worker = AnalysisWorker()
    try:
        fut = worker.submit(np.zeros(48_000, dtype=np.float32), 48_000, 997.0)
        with pytest.raises(AnalysisError, match="silent") as err:
            worker.result(fut)
        assert not isinstance(err.value, AnalysisWorkerError)
    finally:
        worker.close()


def test_any_other_exception_in_the_worker_is_the_harness_s_error_with_its_cause():
    worker = AnalysisWorker()
    try:
        fut = worker.submit(_tone(), 48_000, 997.0, no_such_option=1)  # analyze_glitches refuses it
        with pytest.raises(AnalysisWorkerError, match="TypeError: .*no_such_option") as err:
            worker.result(fut)
        assert isinstance(err.value, HarnessError) and err.value.exit_code == 1
        assert isinstance(err.value.__cause__, TypeError)
        assert worker.result(worker.submit(_tone(), 48_000, 997.0)).glitches == []  # and it goes on
    finally:
        worker.close()


def test_an_exception_in_the_worker_fails_the_run_by_name_never_a_silent_pass(tmp_path, monkeypatch):
    """The worker's exception reaches the run as an ``AnalysisWorkerError`` naming what the worker
    raised: the run crashed (``run_completed`` violated, FAIL), its audio never passed as heard."""
    from harness.audio_check import AudioCheck

    options = AudioCheck._analysis_kw
    monkeypatch.setattr(AudioCheck, "_analysis_kw", lambda self: {**options(self), "no_such_option": 1})
    result, _ = _run(tmp_path, "process")
    assert result.summary["outcome"] == "fail"
    crashed = next(v for v in result.verdicts if v.name == "run_completed")
    assert not crashed.ok
    assert "AnalysisWorkerError" in crashed.message and "TypeError" in crashed.message, crashed.message


def test_takes_in_flight_are_bounded():
    worker = AnalysisWorker(max_pending=2)
    try:
        x = _tone()
        first = worker.submit(x, 48_000, 997.0)
        second = worker.submit(x, 48_000, 997.0)
        assert first is not None and second is not None
        assert worker.submit(x, 48_000, 997.0) is None  # the caller analyses this one itself
        assert worker.pending == 2
        worker.result(first)
        worker.release(second)
        assert worker.pending == 0
        assert worker.submit(x, 48_000, 997.0) is not None
    finally:
        worker.close()
    assert worker.submit(_tone(), 48_000, 997.0) is None  # closed: nothing more goes out


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS starts one thread on a one-core machine anyway")
def test_the_worker_computes_on_one_blas_thread(monkeypatch):
    """A process that loaded numpy before ``OPENBLAS_NUM_THREADS`` was set (a user's script) passes
    no such setting to its children: the worker limits its BLAS itself."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    worker = AnalysisWorker()
    try:
        threads = worker.blas_threads()
    finally:
        worker.close()
    assert threads and set(threads) == {1}


def test_one_cpu_or_the_option_keeps_the_analysis_in_process(monkeypatch):
    spec = RunSpec(backend="sim", duration_s=600.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert analysis_worker_for(spec)
    assert not analysis_worker_for(RunSpec(backend="sim", duration_s=600.0, analysis_worker="inline"))
    assert not analysis_worker_for(RunSpec(backend="sim", duration_s=60.0))  # a short run: start-up dominates
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)  # a Dask worker's process
    assert not analysis_worker_for(spec)
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert not analysis_worker_for(spec)
    assert analysis_worker_for(RunSpec(backend="sim", duration_s=600.0, analysis_worker="process"))
    with pytest.raises(UsageError, match="unknown analysis worker"):
        analysis_worker_for(RunSpec(backend="sim", analysis_worker="thread"))


def _run_stopped_in_its_tenth_chunk(tmp_path: Path, stop: Any) -> tuple[Any, set[int]]:
    """A 30 s run with a worker, ``stop()`` called in its tenth chunk (the worker starts with the
    first take handed over, a few seconds in): (its result or the exception it raised, the worker
    processes seen during the run)."""
    seen: set[int] = set()
    chunks = {"n": 0}

    def third(_run: Any, _system: Any, _history: Any) -> None:
        chunks["n"] += 1
        seen.update(_workers())
        if chunks["n"] == 10:
            stop()

    run = ReliabilityRun(RunSpec(duration_s=30.0, seed=3, analysis_worker="process", run_dir=tmp_path / "run"))
    restore = install_stop_signals(run)
    try:
        try:
            out: Any = run.execute(on_chunk=third, reports=False)
        except KeyboardInterrupt as exc:
            out = exc
    finally:
        restore()
    return out, seen


@pytest.mark.parametrize("how", ["end", "SIGINT", "SIGTERM", "second Ctrl-C"])
def test_the_worker_is_shut_down_however_the_run_ends(tmp_path, how):
    def stop() -> None:
        if how in ("SIGINT", "SIGTERM"):
            signal.raise_signal(getattr(signal, how))
        elif how == "second Ctrl-C":
            raise KeyboardInterrupt

    before = _workers()
    out, seen = _run_stopped_in_its_tenth_chunk(tmp_path, stop)
    seen -= before
    assert seen  # the run had a worker process
    assert _gone(seen), [p.as_dict(["pid", "status", "cmdline"]) for p in map(psutil.Process, seen)
                         if psutil.pid_exists(p)]
    if how == "second Ctrl-C":
        assert isinstance(out, KeyboardInterrupt)
    elif how == "end":
        assert out.summary["status"] == "completed"
    else:
        assert out.summary["status"] == "interrupted"


def test_the_command_leaves_no_process_behind(tmp_path):
    """``soundcheck run --analysis-worker process`` as a process of its own: once it has exited,
    no process it started is left (its worker, multiprocessing's resource tracker)."""
    marker = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOUNDCHECK_TEST_MARKER": marker,
           "SOUNDCHECK_HISTORY_DB": str(tmp_path / "runs.sqlite")}
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--backend", "sim", "--duration", "20",
                           "--seed", "3", "--analysis-worker", "process", "--report-dir", str(tmp_path / "reports"),
                           "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1, 3), done.stderr
    assert json.loads(done.stdout)["cpu"]["analysis_worker_s"] > 0  # a worker ran

    def ours() -> list[psutil.Process]:
        found = []
        for p in psutil.process_iter():
            try:
                if p.environ().get("SOUNDCHECK_TEST_MARKER") == marker:
                    found.append(p)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    # multiprocessing's resource tracker exits when it reads the end of its dead parent's pipe:
    # waited for (bounded), never assumed
    _, alive = psutil.wait_procs(ours(), timeout=30)
    assert alive == []
