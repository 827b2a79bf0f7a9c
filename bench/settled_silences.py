"""The ``clean_audio`` verdict of a window with more long silences than it keeps (``SPANS_KEPT``),
on the simulated device through a scripted capture (no jackd), JACK reporting an xrun every 50 ms
all along. Two layouts: by default each silence is held by a member that ended (a held delivery);
with ``--only-reports`` no member holds any, only the reports (dense: the machine's missed
deadlines as far as the check can tell). With ``uncovered`` one silence (the last; with
``--only-reports`` the third from the last) is held by nothing and has no report in it (the
system's). Deterministic (virtual clock, no draws). Run from the
worktree root:

    PYTHONPATH=$PWD:$PWD/tests/harness .venv/bin/python bench/settled_silences.py [--only-reports]

Prints one line per case: silences, whether the last is uncovered, the verdict, and the counts of
windows with silences not kept, long mutes and dense-report mutes."""

from __future__ import annotations

import argparse

from harness.audio_check import SPANS_KEPT
from test_audio_settled_silences import _held_silences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only-reports", action="store_true",
                    help="silences only the xrun reports hold (no held delivery)")
    args = ap.parse_args()
    if args.only_reports:
        from test_audio_dense_settled_silences import _reported_silences as heard  # noqa: PLC0415
    else:
        heard = _held_silences
    which = "one_uncovered" if args.only_reports else "last_uncovered"
    for silences in (SPANS_KEPT - 2, SPANS_KEPT + 6):
        for uncovered in (False, True):
            check, verdict = heard(silences, uncovered)
            state = "INCONCLUSIVE" if verdict.inconclusive else ("held" if verdict.ok else "VIOLATED")
            print(f"silences={silences} {which}={uncovered}: {state}; unkept_windows={check.unkept_windows} "
                  f"long_mute_count={check.long_mute_count} dense_xrun_mute_count={check.dense_xrun_mute_count}")


if __name__ == "__main__":
    main()
