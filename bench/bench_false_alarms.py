"""The false-alarm matrix, simulated part: the healthy system under every built-in fault profile at
many seeds, and the shipped mutants under default options.

A benchmark, not a test: it prints figures and never fails; beside each profile's verdicts, the
faults its runs refused as they fired and those held until the system could take them. A healthy run that does not pass is a
false alarm (``fail``) or a run that proved nothing (``inconclusive``); both are defects of the
harness. The quick part of this matrix runs in the suite (tests/harness/test_false_alarms.py).

    python bench/bench_false_alarms.py [--seeds 100] [--duration 60] [--profiles gentle,default,hostile]
                                       [--mutants] [--mutant-profiles default,outages] [--json FILE]
                                       [--mutant-names silent_give_up,...] [--judged]

A mutant run that does not fail is set beside its healthy twin (the shipped system, same profile,
seed and duration): ``not shown`` when the two histories are the same entry for entry (the mutant's
code changed nothing a run records, so no judge of the history could fail it without failing the
healthy system too: the seed did not reach the bug), ``missed`` when they differ (the bug acted and
the invariants did not see it: a blind spot). A twin that does not pass is counted apart: that
seed says nothing of the mutant. ``--seeds 0`` runs the mutants alone.

A mutant that names the profile which shows it (``Mutant.profile``: ``silent_give_up``'s
``outages``, whose device outages outlast the recovery budget so that every run of 30 s and more
reaches a give-up) runs under that profile in the table of a profile without outages, its twin
too, and its row says so: under ``default`` it showed only where an operator's ``recover()`` fell
inside a dropout (1 seed in 3), and a seed that reaches no give-up says nothing of it.

``--judged`` also prints, for each invariant that can hold with nothing to judge (its message says
"nothing to judge"), in how many of each profile's healthy runs it passed having judged something: a
pass of an invariant that never met what it judges is no evidence that it raises no false alarm.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness import MUTANTS, PROFILES, system_factory
from harness import ReliabilityRun, RunSpec
from harness.commands.run import check_config, load_config_file, reveal_mutant
from harness.errors import HarnessError
from harness.runner import judge_as_its_report
from system_under_test.errors import ConfigError


#: the phrase an invariant's message ends with when it held with nothing in the history to judge
NOTHING_TO_JUDGE = "nothing to judge"
#: a mutant run's standing beside its healthy twin (``shown``): caught; not caught with the twin's
#: very history; not caught with a history of its own; not caught, the twin not passing either
CAUGHT, NOT_SHOWN, MISSED, TWIN_NOT_PASSING = "caught", "not shown", "missed", "twin not passing"


def history_digest(history: Iterable[Any]) -> str:
    """sha256 of every entry but the meta one (which names the mutant, the command and the wall
    clock): two runs of one seed on the simulated device have the same digest exactly when they
    recorded the same history."""
    h = hashlib.sha256()
    for entry in history:
        if entry.type == "meta":
            continue
        h.update(json.dumps(entry.to_dict(), sort_keys=True, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


def shown(mutant_row: dict[str, Any], twin_row: dict[str, Any] | None) -> str:
    """What a mutant run shows: ``CAUGHT`` when it failed; otherwise, beside its healthy twin (same
    profile, seed and duration), ``NOT_SHOWN`` when both histories are the same (nothing the bug
    did was recorded), ``MISSED`` when they differ, ``TWIN_NOT_PASSING`` when the twin did not pass
    (that seed judges nothing about the mutant)."""
    if mutant_row["outcome"] == "fail":
        return CAUGHT
    if twin_row is None:
        raise ValueError(f"mutant {mutant_row['mutant']} seed {mutant_row['seed']} not caught and no twin run")
    if twin_row["outcome"] != "pass":
        return TWIN_NOT_PASSING
    return NOT_SHOWN if mutant_row["history_digest"] == twin_row["history_digest"] else MISSED


def mutant_profile(name: str, table_profile: str) -> str:
    """The profile a mutant's runs in ``table_profile``'s table run under: the mutant's own
    (``Mutant.profile``) where it names one and the table's has no device outages (``Profile.outages``),
    as ``soundcheck run --mutant NAME`` advises; else the table's. Why: a run that never reaches the
    code the mutant changed records the healthy system's history and judges nothing of it."""
    own = MUTANTS[name].profile
    return own if own is not None and not PROFILES[table_profile].outages else table_profile


