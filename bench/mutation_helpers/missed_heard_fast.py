"""The tests of missed capture cycles in test_rig_audio.py and test_rig_steady.py, the ``tmp_path``
ones given a fresh temporary folder, and the table of damage at ``MACHINE_CYCLES`` beside a report
(which reaches the rule for damage that is not a silence): what judges
``AudioCheck._missed_where_excused`` and ``machine_cause``'s rule of a silence partly missed.

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 900 harness.audio_check bench/mutation_helpers/missed_heard_fast.py AudioCheck._missed_where_excused
"""
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.harness import test_rig_audio as audio
from tests.harness.test_rig_steady import (  # noqa: F401
    test_a_silence_partly_in_cycles_the_capture_missed_is_weighed_by_what_was_heard,
    test_a_window_the_capture_mostly_missed_cannot_vouch_for_the_system,
    test_cycles_the_capture_missed_are_the_rigs_own_not_unsteadiness)
from tests.harness.test_rig_audio import (  # noqa: F401
    test_a_cycle_the_capture_missed_while_the_system_counted_an_xrun_is_judged_on_what_was_heard,
    test_a_long_silence_the_rigs_capture_missed_is_a_doubt_not_the_systems,
    test_a_stretch_the_rig_could_not_hear_makes_its_window_inconclusive,
    test_damage_of_at_most_machine_cycles_beside_a_jack_xrun_report_is_the_machines,
    test_the_same_gap_heard_without_a_blind_report_is_a_violation)


def _in_a_folder(test: Callable[[Path], Any]) -> Callable[[], Any]:
    def call() -> Any:
        with tempfile.TemporaryDirectory() as d:
            return test(Path(d))
    return call


test_after_the_stop_judged_on_what_was_heard = _in_a_folder(
    audio.test_a_cycle_the_capture_missed_after_the_stop_with_no_xrun_report_is_judged_on_what_was_heard)
test_where_jack_reported_an_xrun = _in_a_folder(
    audio.test_cycles_the_capture_missed_where_jack_reported_an_xrun_are_the_xruns_damage)
test_xrun_reported_after_the_window_closed = _in_a_folder(
    audio.test_an_xrun_reported_after_its_missed_cycles_window_closed_joins_that_window)
test_with_no_xrun_report_not_heard = _in_a_folder(audio.test_cycles_the_capture_missed_with_no_xrun_report_are_not_heard)
test_in_its_last_cycles = _in_a_folder(audio.test_a_cycle_the_capture_missed_in_its_last_cycles_is_not_the_systems_loss)
test_before_the_stops_window = _in_a_folder(
    audio.test_a_cycle_the_capture_missed_before_the_stops_window_with_no_xrun_report_is_not_heard)
test_read_after_the_stops_window_opened = _in_a_folder(
    audio.test_cycles_the_capture_missed_read_after_the_stops_window_opened_are_judged_where_they_lie)
