"""The listening check's analyses of a soak, recorded once and replayed: their CPU and their answers.

A soak's analysis (``analyze_glitches`` called by ``AudioCheck._process``, ~2 700 times a simulated
hour) is the largest part of its simulation (bench/RESULTS.md, issue #17); timing it inside a
soak mixes it with everything else and with the machine's load. This records the takes once::

    PYTHONPATH=$PWD .venv/bin/python bench/analysis_replay.py record DIR --takes 120 -- \\
        soak --backend sim --duration 10m --seed 1 --no-progress --run-dir /tmp/rr

(the command after ``--`` is any ``soundcheck`` command; the first ``--takes`` calls are saved to
``DIR/take-NNNN.npz`` with their arguments), then replays them::

    PYTHONPATH=$PWD .venv/bin/python bench/analysis_replay.py replay DIR [--rounds 3]

which prints the thread CPU of all the takes, round by round (``time.thread_time``: the load
does not enter it, but a busy machine's caches do), and the SHA-256 of every report's
``to_dict`` in order: two trees whose digests agree gave the same answers on every take. The
replay runs under ``use_kernel("compiled")``, as a soak's analysis does.

``--per-take`` also times each take alone (its least thread CPU over the rounds, which the
machine's load inflates least) and fits that as a fixed cost a take plus a cost a frame: the
fixed part is what analysing a ring's stretches of sound in one call instead of one call each
could save at most (the numpy calls a take makes whatever its length), the per-frame part what
it could not.

``--parts _fine_events,_clipped_stretches,...`` also weighs those functions of
``harness.analysis`` (each call's thread CPU, summed over the rounds after the first, which
loads the kernels; parts nest, so read a part called inside another as "of which"). Why not
py-spy: it samples wall time, and at load 40-60 it put 17 % of ``_fine_events``' samples on the
compiled ``sliding_lines`` call, which this weighs at 3 % of its CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's harness, without PYTHONPATH


def record(folder: Path, takes: int, argv: list[str]) -> int:
    """Run ``soundcheck argv`` with the listening check's ``analyze_glitches`` saving its first
    ``takes`` calls' arguments in ``folder``."""
    from harness import audio_check  # noqa: PLC0415 - wrapped before the command imports it

    folder.mkdir(parents=True, exist_ok=True)
    original = audio_check.analyze_glitches
    saved = [0]

    def saving(samples: Any, sample_rate: int, frequency_hz: float | None = None, **kw: Any) -> Any:
        if saved[0] < takes:
            block_power = kw.get("block_power")
            meta = {k: v for k, v in kw.items() if k != "block_power"}
            np.savez(folder / f"take-{saved[0]:04d}.npz", samples=np.asarray(samples),
                     block_power=np.zeros(0) if block_power is None else np.asarray(block_power),
                     has_power=block_power is not None,
                     meta=json.dumps({"sample_rate": sample_rate, "frequency_hz": frequency_hz, **meta}))
            saved[0] += 1
        return original(samples, sample_rate, frequency_hz, **kw)

    audio_check.analyze_glitches = saving  # type: ignore[assignment]
    from harness.cli import main as soundcheck  # noqa: PLC0415

    code = soundcheck(argv)
    print(f"saved {saved[0]} takes in {folder}", file=sys.stderr)
    return code


def load(folder: Path) -> list[tuple[np.ndarray, int, float | None, dict[str, Any]]]:
    """The saved takes, in order: (samples, sample rate, frequency, the other keywords)."""
    out = []
    for path in sorted(folder.glob("take-*.npz")):
        with np.load(path) as f:
            meta = json.loads(str(f["meta"]))
            kw = {k: v for k, v in meta.items() if k not in ("sample_rate", "frequency_hz")}
            if bool(f["has_power"]):
                kw["block_power"] = f["block_power"].copy()
            out.append((f["samples"].copy(), int(meta["sample_rate"]), meta["frequency_hz"], kw))
    return out


def answer(report_or_error: Any) -> str:
    """What a take's analysis said, as text: its report's dict, or its refusal."""
    if isinstance(report_or_error, Exception):
        return f"{type(report_or_error).__name__}: {report_or_error}"
    return json.dumps(report_or_error.to_dict(include_waveforms=True), sort_keys=True, default=repr)


def fixed_and_per_frame(frames: np.ndarray, seconds: np.ndarray) -> tuple[float, float]:
    """The least-squares line ``seconds = fixed + per_frame * frames`` over the takes: (fixed
    seconds a take, seconds a frame)."""
    design = np.column_stack((np.ones(frames.size), frames.astype(np.float64)))
    (fixed, per_frame), *_ = np.linalg.lstsq(design, seconds.astype(np.float64), rcond=None)
    return float(fixed), float(per_frame)


