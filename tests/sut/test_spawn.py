"""``system_under_test.devices.spawn``: a child is forked on the main thread when the caller is on
it, else by the one spawner thread (a named daemon that lives as long as the process), with the
caller's arguments as given; what ``subprocess.Popen`` raised there is raised in the caller's
thread. ``subprocess.Popen`` is replaced by a recorder here: no process is started.

The real consequence (a device host opened from a thread that then ends outlives that thread) is
``test_devhost_process.py``'s."""

from __future__ import annotations

import queue
import subprocess
import threading
from typing import Any

import pytest

from system_under_test.devices import spawn


class _Forks:
    """Stands in for ``subprocess.Popen``: records the thread each call ran on and its arguments,
    and raises ``error`` instead of returning when it is set."""

    def __init__(self) -> None:
        self.calls: list[tuple[threading.Thread, tuple[Any, ...], dict[str, Any]]] = []
        self.made: list[object] = []
        self.error: BaseException | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> object:
        self.calls.append((threading.current_thread(), args, kwargs))
        if self.error is not None:
            raise self.error
        proc = object()
        self.made.append(proc)
        return proc


@pytest.fixture
def forks(monkeypatch) -> _Forks:
    """A recording ``Popen`` and a spawner of this test's own: no spawner thread yet and a queue
    no other thread serves. A spawner thread this test starts is left blocked on that queue when
    the test ends (a daemon that does nothing more); the process's own spawner is untouched."""
    f = _Forks()
    monkeypatch.setattr(subprocess, "Popen", f)
    monkeypatch.setattr(spawn, "_thread", None)
    monkeypatch.setattr(spawn, "_requests", queue.SimpleQueue())
    return f


def _on_a_worker(fn) -> dict[str, Any]:
    """``fn()`` on a thread of its own: what it returned (``value``) or raised (``error``). The
    join's bound only turns a hang (a spawner that never answers) into a failure."""
    out: dict[str, Any] = {}

    def run() -> None:
        out["thread"] = threading.current_thread()
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    t = threading.Thread(target=run, name="short-lived-caller")
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "popen never returned"
    return out


def test_on_the_main_thread_the_child_is_forked_there_with_the_arguments_given(forks, monkeypatch):
    started: list[None] = []
    monkeypatch.setattr(spawn, "start", lambda: started.append(None))
    assert threading.current_thread() is threading.main_thread()
    proc = spawn.popen(["host", "-P"], 5, stdout=subprocess.PIPE, env={"A": "1"})
    assert forks.calls == [(threading.main_thread(), (["host", "-P"], 5),
                            {"stdout": subprocess.PIPE, "env": {"A": "1"}})]
    assert proc is forks.made[0]
    assert started == [] and spawn._thread is None


def test_elsewhere_the_child_is_forked_by_the_spawner_thread_which_outlives_the_caller(forks, monkeypatch):
    started: list[None] = []
    real_start = spawn.start
    monkeypatch.setattr(spawn, "start", lambda: (started.append(None), real_start())[1])
    out = _on_a_worker(lambda: spawn.popen(["jackd", "-d", "dummy"], stdin=subprocess.DEVNULL))
    assert "error" not in out
    spawner = spawn._thread
    assert isinstance(spawner, threading.Thread)
    assert forks.calls == [(spawner, (["jackd", "-d", "dummy"],), {"stdin": subprocess.DEVNULL})]
    assert out["value"] is forks.made[0]
    assert started == [None]
    assert spawner is not out["thread"] and spawner is not threading.main_thread()
    assert (spawner.name, spawner.daemon, spawner.is_alive()) == ("soundcheck-spawner", True, True)
    # the next caller's child comes from the same thread
    again = _on_a_worker(lambda: spawn.popen("second"))
    assert again["value"] is forks.made[1]
    assert [c[0] for c in forks.calls] == [spawner, spawner] and spawn._thread is spawner
    assert started == [None, None]


def test_what_popen_raised_on_the_spawner_is_raised_in_the_caller_s_thread(forks):
    forks.error = FileNotFoundError(2, "No such file or directory", "no-such-python")
    out = _on_a_worker(lambda: spawn.popen(["no-such-python"]))
    assert out["error"] is forks.error and "value" not in out
    # the spawner is still there and serves the next caller
    forks.error = None
    out = _on_a_worker(lambda: spawn.popen(["python3"]))
    assert "error" not in out and out["value"] is forks.made[0]
    assert [c[0] for c in forks.calls] == [spawn._thread, spawn._thread]


def test_start_makes_one_spawner_and_replaces_only_a_dead_one(forks):
    spawn.start()
    first = spawn._thread
    assert isinstance(first, threading.Thread)
    assert (first.name, first.daemon, first.is_alive()) == ("soundcheck-spawner", True, True)
    spawn.start()
    assert spawn._thread is first
    # a spawner that is gone (a fork leaves the child process without its parent's threads)
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    spawn._thread = dead
    spawn._requests = queue.SimpleQueue()  # the first one waits on the queue it took (restored by the fixture)
    spawn.start()
    second = spawn._thread
    assert second is not dead and second is not first
    assert (second.name, second.daemon, second.is_alive()) == ("soundcheck-spawner", True, True)
    # and it serves the queue
    out = _on_a_worker(lambda: spawn.popen("served"))
    assert out["value"] is forks.made[0] and forks.calls[0][0] is second
