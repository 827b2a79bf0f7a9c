"""``bench/cpu_parts.py`` weighs each part by its own outermost calls, and every part it names exists.

Its figures are read as "this part's CPU" (bench/RESULTS.md, issue #17): that holds only if a
part that calls itself is counted once, a call that raises is still counted, each thread keeps its
own nesting, and the wrapped ``Pipeline.callback`` keeps its name (the simulated stream delivers
stretches of blocks only to a callback called ``callback``; a wrapper named otherwise would make
the measured run a different, slower one)."""

from __future__ import annotations

import importlib
import threading

import pytest

from bench_scripts import load_bench_script


def _cpu_parts():
    return load_bench_script("cpu_parts.py", "bench_cpu_parts")


class _Ticks:
    """A clock that moves one second a read: a call's time is its number of reads inside."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def test_a_recursive_part_is_counted_once_and_a_raising_call_still_counts() -> None:
    weigher = _cpu_parts().Weigher(clock=_Ticks())

    def countdown(n: int) -> int:
        return 0 if n == 0 else 1 + timed(n - 1)

    def boom() -> None:
        raise ValueError("x")

    timed = weigher.wrap("countdown", countdown)
    raising = weigher.wrap("boom", boom)
    assert timed(5) == 5
    assert weigher.calls["countdown"] == 1 and weigher.seconds["countdown"] == 1.0
    with pytest.raises(ValueError):
        raising()
    assert weigher.calls["boom"] == 1
    assert timed(0) == 0  # the part is not left "inside" after the first call
    assert weigher.calls["countdown"] == 2


def test_each_thread_nests_on_its_own() -> None:
    weigher = _cpu_parts().Weigher(clock=_Ticks())
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(timeout=30)

    timed = weigher.wrap("hold", hold)
    other = threading.Thread(target=timed)
    other.start()
    assert started.wait(timeout=30)
    timed_quick = weigher.wrap("hold", lambda: None)
    timed_quick()  # this thread is not inside "hold" although the other one is
    release.set()
    other.join(timeout=30)
    assert weigher.calls["hold"] == 2


def test_every_part_exists_and_the_callback_keeps_its_name() -> None:
    module = _cpu_parts()
    for module_name, owner_name, func_name in module.PARTS:
        owner = getattr(importlib.import_module(module_name), owner_name) if owner_name else \
            importlib.import_module(module_name)
        assert callable(getattr(owner, func_name)), (module_name, owner_name, func_name)
    from system_under_test.pipeline import Pipeline

    wrapped = module.Weigher().wrap("Pipeline.callback", Pipeline.callback)
    assert wrapped.__name__ == "callback"
