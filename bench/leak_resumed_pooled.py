"""A resumed soak's RSS verdict as the report gives it, and as the lifetimes' slopes pooled would give it.

    PYTHONPATH=$PWD .venv/bin/python bench/leak_resumed_pooled.py [--cut-every S] RUN_DIR [RUN_DIR ...]

Why: a soak none of whose process lifetimes is judged over ``harness.leak_levels.SLOPE_MIN_SPAN_S``
(30 min) after its warm-up reads ``inconclusive`` (``harness.leaks._lifetimes_too_short``), so a soak
resumed every 30 minutes gives no verdict. Two ways out were proposed: a lower minimum, or every
lifetime's slope (after its own warm-up, one level offset per lifetime) pooled into one. For the
lifetimes a folder holds, both read what the judge reads with that rule silent: the slopes are
already pooled within lifetimes (``harness.leaks.theil_sen`` pairs samples of one lifetime only), and
a minimum at or under the longest lifetime's judged span lets them through. So each row prints the
report's verdict ("rule") and the verdict with the rule silent ("pooled"), the lifetimes' judged
minutes, the verdict with the lifetimes read as one (no offset: a simulated resume replays the run, so
its lifetimes' levels are comparable, leak27's other proposal) and the counts' (threads, descriptors)
verdicts, which the rule does not reach. The report's verdict is the one ``harness.reports.build``
gives: where every resume replayed (the journal's ``resumed`` notes), the lifetimes read as one series
past each one's replay settling (``harness.leak_lifetimes``); "apart" is the verdict with each lifetime
fitted apart, the rule before.

``--cut-every S``: an uninterrupted soak read as if resumed every ``S`` seconds (each sample's
segment is its time // S): the lifetimes' pooled slopes without a replay's settling, on the many
uninterrupted soaks already recorded; the report's column reads such a soak as if every cut were a
verified replay. A bad argument or a folder that is not a soak's: exit 2,
nothing printed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from harness import leaks
from harness.journal import JournalError
from harness.leak_levels import after_warmup
from harness.reports.build import _leaks, run_data_from_journal
from harness.reports.fold import HELD_METRICS, SampleFold

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_allocator_rejudge import samples_of  # noqa: E402


@contextlib.contextmanager
def _lifetimes_rule_silent() -> Iterator[None]:
    """The judge with ``_lifetimes_too_short`` passing every verdict through: what the pooled slopes say."""
    real = leaks._lifetimes_too_short
    leaks._lifetimes_too_short = lambda v, *args, **kw: v
    try:
        yield
    finally:
        leaks._lifetimes_too_short = real


def judged_minutes(samples: list[dict[str, Any]]) -> list[float]:
    """Each lifetime's span after its warm-up (``after_warmup``, the judge's rule), in minutes."""
    t = np.array([s["t"] for s in samples], dtype=np.float64)
    g = np.array([s.get("segment", 0) for s in samples], dtype=np.int64)
    keep = after_warmup(t, g, 0.1)
    return [float(np.ptp(t[keep & (g == k)])) / 60.0 if (keep & (g == k)).any() else 0.0 for k in np.unique(g)]


def resumes_of(run_dir: Path, samples: list[dict[str, Any]], cut: bool) -> list[dict[str, Any]]:
    """The soak's ``resumed`` notes as the report reads them; for a soak cut by ``--cut-every``, one
    verified replay a cut."""
    if cut:
        return [{"mode": "replay", "verified": True}] * (len({s["segment"] for s in samples}) - 1)
    journal = run_dir / "journal.jsonl"
    if not journal.is_file():
        journal = run_dir / "run" / "journal.jsonl"
    return list(run_data_from_journal(journal).meta.get("resumed") or ())


def _mb(v: float | None) -> str:
    return "-" if v is None else f"{v / 1e6:.2f}"


#: what reading a folder that is not a soak's raises
UNREADABLE = (JournalError, OSError, KeyError, ValueError)


def soak_samples(run_dir: Path, cut_every_s: float | None) -> list[dict[str, Any]]:
    """The folder's resource samples, each in segment ``t // cut_every_s`` where that is given (an
    uninterrupted soak read as if resumed so); raises one of ``UNREADABLE`` for a folder that is not a soak's."""
    samples = samples_of(run_dir)
    if not samples:
        raise ValueError("no resource samples")
    if cut_every_s is not None:
        samples = [{**s, "segment": int(s["t"] // cut_every_s)} for s in samples]
    return samples


def parse_run_dirs(argv: list[str], description: str) -> argparse.Namespace | int:
    """``RUN_DIR ... [--cut-every S]`` parsed, or the exit code (2, with the message) for a bad argument."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("run_dirs", nargs="+", type=Path)
    parser.add_argument("--cut-every", type=float, default=None, metavar="S",
                        help="read an uninterrupted soak as resumed every S seconds")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.cut_every is not None and not args.cut_every > 0:
        print(f"--cut-every {args.cut_every}: give a positive number of seconds", file=sys.stderr)
        return 2
    return args


def each_folder(argv: list[str], description: str, read: Callable[[Path, float | None], Any]) -> list[Any] | int:
    """``read(folder, cut_every)`` of each ``RUN_DIR`` the arguments name, or the exit code (2, with the
    message: a bad argument, or a folder that is not a soak's, named with the fix)."""
    args = parse_run_dirs(argv, description)
    if isinstance(args, int):
        return args
    out = []
    for path in args.run_dirs:
        try:
            out.append(read(path, args.cut_every))
        except UNREADABLE as exc:
            print(f"{path}: not a soak's run folder ({exc}); give a folder holding journal.jsonl", file=sys.stderr)
            return 2
    return out


def steps_column(samples: list[dict[str, Any]]) -> str:
    """The RSS's series' largest resume step against its own wander (``harness.leak_lifetimes.level_steps``),
    each series as ``name step/wander`` in MB, read whatever the soak's span."""
    fold = SampleFold(samples)
    col = {m: np.frombuffer(fold.values[m], dtype=np.float64) for m in fold.present}
    held = sum((col[m] for m in HELD_METRICS if m in col and np.isfinite(col[m]).all()), np.zeros(fold.n))
    steps = leaks._level_steps("rss_bytes", fold.t, fold.segment, col["rss_bytes"], held,
                               col.get(leaks.ALLOCATOR_METRIC), col.get(leaks.PYMALLOC_METRIC), 0.1)
    out = []
    for name in dict.fromkeys(s.series for s in steps):
        worst = max((s for s in steps if s.series == name), key=lambda s: abs(s.step))
        out.append(f"{name.split(' ')[0].replace('_in_use_bytes', '')} {worst.step / 1e6:+.2f}/{_mb(worst.wander)}"
                   f"{'!' if worst.too_large else ''}")
    return " ".join(out) or "-"


def row(run_dir: Path, cut_every_s: float | None) -> str:
    samples = soak_samples(run_dir, cut_every_s)
    spans = judged_minutes(samples)
    report = _leaks(samples, resumes_of(run_dir, samples, cut_every_s is not None))["rss_bytes"]
    rule = _leaks(samples)
    with _lifetimes_rule_silent():
        pooled = _leaks(samples)
    one = _leaks([{**s, "segment": 0} for s in samples])["rss_bytes"]
    r, p = rule["rss_bytes"], pooled["rss_bytes"]
    counts = ", ".join(f"{m} {rule[m].verdict} ({rule[m].shape})" for m in ("threads", "open_fds") if m in rule)
    return (f"| {run_dir.name} | {len(spans)} | {' '.join(f'{m:.1f}' for m in spans)} | "
            f"**{report.verdict} ({report.shape})** {report.lifetimes_rule or '-'} {_mb(report.slope_per_hour)} | "
            f"{r.verdict} ({r.shape}) | "
            f"**{p.verdict} ({p.shape})** | {_mb(p.slope_per_hour)} | {_mb(p.late_slope_per_hour)} | "
            f"{p.pymalloc_verdict or '-'} ({p.pymalloc_shape or '-'}) {_mb(p.pymalloc_slope_per_hour)} | "
            f"{one.verdict} ({one.shape}) {_mb(one.slope_per_hour)} | {counts} | {steps_column(samples)} |")


def main(argv: list[str]) -> int:
    rows = each_folder(argv, __doc__.split("\n\n")[0], row)
    if isinstance(rows, int):
        return rows
    print("| run | lifetimes | judged min each | report (lifetimes rule) MB/h | apart (rule before) | pooled (rule silent) | RSS MB/h | late half MB/h | "
          "pymalloc (pooled) MB/h | one lifetime (levels across, no offsets) MB/h | counts | "
          "largest resume step / own wander MB (! larger) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