def one_run(profile: str, seed: int, duration_s: float, root: Path, mutant: str | None = None,
            config: dict[str, Any] | None = None, dsp_kernel: str = "auto") -> dict[str, Any]:
    spec = RunSpec(duration_s=duration_s, seed=seed, faults=profile, report_root=root, label="fa",
                   config=config, dsp_kernel=dsp_kernel)
    kw = {"system_factory": system_factory(mutant)} if mutant else {}
    t0 = time.perf_counter()
    run = ReliabilityRun(spec, **kw)
    if mutant:
        reveal_mutant(run, mutant)  # as `soundcheck run --mutant NAME` does
    result = run.execute(reports=False)
    # judged as `soundcheck run` judges it: the report's verdict, the leak slopes with the
    # invariants (without it a mutant the CLI failed "leak suspected" counted as not caught)
    judge_as_its_report(result)
    v = result.verdict
    return {"profile": profile, "seed": seed, "mutant": mutant, "outcome": v.outcome.value,
            "violated": v.violated, "inconclusive": v.inconclusive, "reasons": v.reasons,
            "faults": result.summary["faults"]["total"], "wall_s": round(time.perf_counter() - t0, 3),
            "refusals": refusals(result.summary["faults"]),
            "idle": [c["name"] for c in v.checks if NOTHING_TO_JUDGE in str(c.get("message", ""))],
            "history_digest": history_digest(result.history)}


def refusals(faults: dict[str, Any]) -> dict[str, int]:
    """A run's faults refused as they fired, from its summary's ``faults``: ``skipped`` (never
    acted: every reason of ``skipped``, those held to the run's end included), ``held`` (refused
    for the system's state and held, ``faults.held``), ``acted`` (of those, the ones that then
    acted) and ``at_end`` (still held at the run's end). A summary before faults were held has no
    ``held``: its refusals are all ``skipped``."""
    held = faults.get("held") or {}
    return {"skipped": sum(n for reasons in (faults.get("skipped") or {}).values() for n in reasons.values()),
            "held": sum(d["held"] for d in held.values()), "acted": sum(d["acted"] for d in held.values()),
            "at_end": sum(d["at_end"] for d in held.values())}


