"""Every test of the files ``MIP_LIVE_TESTS`` names (comma-separated), given the fixtures the live
checker's test files ask for: ``idle`` (a system that never runs, closed after, as their own
fixture), ``tmp_path`` and ``monkeypatch``; and the history database those files' autouse fixture
points into a temporary folder, pointed there for the whole process. Tests ``MIP_LIVE_LEAVE_OUT``
names (comma-separated: the soaks, seconds a call) are left out. A test file for
``scripts/mutate_in_process.py``, which leaves out every test asking for a fixture:

    MIP_LIVE_TESTS=tests/harness/test_live_counters_and_follow.py \
    MIP_LIVE_LEAVE_OUT=test_a_soak_journals_the_break_at_the_first_live_check_after_it \
        PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        scripts/mutate_in_process.py --timeout 600 harness.invariants \
        bench/mutation_helpers/live_given.py LiveChecker._history_verdicts
"""
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mip_given import gather, given

from system_under_test import AudioSystem

_DB_FOLDER = tempfile.mkdtemp(prefix="live_given_")
os.environ["SOUNDCHECK_HISTORY_DB"] = str(Path(_DB_FOLDER) / "history.sqlite")
_GIVEN = ("idle", "tmp_path", "monkeypatch")


@contextmanager
def _an_idle_system() -> Iterator[dict[str, Any]]:
    system = AudioSystem(seed=1)
    try:
        yield {"idle": system}
    finally:
        system.close()


gather(globals(), "MIP_LIVE_TESTS", "MIP_LIVE_LEAVE_OUT", "live_given",
       lambda test: given(test, _GIVEN, _an_idle_system), _GIVEN)
