"""Every test of the files ``MIP_FOLDER_TESTS`` names (comma-separated), the ones that ask for
``tmp_path`` or ``monkeypatch`` given a fresh temporary folder and pytest's ``MonkeyPatch`` (their
``parametrize`` marks kept): a test file for ``scripts/mutate_in_process.py``, which leaves out
every test asking for a fixture. Why: the exit-2 refusals of a profile or scenario file (the
message naming file, field and fix) are ``tmp_path`` tests, and they are what judges a bound's
message. A test asking for any other fixture is still left out (named on stderr by the script),
and so is every test ``MIP_FOLDER_LEAVE_OUT`` names (comma-separated names: a slow test whose
mutants are judged apart).

    MIP_FOLDER_TESTS=tests/harness/test_fault_paths.py PYTHONPATH=$PWD CI=true nice -n 19 \
        .venv/bin/python scripts/mutate_in_process.py --timeout 600 harness.faults.stall_bound \
        bench/mutation_helpers/folder_given.py min_stall_s
"""
from mip_given import gather, given

gather(globals(), "MIP_FOLDER_TESTS", "MIP_FOLDER_LEAVE_OUT", "folder_given", given)
