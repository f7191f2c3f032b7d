"""The drawing helpers alone: axis ticks, compact labels, and what a figure counts as its marks."""

from __future__ import annotations

import re

import pytest

from report import formats, svg


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (3066, [0, 1000, 2000, 3000, 4000]),
        (0.52, [0, 0.2, 0.4, 0.6]),
        (594.96, [0, 200, 400, 600]),
        (1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, [0, 1]),
    ],
)
def test_ticks_run_from_zero_past_the_maximum_in_round_steps(maximum, ticks):
    assert formats.nice_ticks(maximum) == pytest.approx(ticks)


@pytest.mark.parametrize(
    ("value", "text"), [(950, "950"), (12_000, "12k"), (3_540_000, "3.5M"), (1.2e9, "1.2B"), (2.5, "2.5")]
)
def test_compact_labels(value, text):
    assert formats.compact(value) == text


def marks(figure: svg.Figure) -> int:
    return len(re.findall(r'class="mark[ "]', figure.svg))


def test_a_zero_or_missing_value_draws_no_bar():
    figure = svg.bar_chart(
        ["a", "b", "c"],
        [svg.Series("x", [3, 0, None], "#000000"), svg.Series("y", [1, 2, 0], "#ffffff")],
        value_axis="v",
        fmt=formats.count,
        horizontal=True,
    )
    assert figure.marks == marks(figure) == 3


def test_stacked_bars_reach_the_sum_of_their_parts():
    figure = svg.bar_chart(
        ["day"],
        [svg.Series("x", [0.25], "#000000"), svg.Series("y", [0.75], "#ffffff")],
        value_axis="share",
        fmt=formats.rate,
        layout="stacked",
    )
    heights = [float(h) for h in re.findall(r'class="mark"[^>]* height="([0-9.]+)"', figure.svg)]
    assert heights[1] == pytest.approx(3 * heights[0])


def test_a_missing_value_breaks_the_line_and_has_no_point():
    figure = svg.line_chart(
        ["m1", "m2", "m3", "m4"],
        [svg.Series("x", [0.1, None, 0.2, 0.3], "#000000")],
        value_axis="rate",
        fmt=formats.rate,
    )
    (path,) = re.findall(r'<path class="mark line" d="([^"]+)"', figure.svg)
    assert path.count("M") == 2
    assert figure.marks == marks(figure) == 1 + 3


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="grouped"):
        svg.bar_chart(["a"], [svg.Series("x", [1], "#000000")], value_axis="v", fmt=str, layout="overlay")
