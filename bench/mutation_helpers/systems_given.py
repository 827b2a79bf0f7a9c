"""Every test of the files ``MIP_FOLDER_TESTS`` names (comma-separated, but those
``MIP_FOLDER_LEAVE_OUT`` names), the ones asking for ``make_system`` or ``attached`` (the
conftest's simulated systems, closed after the test, and a history attached to one) given them
beside ``tmp_path`` and ``monkeypatch``: a test file for ``scripts/mutate_in_process.py``, which
leaves out every test asking for a fixture. Why: the injector's promises (a fault held for the
system's state, the timed faults armed a horizon ahead, a disarm's clean-up) are judged by
``tests/harness/test_faults.py``'s ``make_system`` tests.

    MIP_FOLDER_TESTS=tests/harness/test_faults.py PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 10 \
        .venv/bin/python scripts/mutate_in_process.py --timeout 300 harness.faults.injector \
        bench/mutation_helpers/systems_given.py FaultInjector._arm_timed
"""
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mip_given import FOLDER_GIVEN, gather, given

from made_systems import made_systems

from harness.history import History

SYSTEMS_GIVEN = (*FOLDER_GIVEN, "make_system", "attached")


@contextmanager
def _systems() -> Iterator[dict[str, Any]]:
    """``make_system`` and ``attached`` as ``tests/harness/conftest.py`` gives them."""
    with made_systems() as make:
        yield {"make_system": make,
               "attached": lambda system, **kw: History(meta={"seed": system.seed}).attach(system, **kw)}


gather(globals(), "MIP_FOLDER_TESTS", "MIP_FOLDER_LEAVE_OUT", "systems_given",
       lambda test: given(test, SYSTEMS_GIVEN, _systems), SYSTEMS_GIVEN)
