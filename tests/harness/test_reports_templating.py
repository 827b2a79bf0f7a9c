"""The report templates' compiled code is cached between processes (``harness.reports.templating``)."""

from __future__ import annotations

import jinja2
import pytest

from harness.reports import RunData, build_report, templating
from harness.reports.html import render_html

REPORT = build_report(RunData(kind="run", sim_time_s=1.0))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "_cache", [jinja2.FileSystemBytecodeCache(str(tmp_path))])
    return tmp_path


def test_a_fresh_environment_loads_a_compiled_template_without_compiling_it(cache_dir, monkeypatch) -> None:
    first = render_html(REPORT, {})
    assert len(list(cache_dir.iterdir())) == 1  # the compiled code, written once

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert render_html(REPORT, {}) == first  # each call's environment is a fresh one


def test_without_a_cache_the_templates_compile_and_render_alike(cache_dir, monkeypatch) -> None:
    cached = render_html(REPORT, {})
    monkeypatch.setattr(templating, "_cache", [None])
    env = templating.environment(fmt=str)
    assert env.bytecode_cache is None and env.globals["fmt"] is str
    assert render_html(REPORT, {}) == cached
