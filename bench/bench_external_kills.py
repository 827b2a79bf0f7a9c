"""False alarms and recovery episodes per external JACK server kill, on the three rig routes.

A benchmark, not a test: it prints figures (and writes JSON with ``--json``), never fails.

    python bench/bench_external_kills.py [--kills 30] [--routes jack,system,alsa] [--load 0]
                                         [--duration 8] [--kill-at 3] [--restart-after 2]
                                         [--kills-per-run 10] [--gap 2]

Per route it prints: the runs' verdicts (exit 0 pass, 3 inconclusive, 1 violated; any other exit
a crash), the kills it meant to make and did not (``missed``: the killer never armed because the
run ran no chunk, the run ended before the kill was due, no server to kill; counted apart from the
kills, never as a pass), false violations, recovery episodes per kill (p50, max; the target is exactly 1; episodes
that began before the kill, a stall of the loaded machine itself, are counted apart, and so are
later ones from a stall of the whole graph JACK reported, ``machine_stall_episodes``), the
server outages the rig's capture observed and heard the end of, and the time to clean audio after
the outage (from the rig hearing the system again to the last glitch of the outage's window, p50
and max), then what the rig heard (``clean_audio`` verdicts, windows, glitches in and outside
them, the longest glitch outside every window) and why runs were inconclusive.

Each kill is one reliability run of the healthy system with no injected fault (``--faults
none``) on one route (``harness.external_kills``): ``jack`` (the rig backend), ``system``
(PortAudio's JACK host API device) or ``alsa`` (ALSA's ``jack`` PCM). ``--kill-at`` seconds after
the run's first second, the JACK server is SIGKILLed by pid from outside the harness; it is
started again ``--restart-after`` seconds later. Every failed invariant is a false alarm (the
system is healthy, the fault is real); the target is 0, and exactly 1 recovery episode per kill.

``--kills-per-run K`` (K > 1) makes the kills K to a run of one system (``run_external_kills``):
each a ``kill -9`` of the server's pid from outside, the next once the system is back after the
one before (server serving, system RUNNING with audio flowing, the rig hearing it, ``--gap``
seconds after its return), each kill given its own recovery episodes and fault record; the run
ends once its last kill's system is back. Every kill (one to a run too) is made only with the
system RUNNING and its audio flowing; the state read just before each kill is printed
(``state at each kill``), and a kill the system was not ready for within the killer's patience
is not made and counted with the reasons it waited on (``kill missed``). The start of a run (server, system, steady-state window: about 4 s near idle) and its end
(checks, reports) are paid once per K kills. Verdicts stay per run: ``kills in inconclusive runs``
says how many kills a run's doubt covered.

``--mutant NAME`` runs a broken variant of the system (``harness.mutants``) instead: the control
that the same kills catch it (``recovery_never_completes`` must give violations: it never leaves
RECOVERING after the outage, with its server back). Per route it also prints the ``recovery``
invariant's verdicts and how many kills it judged the system's return after (``recov. judged``:
the outage's window found recovered in time, or violated), the device stalls in the histories
(ALSA's ``jack`` PCM loses its server as a stall) and how many kills the history recorded as an
external fault (``recorded``: exactly one each is right).

``--load N`` runs N busy-loop processes (``python -c 'while 1: pass'``) for the whole bench, a
loaded machine; they are killed when it ends. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.external_kills import (ROUTES, KillResult, doubt_reason, run_external_kill,  # noqa: E402
                                    run_external_kills)


def _load_generators(n: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(n)]


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.kill()
    for p in procs:
        p.wait()


def kills_of(r: KillResult) -> list[tuple[int, int]]:
    """Each kill a run made as (recovery episodes from it, the machine's set apart; external fault
    records given to it): ``KillResult.kills``, or for a result that has none listed but a kill
    made, its one kill (``recoveries_from_kill``, ``external_faults``)."""
    if r.kills:
        return [(k.recoveries, k.recorded) for k in r.kills]
    return [(r.recoveries_from_kill, r.external_faults)] if r.killed_pid is not None else []


def summarize(route: str, results: list[KillResult]) -> dict[str, Any]:
    started = [r for r in results if r.killed_pid is not None]
    # runs meant to have a kill that had none (the killer never armed, the run ended first, no
    # server to kill), and kills a series did not make: an outcome of their own, never a pass,
    # never left out unsaid
    missed = [r for r in results if r.kill_missed is not None]
    per_kill = [k for r in started for k in kills_of(r)]
    rec = np.array([k[0] for k in per_kill], dtype=float)
    killed = len(per_kill)
    ttc = np.array([r.time_to_clean_after_outage_s for r in started if r.time_to_clean_after_outage_s is not None])
    return {
        "route": route,
        "kills": killed,
        "runs": len(results),
        "kills_in_inconclusive_runs": sum(len(kills_of(r)) for r in started if r.exit_code == 3),
        "missed_kills": sum(r.kills_missed or 1 for r in missed),
        "missed_kills_violated": sum(1 for r in missed if r.exit_code == 1),
        "missed_kill_reasons": dict(Counter(" ".join(r.kill_missed.split()[:4]) for r in missed
                                            if r.kill_missed is not None)),
        # each kill not made with the reasons the killer waited on (``KillResult.missed_kills``:
        # its figures set aside), most frequent first
        "missed_kill_waits": dict(Counter(doubt_reason("missed", m.split(": ", 1)[-1], chars=200)
                                          for r in results for m in r.missed_kills).most_common()),
        # kills made with the system in another state than RUNNING (read just before the kill):
        # the killer waits for RUNNING with audio flowing, so each of these is a race it lost
        "kills_not_running": sum(1 for r in started for k in r.kills if k.state_at_kill not in ("", "running")),
        "kill_states": dict(Counter(k.state_at_kill or "not read" for r in started for k in r.kills)),
        "kill_waited_p50_s": float(np.median(w)) if (w := [k.waited_s for r in started for k in r.kills]) else float("nan"),
        "kill_waited_max_s": float(max(w)) if w else float("nan"),
        # the run's verdict (its exit code): 0 pass, 3 inconclusive, 1 violated; anything else a crash
        "pass": sum(1 for r in started if r.exit_code == 0),
        "inconclusive_runs": sum(1 for r in started if r.exit_code == 3),
        "violated": sum(1 for r in started if r.exit_code == 1),
        "clean_audio_verdicts": dict(Counter(r.clean_audio for r in started)),
        "outages_observed": sum(r.outages for r in started),
        "outages_heard_again": sum(r.outages_heard_again for r in started),
        # outages the rig found itself: the server's process gone, libjack silent to the capture
        "silent_server_deaths": sum(len(r.silent_server_deaths) for r in started),
        # the steady-state check before and after the kill, and the glitches in its windows the
        # rig measured as the machine's (``AudioCheck.machine_cause``)
        "steady_before": dict(Counter(r.steady_before for r in started)),
        "steady_after": dict(Counter(r.steady_after for r in started)),
        "steady_excused": dict(sum((Counter(r.steady_excused) for r in started), Counter())),
        "time_to_clean_after_outage_p50_s": float(np.median(ttc)) if ttc.size else float("nan"),
        "time_to_clean_after_outage_max_s": float(ttc.max()) if ttc.size else float("nan"),
        "false_violations": sum(r.false_violations for r in started),
        # device losses in the histories, and those nothing explained (each run's doubt; 0 is right)
        "device_losses": sum(r.device_losses for r in started),
        "unexplained_losses": sum(len(r.unexplained_losses) for r in started),
        "runs_with_unexplained_losses": sum(1 for r in started if r.unexplained_losses),
        "runs_with_violations": sum(1 for r in started if r.false_violations),
        "device_stalls": sum(r.device_stalls for r in started),
        # each kill in its history as exactly one external fault (the watch's, or the capture's)
        "recorded_once": sum(1 for k in per_kill if k[1] == 1),
        "recovery_verdicts": dict(Counter(r.recovery_verdict for r in started)),
        # kills whose outage window the recovery invariant judged: held (counted in its message)
        # or violated (a mutant's), never left unjudged
        # (a violated verdict judged every kill of its run; a held one as many as its windows)
        "recovery_judged": sum(len(kills_of(r)) if r.recovery_verdict == "violated"
                               else min(r.recovery_windows_judged, len(kills_of(r))) for r in started),
        "recoveries_p50": float(np.median(rec)) if rec.size else float("nan"),
        "recoveries_max": int(rec.max()) if rec.size else -1,
        "recoveries_min": int(rec.min()) if rec.size else -1,
        "exactly_one": int(sum(1 for k in per_kill if k[0] == 1)),
        # kills after which the killer went on before the rig heard the system again (said why)
        "kill_notes": dict(Counter(k.note for r in started for k in r.kills if k.note)),
        "back_after_p50_s": float(np.median(backs)) if (backs := [k.back_after_s for r in started for k in r.kills
                                                                   if k.back_after_s is not None]) else float("nan"),
        # episodes that began before the kill: the loaded machine's own stalls, reported apart
        "recoveries_before_kill": sum(r.recoveries_before_kill for r in started),
        # episodes after the kill's own from a graph stall JACK reported: the machine's, apart too
        "machine_stalls_after_kill": sum(len(r.machine_stalls_after_kill) for r in started),
        "not_started": sum(1 for r in results if r.final_state == "not started"),
        "recovery_failures": sum(r.recovery_failures for r in results),
        "crashes": sum(1 for r in results if r.exit_code not in (0, 1, 3)),  # 3: inconclusive, a verdict
        "audio": audio_damage(results),
        "violations_by_name": dict(Counter(v.split(":", 1)[0] for r in results for v in r.violations)),
        "inconclusive": dict(Counter(n for r in results for n in r.inconclusive)),
        # which rule of each inconclusive invariant doubted: its message, figures set aside
        "doubts_by_reason": doubts_by_reason(results),
        # the run's doubts, by their first words (steady state before/after, inconclusive checks)
        "doubts": dict(Counter(" ".join(d.split()[:6]) for r in results for d in r.doubts)),
        # the same by the rule that doubted, figures set aside (``doubt_reason``): each distinct
        # reason a run was inconclusive with the runs it held in, most frequent first
        # the glitches that made steady-state windows unsteady: how many, how long, how many of
        # them JACK reported xruns over (the machine starving the graph as they were heard)
        "unsteady_glitches": sum(len(r.unsteady) for r in results),
        "unsteady_with_jack_xruns": sum(1 for r in results for g in r.unsteady if g["jack_xruns_over_it"]),
        "unsteady_kinds": dict(Counter(g["kind"] for r in results for g in r.unsteady)),
        "unsteady_cycles_max": max((g["cycles"] or 0 for r in results for g in r.unsteady), default=0),
        "unsteady_unreported": [f"{r.route} seed {r.seed} {g}" for r in results for g in r.unsteady
                                if not g["jack_xruns_over_it"]][:10],
        "run_doubts_by_reason": dict(Counter(doubt_reason("run", d, chars=110)
                                             for r in results for d in r.doubts).most_common()),
        "errors": [r.error for r in results if r.error][:5],
        # recovery episodes past their deadline only by the device's open and the supervisor's
        # late timers (measured: passed), and the supervisor's worst measured lateness
        "recovery_past_deadline_explained": sum(1 for r in started if "past the deadline only by" in r.recovery),
        "supervisor_late_max_s": round(max((r.supervisor_late_max_s for r in results), default=0.0), 4),
    }


def doubts_by_reason(results: list[KillResult]) -> dict[str, int]:
    """How many runs each inconclusive invariant's rule doubted in (``doubt_reason`` of its
    message: ``clean_audio``'s dense-xrun silence, its short glitch on a rig that reported
    xruns, its unheard windows are three keys, not one), most frequent first."""
    counts = Counter(doubt_reason(name, message) for r in results
                     for name, message in r.inconclusive_reasons.items())
    return dict(counts.most_common())


def audio_damage(results: list[KillResult]) -> dict[str, Any]:
    """What the rig heard over a route's runs (each run's summary.json ``audio``): ``clean_audio``
    verdicts, windows judged and inconclusive, glitches by kind inside windows, glitches outside
    every window (each a false alarm), the longest time to clean audio of a judged window."""
    verdicts: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    windows: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    outside = 0
    long_mutes = covered = 0
    longest = 0.0
    ttc = 0.0
    for r in results:
        try:
            audio = json.loads((Path(r.run_dir) / "summary.json").read_text()).get("audio") or {}
        except (OSError, ValueError):
            verdicts["no summary"] += 1
            continue
        if not audio.get("analysed"):
            verdicts["not analysed"] += 1
            continue
        names = {v.split(":", 1)[0] for v in r.violations}
        verdicts["violated" if "clean_audio" in names else
                 "inconclusive" if "clean_audio" in r.inconclusive else "held"] += 1
        outside += audio["outside"]["glitches"]
        long_mutes += audio["windows"].get("long_mute_count", 0)
        covered += audio["windows"].get("xrun_covered_mute_count", 0)
        longest = max(longest, max((g["t_end"] - g["t_start"] for g in audio["outside"]["items"]), default=0.0),
                      float(audio["outside"].get("longest_mute_s", 0.0)))
        for w in audio["windows"]["items"]:
            windows[w.get("verdict", "judged")] += 1
            labels[w["label"]] += 1
            by_kind.update(w["by_kind"])
            if w.get("verdict") == "judged":
                ttc = max(ttc, w["time_to_clean_s"])
    return {"clean_audio": dict(verdicts), "windows": dict(windows), "window_labels": dict(labels),
            "glitches_in_windows": dict(by_kind), "glitches_outside": outside,
            "longest_glitch_outside_s": round(longest, 4),
            "windows_xruns_only_with_long_silence": long_mutes,
            "long_silences_xrun_reports_covered": covered,
            "time_to_clean_max_s_judged": round(ttc, 3)}


def table(summary: list[dict[str, Any]]) -> list[str]:
    """The bench's table, one line per route (``summarize``'s dicts). ``missed``: runs meant to
    have a kill that had none, counted apart from the kills (of which violated, if any)."""
    lines = [f"{'route':8s} {'kills':>5s} {'missed':>6s} {'runs':>4s} {'pass':>5s} {'inconcl.':>8s} {'violated':>8s} {'crashes':>7s} "
             f"{'false viol.':>11s} {'recov p50':>9s} {'recov max':>9s} {'exactly 1':>9s} {'rec. fail':>9s} "
             f"{'heard again':>11s} {'clean after p50':>15s} {'max':>6s} {'recorded':>8s} {'recov. judged':>13s}"]
    for s in summary:
        lines.append(
            f"{s['route']:8s} {s['kills']:5d} {s['missed_kills']:6d} {s['runs']:4d} {s['pass']:5d} {s['inconclusive_runs']:8d} "
            f"{s['violated']:8d} {s['crashes']:7d} {s['false_violations']:11d} {s['recoveries_p50']:9.1f} "
            f"{s['recoveries_max']:9d} {s['exactly_one']:6d}/{s['kills']:<2d} {s['recovery_failures']:9d} "
            f"{s['outages_heard_again']:7d}/{s['outages_observed']:<3d} "
            f"{s['time_to_clean_after_outage_p50_s']:13.3f} s {s['time_to_clean_after_outage_max_s']:6.3f} "
            f"{s['recorded_once']:5d}/{s['kills']:<2d} {s['recovery_judged']:10d}/{s['kills']:<2d}"
            + (f"  (missed kills: {s['missed_kill_reasons']}"
               + (f", {s['missed_kills_violated']} of them violated" if s["missed_kills_violated"] else "") + ")"
               if s["missed_kills"] else "")
            + (f"  ({s['not_started']} run(s) whose system never started: no kill)" if s["not_started"] else "")
            + (f"  (+{s['recoveries_before_kill']} recovery episode(s) before a kill: the machine's own "
               "stalls, not counted above)" if s["recoveries_before_kill"] else "")
            + (f"  (+{s['machine_stalls_after_kill']} after the kill's own from graph stalls JACK reported: "
               "the machine's, not counted above)" if s["machine_stalls_after_kill"] else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=30, help="kills per route")
    ap.add_argument("--kills-per-run", type=int, default=1,
                    help="kills in one run of one system, each once the system is back after the one before "
                         "(1: one run per kill, of --duration)")
    ap.add_argument("--gap", type=float, default=2.0,
                    help="with --kills-per-run > 1: seconds the system must be back (RUNNING, heard by the rig) "
                         "before the next kill")
    ap.add_argument("--routes", default=",".join(ROUTES))
    ap.add_argument("--load", type=int, default=0, help="busy-loop processes for the bench's duration")
    ap.add_argument("--duration", type=float, default=8.0)
    ap.add_argument("--kill-at", type=float, default=3.0)
    ap.add_argument("--restart-after", type=float, default=2.0)
    ap.add_argument("--json", type=Path, help="write every result and the summary here")
    ap.add_argument("--mutant", help="a broken variant of the system (harness.mutants) instead of the healthy one")
    args = ap.parse_args(argv)
    if args.kills < 1 or args.kills_per_run < 1:
        ap.error("--kills and --kills-per-run must be 1 or more")
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    for r in routes:
        if r not in ROUTES:
            ap.error(f"--routes: unknown route {r!r} (choose from {', '.join(ROUTES)})")
    factory = None
    if args.mutant is not None:
        from harness.mutants import MUTANTS, system_factory  # noqa: PLC0415

        if args.mutant not in MUTANTS:
            ap.error(f"--mutant: unknown mutant {args.mutant!r} (known: {', '.join(MUTANTS)})")
        factory = system_factory(args.mutant)
    os.environ.setdefault("SOUNDCHECK_HISTORY_DB", str(Path(tempfile.gettempdir()) / "bench-kills.sqlite"))
    report_root = Path(tempfile.mkdtemp(prefix="bench-kills-"))
    loaders = _load_generators(args.load)
    results: dict[str, list[KillResult]] = {r: [] for r in routes}
    loads: list[float] = []
    t0 = time.monotonic()
    try:
        runs = -(-args.kills // args.kills_per_run)
        for i in range(runs):
            n = min(args.kills_per_run, args.kills - i * args.kills_per_run)
            for route in routes:  # interleaved: a slow phase of the machine hits every route alike
                t_run = time.monotonic()
                if args.kills_per_run == 1:
                    res = run_external_kill(route, seed=i + 1, duration_s=args.duration, kill_at_s=args.kill_at,
                                            restart_after_s=args.restart_after, report_root=report_root,
                                            system_factory=factory)
                else:
                    res = run_external_kills(route, kills=n, seed=i + 1, kill_at_s=args.kill_at,
                                             restart_after_s=args.restart_after, gap_s=args.gap,
                                             report_root=report_root, system_factory=factory)
                results[route].append(res)
                loads.append(os.getloadavg()[0])
                flag = "" if not res.violations and all(k[0] == 1 and k[1] == 1 for k in kills_of(res)) else \
                    f"  <-- {res.violations}"
                if res.kill_missed is not None:
                    flag = f"  <-- KILL MISSED: {res.kill_missed} {res.run_dir}"
                ttc = res.time_to_clean_after_outage_s
                per_kill = kills_of(res)
                print(f"[{i + 1}/{runs}] {route:6s} kills={len(per_kill)} per kill (recoveries, recorded)={per_kill} "
                      f"recoveries={res.recoveries_from_kill}"
                      + (f" (+{res.recoveries_before_kill} before the kill)" if res.recoveries_before_kill else "")
                      + (f" (+{len(res.machine_stalls_after_kill)} after it from graph stalls JACK reported: "
                         f"{res.machine_stalls_after_kill})" if res.machine_stalls_after_kill else "")
                      + " "
                      f"violations={res.false_violations} exit={res.exit_code} clean_audio={res.clean_audio} "
                      f"outage heard again={res.outages_heard_again}/{res.outages} "
                      + (f"(found by the rig, libjack silent: {len(res.silent_server_deaths)}) "
                         if res.silent_server_deaths else "") +
                      f"clean after={'-' if ttc is None else f'{ttc:.3f} s'} "
                      f"device losses={res.device_losses} (stalls {res.device_stalls}) "
                      f"unexplained={len(res.unexplained_losses)} recorded={res.external_faults} "
                      f"recovery={res.recovery_verdict}/{res.recovery_windows_judged}"
                      + (f" {res.unexplained_losses}" if res.unexplained_losses else "")
                      + (f" inconclusive={res.inconclusive}" if res.inconclusive else "")
                      + (f" doubts={[d[:90] for d in res.doubts]}" if res.doubts else "")
                      + (f" missed={res.kills_missed} {res.missed_kills}" if res.kills_missed else "")
                      + f" at the kill(s): {[(k.state_at_kill, k.waited_s) for k in res.kills]}"
                      + f" wall={time.monotonic() - t_run:.0f}s load={loads[-1]:.1f} {res.run_dir}" + flag, flush=True)
    finally:
        _stop(loaders)
    summary = [summarize(r, results[r]) for r in routes]
    print()
    print(f"external server kills: {args.kills} per route, {args.kills_per_run} per run, load generators={args.load}, "
          + (f"mutant {args.mutant}, " if args.mutant else "") +
          f"load average 1 min p50={np.median(loads):.1f} max={max(loads):.1f}, "
          f"wall {time.monotonic() - t0:.0f} s, runs kept in {report_root}")
    for line in table(summary):
        print(line)
    for s in summary:
        print(f"{s['route']:8s} outages found by the server's process being gone while libjack told the capture "
              f"nothing: {s['silent_server_deaths']}; steady before {s['steady_before']}, after "
              f"{s['steady_after']}, glitches counted as the machine's {s['steady_excused']}")
        print(f"         clean_audio {s['clean_audio_verdicts']}; recovery past its deadline only by measured "
              f"open/late timers in {s['recovery_past_deadline_explained']} run(s); supervisor timers late "
              f"by at most {s['supervisor_late_max_s']:.3f} s")
        print(f"         audio {s['audio']}")
        print(f"         kills in inconclusive runs {s['kills_in_inconclusive_runs']}; system back (RUNNING, "
              f"heard) p50 {s['back_after_p50_s']:.1f} s after a kill; notes {s['kill_notes']}")
        print(f"         state at each kill {s['kill_states']} (not RUNNING: {s['kills_not_running']}); waited for "
              f"it p50 {s['kill_waited_p50_s']:.2f} s, max {s['kill_waited_max_s']:.2f} s")
        for reason, n in s["missed_kill_waits"].items():
            print(f"         kill missed {n:3d}x  {reason}")
        print(f"         device losses {s['device_losses']} (stalls among them {s['device_stalls']}), unexplained "
              f"{s['unexplained_losses']} (in {s['runs_with_unexplained_losses']} run(s)); recovery invariant "
              f"{s['recovery_verdicts']}")
        if s["violations_by_name"] or s["inconclusive"] or s["errors"] or s["doubts"]:
            print(f"         violations {s['violations_by_name']} inconclusive {s['inconclusive']} "
                  f"doubts {s['doubts']} errors {s['errors']}")
        for reason, n in s["doubts_by_reason"].items():
            print(f"         doubted {n:3d}x  {reason}")
        print(f"         unsteady glitches {s['unsteady_glitches']} ({s['unsteady_kinds']}, up to "
              f"{s['unsteady_cycles_max']} cycles), JACK reported xruns over {s['unsteady_with_jack_xruns']} of them; "
              f"none over: {s['unsteady_unreported']}")
        for reason, n in s["run_doubts_by_reason"].items():
            print(f"         run doubt {n:3d}x  {reason}")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "summary": summary,
                                         "load_avg": loads,
                                         "results": {r: [asdict(x) for x in results[r]] for r in routes}},
                                        indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
