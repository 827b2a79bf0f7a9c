"""pytest collection of scenario files: every ``scenarios/**/*.toml`` is one test item.

``harness.pytest_plugin`` re-exports ``pytest_collect_file`` (and the node classes); on its own
this module is a plugin too (``-p harness.scenario_collect``). Cheap to import: the scenario
machinery is imported when a file is collected.

- An invalid file is a collection error whose message names the file, the line, the field path
  and what was expected, every problem at once, with no traceback.
- A failing scenario's report is the failed expectations with their evidence from the history.
- Each step runs inside ``allure.step`` when allure-pytest is active (``--alluredir``).
- A scenario on the JACK rig (``backend = "jack"``) carries the ``loopback`` marker; without jackd
  it is skipped with the reason, except when ``CI`` is set: there it must run (and fails if the
  rig cannot start).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

#: Folder name whose TOML files are scenarios (anywhere below it).
SCENARIO_DIR = "scenarios"


def _is_scenario_path(file_path: Path) -> bool:
    return file_path.suffix == ".toml" and SCENARIO_DIR in file_path.parts[:-1]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loopback: needs the JACK loopback rig (jackd)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_scenario_path(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .errors import ScenarioFileError
        from .scenarios import load_scenario

        try:
            scenario = load_scenario(self.path)
        except ScenarioFileError as exc:
            raise self.CollectError(str(exc)) from None
        item = ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario)
        for tag in scenario.scenario.tags:
            item.extra_keyword_matches.add(tag)
        if scenario.needs_rig:
            item.add_marker("loopback")
        yield item


class ScenarioFailed(Exception):
    """The scenario ran and an expectation did not hold (the report is the message)."""


def _allure_step() -> Any:
    """``allure.step`` when allure-pytest is recording, else None."""
    try:
        import allure
        from allure_commons._core import plugin_manager
    except ImportError:
        return None
    listeners = [p for p in plugin_manager.get_plugins() if type(p).__name__ == "AllureListener"]
    return allure.step if listeners else None


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.scenario = scenario
        self.user_properties.append(("reproduces", scenario.scenario.reproduces))

    def setup(self) -> None:
        if self.scenario.needs_rig:
            from .rig.loopback import rig_unavailable_reason

            reason = rig_unavailable_reason()
            if reason is not None:
                if os.environ.get("CI"):
                    pytest.fail(f"CI is set, so the loopback scenario must run, but: {reason}",
                                pytrace=False)
                pytest.skip(f"needs the JACK loopback rig: {reason}")

    def runtest(self) -> None:
        from .scenarios import run_scenario

        step = _allure_step()

        def context(label: str) -> AbstractContextManager[Any]:
            return step(label) if step is not None else nullcontext()

        result = run_scenario(self.scenario, step_context=context, source=str(self.path))
        self.result = result
        if not result.passed:
            raise ScenarioFailed(result.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario {self.scenario.id}: {self.scenario.scenario.title}"


__all__ = ["ScenarioFailed", "ScenarioFile", "ScenarioItem", "pytest_collect_file", "pytest_configure"]
