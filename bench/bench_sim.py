"""Simulation speed: seconds of simulated 48 kHz stereo audio per second of wall time.

A benchmark, not a test: it prints figures and never fails on a slow machine.

    python bench/bench_sim.py [--seconds 30] [--quick]
    python bench/bench_sim.py --startup     # the whole-process row alone
    python bench/bench_sim.py --startup-vs DIR   # ... against another checkout, run alternately
    python bench/bench_sim.py --analysis-vs DIR  # the listening check's analysis, replayed by both
    python bench/bench_sim.py --audio-vs DIR     # the listening check's findings over 30 runs, both
    python bench/bench_sim.py --block-mix        # the block sizes a faulted run's callbacks have
    python bench/bench_sim.py --chain-vs DIR     # the default DSP chain per block, against another checkout

Bare system (no faults) by block size and chain length, then the full reliability run with the
default fault profile and every invariant (the issue's >= 300x target), the whole-process time of
a short run (``startup``: ``soundcheck run --backend sim --duration 60``, median of 5) and, with
py-spy installed, where a block's time goes (``breakdown``: sampled stacks of a faulted run,
each sample charged to the innermost frame of a known part).

CPU seconds (``time.process_time``, children's rusage) are printed beside wall seconds: on a
machine shared with other jobs the wall figures measure the load as much as the code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

#: One OpenBLAS thread, as ``soundcheck`` itself runs (``harness/cli.py``): in-process, without
#: it, the audio check's products wake OpenBLAS's spinning threads and a faulted 120 s run measured
#: 3.8-4.3 s of simulation CPU instead of 1.6 s (load 8): a figure of the bench, not of the command.
#: Set before numpy is first imported (below).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from system_under_test import AudioSystem  # noqa: E402 - after the BLAS setting above

CHAINS: dict[str, list[dict[str, Any]]] = {
    "none": [],
    "gain": [{"kind": "gain", "gain_db": -3}],
    "default": [{"kind": "gain", "gain_db": -3}, {"kind": "biquad"}, {"kind": "limiter"}],
    "long": [{"kind": "gain", "gain_db": -3}, {"kind": "biquad"}, {"kind": "biquad", "filter": "highpass", "cutoff_hz": 50},
             {"kind": "biquad", "filter": "peaking", "cutoff_hz": 3000, "gain_db": 3}, {"kind": "limiter"},
             {"kind": "mixer", "matrix": [[1, 0], [0, 1]]}],
}


def speed(seconds: float = 30.0, block: int = 256, chain: str = "default", seed: int = 1) -> float:
    latency = max(20.0, 2000 * block / 48_000)
    s = AudioSystem({"stream": {"block_size": block, "latency_ms": latency}, "dsp": CHAINS[chain]}, seed=seed)
    s.initialize()
    s.start()
    t0 = time.perf_counter()
    s.run_for(seconds)
    wall = time.perf_counter() - t0
    assert s.frame_accounts().balanced()
    s.close()
    return seconds / wall


def faulted_run(seconds: float = 600.0, seed: int = 1, faults: str = "default",
                dsp_kernel: str = "auto") -> dict[str, Any]:
    """The issue's figure: ``soundcheck run --backend sim`` (default chain, 256-frame blocks, the
    ``faults`` profile, history streamed, live + end-of-run invariants), timed two ways:
    ``run_x_realtime`` = the runner's own figure (simulation with faults, history and live checks);
    ``end_to_end_x_realtime`` = also every end-of-run invariant and the report files."""
    import tempfile
    from pathlib import Path

    from harness import ReliabilityRun, RunSpec

    from system_under_test.clock import VirtualClock

    root = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    loop_cpu = [0.0]
    original = VirtualClock.run_until

    def timed_run_until(clock: VirtualClock, deadline: float) -> None:  # the simulation's CPU time
        c = time.process_time()
        try:
            original(clock, deadline)
        finally:
            loop_cpu[0] += time.process_time() - c

    VirtualClock.run_until = timed_run_until  # type: ignore[method-assign]
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        spec = RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=root)
        if dsp_kernel != "auto":  # a tree without the choice runs its one kernel
            spec = RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=root, dsp_kernel=dsp_kernel)
        r = ReliabilityRun(spec).execute()
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        VirtualClock.run_until = original  # type: ignore[method-assign]
    return {"simulated_s": r.summary["simulated_s"], "run_wall_s": r.summary["wall_s"],
            "end_to_end_cpu_s": round(cpu, 2), "simulation_cpu_s": round(loop_cpu[0], 2),
            "simulation_cpu_x_realtime": round(r.summary["simulated_s"] / loop_cpu[0], 1) if loop_cpu[0] else None,
            "run_x_realtime": r.summary["speed_x_realtime"], "end_to_end_wall_s": round(total, 2),
            "end_to_end_x_realtime": round(r.summary["simulated_s"] / total, 1), "ok": r.ok,
            "faults": r.summary["faults"]["total"], "callbacks": r.summary["callbacks"],
            "dsp_kernel": r.summary.get("dsp_kernel", "numpy")}


def cpu_per_block(seconds: float = 10.0, block: int = 256, repeat: int = 3, kernel: str = "numpy") -> float:
    """CPU microseconds per block of the bare system (best of ``repeat``): load-proof-ish.
    ``kernel="compiled"``: the DSP chain's compiled kernels (``dsp.use_kernel``), with which the
    simulated device delivers stretches of blocks; the kernel's first call (numba's set-up) is
    made before the timing."""
    import contextlib

    from system_under_test import dsp
    ctx = dsp.use_kernel("compiled") if kernel == "compiled" else contextlib.nullcontext()
    with ctx:
        if kernel == "compiled":
            speed(0.1, block)
        best = float("inf")
        for _ in range(repeat):
            c0 = time.process_time()
            speed(seconds, block)
            best = min(best, time.process_time() - c0)
    return best / (seconds * 48_000 / block) * 1e6


def _soundcheck() -> list[str]:
    return [sys.executable, "-m", "harness.cli"]


def _compile_project() -> bool:
    """Byte-compile ``harness`` and ``system_under_test`` (their ``__pycache__``, git-ignored) so
    the whole-process figure measures the code, not the interpreter compiling ~70 source files:
    with ``PYTHONDONTWRITEBYTECODE=1`` in the environment (this lab's shells set it) no run ever
    caches them, and every short run pays ~0.3 s of CPU for that. Returns True when it compiled."""
    import compileall

    root = Path(__file__).resolve().parents[1]
    return all(compileall.compile_dir(str(root / pkg), quiet=1) for pkg in ("harness", "system_under_test"))


def startup(runs: int = 5, seconds: float = 60.0) -> dict[str, Any]:
    """``soundcheck run --backend sim --duration 60`` as a whole process: median wall and CPU,
    with the project's byte code cached (``_compile_project``)."""
    compiled = _compile_project()
    walls, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(_soundcheck() + ["run", "--backend", "sim", "--duration", str(seconds),
                                                   "--report-dir", tmp], capture_output=True, text=True,
                                  env={**os.environ, "SOUNDCHECK_HISTORY_DB": str(Path(tmp) / "h.sqlite")})
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"soundcheck run exited {proc.returncode}: {proc.stderr[-500:]}")
    return {"runs": runs, "byte_code_cached": compiled, "wall_median_s": round(statistics.median(walls), 2),
            "cpu_median_s": round(statistics.median(cpus), 2), "walls": [round(w, 2) for w in walls],
            "cpus": [round(c, 2) for c in cpus]}


