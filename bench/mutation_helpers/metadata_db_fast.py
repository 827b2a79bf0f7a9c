"""The fast tests of test_rig_metadata_db.py (no jackd), each given a fresh temporary folder and,
where it asks for one, pytest's ``MonkeyPatch``: what judges ``harness.rig.loopback.broken_metadata_db``.

A test file for ``scripts/mutate_in_process.py`` (MUTATION.md, the 2026-12-06 night rows):

    PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python scripts/mutate_in_process.py \
        --timeout 600 harness.rig.loopback bench/mutation_helpers/metadata_db_fast.py broken_metadata_db
"""
import inspect
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.harness import test_rig_metadata_db as db


def _in_a_folder(test: Callable[..., Any]) -> Callable[[], Any]:
    def call() -> Any:
        with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
            wants = inspect.signature(test).parameters
            return test(**{k: v for k, v in (("tmp_path", Path(d)), ("monkeypatch", mp)) if k in wants})
    return call


test_only_empty_region_files = _in_a_folder(db.test_only_empty_region_files_are_a_broken_database)
test_the_default_folder_and_uid = _in_a_folder(
    db.test_the_default_folder_is_jacks_shared_memory_and_the_default_uid_this_process_s)
test_a_region_file_removed_while_read = _in_a_folder(
    db.test_a_region_file_removed_while_read_is_skipped_and_the_rest_still_read)
test_a_uid_asked_for = _in_a_folder(db.test_a_uid_asked_for_is_read_in_its_own_folder_alone)
