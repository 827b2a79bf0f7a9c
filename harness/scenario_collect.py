"""pytest collection of scenario files: every ``*.toml`` below a configured folder is one test item.

The folders are the ``soundcheck_scenarios`` ini option (paths relative to the ini file; soundcheck's
own ``pyproject.toml`` says ``scenarios``); with none configured nothing is collected, so a project
that installs soundcheck never finds its own TOML files turned into test items.

``harness.pytest_plugin`` re-exports ``pytest_collect_file`` (and the node classes) and registers
the ini option; on its own (``-p harness.scenario_collect`` without the main plugin) it has no
option and collects nothing. Cheap to import: the scenario machinery is imported when a file is
collected.

- An invalid file is a collection error whose message names the file, the line, the field path
  and what was expected, every problem at once, with no traceback.
- A failing scenario's report is the failed expectations with their evidence from the history.
- An inconclusive scenario (``harness.verdict``: an expectation could not be judged, or a device
  was lost with nothing to explain it) is not green either: its item fails, so pytest's exit
  status is non-zero and CI does not pass on a scenario that proved nothing. But it is not
  reported as a failure of the system: its status is ``INCONCLUSIVE`` (``I`` in the progress
  line), its report says ``INCONCLUSIVE`` and why, the run's last line counts ``N inconclusive``
  apart from ``failed``, and an ``INCONCLUSIVE`` section lists them with their reasons. Every
  scenario item records its verdict as the user property ``verdict`` (``pass``/``fail``/
  ``inconclusive``), so JUnit XML carries it too. The two exceptions are ``ScenarioFailed`` and
  ``ScenarioInconclusive``.
- Each step runs inside ``allure.step`` when allure-pytest is active (``--alluredir``).
- A scenario on the JACK rig (``backend = "jack"``) carries the ``loopback`` marker; without jackd
  it is skipped with the reason, except when ``CI`` is set: there it must run (and fails if the
  rig cannot start).
- The system under test is ``--soundcheck-system`` / the ``soundcheck_system`` ini value when the
  main plugin is loaded (default ``AudioSystem``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

#: the ini option naming the folders whose ``*.toml`` files are scenarios
INI = "soundcheck_scenarios"


def scenario_folders(config: pytest.Config) -> list[Path]:
    """The configured scenario folders (none when the option is unset, or not registered because
    the main plugin is not loaded)."""
    try:
        folders = config.getini(INI)
    except ValueError:
        return []
    return [Path(p).resolve() for p in folders]


def _is_scenario_path(file_path: Path, folders: list[Path]) -> bool:
    if file_path.suffix != ".toml":
        return False
    resolved = file_path.resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loopback(portaudio=False): needs the JACK loopback rig")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if _is_scenario_path(file_path, scenario_folders(parent.config)):
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


class ScenarioInconclusive(ScenarioFailed):
    """The scenario ran, nothing failed, but it cannot vouch for the system (the report, headed
    ``INCONCLUSIVE``, is the message). A ``ScenarioFailed`` so that code catching a scenario that
    did not pass still catches it; the item's report tells the two apart."""


#: the user property every scenario item records its verdict under (``pass``/``fail``/``inconclusive``)
VERDICT_PROPERTY = "verdict"
#: the terminal's category, letter and word for an inconclusive scenario item
INCONCLUSIVE = "inconclusive"


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
        if self.scenario.needs_rig:  # the loopback marker's gate, also when this module runs alone
            from .pytest_shared import loopback_gate

            loopback_gate(what="the loopback scenario")

    def runtest(self) -> None:
        from .scenarios import run_scenario
        from .sut_protocol import default_system

        step = _allure_step()

        def context(label: str) -> AbstractContextManager[Any]:
            return step(label) if step is not None else nullcontext()

        system = default_system()
        if hasattr(self.config.option, "soundcheck_system"):  # the main plugin's --soundcheck-system
            from .pytest_shared import system_choice

            system = system_choice(self.config)
        result = run_scenario(self.scenario, step_context=context, source=str(self.path), system=system)
        self.result = result
        outcome = result.verdict.outcome.value
        self.user_properties.append((VERDICT_PROPERTY, outcome))
        if outcome == INCONCLUSIVE:
            raise ScenarioInconclusive(result.report())
        if not result.passed:
            raise ScenarioFailed(result.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioInconclusive):
            why = "; ".join(self.result.verdict.doubts)
            return (f"INCONCLUSIVE (not a failure of an expectation; not a pass either): {why}\n"
                    f"{excinfo.value}")
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario {self.scenario.id}: {self.scenario.scenario.title}"


def _inconclusive(report: Any) -> bool:
    """A scenario item's call that failed because its verdict is inconclusive (read from the user
    property, which survives xdist's trip of the report to the controller)."""
    return (getattr(report, "when", None) == "call" and bool(getattr(report, "failed", False))
            and (VERDICT_PROPERTY, INCONCLUSIVE) in [tuple(p) for p in getattr(report, "user_properties", ())])


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, Any] | None:
    """An inconclusive scenario's status: category ``inconclusive`` (the last line counts it
    apart from ``failed``), ``I``, ``INCONCLUSIVE``. The report stays failed, so the session's
    exit status does too."""
    if _inconclusive(report):
        return INCONCLUSIVE, "I", ("INCONCLUSIVE", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The inconclusive scenarios with their reasons: pytest's FAILURES section lists only the
    ``failed`` category, so without this their reports would never be printed."""
    reports = terminalreporter.stats.get(INCONCLUSIVE, [])
    if not reports:
        return
    terminalreporter.write_sep("=", f"INCONCLUSIVE ({len(reports)}: nothing failed, but nothing was vouched "
                               "for; the exit status stays non-zero)", yellow=True)
    for report in reports:
        terminalreporter.write_sep("_", report.head_line or report.nodeid)
        terminalreporter.write_line(str(report.longreprtext))


__all__ = ["INCONCLUSIVE", "ScenarioFailed", "ScenarioFile", "ScenarioInconclusive", "ScenarioItem",
           "VERDICT_PROPERTY", "pytest_collect_file", "pytest_configure", "pytest_report_teststatus",
           "pytest_terminal_summary"]