def startup_vs(other: str, runs: int = 5, seconds: float = 60.0) -> dict[str, Any]:
    """The short run's whole-process CPU, this checkout against ``other`` (another checkout's
    root, e.g. ``git archive main | tar -x -C DIR``), run alternately so both see the same load:
    on a shared machine, figures measured minutes apart are not comparable even in CPU time."""
    import compileall

    here = str(Path(__file__).resolve().parents[1])
    sources = {"this": here, "other": str(Path(other).resolve())}
    for src in sources.values():
        for pkg in ("harness", "system_under_test"):
            compileall.compile_dir(str(Path(src) / pkg), quiet=1)
    cpus: dict[str, list[float]] = {k: [] for k in sources}
    for _ in range(runs):
        for name, src in sources.items():
            with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                proc = subprocess.run(_soundcheck() + ["run", "--backend", "sim", "--duration", str(seconds),
                                                       "--report-dir", tmp], capture_output=True, text=True,
                                      cwd=tmp, env={**os.environ, "PYTHONPATH": src,
                                                    "SOUNDCHECK_HISTORY_DB": str(Path(tmp) / "h.sqlite")})
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if proc.returncode not in (0, 1):
                    raise RuntimeError(f"soundcheck run ({src}) exited {proc.returncode}: {proc.stderr[-500:]}")
                cpus[name].append(round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2))
    return {name: {"cpu_median_s": statistics.median(v), "cpus": v, "source": sources[name]}
            for name, v in cpus.items()} | {"load": os.getloadavg()}


def blocks_vs(other: str, blocks: tuple[int, ...] = (64, 256, 1024), seconds: float = 5.0,
              rounds: int = 5, chain: str = "default", kernel: str = "numpy") -> dict[str, Any]:
    """CPU microseconds per block of the bare system (``cpu_per_block``, best of 3 in each child,
    with ``kernel``), this checkout and ``other`` alternately, ``rounds`` children each: the median
    per block size. The children import ``system_under_test`` from their checkout (``PYTHONPATH``)."""
    sources = {"this": str(Path(__file__).resolve().parents[1]), "other": str(Path(other).resolve())}
    here = str(Path(__file__).resolve())
    got: dict[str, dict[int, list[float]]] = {k: {b: [] for b in blocks} for k in sources}
    for _ in range(rounds):
        for name, src in sources.items():
            code = ("import json, sys; sys.path.insert(0, %r); import bench_sim, system_under_test; "
                    "assert system_under_test.__file__.startswith(%r), system_under_test.__file__; "
                    "print(json.dumps({b: bench_sim.cpu_per_block(%r, b, kernel=%r) for b in %r}))"
                    % (str(Path(here).parent), src, seconds, kernel, list(blocks)))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=tempfile.gettempdir(), env={**os.environ, "PYTHONPATH": src}).stdout
            for b, us in json.loads(out.strip().splitlines()[-1]).items():
                got[name][int(b)].append(round(us, 1))
    return {name: {b: {"median_us": statistics.median(v), "us": v} for b, v in per.items()} | {"source": sources[name]}
            for name, per in got.items()} | {"load": os.getloadavg(), "seconds": seconds, "chain": chain,
                                             "kernel": kernel}


