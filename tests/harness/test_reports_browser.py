"""report.html opened in a real browser (headless Chromium over the DevTools protocol).

What a reader would meet: no console error, every figure decoded, nothing fetched from the network,
a page that is not blank, and the verdict (PASS / FAIL / INCONCLUSIVE) on screen. The checker
itself is tested on pages built to break each rule, so none of these checks passes by default.

Outside CI the tests skip, with the reason, when Chromium is not installed; with ``CI`` set they
fail instead (scripts/bootstrap installs Debian's ``chromium`` as root).
"""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import pytest

from harness import RunData, write_reports
from harness.reports.browser import BrowserError, PageCheck, check_pages, chromium_unavailable_reason, png_ink
from harness.reports.timeline import read_timeline, render_timeline

#: pytest-timeout's limit on each test here (the project's default, said here so the budget below
#: is taken from it). The first test pays for both module fixtures inside it: the reports built,
#: then every page opened in Chromium
TEST_TIMEOUT_S = 120
#: what Chromium's deadline leaves of that limit: the test's own checks, Chromium's close (up to
#: 10 s when it does not answer) and pytest's teardown. A slow Chromium then fails with
#: ``BrowserError``'s message and the time and CPU the fixtures had, never with pytest-timeout's
#: traceback from wherever the fixture happened to be
AFTER_CHROMIUM_S = 20.0
#: the least Chromium is given: less means the reports alone took the test's time
MIN_CHROMIUM_S = 10.0

pytestmark = [pytest.mark.slow, pytest.mark.timeout(TEST_TIMEOUT_S)]

#: a rendered report covers well over this share of a 1280 x 2000 screenshot; an empty page none
MIN_INK = 0.02


