"""Only the tests ``MIP_NAMED_TESTS`` names (comma-separated ``path::test_name``), each as its file
has it (``parametrize`` marks kept; a ``tmp_path`` or ``monkeypatch`` given as
``folder_given.py`` gives them): a test file for ``scripts/mutate_in_process.py`` when a function's
fast promise tests sit in a file whose other tests take minutes a mutant (whole runs).

    MIP_NAMED_TESTS=tests/harness/test_gates_steady.py::test_an_error_counted_in_the_settle_margin_keeps_the_quiet_window_a_block_after_it \
        PYTHONPATH=$PWD:$PWD/tests/harness CI=true nice -n 19 .venv/bin/python \
        bench/mutation_helpers/mip_only.py --timeout 600 harness.steady_state \
        bench/mutation_helpers/named_tests.py SteadyWatch.watch_after
"""
import inspect
import os

from mip_given import FOLDER_GIVEN, given, load_test_file

_modules: dict[str, object] = {}
for _i, _named in enumerate(filter(None, os.environ.get("MIP_NAMED_TESTS", "").split(","))):
    _path, _, _name = _named.partition("::")
    if _path not in _modules:
        _modules[_path] = load_test_file(_path, f"named_tests_{len(_modules)}")
    _fn = getattr(_modules[_path], _name)
    _wants = set(inspect.signature(_fn).parameters)
    globals()[f"{_name}__{_i}"] = given(_fn) if _wants & set(FOLDER_GIVEN) else _fn