def runs_vs(other: str | None = None, blocks: tuple[int, ...] = (64, 256, 1024), seconds: float = 300.0,
            rounds: int = 2, seed: int = 1) -> dict[str, Any]:
    """The issue's figure by block size: ``soundcheck run --backend sim`` (default faults, every
    invariant) as a whole process with ``--config`` setting the block size, this checkout and
    ``other`` alternately (``rounds`` each). Per run: the run's own ``process_cpu_s`` (the
    simulation with faults, history and live checks: start-up, end-of-run checks and reports
    excluded), simulated seconds / that CPU (``cpu_x``), the runner's wall figure
    (``speed_x_realtime``) and the whole process's CPU (``RUSAGE_CHILDREN``)."""
    sources = {"this": str(Path(__file__).resolve().parents[1])}
    if other:
        sources["other"] = str(Path(other).resolve())
    got: dict[str, dict[int, list[dict[str, float]]]] = {k: {b: [] for b in blocks} for k in sources}
    with tempfile.TemporaryDirectory(prefix="bench-runs-") as tmp:
        for b in blocks:
            cfg = {"stream": {"block_size": b, "latency_ms": max(20.0, 2000 * b / 48_000)}}
            (Path(tmp) / f"block{b}.json").write_text(json.dumps(cfg))
        for _ in range(rounds):
            for b in blocks:
                for name, src in sources.items():
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    proc = subprocess.run(_soundcheck() + [
                        "run", "--backend", "sim", "--duration", str(seconds), "--seed", str(seed),
                        "--config", str(Path(tmp) / f"block{b}.json"), "--report-dir", str(Path(tmp) / "runs"),
                        "--json"], capture_output=True, text=True, cwd=tmp,
                        env={**os.environ, "PYTHONPATH": src, "SOUNDCHECK_HISTORY_DB": str(Path(tmp) / "h.sqlite")})
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    if proc.returncode not in (0, 1):
                        raise RuntimeError(f"soundcheck run ({src}) exited {proc.returncode}: {proc.stderr[-500:]}")
                    summary = json.loads(proc.stdout[proc.stdout.index("{"):])
                    cpu = summary["cpu"]["process_cpu_s"]
                    got[name][b].append({
                        "cpu_x": round(summary["simulated_s"] / cpu, 1), "run_cpu_s": cpu,
                        "us_per_block": round(cpu / (summary["simulated_s"] * 48_000 / b) * 1e6, 1),
                        "wall_x": summary["speed_x_realtime"], "ok": summary["ok"],
                        "process_cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)})
    return {name: {b: {"cpu_x_median": statistics.median(r["cpu_x"] for r in v),
                       "us_per_block_median": statistics.median(r["us_per_block"] for r in v), "runs": v}
                   for b, v in per.items()} | {"source": sources[name]}
            for name, per in got.items()} | {"load": os.getloadavg(), "seconds": seconds}


#: (part, rule): a sample is charged to the part of its innermost frame that matches a rule
PARTS: tuple[tuple[str, str], ...] = (
    ("DSP chain", r"system_under_test/dsp\.py"),
    ("pipeline callback (rings, pool, counters)", r"system_under_test/(pipeline|buffers|monitoring)\.py"),
    ("audio check tap", r"harness/(audio_check|analysis)\.py"),
    ("fault injector", r"harness/faults"),
    ("history + live invariants", r"harness/(history|invariants|leaks)\.py"),
    ("supervisor pass", r"system_under_test/system\.py.*(poll|_supervise|_wake_supervisor)|AudioSystem\.(poll|_supervise)"),
    ("lifecycle ops, coordinator, recovery", r"system_under_test/(coordinator|system|recoverer|recovery|lifecycle|resources|config)\.py"),
    ("simulated device + event loop", r"system_under_test/(devices/simulated|clock|scheduler)\.py"),
    ("runner chunk loop", r"harness/"),
)


def _py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def breakdown(seconds: float = 120.0, rate: int = 400) -> dict[str, Any]:
    """Where the simulation's time goes, per 256-frame block: py-spy samples of ``soundcheck run``
    (default faults) inside the event loop, charged to parts; microseconds per block are the parts'
    shares of the CPU time a block costs in an unprofiled run of the same length."""
    spy = _py_spy()
    if spy is None:
        return {"skipped": "py-spy is not installed (pip install py-spy; it is in the bench extra)"}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        raw = Path(tmp) / "stacks.txt"
        cmd = [spy, "record", "-r", str(rate), "-f", "raw", "-o", str(raw), "--"] + _soundcheck() + [
            "run", "--backend", "sim", "--duration", str(seconds), "--report-dir", str(Path(tmp) / "runs")]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env={**os.environ, "SOUNDCHECK_HISTORY_DB": str(Path(tmp) / "h.sqlite")})
        if not raw.exists():
            return {"skipped": f"py-spy could not sample ({proc.stderr.strip()[-300:]})"}
        parts: Counter[str] = Counter()
        phases: Counter[str] = Counter()
        for line in raw.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            count = int(n)
            frames = stack.split(";")
            if any("VirtualClock.run_until" in f for f in frames):
                phases["simulation"] += count
                for frame in reversed(frames):
                    part = next((name for name, rule in PARTS if re.search(rule, frame)), None)
                    if part is not None:
                        parts[part] += count
                        break
                else:
                    parts["other"] += count
            elif any("_find_and_load" in f for f in frames):
                phases["imports"] += count
            elif any("write_reports" in f for f in frames):
                phases["reports"] += count
            elif any("check_all" in f for f in frames):
                phases["end-of-run invariants"] += count
            else:
                phases["other"] += count
    f = faulted_run(seconds)
    blocks = seconds * 48_000 / 256
    loop_cpu_s = f["simulation_cpu_s"]  # the event loop's CPU, unprofiled; charged to parts by share
    total = max(1, sum(parts.values()))
    return {"seconds": seconds, "samples": sum(phases.values()),
            "phase_share": {k: round(v / max(1, sum(phases.values())), 3) for k, v in phases.most_common()},
            "us_per_block_total": round(loop_cpu_s / blocks * 1e6, 1),
            "us_per_block": {k: round(v / total * loop_cpu_s / blocks * 1e6, 1) for k, v in parts.most_common()},
            "share": {k: round(v / total, 3) for k, v in parts.most_common()}}


#: (label, module, class, method): the parts of a block timed by ``timed_breakdown``, each wrapped
#: so that its own CPU time (``time.thread_time``, the event loop's thread) excludes the parts it calls
TIMED_PARTS: tuple[tuple[str, str, str, str], ...] = (
    ("event loop (clock, timers)", "system_under_test.clock", "VirtualClock", "run_until"),
    ("simulated device (tick, deliver)", "system_under_test.devices.simulated", "SimulatedStream", "_tick"),
    ("simulated device (tick, deliver)", "system_under_test.devices.simulated", "SimulatedStream", "_late_tick"),
    ("pipeline callback (rings, pool, counters, histograms)", "system_under_test.pipeline", "Pipeline", "callback"),
    ("pipeline callback (rings, pool, counters, histograms)", "system_under_test.pipeline", "Pipeline", "stretch_block"),
    ("pipeline callback (rings, pool, counters, histograms)", "system_under_test.pipeline", "Pipeline", "end_stretch"),
    ("DSP chain", "system_under_test.dsp", "DspChain", "process"),
    ("DSP chain", "system_under_test.pipeline", "Pipeline", "begin_stretch"),
    ("audio check tap (per block)", "harness.audio_check", "AudioCheck", "_on_block"),
    ("audio check tap (per block)", "harness.audio_check", "AudioCheck", "_on_blocks"),
    ("audio check analysis (per 8 s window)", "harness.audio_check", "AudioCheck", "_process"),
    ("supervisor pass", "system_under_test.system", "AudioSystem", "_supervise"),
    ("fault injector", "harness.faults.injector", "FaultInjector", "_fire"),
    ("recovery attempts", "system_under_test.recoverer", "Recoverer", "_attempt"),
    ("history records", "harness.history", "History", "record"),
)


def timed_breakdown(seconds: float = 120.0, seed: int = 1, dsp_kernel: str = "auto") -> dict[str, Any]:
    """Where one 256-frame block's CPU goes in ``soundcheck run --backend sim`` (default faults):
    every part of ``TIMED_PARTS`` wrapped with a thread-CPU timer, each part's time net of the
    parts it calls ("event loop" is what ``run_until`` does itself plus everything not named:
    timers of the lifecycle, coordinator, steady watch ...). Deterministic, unlike sampling: the
    wrappers' own cost (~1 us a call, several calls a block) lands in the callers' share, so the
    total is above an unwrapped run's (``unwrapped_us_per_block``, measured after the wrappers
    are removed)."""
    import importlib

    acc: dict[str, float] = {}
    stack: list[list[float]] = []  # per active part: [child time]
    clock = time.thread_time
    originals: list[tuple[Any, str, Any]] = []

    def wrap(label: str, owner: Any, name: str) -> None:
        orig = owner.__dict__[name]

        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [0.0]
            stack.append(frame)
            t0 = clock()
            try:
                return orig(*args, **kwargs)
            finally:
                spent = clock() - t0
                stack.pop()
                acc[label] = acc.get(label, 0.0) + spent - frame[0]
                if stack:
                    stack[-1][0] += spent

        # the wrapped method's name: the simulated device takes a stretch of blocks only from a
        # callback named ``callback`` (``SimulatedStream._stretch_owner``), so the run timed is
        # the run measured unwrapped
        timed.__name__, timed.__qualname__ = orig.__name__, orig.__qualname__
        originals.append((owner, name, orig))
        setattr(owner, name, timed)

    if dsp_kernel == "compiled":  # its first call sets numba up (~0.45 s): not a block's cost
        import numpy as np

        from system_under_test import dsp
        with dsp.use_kernel("compiled"):
            dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2).process(np.zeros((256, 2), np.float32))
    for label, module, cls, method in TIMED_PARTS:
        owner = getattr(importlib.import_module(module), cls)
        if method in owner.__dict__:  # a part an older checkout does not have is not timed there
            wrap(label, owner, method)
    try:
        wrapped = faulted_run(seconds, seed, dsp_kernel=dsp_kernel)
    finally:
        for owner, name, orig in reversed(originals):
            setattr(owner, name, orig)
    plain = faulted_run(seconds, seed, dsp_kernel=dsp_kernel)
    blocks = wrapped["simulated_s"] * 48_000 / 256
    return {"seconds": seconds, "blocks": round(blocks), "load": os.getloadavg(),
            "us_per_block": {k: round(v / blocks * 1e6, 1) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])},
            "wrapped_us_per_block": round(sum(acc.values()) / blocks * 1e6, 1),
            "unwrapped_us_per_block": round(plain["simulation_cpu_s"] / blocks * 1e6, 1),
            "unwrapped_x_realtime": plain["simulation_cpu_x_realtime"], "dsp_kernel": plain["dsp_kernel"],
            "source": str(Path(sys.modules["system_under_test"].__file__).parents[1])}


