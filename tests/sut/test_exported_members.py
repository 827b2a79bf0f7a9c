"""The public surface is what we mean it to be (httpx's test_exported_members is the model)."""

import system_under_test
from system_under_test import errors


def test_all_names_exist_and_nothing_private_is_exported():
    for name in system_under_test.__all__:
        assert hasattr(system_under_test, name), name
        assert not name.startswith("_")
    assert sorted(system_under_test.__all__) == system_under_test.__all__


def test_every_error_is_in_the_one_tree_and_documented():
    doc = errors.__doc__
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.AudioSystemError), name
            assert name in doc, f"{name} missing from the tree drawn in errors.py"


def test_system_under_test_never_imports_the_harness():
    import pathlib
    root = pathlib.Path(system_under_test.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "import harness" not in text and "from harness" not in text, path
