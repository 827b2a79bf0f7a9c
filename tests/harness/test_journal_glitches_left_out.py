"""A soak's journal lists at most ``JOURNAL_GLITCHES`` glitches a checkpoint and journals the rest
as one ``{"kind": "more", "count", "by_kind"}`` record. The report of a soak that did not finish
(built from the journal's glitches) counts them all, by kind, and says how many it cannot list:
reading the listed ones alone, a checkpoint of 350 glitches was reported as 100.
"""

from __future__ import annotations

from harness.history import History
from harness.journal import JOURNAL_GLITCHES
from harness.reports.build import build_report
from harness.reports.fold import KIND_NOT_KEPT, GlitchFold
from harness.reports.html import render_html
from harness.reports.model import RunData


def _listed(n: int, kind: str = "mute") -> list[dict]:
    return [{"kind": kind, "t_start": 0.1 * i, "t_end": 0.1 * i + 0.01, "size": 10, "window": None}
            for i in range(n)]


def _checkpoint() -> list[dict]:
    """One full checkpoint's glitches as ``take_new_glitches`` journals them: 100 listed, 250 more."""
    return _listed(JOURNAL_GLITCHES) + [{"kind": "more", "count": 250, "by_kind": {"mute": 200, "click": 50}}]


def test_the_glitches_left_out_of_a_checkpoint_are_counted_by_kind() -> None:
    fold = GlitchFold()
    for g in _checkpoint() + _listed(3, "click"):
        fold.add(g)
    assert (fold.count, fold.left_out, len(fold.items)) == (353, 250, 103)
    assert dict(fold.by_kind) == {"mute": 300, "click": 53}


def test_a_journal_that_kept_no_kinds_for_them_counts_them_under_a_kind_that_says_so() -> None:
    fold = GlitchFold()
    for g in _listed(JOURNAL_GLITCHES) + [{"kind": "more", "count": 7}]:
        fold.add(g)
    assert (fold.count, fold.left_out) == (107, 7)
    assert dict(fold.by_kind) == {"mute": 100, KIND_NOT_KEPT: 7}


def test_a_more_record_that_is_not_a_count_adds_nothing() -> None:
    fold = GlitchFold()
    for g in ({"kind": "more", "count": "3"}, {"kind": "more", "count": True}, {"kind": "more", "count": -2},
              {"kind": "more"}):
        fold.add(g)
    assert (fold.count, fold.left_out, dict(fold.by_kind)) == (0, 0, {})


def test_the_report_and_its_page_count_and_name_the_glitches_left_out() -> None:
    rd = RunData.from_history(History(), kind="soak", glitches=_checkpoint(), status="killed")
    report = build_report(rd)
    g = report["glitches"]
    assert (g["count"], g["left_out"], len(g["items"])) == (350, 250, 100)
    assert g["by_kind"] == {"mute": 300, "click": 50}
    assert "250 of the 350 counted but not listed one by one" in g["source"], g["source"]
    page = render_html(report, {})
    assert "350 glitch(es) detected" in page
    assert 'id="glitches-left-out">250 of them counted by the journal but not listed one by one' in page