def block_mix(seconds: float = 300.0, blocks: tuple[int, ...] = (64, 256, 1024), seed: int = 1,
              faults: str = "default") -> dict[str, Any]:
    """The block sizes a faulted run's callbacks actually have, per starting block size: proof
    that a run tests the configuration it was given. (Before lifecycle faults kept the run's own
    configuration, a run started at 64 or 1024 frames went on at the stock 256 after the first
    reconfiguring fault, so its speed hardly depended on its block size.) ``soundcheck run --backend sim`` (in-process, ``RunSpec.config``
    setting the starting block size, as ``runs_vs``'s ``--config``) with ``Pipeline.callback``
    counted by its ``frames``: per starting size, the callbacks and the simulated seconds (at
    48 kHz) at each size."""
    from harness import ReliabilityRun, RunSpec
    from system_under_test.pipeline import Pipeline

    original = Pipeline.__dict__["callback"]
    out: dict[str, Any] = {"seconds": seconds, "seed": seed, "faults": faults}
    for b in blocks:
        counts: Counter[int] = Counter()

        def counted(self: Any, indata: Any, outdata: Any, frames: int, stream_time: float, status: Any,
                    _counts: Counter[int] = counts) -> None:
            _counts[frames] += 1
            original(self, indata, outdata, frames, stream_time, status)

        Pipeline.callback = counted  # type: ignore[method-assign]
        try:
            with tempfile.TemporaryDirectory(prefix="bench-mix-") as tmp:
                cfg = {"stream": {"block_size": b, "latency_ms": max(20.0, 2000 * b / 48_000)}}
                ReliabilityRun(RunSpec(duration_s=seconds, seed=seed, faults=faults, config=cfg,
                                       report_root=Path(tmp))).execute()
        finally:
            Pipeline.callback = original  # type: ignore[method-assign]
        total = sum(counts.values())
        out[b] = {"callbacks": total,
                  "callbacks_by_frames": dict(sorted(counts.items())),
                  "simulated_s_by_frames": {f: round(n * f / 48_000, 1) for f, n in sorted(counts.items())}}
    out["load"] = os.getloadavg()
    return out


