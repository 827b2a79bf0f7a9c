"""test_audio_machine_cause_middle.py's two runs heard once (unmutated), machine_cause asked of them
with each mutant in place: the runs' own judging is not what these mutants change.

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 late-night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 900 (through mip_only.py, MIP_ONLY=132-141) harness.audio_check bench/mutation_helpers/machine_cause_middle_cached.py AudioCheck.machine_cause
"""
import tests.harness.test_audio_machine_cause_middle as T

_A = T._heard((T._cycle(T.REPORTED_AT),))
_B = T._heard((T._cycle(T.UNREPORTED_AT), T._cycle(T.REPORTED_AT)))


def test_reported_in_the_middle():
    check, t, _ = _A
    assert check.machine_cause(T._mute_at(check, t + T.REPORTED_AT)) == "jack_xrun"


def test_quiet_in_the_middle():
    check, t, _ = _B
    assert check.machine_cause(T._mute_at(check, t + T.UNREPORTED_AT)) is None
    assert check.machine_cause(T._mute_at(check, t + T.REPORTED_AT)) == "jack_xrun"

_C = T._heard((T._cycle(7.03),), quiet=(7.0, 7.8))


def test_just_after_the_last_report():
    check, t, _ = _C
    assert check.machine_cause(T._mute_at(check, t + 7.03)) == "jack_xrun"
