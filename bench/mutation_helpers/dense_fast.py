"""The fast (crafted-window) tests of test_audio_dense_settled_silences.py: no scripted capture.

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 late-night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 900 harness.audio_check bench/mutation_helpers/dense_fast.py _Episode._dense_now _Episode.keep_mute
"""
from tests.harness.test_audio_dense_settled_silences import (  # noqa: F401
    test_a_silence_is_dense_now_by_the_longest_stretch_without_a_report_in_the_pieces_it_leaves,
    test_only_a_silence_dense_already_is_settled_and_only_past_the_bound,
    test_the_dense_silences_settled_are_counted_the_longest_kept_and_the_growing_one_left_to_grow)
