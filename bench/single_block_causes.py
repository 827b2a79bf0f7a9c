"""Why a simulated run's blocks go one at a time instead of in stretches: a count by cause.

    PYTHONPATH=$PWD .venv/bin/python bench/single_block_causes.py soak --backend sim --duration 10m \\
        --seed 1 --no-progress --run-dir DIR

runs the command (anything ``soundcheck`` takes) and prints to stderr, at exit, how many blocks
the simulated device delivered one by one (``SimulatedStream._deliver``) and why, by the first
cause that holds at the block: a starved device, the block after a stall, a corrupted callback
pending, a flagged (late) block, a callback that is no pipeline's, or the pipeline not ready for a
stretch (``Pipeline.stretch_ready``'s conditions, the first that fails), else "ready" (the
stretch would have been under two blocks, or a deferral refused it).

Why: a block of a stretch costs a few list appends; a block on its own costs a device delivery,
a whole ``Pipeline.callback`` and the listening check's per-block tap (issue #17: which of them
a stretch could take is a question of these counts).
"""

from __future__ import annotations

import atexit
import collections
import os
import sys
from typing import Any


def cause(stream: Any, status: Any, clean: Any) -> str:
    """The first reason that holds for ``stream``'s block delivered one by one with ``status``."""
    devices = stream._devices
    if any(d.starved for d in devices):
        return "starved input"
    if stream._after_stall:
        return "first block after a stall"
    if any(d.corrupt_callbacks for d in devices):
        return "corrupted callback pending"
    if status is not clean and status.any():
        return "flagged (late) block"
    pipeline = stream._stretch_owner
    if pipeline is None:
        return "callback of no pipeline"
    if pipeline.stretch_ready():
        return "ready (a stretch under two blocks, or a deferral refused)"
    if getattr(pipeline.chain, "blockwise", None) is None:
        return "not ready: chain not blockwise"
    if not pipeline.capturing:
        return "not ready: not capturing"
    if pipeline.pool_dry:
        return "not ready: buffer pool dry"
    if pipeline.input_ring.fill:
        return "not ready: input ring holds frames"
    if pipeline.output_ring.fill + pipeline.block_size > pipeline.max_output_backlog:
        return "not ready: output ring over the backlog"
    return "not ready: other"


def main(argv: list[str]) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as soundcheck sets it: before numpy loads
    from system_under_test.devices import simulated  # noqa: PLC0415

    counts: collections.Counter[str] = collections.Counter()
    deliver = simulated.SimulatedStream._deliver

    def counted(self: Any, status: Any) -> None:
        counts[cause(self, status, simulated._CLEAN)] += 1
        deliver(self, status)

    simulated.SimulatedStream._deliver = counted  # type: ignore[method-assign]

    def table() -> None:
        print(f"blocks delivered one by one: {sum(counts.values())}", file=sys.stderr)
        for name, n in counts.most_common():
            print(f"{n:9d}  {name}", file=sys.stderr)

    atexit.register(table)
    from harness.cli import main as soundcheck  # noqa: PLC0415 - after the device is wrapped

    return soundcheck(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
