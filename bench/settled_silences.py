"""The ``clean_audio`` verdict of a window with more long silences than it keeps (``SPANS_KEPT``),
on the simulated device through a scripted capture (no jackd): each silence held by a member that
ended (a held delivery), JACK reporting an xrun every 50 ms all along, and with ``uncovered`` the
last one held by nothing and with no report in it (the system's). Deterministic (virtual clock, no
draws). Run from the worktree root:

    PYTHONPATH=$PWD:$PWD/tests/harness .venv/bin/python bench/settled_silences.py

Prints one line per case: silences, whether the last is uncovered, the verdict, and the counts of
windows with silences not kept, long mutes and dense-report mutes."""

from __future__ import annotations

from harness.audio_check import SPANS_KEPT
from test_audio_settled_silences import _held_silences


def main() -> None:
    for silences in (SPANS_KEPT - 2, SPANS_KEPT + 6):
        for uncovered in (False, True):
            check, verdict = _held_silences(silences, last_uncovered=uncovered)
            state = "INCONCLUSIVE" if verdict.inconclusive else ("held" if verdict.ok else "VIOLATED")
            print(f"silences={silences} last_uncovered={uncovered}: {state}; unkept_windows={check.unkept_windows} "
                  f"long_mute_count={check.long_mute_count} dense_xrun_mute_count={check.dense_xrun_mute_count}")


if __name__ == "__main__":
    main()