#: the faulted runs whose listening check's analysis calls ``analysis_vs`` replays: (faults, seed, seconds)
ANALYSIS_RUNS: tuple[tuple[str, int, float], ...] = (("default", 1, 120.0), ("hostile", 2, 60.0),
                                                     ("gentle", 3, 60.0), ("default", 7, 60.0))

_REPLAY = r"""
import hashlib, os, pickle, sys, time, dataclasses
import numpy as np
import harness.analysis as A

def canon(v):
    if dataclasses.is_dataclass(v):
        return tuple((f.name, canon(getattr(v, f.name))) for f in dataclasses.fields(v))
    if isinstance(v, np.ndarray):
        return ("arr", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(canon(e) for e in v)
    if isinstance(v, float):
        return ("f", repr(v))
    if isinstance(v, np.generic):
        return ("g", v.dtype.str, repr(v.item()))
    return v

calls = pickle.load(open(sys.argv[1], "rb"))
best, outs = float("inf"), []
for _ in range(int(sys.argv[2])):
    t0, outs = time.process_time(), []
    for x, fs, f, kw in calls:
        try:
            outs.append(canon(A.analyze_glitches(x, fs, f, **kw)))
        except A.AnalysisError as exc:
            outs.append(("error", str(exc)))
    best = min(best, time.process_time() - t0)
print(best, hashlib.sha256(repr(outs).encode()).hexdigest(), A.__file__)
"""


