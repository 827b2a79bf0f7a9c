"""``scripts/mutate_in_process.py``: each call's arguments read from a test's parametrize marks.

A parameter set is told by its type (``pytest.param``), not by a ``values`` attribute: a dict
parameter has a ``values`` method, and reading it as a parameter set handed the test that method
(``test_callback_errors_bound.py``'s dicts of run options: the unmutated pass raised and the
script stopped before any mutant).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("mutate_in_process_script", ROOT / "scripts" / "mutate_in_process.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_dict_parameter_is_passed_whole() -> None:
    @pytest.mark.parametrize("kw", [{"backend": None}, {"clock": "real"}])
    def judged(kw: dict[str, Any]) -> None:
        """A parametrized test, as test_callback_errors_bound.py writes one."""

    assert list(_script()._param_sets(judged)) == [{"kw": {"backend": None}}, {"kw": {"clock": "real"}}]


def test_pytest_params_are_unwrapped_one_name_or_several() -> None:
    @pytest.mark.parametrize("kw", [pytest.param({"clock": "real"}, id="real")])
    @pytest.mark.parametrize("seed, ok", [pytest.param(1, True, id="one"), (2, False)])
    def judged(kw: dict[str, Any], seed: int, ok: bool) -> None:
        """Two marks, pytest.param in each, a dict inside one."""

    assert list(_script()._param_sets(judged)) == [
        {"seed": 1, "ok": True, "kw": {"clock": "real"}},
        {"seed": 2, "ok": False, "kw": {"clock": "real"}},
    ]


SAMPLE = '''
class Part:
    def __init__(self, size):
        self.size = size

    def doubled(self):
        return self.size * 2


class Whole:
    def parts(self):
        return [Part(1), Part(2)]
'''

SAMPLE_TESTS = '''
from mip_sample import Part, Whole


def test_two_parts():
    assert len(Whole().parts()) == 2


def test_doubled():
    assert Part(3).doubled() == 6
'''


def test_a_method_building_another_named_class_builds_the_modules_own(tmp_path: Path) -> None:
    """``Whole.parts`` named beside ``Part.doubled``: its mutants build ``Part`` as the module defines
    it, not the bare ``class Part:`` the generated code holds, so the sizes no test reads survive
    (read as killed, every one, when the bare class raised on its argument)."""
    import subprocess  # noqa: PLC0415

    (tmp_path / "mip_sample.py").write_text(SAMPLE)
    tests = tmp_path / "test_mip_sample.py"
    tests.write_text(SAMPLE_TESTS)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutate_in_process.py"), "mip_sample", str(tests),
                           "Whole.parts", "Part.doubled"], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    parts = dict(line.split(": ") for line in done.stdout.splitlines() if "xǁWholeǁparts__mutmut_" in line)
    assert parts and set(parts.values()) == {"survived"}, parts
    doubled = [line for line in done.stdout.splitlines() if "xǁPartǁdoubled__mutmut_" in line]
    assert doubled and all(line.endswith("killed") for line in doubled), doubled


SUPER_SAMPLE = '''
class Base:
    def __init__(self, size):
        self.size = size


class Child(Base):
    def __init__(self, size, name):
        super().__init__(size)
        self.name = name
'''

SUPER_TESTS = '''
from mip_super_sample import Child


def test_size_kept():
    assert Child(3, "a").size == 3
'''


def test_a_method_calling_super_reaches_the_modules_class(tmp_path: Path) -> None:
    """``Child.__init__``'s zero-argument ``super()`` reads the ``__class__`` of the class its code was
    compiled in: the bare generated ``class Child:``, of which the module's ``Child`` is no subclass, so
    every mutant raised and read as killed. Its two mutants: the size passed as None (read by the
    test: killed) and the name set to None (read by no test: survives)."""
    import subprocess  # noqa: PLC0415

    (tmp_path / "mip_super_sample.py").write_text(SUPER_SAMPLE)
    tests = tmp_path / "test_mip_super_sample.py"
    tests.write_text(SUPER_TESTS)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutate_in_process.py"), "mip_super_sample",
                           str(tests), "Child.__init__"], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    judged = dict(line.split(": ") for line in done.stdout.splitlines() if "xǁChildǁ__init____mutmut_" in line)
    assert judged == {"mip_super_sample.xǁChildǁ__init____mutmut_1": "killed",
                      "mip_super_sample.xǁChildǁ__init____mutmut_2": "survived"}, done.stdout


LOOP_SAMPLE = '''
import time


def steps(n):
    done = 0
    while done < n:
        try:
            time.sleep(0.01)
        except OSError:  # as a read of a vanished /proc file is caught
            pass
        done += 1
    return done
'''

LOOP_TESTS = '''
from mip_loop_sample import steps


def test_three_steps():
    assert steps(3) == 3
'''


def test_a_mutant_looping_inside_a_catch_of_oserror_still_times_out(tmp_path: Path) -> None:
    """The timeout is not a ``TimeoutError``: that is an ``OSError``, and a mutant looping for ever
    through code that catches ``OSError`` (``harness.rig.awake._stat_fields``) swallowed it and ran
    with no bound. ``done -= 1`` loops for ever, nearly all of it in the sleep the catch guards."""
    import subprocess  # noqa: PLC0415

    (tmp_path / "mip_loop_sample.py").write_text(LOOP_SAMPLE)
    tests = tmp_path / "test_mip_loop_sample.py"
    tests.write_text(LOOP_TESTS)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutate_in_process.py"), "--timeout", "1",
                           "mip_loop_sample", str(tests), "steps"], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr
    judged = dict(line.split(": ") for line in done.stdout.splitlines() if "x_steps__mutmut_" in line)
    assert "timeout" in judged.values(), judged