def _print_judged(rows: list[dict[str, Any]], profiles: list[str]) -> None:
    """Per invariant that said it had nothing to judge in at least one healthy run, the healthy
    runs of each profile in which it held having judged something (the others always judge)."""
    healthy = [r for r in rows if r["mutant"] is None]
    names = sorted({n for r in healthy for n in r["idle"]})
    print("\nhealthy runs in which each invariant held having judged something (the rest: nothing to judge):")
    print(f"{'invariant':<22} " + " ".join(f"{p:>9}" for p in profiles))
    for name in names:
        cells = []
        for p in profiles:
            rs = [r for r in healthy if r["profile"] == p]
            judged = sum(r["outcome"] == "pass" and name not in r["idle"] for r in rs)
            cells.append(f"{judged:>4}/{len(rs):<4}")
        print(f"{name:<22} " + " ".join(f"{c:>9}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--profiles", default="gentle,default,hostile")
    ap.add_argument("--mutants", action="store_true", help="also run every shipped mutant at each seed")
    ap.add_argument("--mutant-seeds", type=int, default=10)
    ap.add_argument("--mutant-names", default=None,
                    help="the mutants to run, comma-separated (default: every shipped one)")
    ap.add_argument("--mutant-profiles", default="default",
                    help="the built-in profiles every mutant runs under, one table each (default: default, "
                         "as `run --mutant NAME`; outages: the profile that shows silent_give_up)")
    ap.add_argument("--config", type=Path,
                    help="the system configuration every run tests (TOML or JSON, as `soundcheck run --config`): "
                         "the healthy system must pass on the user's configuration too, not only on the stock one")
    ap.add_argument("--dsp-kernel", choices=("auto", "numpy", "compiled"), default="auto",
                    help="the DSP kernels every run uses (`soundcheck run --dsp-kernel`; auto: numpy under 600 s)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--judged", action="store_true",
                    help="also print, per invariant, the healthy runs of each profile in which it held having judged something")
    args = ap.parse_args(argv)
    try:  # a bad file is the user's input: exit 2 with the CLI's message, never a traceback
        config = load_config_file(args.config) if args.config else None
        if config is not None:
            check_config(config, str(args.config), "sim")
    except (HarnessError, ConfigError) as exc:
        ap.exit(2, f"bench_false_alarms: error: {exc}\n")
    for option, names in (("--profiles", args.profiles), ("--mutant-profiles", args.mutant_profiles)):
        unknown = [n for n in names.split(",") if n not in PROFILES]
        if unknown:
            ap.exit(2, f"bench_false_alarms: error: {option}: unknown profile(s) {', '.join(map(repr, unknown))}; "
                       f"give a comma-separated list of built-in profiles ({', '.join(PROFILES)})\n")
    mutant_names = list(MUTANTS) if args.mutant_names is None else args.mutant_names.split(",")
    unknown = [n for n in mutant_names if n not in MUTANTS]
    if unknown:
        ap.exit(2, f"bench_false_alarms: error: --mutant-names: unknown mutant(s) {', '.join(map(repr, unknown))}; "
                   f"give a comma-separated list of shipped mutants ({', '.join(MUTANTS)})\n")
    rows: list[dict[str, Any]] = []
    twins: dict[tuple[str, int], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="soundcheck-fa-") as tmp:
        root = Path(tmp)
        for profile in args.profiles.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                row = one_run(profile, seed, args.duration, root, config=config, dsp_kernel=args.dsp_kernel)
                rows.append(row)
                if row["outcome"] != "pass":
                    print(f"  {profile} seed {seed}: {row['outcome']}: {'; '.join(row['reasons'])}", flush=True)
        if args.mutants:
            for mprofile in args.mutant_profiles.split(","):
                for name in mutant_names:
                    under = mutant_profile(name, mprofile)
                    for seed in range(1, args.mutant_seeds + 1):
                        row = one_run(under, seed, args.duration, root, name, config=config,
                                      dsp_kernel=args.dsp_kernel)
                        row["table"] = mprofile
                        if row["outcome"] != "fail" and (under, seed) not in twins:
                            twins[under, seed] = one_run(under, seed, args.duration, root, config=config,
                                                         dsp_kernel=args.dsp_kernel)
                        twin = twins.get((under, seed))
                        row["shown"] = shown(row, twin)
                        if twin is not None and row["shown"] != CAUGHT:
                            row["twin"] = {k: twin[k] for k in ("outcome", "violated", "history_digest")}
                        rows.append(row)
    healthy_rows = [r for r in rows if r["mutant"] is None]
    if healthy_rows:
        print(f"\nhealthy system, {args.duration:g} s runs, DSP kernel {args.dsp_kernel} (bench/bench_false_alarms.py"
              + (f", configuration {args.config}" if args.config else "") + "):")
        print(f"{'profile':<10} {'runs':>5} {'pass':>5} {'fail':>5} {'inconcl.':>8} {'faults/run':>10} {'wall/run':>9}"
              f"  {'skipped':>7} {'held':>5} {'acted':>5} {'at end':>6}")
        for profile in args.profiles.split(","):
            rs = [r for r in healthy_rows if r["profile"] == profile]
            c = Counter(r["outcome"] for r in rs)
            refused = Counter()
            for r in rs:
                refused.update(r["refusals"])
            print(f"{profile:<10} {len(rs):>5} {c['pass']:>5} {c['fail']:>5} {c['inconclusive']:>8} "
                  f"{sum(r['faults'] for r in rs) / len(rs):>10.1f} {sum(r['wall_s'] for r in rs) / len(rs):>8.2f}s"
                  f"  {refused['skipped']:>7} {refused['held']:>5} {refused['acted']:>5} {refused['at_end']:>6}")
        print("(skipped: faults refused as they fired that never acted, those held to the end included; held: "
              "refused for the system's state and held until it could take them; acted: of those, the ones that "
              "then did)")
    if args.judged:
        _print_judged(rows, args.profiles.split(","))
    for mprofile in args.mutant_profiles.split(",") if args.mutants else ():
        print(f"\nmutants, `run --mutant NAME --faults {mprofile}` ({args.duration:g} s), "
              f"seeds 1..{args.mutant_seeds}:")
        print(f"{'mutant':<26} {'caught':>7} {'not shown':>9} {'missed':>6} {'twin!pass':>9}  caught by")
        for name in mutant_names:
            rs = [r for r in rows if r["mutant"] == name and r["table"] == mprofile]
            caught = [r for r in rs if r["outcome"] == "fail"]
            by = Counter(n for r in caught for n in r["violated"])
            standing = Counter(r["shown"] for r in rs)
            print(f"{name:<26} {len(caught):>3}/{len(rs):<3} {standing[NOT_SHOWN]:>9} {standing[MISSED]:>6} "
                  f"{standing[TWIN_NOT_PASSING]:>9}  {', '.join(f'{k} {v}' for k, v in by.most_common())}"
                  + (f" (run under {under}: the profile that shows it)"
                     if (under := mutant_profile(name, mprofile)) != mprofile else ""))
        print("(not shown: the mutant's history is its healthy twin's, entry for entry; missed: a history of "
              "its own, not failed)")
    if twins:
        print(f"\nhealthy twins run: {len(twins)}, passed {sum(t['outcome'] == 'pass' for t in twins.values())}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