def weigh(names: list[str]) -> dict[str, list[float]]:
    """Wrap each named function of ``harness.analysis`` (looked up by the analyser at each call)
    so that its calls add their thread CPU and count to the returned table."""
    from harness import analysis  # noqa: PLC0415

    table: dict[str, list[float]] = {}
    for name in names:
        func = getattr(analysis, name)
        row = table[name] = [0.0, 0.0]

        def timed(*args: Any, _func: Any = func, _row: list[float] = row, **kw: Any) -> Any:
            t0 = time.thread_time()
            try:
                return _func(*args, **kw)
            finally:
                _row[0] += time.thread_time() - t0
                _row[1] += 1

        setattr(analysis, name, timed)
    return table


def replay(folder: Path, rounds: int, parts: list[str], per_take: bool = False) -> int:
    from harness import analysis  # noqa: PLC0415
    from harness.analysis import AnalysisError, analyze_glitches, use_kernel  # noqa: PLC0415

    if not folder.is_dir():
        print(f"{folder}: not a folder of recorded takes; record some first (see this file's docstring)",
              file=sys.stderr)
        return 2
    unknown = [name for name in parts if not callable(getattr(analysis, name, None))]
    if unknown:
        print(f"--parts: {', '.join(unknown)} is no function of harness.analysis; name functions it defines",
              file=sys.stderr)
        return 2
    try:
        takes = load(folder)
    except (OSError, ValueError, KeyError) as exc:
        print(f"{folder}: a take there cannot be read ({exc}); record the takes again", file=sys.stderr)
        return 2
    table = weigh(parts)
    if not takes:
        print(f"{folder}: no take-*.npz here; record some first (see this file's docstring)", file=sys.stderr)
        return 2
    frames = sum(t[0].size for t in takes)
    with use_kernel("compiled"):
        for samples, fs, f, kw in takes[:1]:  # the kernels' one-off load, outside the timing
            try:
                analyze_glitches(samples, fs, f, **kw)
            except AnalysisError:
                pass
        for row in table.values():
            row[:] = [0.0, 0.0]
        least = np.full(len(takes), np.inf)
        for r in range(rounds):
            reports: list[Any] = []
            t0 = time.thread_time()
            for i, (samples, fs, f, kw) in enumerate(takes):
                t_take = time.thread_time() if per_take else 0.0
                try:
                    reports.append(analyze_glitches(samples, fs, f, **kw))
                except AnalysisError as exc:
                    reports.append(exc)
                if per_take:
                    least[i] = min(least[i], time.thread_time() - t_take)
            cpu = time.thread_time() - t0
            digest = hashlib.sha256()
            for rep in reports:
                digest.update(answer(rep).encode() + b"\n")
            print(f"round {r + 1}: {len(takes)} takes, {frames / 48_000:.1f} s of audio, "
                  f"{cpu:.3f} s CPU ({1e3 * cpu / len(takes):.2f} ms a take); "
                  f"answers {digest.hexdigest()[:16]}")
    if per_take:
        sizes = np.array([t[0].size for t in takes])
        fixed, per_frame = fixed_and_per_frame(sizes, least)
        print(f"each take alone, its least CPU of {rounds} rounds: {least.sum():.3f} s in all; fitted "
              f"{1e3 * fixed:.3f} ms a take + {1e9 * per_frame:.1f} ns a frame (the fixed part "
              f"{fixed * len(takes) / least.sum():.0%} of the takes' CPU; frames a take: median "
              f"{np.median(sizes):.0f}, 10th-90th percentile {np.percentile(sizes, 10):.0f}-"
              f"{np.percentile(sizes, 90):.0f})")
    for name, (seconds, calls) in sorted(table.items(), key=lambda kv: -kv[1][0]):
        per_take = 1e3 * seconds / (rounds * len(takes))
        print(f"  {name}: {seconds:.3f} s CPU, {int(calls)} calls, {per_take:.3f} ms a take")
    return 0


def main(argv: list[str]) -> int:
    if "--" in argv:
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    else:
        command = []
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("record", "replay"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--takes", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-take", action="store_true",
                        help="time each take alone and fit a fixed cost a take plus a cost a frame")
    parser.add_argument("--parts", default="", help="functions of harness.analysis to weigh, comma-separated")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.takes < 1:
        parser.error("--rounds and --takes count from 1")
    if args.mode == "record":
        if not command:
            parser.error("record needs the soundcheck command after --")
        return record(args.folder, args.takes, command)
    return replay(args.folder, args.rounds, [p for p in args.parts.split(",") if p], args.per_take)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
