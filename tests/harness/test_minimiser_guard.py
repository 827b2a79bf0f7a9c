"""The failure export's minimiser on a slow or loaded machine: its CPU guard stops it, the
scenario is still written, and its description names the stop.

Its budget of replays and simulated seconds is the same on every machine, but a replay's cost is
not: on a machine many times slower, or for a timeline whose one replay costs more than the budget
(an hours-long soak's), only a bound on CPU keeps a CI user's export from running on for minutes.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from cli_capture import cli
from harness.scenarios.export import MAX_CPU_S, MAX_REPLAYED_SIM_S, MAX_REPLAYS


def _export(out: Path) -> str:
    from rejected_config_history import export_half_reconfigure_failure

    return export_half_reconfigure_failure(out)


def test_the_minimiser_names_the_stop_that_ended_it(tmp_path: Path) -> None:
    text = _export(tmp_path)
    assert text.count("[[steps]]") == 1
    assert "Minimised from 5 step(s) to 1 in " in text and "stopped by one step left" in text, text


def test_with_the_cpu_guard_hit_the_scenario_is_still_written_and_says_so(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A process whose every CPU reading is 100 s past the last (a replay dearer than the guard):
    the minimiser starts no replay, the whole timeline is written, and the description says the
    CPU guard stopped it. Without the guard it minimised on (one step, "one step left")."""
    ticks = itertools.count()
    real = time.process_time
    monkeypatch.setattr(time, "process_time", lambda: real() + 100.0 * next(ticks))
    text = _export(tmp_path)
    assert text.count("[[steps]]") >= 4, text  # start, pause, resume, the invalid configuration (+ close)
    assert f"the CPU guard ({MAX_CPU_S:g} s of CPU" in text, text


def test_the_run_help_states_the_minimisers_bounds() -> None:
    code, out, _ = cli("run", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert f"at most {MAX_REPLAYS} replays or {MAX_REPLAYED_SIM_S:g} simulated s replayed" in text, text
    assert f"never past {MAX_CPU_S:g} s of CPU" in text, text


#: timer firings a runaway replay is allowed before it ends by itself: enough that an unguarded
#: replay runs through them all (and is then minimised), few enough to cost well under a second
RUNAWAY_FIRINGS = 20_000


def _runaway_factory(config=None, **kw):
    """The ``half_reconfigure`` mutant with a timer that re-arms itself 1 µs of virtual time later,
    ``RUNAWAY_FIRINGS`` times: a replay whose virtual clock barely moves however long it runs."""
    from harness.scenarios.executor import mutant_factory

    system = mutant_factory("half_reconfigure")(config, **kw)
    clock = system.clock
    fired = itertools.count()

    def again() -> None:
        if next(fired) < RUNAWAY_FIRINGS:
            clock.call_at(clock.now() + 1e-6, again)

    clock.call_at(clock.now() + 1e-6, again)
    return system


def test_a_first_replay_that_runs_away_is_stopped_by_the_cpu_guard(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's first replay (of the whole timeline, before any minimising) was outside the
    guard: a timeline whose replay runs away ran on unbounded. Every CPU reading here is 1 s past
    the last, so the guard's 60 s pass within about 60 instants of virtual time; unguarded, the
    replay ran all its firings, reproduced the failure and was minimised to one step."""
    from rejected_config_history import closed_half_reconfigure_history
    from harness.scenarios.export import export_failure

    history = closed_half_reconfigure_history()
    ticks = itertools.count()
    real = time.process_time
    monkeypatch.setattr(time, "process_time", lambda: real() + 1.0 * next(ticks))
    path = export_failure(history, config=None, seed=0, failed_invariant="rejected_config", out_dir=tmp_path,
                          system_factory=_runaway_factory)
    text = Path(path).read_text()
    assert "its first replay was stopped by the CPU guard (60 s of CPU) after " in text, text
    assert "not minimised and not confirmed to reproduce the failure" in text, text
    assert text.count("[[steps]]") >= 4, text  # the whole timeline, written as it was
    assert next(ticks) < 1000  # stopped within a few readings, not after the runaway's firings
