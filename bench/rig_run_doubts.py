"""Every doubt and failure of a series of rig runs (``bench/rig_kill_series.sh``'s report folders),
one block per run: why a run was not a PASS, read from its own ``summary.json``, so that each
reason can be weighed as true or false.

    python3 bench/rig_run_doubts.py OUT_DIR [OUT_DIR ...]

Per run (folders under ``OUT_DIR/runs``, in name order): the seed, the outcome, the verdict's
reasons; the audio check's blind windows (``audio.blind``: what the rig did not hear, and why),
the windows judged on what was heard around missed capture cycles (``audio.missed_heard_around``,
absent before it existed), the capture's missed frames; the steady state before and after with
what it laid on the machine and, when not "yes", the glitches left unexcused (kind, extent in
cycles of 256 frames, parts); the tail the run listened on past its first quiet window after the
faults (``steady_state.after_tail_s``, what it passed over there) and the wait before them
(``before_tail_s``, ``before_passed_over``); the two newest invariants' status
beside the callback errors with their callbacks' numbers
(read from ``history.jsonl``), the recoveries, errors and device losses counted. Last, the count of PASS/FAIL/INCONCLUSIVE
over all runs read, and of runs whose first quiet window was passed over.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

CYCLE = 256


def _unsteady(rows: list[dict[str, Any]]) -> list[str]:
    """The unexcused glitches of a steady-state window, each as kind, extent in cycles, parts."""
    out = []
    for g in rows:
        extent = (int(g["end_frame"]) - int(g["start_frame"])) / CYCLE if "end_frame" in g else float("nan")
        parts = g.get("parts") or []
        out.append(f"{g['kind']} {extent:.1f} cycles" + (f" ({len(parts)} parts)" if parts else ""))
    return out


def _callback_errors(history: Path) -> tuple[int, int]:
    """The history's ``error`` entries that carry their callback's numbers (``details.callback``),
    and how many of them were routed (``requires_recovery``): what ``callback_errors_in_a_row``
    could judge; (0, 0) with no history."""
    numbered = routed = 0
    if not history.is_file():
        return 0, 0
    with history.open() as lines:
        for line in lines:
            entry = json.loads(line)
            if entry.get("type") != "error":
                continue
            data = entry.get("data") or {}
            error = data.get("error") or {}
            if isinstance(error, dict) and "callback" in (error.get("details") or {}):
                numbered += 1
                routed += data.get("requires_recovery") is True
    return numbered, routed


def _newest_messages(report: Path) -> list[tuple[str, str]]:
    """What the two newest invariants said (``report.json`` ``stability.invariants``): whether
    they judged anything, not only that they held."""
    if not report.is_file():
        return []
    rows = (json.loads(report.read_text()).get("stability") or {}).get("invariants") or []
    return [(r["name"], str(r.get("message"))) for r in rows
            if isinstance(r, dict) and r.get("name") in ("callback_errors_in_a_row", "recoveries_timed")]


def read(folder: Path) -> str:
    """One run's block of lines."""
    s = json.loads((folder / "summary.json").read_text())
    v = s.get("verdict") or {}
    audio = s.get("audio") or {}
    blind = audio.get("blind") or {}
    around = audio.get("missed_heard_around")
    capture = audio.get("capture") or {}
    st = s.get("steady_state") or {}
    lines = [f"{folder.name}: seed {s.get('seed')} {str(s.get('outcome')).upper()}"]
    lines += [f"  reason: {r}" for r in v.get("reasons", [])]
    lines.append(f"  blind windows {blind.get('windows', 0)} ({blind.get('seconds', 0)} s)"
                 + "".join(f"\n    {row}" for row in blind.get("items", [])))
    lines.append(f"  judged around missed cycles: {around if around is not None else 'n/a'}; "
                 f"capture missed frames {capture.get('missed_frames')}")
    for side in ("before", "after"):
        lines.append(f"  steady {side}: {st.get(side)}; excused {st.get(side + '_excused')}")
        if st.get(side) != "yes":
            lines.append(f"    {st.get(side + '_detail')}")
            lines += [f"    unexcused: {u}" for u in _unsteady(st.get(side + "_unsteady") or [])]
    if "before_tail_s" in st:
        lines.append(f"  start: waited {st.get('before_tail_s')} s ({st.get('before_tail_why')}); passed over in the "
                     f"first window: {_unsteady(st.get('before_passed_over') or []) or 'nothing'}")
    if "after_tail_s" in st:
        lines.append(f"  tail: listened on {st.get('after_tail_s')} s ({st.get('after_tail_why')}); passed over "
                     f"in the first quiet window: {_unsteady(st.get('after_passed_over') or []) or 'nothing'}")
    status = s.get("invariant_status") or {}
    numbered, routed = _callback_errors(folder / "history.jsonl")
    dl = s.get("device_losses") or {}
    lines.append(f"  newest invariants: callback_errors_in_a_row {status.get('callback_errors_in_a_row')}, "
                 f"recoveries_timed {status.get('recoveries_timed')}; callback errors with their callbacks' numbers "
                 f"{numbered} ({routed} routed); recoveries {s.get('recoveries')}, "
                 f"errors {s.get('errors')}, device losses {dl.get('count')} ({dl.get('explained')} explained), "
                 f"violations {len(s.get('violations') or [])}")
    lines += [f"    {name}: {message}" for name, message in _newest_messages(folder / "report.json")]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    outcomes: Counter[str] = Counter()
    passed_over = 0
    passed_over_start = 0
    for out in argv:
        runs = Path(out) / "runs"
        if not runs.is_dir():
            print(f"rig_run_doubts: {runs}: no such folder (give a rig_kill_series.sh OUT_DIR)", file=sys.stderr)
            return 2
        for folder in sorted(p for p in runs.iterdir() if (p / "summary.json").is_file()):
            print(read(folder))
            s = json.loads((folder / "summary.json").read_text())
            outcomes[str(s.get("outcome")).upper()] += 1
            passed_over += bool((s.get("steady_state") or {}).get("after_passed_over"))
            passed_over_start += bool((s.get("steady_state") or {}).get("before_passed_over"))
    print("total: " + ", ".join(f"{k} {outcomes[k]}" for k in ("PASS", "FAIL", "INCONCLUSIVE"))
          + f"; runs whose first quiet window after the faults was passed over for a later one heard clean: {passed_over}"
          + f"; runs whose first window before them was: {passed_over_start}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
