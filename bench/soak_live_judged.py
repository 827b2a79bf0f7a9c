"""What a finished soak's live checks judged, beside its end's verdict: the false-alarm check of a live invariant.

Run: ``python bench/soak_live_judged.py [--watch NAME,NAME] RUN_DIR [RUN_DIR ...]`` on the run folders of soaks
(``soundcheck soak ... --run-dir RUN_DIR``). Prints one line a soak: its outcome, how many live checks ran and
broke, whether the watched invariants (``WATCHED`` unless ``--watch`` names others) were judged live, whether every
invariant held at the end, and the state digest of its last checkpoint (the same seed on two trees must give the
same digest when a change only reads).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: the invariants whose live judging this reports
WATCHED = ("callback_errors_in_a_row", "timers_let_go")


def describe(run_dir: Path, watched: tuple[str, ...] = WATCHED) -> str:
    report = json.loads((run_dir / "report.json").read_text())
    live = report["stability"]["live"] or {}
    ends = report["stability"]["invariants"]
    digests = [json.loads(line).get("digest") for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    digest = [d for d in digests if d][-1] if any(digests) else None
    judged = ", ".join(f"{n} live: {'yes' if n in live.get('judged', []) else 'no'}" for n in watched)
    held = sum(1 for v in ends if v["ok"] and not v["inconclusive"])
    return (f"{run_dir}: {report['verdict']['outcome']}; live checks {live.get('checks')}, breaks "
            f"{len(live.get('breaks', []))}, judged {len(live.get('judged', []))}; {judged}; end: {held} of "
            f"{len(ends)} invariants held; last digest {digest}")


def main(argv: list[str]) -> int:
    watched = WATCHED
    if argv[:1] == ["--watch"]:
        if len(argv) < 2 or not argv[1].strip(","):
            print("soak_live_judged.py: --watch needs invariant names, comma-separated (e.g. --watch "
                  "stalls_counted,errors_counted)", file=sys.stderr)
            return 2
        watched, argv = tuple(n for n in argv[1].split(",") if n), argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for arg in argv:
        missing = [name for name in ("report.json", "journal.jsonl") if not (Path(arg) / name).is_file()]
        if missing:
            print(f"soak_live_judged.py: {arg}: no {', '.join(missing)} here; give a soak's run folder (its --run-dir)",
                  file=sys.stderr)
            return 2
    for arg in argv:
        print(describe(Path(arg), watched))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