def analysis_vs(other: str, rounds: int = 3, repeat: int = 2) -> dict[str, Any]:
    """The listening check's analysis alone, this checkout against ``other``: every
    ``analyze_glitches`` call of the runs in ``ANALYSIS_RUNS`` (``soundcheck run`` in-process,
    this checkout) is captured with its arguments, then replayed by a child per checkout,
    alternately (``rounds`` each, best of ``repeat`` inside): CPU us per 256 analysed frames, and
    a digest of every result (report fields and glitches, floats by ``repr``, arrays by bytes) so
    that equal digests prove the two analyses return the same results on this material."""
    import pickle

    from harness import ReliabilityRun, RunSpec
    from harness import audio_check

    calls: list[tuple[Any, ...]] = []
    original = audio_check.analyze_glitches

    def capture(x: Any, fs: int, f: Any = None, **kw: Any) -> Any:
        calls.append((x.copy(), fs, f, kw))
        return original(x, fs, f, **kw)

    audio_check.analyze_glitches = capture
    try:
        with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
            for faults, seed, seconds in ANALYSIS_RUNS:
                ReliabilityRun(RunSpec(duration_s=seconds, seed=seed, faults=faults, report_root=Path(tmp))).execute()
            frames = sum(c[0].size for c in calls)
            pkl = Path(tmp) / "calls.pkl"
            pkl.write_bytes(pickle.dumps(calls))
            sources = {"this": str(Path(__file__).resolve().parents[1]), "other": str(Path(other).resolve())}
            got: dict[str, list[float]] = {k: [] for k in sources}
            digests: dict[str, set[str]] = {k: set() for k in sources}
            for _ in range(rounds):
                for name, src in sources.items():
                    out = subprocess.run([sys.executable, "-c", _REPLAY, str(pkl), str(repeat)], capture_output=True,
                                         text=True, check=True, cwd=tmp, env={**os.environ, "PYTHONPATH": src}).stdout
                    cpu, digest, path = out.split()
                    assert path.startswith(src), path
                    got[name].append(round(float(cpu) / frames * 256 * 1e6, 2))
                    digests[name].add(digest)
    finally:
        audio_check.analyze_glitches = original
    return {"calls": len(calls), "frames": frames, "runs": [list(r) for r in ANALYSIS_RUNS],
            **{name: {"us_per_256_frames_median": statistics.median(v), "us_per_256_frames": v,
                      "source": sources[name]} for name, v in got.items()},
            "same_results": len(digests["this"] | digests["other"]) == 1, "load": os.getloadavg()}


#: the runs ``audio_vs`` compares: (faults, seed, mutant or None); the mutants are the shipped ones
#: whose damage the listening check (``clean_audio``) is there to hear
AUDIO_RUNS: tuple[tuple[str, int, str | None], ...] = tuple(
    [(faults, seed, None) for faults in ("gentle", "default", "hostile") for seed in (1, 2, 3, 4, 5, 7, 11, 13)]
    + [("default", seed, mutant) for mutant in ("ring_loses_frame", "illegal_transition") for seed in (1, 2, 3)])


def audio_vs(other: str, seconds: float = 60.0, runs: tuple[tuple[str, int, str | None], ...] = AUDIO_RUNS
             ) -> dict[str, Any]:
    """The listening check's findings, this checkout against ``other``: ``soundcheck run --backend
    sim --json`` per run of ``runs`` with each checkout's ``PYTHONPATH``, comparing the summary's
    ``audio`` section (every glitch with its frames, kind, size and fault window; frames analysed,
    silent, unanalysed; the channel judgement) and the ``clean_audio`` verdict. Equal sections
    mean the two analyses heard the same thing on these runs."""
    sources = {"this": str(Path(__file__).resolve().parents[1]), "other": str(Path(other).resolve())}
    same, differ, verdicts = 0, [], Counter()
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        for faults, seed, mutant in runs:
            got = {}
            for name, src in sources.items():
                cmd = _soundcheck() + ["run", "--backend", "sim", "--duration", str(seconds), "--seed", str(seed),
                                       "--faults", faults, "--report-dir", str(Path(tmp) / name), "--json"]
                if mutant:
                    cmd += ["--mutant", mutant]
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp,
                                      env={**os.environ, "PYTHONPATH": src,
                                           "SOUNDCHECK_HISTORY_DB": str(Path(tmp) / "h.sqlite")})
                summary = json.loads(proc.stdout[proc.stdout.index("{"):])
                got[name] = (summary.get("audio"), summary["invariant_status"].get("clean_audio"), proc.returncode)
            if got["this"] == got["other"]:
                same += 1
                verdicts[f"{got['this'][1]} ({mutant or faults})"] += 1
            else:
                differ.append([faults, seed, mutant])
    return {"runs": len(runs), "same": same, "differ": differ, "clean_audio": dict(verdicts),
            "seconds": seconds, "load": os.getloadavg(), "sources": sources}


