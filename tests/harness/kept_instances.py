"""Every instance of a class a module makes while a test runs, kept for the test to look at."""

from __future__ import annotations

from typing import Any

import pytest


def kept_instances(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """Replace ``module.name`` (a class) for the test with a subclass that keeps each instance
    made, in the order made: the list returned. The code under test builds its own (a run's
    history, an injector's scheduler thread), which a test has no other hand on."""
    made: list[Any] = []
    base = getattr(module, name)

    class Kept(base):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(module, name, Kept)
    return made
