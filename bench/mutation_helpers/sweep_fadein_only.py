"""The one end-to-end test of a window cut at a drop (main's), alone.

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 late-night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 900 harness.reference_compare bench/mutation_helpers/sweep_fadein_only.py _window_edges
"""
from tests.harness.test_analysis_reference_sweeps import (  # noqa: F401
    test_a_drop_on_the_converters_curve_gives_no_false_pop_at_the_sweeps_fade_in)