def filter_calls(block: int = 256, channels: int = 2, number: int = 3000) -> dict[str, float]:
    """CPU microseconds per call of a biquad's filter on one block (best of 3): ``dsp.Biquad`` (numpy
    alone: chunked state-space products), scipy's public ``lfilter`` with its state, and the public
    ``sosfilt`` for one and for three sections (the issue's one-call cascade). scipy's private C
    kernel behind ``lfilter`` is not measured: the system no longer calls a private scipy API."""
    import timeit

    import numpy as np
    from scipy import signal

    from system_under_test import dsp

    b, a = dsp.biquad_coefficients("lowpass", 1000.0, 0.707, 0.0, 48_000)
    x = np.random.default_rng(1).standard_normal((block, channels)).astype(np.float32)
    zi = np.zeros((2, channels))
    sos1 = np.concatenate([b, a])[None, :]
    sos3 = np.repeat(sos1, 3, axis=0)
    z1, z3 = np.zeros((1, 2, channels)), np.zeros((3, 2, channels))
    stage = dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, channels)
    work = x.copy()
    calls: dict[str, Any] = {
        "dsp.Biquad (numpy)": lambda: stage.process(work),  # in place; a lowpass keeps it bounded
        "lfilter public": lambda: signal.lfilter(b, a, x, axis=0, zi=zi),
        "sosfilt public, 1 section": lambda: signal.sosfilt(sos1, x, axis=0, zi=z1),
        "sosfilt public, 3 sections": lambda: signal.sosfilt(sos3, x, axis=0, zi=z3),
    }
    # CPU time, not wall: on a shared machine a wall figure measures the wait for a core
    return {name: round(min(timeit.repeat(fn, number=number, repeat=3, timer=time.process_time)) / number * 1e6, 1)
            for name, fn in calls.items()}


def chain_call(block: int = 256, kernel: str = "compiled", number: int = 2000) -> float:
    """CPU microseconds per ``DspChain.process`` of the default chain (gain, biquad, limiter) on one
    (block, 2) float32 block, stages built with ``kernel`` (best of 5; the chain's kernel warmed
    first): the DSP row of a block's cost, alone."""
    import timeit

    import numpy as np

    from system_under_test import dsp

    with dsp.use_kernel(kernel):
        chain = dsp.DspChain([dsp.Gain(-3.0), dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2),
                              dsp.Limiter(-1.0, 50.0, 48_000, block)])
    x = (0.5 * np.random.default_rng(1).standard_normal((block, 2))).astype(np.float32)
    work = x.copy()

    def call() -> None:
        work[...] = x  # the same block every call (a copy into place, ~0.3 us, in the figure)
        chain.process(work)

    call()
    return min(timeit.repeat(call, number=number, repeat=5, timer=time.process_time)) / number * 1e6


def chain_vs(other: str, blocks: tuple[int, ...] = (64, 256, 1024), kernel: str = "compiled",
             rounds: int = 5) -> dict[str, Any]:
    """``chain_call`` by block size in child processes importing ``system_under_test`` from this
    checkout and from ``other`` alternately (``rounds`` children each): the median per block size."""
    sources = {"this": str(Path(__file__).resolve().parents[1]), "other": str(Path(other).resolve())}
    here = str(Path(__file__).resolve().parent)
    got: dict[str, dict[int, list[float]]] = {k: {b: [] for b in blocks} for k in sources}
    for _ in range(rounds):
        for name, src in sources.items():
            code = ("import json, sys; sys.path.insert(0, %r); import bench_sim, system_under_test; "
                    "assert system_under_test.__file__.startswith(%r), system_under_test.__file__; "
                    "print(json.dumps({b: bench_sim.chain_call(b, %r) for b in %r}))"
                    % (here, src, kernel, list(blocks)))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=tempfile.gettempdir(), env={**os.environ, "PYTHONPATH": src}).stdout
            for b, us in json.loads(out.strip().splitlines()[-1]).items():
                got[name][int(b)].append(round(us, 2))
    return {name: {b: {"median_us": statistics.median(v), "us": v} for b, v in per.items()} | {"source": sources[name]}
            for name, per in got.items()} | {"load": os.getloadavg(), "kernel": kernel}


