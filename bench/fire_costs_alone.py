"""What a firing's pieces cost alone, by thread CPU, away from a soak: a fault's two history
records, the record's copy for them, a pipeline built and released, its DSP chain, and the
resource sampler's four ``/proc`` reads.

    PYTHONPATH=$PWD .venv/bin/python bench/fire_costs_alone.py [--calls N] [--rounds R]

prints, for each piece, the microseconds a call of each round (sorted). Why: inside a soak on a
loaded machine the thread-CPU clock charges a small function with the cache misses of every
process beside it (``bench/fire_parts.py``'s rows at load ~30 are 3-8 times these figures), so
a lever on one of them is weighed here first: a piece that costs microseconds alone is no
lever however large its row reads at load. A benchmark: it prints figures and never fails on a
slow machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path


def per_call_us(fn: Callable[[], object], calls: int, rounds: int) -> list[float]:
    """Thread CPU microseconds a call of ``fn``, one figure a round of ``calls`` calls, sorted."""
    out = []
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(calls):
            fn()
        out.append((time.thread_time() - t0) / calls * 1e6)
    return sorted(out)


def pieces(folder: Path, stack: ExitStack) -> dict[str, Callable[[], object]]:
    """The pieces weighed, each a call with no arguments, built on the default configuration;
    what they hold open (the history's stream) is closed by ``stack``."""
    import psutil  # noqa: PLC0415 - after the environment is set

    from harness.faults.injector import FaultRecord  # noqa: PLC0415
    from harness.history import History  # noqa: PLC0415
    from system_under_test.clock import VirtualClock  # noqa: PLC0415
    from system_under_test.config import AudioConfig  # noqa: PLC0415
    from system_under_test.dsp import DspChain  # noqa: PLC0415
    from system_under_test.monitoring import MonitoringCoordinator  # noqa: PLC0415
    from system_under_test.pipeline import Pipeline  # noqa: PLC0415
    from system_under_test.resources import ResourceManager  # noqa: PLC0415

    history = History(clock=VirtualClock(), stream_to=folder / "history.jsonl", keep=5000)
    stack.callback(history.close)
    # a soak's usual record (a buffer_exhaustion firing of seed 1's first minute)
    record = FaultRecord("buffer_exhaustion#1@2", "buffer_exhaustion#1", "buffer_exhaustion", "dsp",
                         "At(time=1.768315)", 1.768315, None, True, 0.46132840270785935, {},
                         {"duration_s": 0.46132840270785935, "target": "dsp", "mode": "pool",
                          "resource": "buffers"})
    config = AudioConfig()
    resources, monitoring = ResourceManager(), MonitoringCoordinator()
    process = psutil.Process()
    process.cpu_percent(interval=None)

    def pipeline() -> None:
        Pipeline(config, resources, monitoring, simulated=True).release()

    def proc_reads() -> None:  # ``ResourceSampler.sample``'s reads of the process
        with process.oneshot():
            process.memory_info()
            process.num_threads()
            process.num_fds()
            process.cpu_percent(interval=None)

    return {
        "History.fault_started (one fault line)": lambda: history.fault_started(record),
        "FaultRecord.to_dict": record.to_dict,
        "Pipeline built and released": pipeline,
        "DspChain.from_config": lambda: DspChain.from_config(config.dsp, config.stream.sample_rate,
                                                             config.stream.block_size,
                                                             config.device.input_channels),
        "ResourceSampler's /proc reads": proc_reads,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls a round (default 2000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.rounds < 1:
        print("fire_costs_alone: --calls and --rounds take a whole number of at least 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        for name, fn in pieces(Path(folder), stack).items():
            figures = per_call_us(fn, args.calls, args.rounds)
            print(f"{name:40s} " + " / ".join(f"{v:.1f}" for v in figures) + " us a call")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
