"""False-alarm matrix of the ``clean_audio`` verdict: the healthy system under the built-in fault
profiles at many seeds. Target: 0 runs where ``clean_audio`` is violated (a glitch, or a frame
counted lost, outside every fault window), and no window whose counters and audio disagree.

    .venv/bin/python bench/bench_clean_audio.py [--seeds 1-100] [--profiles gentle,default,hostile]
                                                 [--duration 30]

Also prints, per profile, the glitches found inside fault windows, the frames analysed, the fault
windows where a state change flushed frames from the rings (``frames_flushed``) and how many of them
the analysis heard nothing in (a seamless restart: not a violation), and the latest a glitch ended
after its window's last member (``max_settle_s``): how much of the settle margin
(``harness.audio_check.SETTLE_MARGIN_S``) was used, and the largest residual of a channel that
agreed with the analysed one (``channel_residual_max``, against ``CHANNEL_TOLERANCE``). One line per
false alarm names the seed and the evidence, and the command to replay it.

    .venv/bin/python bench/bench_clean_audio.py --channel-pops
    .venv/bin/python bench/bench_clean_audio.py --channel-cost 7

prints instead the sensitivity of channel agreement (``harness.audio_check.CHANNEL_TOLERANCE``): a
pop of each size planted on output channel 1 alone at several positions of a run without faults,
and per size how many were found (a "channel" glitch on channel 1 outside every window, failing
the run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.audio_check import CHANNEL_TOLERANCE, SETTLE_MARGIN_S  # noqa: E402
from harness import ReliabilityRun, RunSpec  # noqa: E402


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def channel_pops(sizes: list[float], positions: int) -> int:
    """Pops on channel 1 alone: per size, how many of ``positions`` were found."""
    import numpy as np

    from harness.audio_check import CHANNEL_FLOOR, CHANNEL_TOLERANCE
    from harness.faults import Schedule
    from system_under_test import AudioSystem
    from system_under_test.dsp import Stage

    class _Pop(Stage):
        kind = "pop"

        def __init__(self, size: float, at_block: int, at_frame: int) -> None:
            self.size, self.at_block, self.at_frame, self.n = size, at_block, at_frame, 0

        def process(self, block: np.ndarray) -> np.ndarray:
            self.n += 1
            if self.n == self.at_block:
                block[self.at_frame, 1] += np.float32(self.size)
            return block

    print(f"channel agreement: tolerance {CHANNEL_TOLERANCE} of the analysed block's RMS + {CHANNEL_FLOOR} "
          f"(harness.audio_check); a pop on channel 1 alone, {positions} positions per size, no faults")
    smallest = None
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            found = 0
            for k in range(positions):
                at_block, at_frame = 300 + 97 * k, (37 * k + 11) % 256

                def build(config: object = None, _s: float = size, _b: int = at_block, _f: int = at_frame,
                          **kw: object) -> AudioSystem:
                    system = AudioSystem(config, **kw)
                    original = system._build

                    def _build(*a: object, **k2: object) -> None:
                        original(*a, **k2)
                        if system._pipeline is not None:
                            system._pipeline.chain.add_stage(_Pop(_s, _b, _f))
                    system._build = _build  # type: ignore[method-assign]
                    return system

                spec = RunSpec(duration_s=4.0, seed=k + 1, faults="none", run_dir=Path(tmp) / f"p{size}-{k}")
                run = ReliabilityRun(spec, system_factory=build)
                run.schedule = Schedule.fixed([])
                result = run.execute(reports=False)
                items = result.summary["audio"]["outside"]["items"]
                found += any(g["kind"] == "channel" and g.get("channel") == 1 for g in items)
            print(f"  pop {size:<7g} found {found}/{positions}")
            if found == positions and smallest is None:
                smallest = size
            elif found < positions:
                smallest = None
    print(f"smallest pop always found (every larger size too): {smallest}")
    return 0


def channel_cost(pairs: int) -> int:
    """CPU of a 120 s faulted run (seed 2) with and without channel agreement, alternating in one
    process (``_judge_channels`` replaced by a no-op for "without"): what the check costs."""
    import statistics

    from harness import audio_check

    judge = audio_check.AudioCheck._judge_channels
    cpu: dict[str, list[float]] = {"with": [], "without": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(pairs):
            for mode in cpu:
                audio_check.AudioCheck._judge_channels = judge if mode == "with" else (  # type: ignore[method-assign]
                    lambda self, *a, **k: None)
                run = ReliabilityRun(RunSpec(duration_s=120, seed=2, run_dir=Path(tmp) / f"{mode}{i}"))
                t0 = time.process_time()
                run.execute(reports=False)
                cpu[mode].append(time.process_time() - t0)
    audio_check.AudioCheck._judge_channels = judge  # type: ignore[method-assign]
    for mode, values in cpu.items():
        print(f"{mode:<8} channel agreement: median {statistics.median(values):.3f} s CPU per 120 s run "
              f"{[round(v, 3) for v in values]}")
    extra = statistics.median(cpu["with"]) - statistics.median(cpu["without"])
    print(f"channel agreement costs {extra:+.3f} s CPU per 120 s run ({1e6 * extra / (120 * 48_000 / 256):+.1f} us "
          "per 256-frame block)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1-100")
    ap.add_argument("--profiles", default="gentle,default,hostile")
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--channel-pops", action="store_true", help="the sensitivity of channel agreement instead")
    ap.add_argument("--positions", type=int, default=8)
    ap.add_argument("--channel-cost", type=int, default=0, metavar="PAIRS",
                    help="the CPU channel agreement costs instead (PAIRS alternating runs)")
    args = ap.parse_args(argv)
    if args.channel_cost:
        return channel_cost(args.channel_cost)
    if args.channel_pops:
        return channel_pops([0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02, 0.03], args.positions)
    seeds = _seeds(args.seeds)
    total_false = 0
    runs = 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for profile in args.profiles.split(","):
            false = 0
            inconsistent = 0
            unexplained = 0
            inconclusive = 0
            glitches: Counter[str] = Counter()
            analysed = frames = 0
            settle = 0.0
            residual = 0.0
            windows = 0
            split = 0
            flushed = seamless = 0  # windows with frames a state change flushed; of them, heard nothing
            for seed in seeds:
                spec = RunSpec(duration_s=args.duration, seed=seed, faults=profile,
                               run_dir=Path(tmp) / f"{profile}-{seed}")
                run = ReliabilityRun(spec)
                result = run.execute(reports=False)
                runs += 1
                v = next(v for v in result.verdicts if v.name == "clean_audio")
                a = result.summary["audio"]
                glitches.update(a["glitches"]["by_kind"])
                analysed += a["frames"]["analysed"]
                frames += a["frames"]["timeline"]
                settle = max(settle, a["max_settle_s"])
                residual = max(residual, a["signal"].get("channel_residual_max", 0.0))
                windows += a["windows"]["total"]
                inconsistent += a["windows"]["inconsistent_count"]
                unexplained += a["windows"]["unexplained_count"]
                inconclusive += bool(v.inconclusive)
                for w in a["windows"]["items"]:  # the first detail_limit windows of the run
                    if w.get("frames_flushed") and w["kind"] != "requested":
                        flushed += 1
                        seamless += not w["glitches"]
                acc = a["accounting"]
                if (acc["dropped_in_windows"] + acc["dropped_outside"], acc["inserted_in_windows"]
                        + acc["inserted_outside"]) != (result.summary["frames"]["dropped"],
                                                       result.summary["frames"]["inserted"]):
                    split += 1
                    print(f"  ACCOUNTING SPLIT {profile} seed {seed}: {acc} vs {result.summary['frames']}")
                if not v.ok:
                    false += 1
                    print(f"  FALSE ALARM {profile} seed {seed}: {v.message}\n    "
                          + "\n    ".join(map(str, v.evidence[:5]))
                          + f"\n    replay: soundcheck run --faults {profile} --seed {seed} "
                            f"--duration {args.duration:g}", flush=True)
            total_false += false
            print(f"{profile:8s} runs={len(seeds)} false_clean_audio={false} inconsistent_windows={inconsistent} "
                  f"unexplained_windows={unexplained} "
                  f"inconclusive={inconclusive} accounting_split={split} windows={windows} "
                  f"flushed_windows={flushed} of_them_silent={seamless} glitches_in_windows={sum(glitches.values())} "
                  f"{dict(sorted(glitches.items()))} analysed={analysed / max(frames, 1):.1%} "
                  f"max_settle_s={settle:.3f} (margin {SETTLE_MARGIN_S}) "
                  f"channel_residual_max={residual:.2g} (tolerance {CHANNEL_TOLERANCE})", flush=True)
    print(f"total: {runs} healthy runs x {args.duration:g} s, {total_false} false clean_audio violation(s), "
          f"{time.perf_counter() - t0:.0f} s wall")
    return 1 if total_false else 0


if __name__ == "__main__":
    raise SystemExit(main())