def run(seconds: float = 30.0, quick: bool = False) -> dict[str, Any]:
    speed(1.0)  # warm up: first-use costs (imports, caches, page faults) out of the figures
    out: dict[str, Any] = {"x_realtime_256_default": speed(seconds)}
    out["by_block"] = {b: speed(seconds / 2, b) for b in (64, 128, 256, 512, 1024)}
    out["by_chain"] = {c: speed(seconds / 2, 256, c) for c in CHAINS}
    out["faulted"] = faulted_run(60.0 if quick else 600.0)
    out["cpu_us_per_block"] = {b: round(cpu_per_block(5.0 if quick else 10.0, b), 1) for b in (64, 256, 1024)}
    out["startup"] = startup(5)
    out["breakdown"] = breakdown(60.0 if quick else 120.0)
    out["filter_call_us"] = filter_calls()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true", help="a 60 s faulted run instead of 600 s")
    ap.add_argument("--startup", action="store_true",
                    help="only the whole-process row (soundcheck run --backend sim --duration 60, median of 5)")
    ap.add_argument("--startup-vs", metavar="CHECKOUT",
                    help="the whole-process CPU of this checkout and CHECKOUT, alternately (median of 5 each)")
    ap.add_argument("--runs-vs", metavar="CHECKOUT", nargs="?", const="",
                    help="soundcheck run --backend sim at 64/256/1024-frame blocks (300 s, default faults), "
                         "this checkout and CHECKOUT alternately")
    ap.add_argument("--timed-breakdown", action="store_true",
                    help="CPU us per 256-frame block by part of a faulted 120 s run (timers, not sampling)")
    ap.add_argument("--analysis-vs", metavar="CHECKOUT",
                    help="the listening check's analysis calls of four faulted runs replayed by this checkout and "
                         "CHECKOUT alternately: CPU per 256 frames, and whether the results are the same")
    ap.add_argument("--blocks-vs", metavar="CHECKOUT",
                    help="CPU us per block of the bare system at 64/256/1024 frames, this checkout and CHECKOUT "
                         "alternately (--dsp-kernel compiled: with the compiled kernels and stretches)")
    ap.add_argument("--audio-vs", metavar="CHECKOUT",
                    help="the listening check's findings (summary 'audio' section, clean_audio verdict) of 30 "
                         "runs (24 seeds x profiles, 6 mutant runs), this checkout against CHECKOUT")
    ap.add_argument("--dsp-kernel", choices=("auto", "numpy", "compiled"), default="auto",
                    help="--timed-breakdown's DSP kernels (RunSpec.dsp_kernel; auto: numpy under 600 s)")
    ap.add_argument("--chain-vs", metavar="CHECKOUT",
                    help="the default DSP chain's CPU per block (--dsp-kernel, compiled by default), "
                         "this checkout against another, alternately")
    ap.add_argument("--block-mix", action="store_true",
                    help="the block sizes a faulted run's callbacks have, starting at 64/256/1024 frames")
    args = ap.parse_args()
    if args.audio_vs:
        print(json.dumps(audio_vs(args.audio_vs), indent=1))
        return
    if args.chain_vs:
        print(json.dumps(chain_vs(args.chain_vs, kernel="numpy" if args.dsp_kernel == "numpy" else "compiled"),
                         indent=1))
        return
    if args.block_mix:
        print(json.dumps(block_mix(args.seconds if args.seconds != 30.0 else 300.0), indent=1))
        return
    if args.runs_vs is not None:
        print(json.dumps(runs_vs(args.runs_vs or None), indent=1))
        return
    if args.timed_breakdown:
        print(json.dumps(timed_breakdown(args.seconds if args.seconds != 30.0 else 120.0,
                                         dsp_kernel=args.dsp_kernel), indent=1))
        return
    if args.analysis_vs:
        print(json.dumps(analysis_vs(args.analysis_vs), indent=1))
        return
    if args.blocks_vs:
        print(json.dumps(blocks_vs(args.blocks_vs, kernel="compiled" if args.dsp_kernel == "compiled" else "numpy"),
                         indent=1))
        return
    if args.startup_vs:
        print(json.dumps(startup_vs(args.startup_vs), indent=1))
        return
    if args.startup:
        st = startup(5)
        print(f"soundcheck run --backend sim --duration 60, whole process, median of {st['runs']}: "
              f"{st['wall_median_s']} s wall, {st['cpu_median_s']} s CPU (runs: {st['cpus']} s CPU)")
        return
    r = run(args.seconds, args.quick)
    f = r["faulted"]
    print(f"soundcheck run, default faults, {f['simulated_s']:.0f} s: {f['run_x_realtime']:.0f}x real time "
          f"(end to end with checks and reports {f['end_to_end_x_realtime']:.0f}x), ok={f['ok']}")
    print(f"simulated 48 kHz stereo, 256-frame blocks, default chain: {r['x_realtime_256_default']:.0f}x real time")
    print("block size   x real time")
    for b, v in r["by_block"].items():
        print(f"{b:>10}   {v:10.0f}")
    print("chain        x real time (256 frames)")
    for c, v in r["by_chain"].items():
        print(f"{c:>10}   {v:10.0f}")
    print("CPU us per block (bare system):", r["cpu_us_per_block"])
    st = r["startup"]
    print(f"soundcheck run --backend sim --duration 60, whole process, median of {st['runs']}: "
          f"{st['wall_median_s']} s wall, {st['cpu_median_s']} s CPU")
    print("biquad filter call, us (256 x 2):", r["filter_call_us"])
    bd = r["breakdown"]
    if "skipped" in bd:
        print("breakdown:", bd["skipped"])
    else:
        print(f"one 256-frame block of the faulted run: {bd['us_per_block_total']} us CPU")
        for part, us in bd["us_per_block"].items():
            print(f"  {us:6.1f} us  {part}")
        print("process phases (sampled share):", bd["phase_share"])


if __name__ == "__main__":
    main()