def _cpu_s() -> float:
    """CPU time of this process and of its reaped children (Chromium's tree, once closed)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@pytest.fixture(scope="module")
def started() -> tuple[float, float]:
    """When the module's first test began its setup (wall, CPU): where pytest-timeout's clock for
    that test starts, before the fixtures that build the reports."""
    return time.monotonic(), _cpu_s()


def require_chromium() -> None:
    """Skip (outside CI) or fail (in CI) when there is no Chromium to open the pages with."""
    reason = chromium_unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def reports(started, tmp_path_factory) -> dict[str, Path]:
    """Three real report folders: a passing run, a failing run (a mutant the invariants catch) and an
    inconclusive report (a check that could not decide)."""
    from harness import system_factory
    from harness import ReliabilityRun, RunSpec

    root = tmp_path_factory.mktemp("browser")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOUNDCHECK_HISTORY_DB", str(root / "history.sqlite"))
    try:
        ReliabilityRun(RunSpec(duration_s=20.0, seed=4, run_dir=root / "pass")).execute()
        ReliabilityRun(RunSpec(duration_s=20.0, seed=3, run_dir=root / "fail"),
                       system_factory=system_factory("recovery_never_completes")).execute()
        unsure = RunData(kind="run", meta={"seed": 1, "profile": "none"}, sim_time_s=10.0, entries=[
            {"type": "attach", "time": 0.0, "data": {"state": "running"}}],
            verdicts=[{"name": "linearizable", "ok": True, "inconclusive": True,
                       "message": "3 concurrent ops could not be judged",
                       "evidence": ["3 concurrent ops at entry 12: the system changed state on its own"]}])
        write_reports(root / "inconclusive", unsure, history_db=False, allure=False)
    finally:
        mp.undo()
    return {k: root / k for k in ("pass", "fail", "inconclusive")}


@pytest.fixture(scope="module")
def opened(started, reports, tmp_path_factory) -> dict[str, PageCheck]:
    """Every page of this module opened in one Chromium: the three reports and two pages built to
    break the rules (a broken one and an empty one).

    Chromium's deadline is what pytest-timeout's limit leaves once the reports are built, less
    ``AFTER_CHROMIUM_S``. Measured under ``nice -n 10`` beside busy loops, the fixtures need a
    few seconds of CPU (the reports' two simulated runs, the 100 000-entry timeline, Chromium's
    processes); a run that misses the limit was starved of CPU, which the message says with
    the CPU the fixtures got in their wall time."""
    require_chromium()
    root = tmp_path_factory.mktemp("pages")
    broken = root / "broken.html"
    broken.write_text(
        "<!doctype html><html><body><h1 id=verdict>PASS</h1>"
        "<img alt=cut src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE'>"
        "<img alt=remote src='http://192.0.2.1/figure.png'>"
        "<script>console.error('template failed: boom')</script></body></html>")
    empty = root / "empty.html"
    empty.write_text("<!doctype html><html><body></body></html>")
    # a history of 100 000 entries, drawn in windows
    from test_reports_timeline import _long_history

    big = root / "timeline-100k.html"
    tl = read_timeline(_long_history(100_000))
    big.write_text(render_timeline(tl, {"verdict": {"outcome": "fail", "headline": "FAIL: linearizable"},
                                        "stability": {"invariants": [{"name": "linearizable", "ok": False,
                                                                      "details": {"evidence": [{"op_id": 9000}]}}]}}))
    from harness.reports.compare import compare_reports, render_compare_html

    compared = root / "compare.html"
    compared.write_text(render_compare_html(compare_reports(
        *(json.loads((reports[k] / "report.json").read_text()) for k in ("pass", "fail")))))
    pages = {**{k: v / "report.html" for k, v in reports.items()}, "broken": broken, "empty": empty,
             "compare": compared,
             **{f"timeline-{k}": reports[k] / "timeline.html" for k in ("pass", "fail")}, "timeline-100k": big}
    wall0, cpu0 = started
    spent = time.monotonic() - wall0
    budget = TEST_TIMEOUT_S - AFTER_CHROMIUM_S - spent
    starved = (f"the fixtures before Chromium took {spent:.1f} s wall and {_cpu_s() - cpu0:.1f} s CPU of the "
               f"test's {TEST_TIMEOUT_S} s limit (load average {os.getloadavg()[0]:.1f})")
    if budget < MIN_CHROMIUM_S:
        pytest.fail(f"no time left to open the pages in Chromium: {starved}")
    t0 = time.monotonic()
    try:
        checks = check_pages(list(pages.values()), timeout_s=budget, evaluate={
            "evidence": "Array.from(document.querySelectorAll('section.evidence'))"
                        ".filter(e => e.getBoundingClientRect().height > 0).map(e => e.id)",
            "timeline_link": "(document.getElementById('timeline-link') || {}).href || null",
            "svgs": "Array.from(document.querySelectorAll('svg')).map(s => [s.getBoundingClientRect().width,"
                    " s.getBoundingClientRect().height, s.querySelectorAll('rect').length])"})
    except BrowserError as exc:
        pytest.fail(f"Chromium did not open the {len(pages)} pages within its {budget:.1f} s ({exc}); "
                    f"{starved}; Chromium's part took {time.monotonic() - t0:.1f} s wall and {_cpu_s() - cpu0:.1f} s "
                    "CPU in all: a machine this starved of CPU (a low priority beside busy processes) cannot "
                    "run this module in its limit")
    return dict(zip(pages, checks))


def test_the_checker_sees_console_errors_broken_images_network_fetches_and_blank_pages(opened):
    broken, empty = opened["broken"], opened["empty"]
    assert any("template failed: boom" in e for e in broken.console_errors), broken.console_errors
    assert broken.network_requests == ["http://192.0.2.1/figure.png"]
    assert sorted(i["alt"] for i in broken.broken_images) == ["cut", "remote"]
    assert png_ink(empty.screenshot, against=empty.blank_screenshot) == 0.0
    assert empty.texts["#verdict"] is None  # no verdict on the page: the check below would fail


@pytest.mark.parametrize("name, outcome, banner", [("pass", "pass", "PASS"), ("fail", "fail", "FAIL"),
                                                   ("inconclusive", "inconclusive", "INCONCLUSIVE")])
def test_report_renders_in_chromium_with_its_verdict_on_screen(opened, reports, name, outcome, banner):
    page = opened[name]
    report = json.loads((reports[name] / "report.json").read_text())
    assert report["verdict"]["outcome"] == outcome  # the fixture built the run it meant to
    assert page.console_errors == []
    assert page.network_requests == [], "report.html must be self-contained"
    assert page.broken_images == []
    assert len(page.images) == len(report["figures"]), "every figure is on the page"
    assert png_ink(page.screenshot, against=page.blank_screenshot) > MIN_INK
    verdict = page.texts["#verdict"]
    assert verdict is not None and verdict["text"].startswith(banner)
    assert verdict["visibility"] == "visible" and verdict["display"] != "none"
    assert verdict["height"] > 10 and verdict["width"] > 100 and 0 <= verdict["top"] < 2000
    for reason in report["verdict"]["reasons"]:
        assert reason in verdict["text"]
    unsure = [f"evidence-{n}" for n in report["verdict"]["violated"] + report["verdict"]["inconclusive"]]
    assert sorted(page.evaluated["evidence"]) == sorted(unsure) and (outcome == "pass") == (not unsure)
    if name == "inconclusive":  # built without a history: no timeline to link
        assert page.evaluated["timeline_link"] is None
    else:
        assert page.evaluated["timeline_link"] == (reports[name] / "timeline.html").resolve().as_uri()


@pytest.mark.parametrize("name", ["timeline-pass", "timeline-fail", "timeline-100k"])
def test_timeline_renders_in_chromium(opened, name):
    page = opened[name]
    assert page.console_errors == [] and page.network_requests == [] and page.broken_images == []
    assert png_ink(page.screenshot, against=page.blank_screenshot) > MIN_INK
    verdict = page.texts["#verdict"]
    assert verdict is not None and verdict["text"].startswith("FAIL" if "pass" not in name else "PASS")
    svgs = page.evaluated["svgs"]
    # the overview strip and at least one window, each drawn with a size and bars
    assert len(svgs) >= 2 and all(w > 100 and h > 20 and rects > 0 for w, h, rects in svgs)
    if name == "timeline-100k":
        assert len(svgs) == 4  # the overview and three windows of the long history


def test_compare_page_renders_in_chromium_with_its_verdict(opened):
    page = opened["compare"]
    assert page.console_errors == [] and page.network_requests == [] and page.broken_images == []
    assert png_ink(page.screenshot, against=page.blank_screenshot) > MIN_INK
    assert page.texts["#verdict"]["text"].startswith("REGRESSION") and "verdict: pass -> fail" in page.texts["#verdict"]["text"]


def test_a_chromium_that_misses_its_deadline_is_a_browser_error_not_a_hang(tmp_path):
    """The inner limit ``opened`` relies on: a deadline Chromium cannot meet (it takes most of a
    second to start, measured) ends in ``BrowserError`` naming what it waited for, and Chromium
    is closed or killed, within the close's own bounds."""
    require_chromium()
    page = tmp_path / "empty.html"
    page.write_text("<!doctype html><html><body></body></html>")
    t0 = time.monotonic()
    with pytest.raises(BrowserError, match="before the deadline"):
        check_pages([page], timeout_s=0.05)
    assert time.monotonic() - t0 < TEST_TIMEOUT_S - AFTER_CHROMIUM_S
