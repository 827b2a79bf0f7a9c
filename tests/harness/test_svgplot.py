"""The report's SVG plotting kit: ticks where people expect them, and figures whose size is bounded
by their pixels, not by how long the run was."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.reports.svgplot import Figure, log_ticks, nice_ticks, tick_label

SVG = "{http://www.w3.org/2000/svg}"


def test_linear_ticks_are_round_numbers_inside_the_range() -> None:
    assert nice_ticks(0, 62.25) == [0, 20, 40, 60]
    assert nice_ticks(0, 62.25, 12) == [0, 10, 20, 30, 40, 50, 60]
    assert nice_ticks(-0.27, 0.27, 4) == [-0.2, 0, 0.2]
    assert nice_ticks(5, 5) == [5]


def test_log_ticks_are_decades_or_one_two_five_within_a_decade() -> None:
    assert log_ticks(8, 1500) == [10, 100, 1000]
    assert log_ticks(12, 60) == [20, 50]
    assert [tick_label(v) for v in (0, 0.5, 12, 1e5)] == ["0", "0.5", "12", "1e+05"]


def test_a_broken_bar_of_a_long_run_draws_at_most_a_rectangle_per_pixel() -> None:
    fig = Figure(400, 100)
    ax = fig.panel(50, 10, 300, 60)
    ax.xlim, ax.ylim = (0.0, 8 * 3600.0), (0.0, 2.0)
    spans = [(t * 0.5, 0.25) for t in range(57_600)]  # 8 h of 0.25 s states every 0.5 s
    ax.spans(spans, 0.5, 1.0, "#2ca02c")
    ax.spans([(100.0, 3600.0)], 0.5, 1.0, "#d62728")
    svg = ET.fromstring(fig.to_svg("spans"))
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("fill") in ("#2ca02c", "#d62728")]
    rects = sum(p.get("d").count("M") for p in paths)
    assert rects <= 2 * 300 + 1 and rects >= 2  # both states are there, bounded by the 300 px width


def test_a_panel_carries_its_labels_title_and_ticks() -> None:
    fig = Figure(400, 200)
    ax = fig.panel(60, 20, 300, 120, ylog=True)
    ax.line([0, 1, 2], [0.1, 1.0, 10.0], "#1f77b4")
    ax.xlabel, ax.ylabel, ax.title = "time (s)", "callback duration (ms)", "Callbacks"
    texts = [t.text for t in ET.fromstring(fig.to_svg("x")).iter(f"{SVG}text")]
    assert {"time (s)", "callback duration (ms)", "Callbacks", "0.1", "1", "10"} <= set(texts)


def test_points_on_the_same_half_pixel_are_drawn_once() -> None:
    fig = Figure(400, 100)
    ax = fig.panel(50, 10, 300, 60)
    ax.xlim, ax.ylim = (0.0, 28_800.0), (0.0, 10.0)
    ax.points([float(t) for t in range(28_800)], [5.0] * 28_800, "#1f77b4")  # one sample a second, 8 h
    ax.points([100.0], [9.0], "#1f77b4")
    d = next(p.get("d") for p in ET.fromstring(fig.to_svg("p")).iter(f"{SVG}path") if p.get("stroke") == "#1f77b4")
    assert 300 <= d.count("M") <= 2 * 300 + 2  # one dot per half pixel of the line, and the outlier


def test_a_legend_outside_its_panel_widens_the_figure_so_no_label_is_cut() -> None:
    fig = Figure(400, 200)
    ax = fig.panel(50, 20, 300, 120)
    ax.legend_outside = True
    ax.legend = [("fault: coordinator_contention", "#1f77b4", "tick")]
    svg = ET.fromstring(fig.to_svg("legend"))
    label = next(t for t in svg.iter(f"{SVG}text") if t.text == "fault: coordinator_contention")
    # the label starts right of the panel and its 29 characters (<= 5.6 px each) fit in the document
    assert float(svg.get("width")) >= float(label.get("x")) + 5.6 * len(label.text)
    plain = Figure(400, 200)
    plain.panel(50, 20, 300, 120).legend = [("x", "#000", "line")]
    assert ET.fromstring(plain.to_svg("inside")).get("width") == "400"  # an inside legend keeps the size


def test_a_value_that_is_no_number_is_left_out_of_the_axis_limits_and_the_rest_is_drawn() -> None:
    """An infinite or NaN value among a figure's points (a rate over an empty interval): the axis
    limits are read from the finite values, so every other mark keeps real coordinates; taken into
    the limits, it makes them non-finite and every coordinate NaN, an empty plot."""
    fig = Figure(400, 300)
    ax = fig.panel(60, 20, 300, 200)
    ax.line([0, 1, 2, 3], [1.0, 2.0, float("inf"), 3.0], "#000")
    ax.points([0, 1, 2], [1.0, float("nan"), 2.0], "#f00")
    svg = fig.to_svg("a value that is no number").decode()
    assert "nan" not in svg.lower() and "inf" not in svg.lower(), svg
    assert ax._lim("y") == (0.9, 3.1)
