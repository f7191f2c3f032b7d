"""Charts as inline SVG strings: bars (grouped, overlaid or stacked, either way up), lines and a
heatmap. No script and no library: the page opens offline and prints as it shows.

Every data mark (bar, cell, point, line) carries class ``mark`` and a ``<title>`` with its exact
figure, the browser's tooltip; a figure reports how many marks it drew, so a test can count them in
the rendered page. A value of zero or none draws no mark (a gap, as in a histogram)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from report import formats

Format = Callable[[float], str]

FONT_SIZE = 12
CHAR_WIDTH = 7.2  # average advance of a character at FONT_SIZE: sizes the label margins
TEXT = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
AXIS = "#9ca3af"
# Tableau 10: distinct, colour-blind tolerant, the same series keeps its colour in every chart.
CATEGORICAL = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
PRIMARY, ACCENT, WARNING = CATEGORICAL[0], CATEGORICAL[1], CATEGORICAL[2]
LIGHT_PRIMARY = "#a9c1dc"
RAMP = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")  # sequential, for the heatmap
ORDINAL = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")  # best to worst

LAYOUTS = ("grouped", "stacked")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str
    tips: Sequence[str] | None = None  # one per value; by default "<category> · <series>: <value>"
    colors: Sequence[str] | None = None  # one per value, to set some bars apart; by default ``color``


@dataclass(frozen=True)
class Cell:
    value: float
    tip: str
    faded: bool = False  # drawn lighter: a figure that can still change


@dataclass(frozen=True)
class Figure:
    svg: str
    marks: int


def palette(names: Sequence[str]) -> dict[str, str]:
    """A colour per name in the given order, cycling after ten."""
    return {name: CATEGORICAL[i % len(CATEGORICAL)] for i, name in enumerate(names)}


def ordinal_palette(count: int) -> list[str]:
    """``count`` colours from best (green) to worst (red), for ordered buckets such as grades."""
    if count == 1:
        return [ORDINAL[0]]
    return [_interpolate(ORDINAL, i / (count - 1)) for i in range(count)]


def ramp_color(share: float) -> str:
    return _interpolate(RAMP, min(max(share, 0.0), 1.0))


def css_ramp() -> str:
    return f"linear-gradient(to right, {', '.join(RAMP)})"


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    value_axis: str,
    fmt: Format,
    tick_fmt: Format = formats.compact,
    horizontal: bool = False,
    layout: str = "grouped",
    category_axis: str = "",
    value_labels: Format | None = None,
    reference: tuple[float, str] | None = None,
    width: int = 640,
    height: int = 300,
) -> Figure:
    """Bars of non-negative values, one band per category, the series side by side (``grouped``)
    or ``stacked``. Horizontal charts grow with the categories (``height`` is for vertical ones);
    ``value_labels`` writes each grouped bar's value beside it; ``reference`` draws a labelled line
    at a value (e.g. break-even)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r}: use one of {LAYOUTS}")
    n = len(categories)
    if layout == "stacked":
        top = max((sum(s.values[i] or 0 for s in series) for i in range(n)), default=0)
    else:
        top = max((v or 0 for s in series for v in s.values), default=0)
    ticks = formats.nice_ticks(max(top, reference[0] if reference else 0))
    domain = ticks[-1]

    if horizontal:
        label_width = min(max((len(c) for c in categories), default=4) * CHAR_WIDTH + 14, 230)
        thickness = 15 if layout == "grouped" and len(series) > 1 else 20
        band = thickness * (len(series) if layout == "grouped" else 1) + 10
        left, right, bottom = label_width, 60 if value_labels else 20, 42
        top_margin = 24 if reference else 10  # room for the reference's label
        plot_length, plot_depth = width - left - right, band * n
        height = top_margin + plot_depth + bottom
    else:
        left, right, top_margin, bottom = 60, 16, 14 if not value_labels else 24, 46
        plot_length, plot_depth = height - top_margin - bottom, width - left - right
        band = plot_depth / max(n, 1)

    def value_at(value: float) -> float:
        return value / domain * plot_length

    def rect(band_start: float, thickness: float, start: float, length: float) -> tuple[float, ...]:
        """x, y, width, height of a bar along the category axis from ``band_start`` and along the
        value axis from value ``start`` for value ``length``."""
        a, b = value_at(start), value_at(start + length)
        if horizontal:
            return left + a, top_margin + band_start, b - a, thickness
        return left + band_start, top_margin + plot_length - b, thickness, b - a

    parts = [_svg_open(width, height, value_axis)]
    parts += _value_grid(ticks, domain, tick_fmt, horizontal, left, top_margin, plot_length, plot_depth)
    marks = 0
    inner = band - 10 if horizontal else min(band * 0.78, 120)  # a lone column stays a column
    for i, category in enumerate(categories):
        offset = band * i + (band - inner) / 2
        stacked = 0.0
        for j, s in enumerate(series):
            value = s.values[i]
            if layout == "grouped":
                thickness = inner / len(series)
                start_band, start_value = offset + j * thickness, 0.0
            else:
                thickness, start_band, start_value = inner, offset, stacked
            if not value:
                continue
            x, y, w, h = rect(start_band, thickness, start_value, value)
            tip = s.tips[i] if s.tips else f"{category} · {s.name}: {fmt(value)}"
            parts.append(_mark_rect(x, y, w, h, s.colors[i] if s.colors else s.color, tip))
            marks += 1
            stacked += value
            if value_labels and layout == "grouped":
                parts.append(_bar_label(x, y, w, h, value_labels(value), horizontal))
    parts += _category_labels(categories, horizontal, left, top_margin, band, plot_length, plot_depth)
    if reference:
        parts.append(
            _reference(
                value_at(reference[0]), reference[1], horizontal, left, top_margin, plot_length, plot_depth
            )
        )
    parts += _axis_titles(
        value_axis, category_axis, horizontal, width, height, left, top_margin, plot_length, plot_depth
    )
    parts.append("</svg>")
    return Figure("".join(parts), marks)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    value_axis: str,
    fmt: Format,
    tick_fmt: Format = formats.compact,
    category_axis: str = "",
    width: int = 1280,
    height: int = 320,
) -> Figure:
    """One line and one point per value of each series; a missing value breaks the line."""
    left, right, top_margin, bottom = 60, 16, 14, 46
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    ticks = formats.nice_ticks(max((v or 0 for s in series for v in s.values), default=0))
    domain = ticks[-1]
    step = plot_w / max(len(x_labels), 1)
    parts = [_svg_open(width, height, value_axis)]
    parts += _value_grid(ticks, domain, tick_fmt, False, left, top_margin, plot_h, plot_w)
    marks = 0
    for s in series:
        points = [
            None if v is None else (left + step * (i + 0.5), top_margin + plot_h - v / domain * plot_h)
            for i, v in enumerate(s.values)
        ]
        path, pen_down = [], False
        for point in points:
            if point is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
            pen_down = True
        if path:
            parts.append(
                f'<path class="mark line" d="{" ".join(path)}" fill="none" stroke="{s.color}" '
                f'stroke-width="2" stroke-linejoin="round"><title>{escape(s.name)}</title></path>'
            )
            marks += 1
        for i, point in enumerate(points):
            if point is None:
                continue
            tip = s.tips[i] if s.tips else f"{x_labels[i]} · {s.name}: {fmt(s.values[i])}"
            parts.append(
                f'<circle class="mark" cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3" fill="{s.color}">'
                f"<title>{escape(tip)}</title></circle>"
            )
            marks += 1
    parts += _category_labels(x_labels, False, left, top_margin, step, plot_h, plot_w)
    parts += _axis_titles(value_axis, category_axis, False, width, height, left, top_margin, plot_h, plot_w)
    parts.append("</svg>")
    return Figure("".join(parts), marks)


def heatmap(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Mapping[tuple[int, int], Cell],
    *,
    row_axis: str,
    column_axis: str,
    fmt: Format,
    width: int = 1280,
    row_height: int = 22,
) -> Figure:
    """A cell per (row, column) index coloured from 0 to the largest value; cells wide enough show
    their figure."""
    label_width = max((len(r) for r in row_labels), default=4) * CHAR_WIDTH + 34
    left, right, top_margin, bottom = label_width, 12, 26, 40
    cell_w = (width - left - right) / max(len(column_labels), 1)
    height = top_margin + row_height * len(row_labels) + bottom
    highest = max((c.value for c in cells.values()), default=0) or 1
    parts = [_svg_open(width, height, f"{row_axis} by {column_axis}")]
    for j, label in enumerate(column_labels):
        parts.append(_text(left + cell_w * (j + 0.5), top_margin - 8, label, anchor="middle", fill=MUTED))
    for i, label in enumerate(row_labels):
        parts.append(_text(left - 8, top_margin + row_height * (i + 0.5) + 4, label, anchor="end"))
    marks = 0
    for (i, j), cell in sorted(cells.items()):
        share = cell.value / highest
        x, y = left + cell_w * j, top_margin + row_height * i
        opacity = ' fill-opacity="0.45"' if cell.faded else ""
        parts.append(
            f'<rect class="mark" x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{cell_w - 1:.1f}" '
            f'height="{row_height - 1}" fill="{ramp_color(share)}"{opacity}><title>{escape(cell.tip)}</title></rect>'
        )
        marks += 1
        if cell_w >= 30:
            ink = "#ffffff" if share > 0.55 and not cell.faded else TEXT
            parts.append(
                _text(
                    x + cell_w / 2,
                    y + row_height / 2 + 4,
                    fmt(cell.value),
                    anchor="middle",
                    fill=ink,
                    size=10,
                )
            )
    parts.append(
        _text(left + (width - left - right) / 2, height - 10, column_axis, anchor="middle", fill=MUTED)
    )
    parts.append(
        _text(
            14,
            top_margin + row_height * len(row_labels) / 2,
            row_axis,
            anchor="middle",
            fill=MUTED,
            rotate=True,
        )
    )
    parts.append("</svg>")
    return Figure("".join(parts), marks)


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(label)}" font-size="{FONT_SIZE}">'
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    fill: str = TEXT,
    size: int | None = None,
    rotate: bool = False,
) -> str:
    extra = f' font-size="{size}"' if size else ""
    if rotate:
        extra += f' transform="rotate(-90 {x:.1f} {y:.1f})"'
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{escape(text)}</text>'


def _mark_rect(x: float, y: float, w: float, h: float, color: str, tip: str) -> str:
    return (
        f'<rect class="mark" x="{x:.2f}" y="{y:.2f}" width="{max(w, 0):.2f}" height="{max(h, 0):.2f}" '
        f'fill="{color}"><title>{escape(tip)}</title></rect>'
    )


def _bar_label(x: float, y: float, w: float, h: float, text: str, horizontal: bool) -> str:
    if horizontal:
        return _text(x + w + 4, y + h / 2 + 4, text, fill=MUTED, size=11)
    return _text(x + w / 2, y - 4, text, anchor="middle", fill=MUTED, size=11)


def _value_grid(
    ticks: Sequence[float],
    domain: float,
    tick_fmt: Format,
    horizontal: bool,
    left: float,
    top: float,
    length: float,
    depth: float,
) -> list[str]:
    """Grid lines and tick labels along the value axis, and the baseline."""
    parts = []
    for tick in ticks:
        at = tick / domain * length
        if horizontal:
            x = left + at
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + depth:.1f}" stroke="{GRID}"/>'
            )
            parts.append(_text(x, top + depth + 16, tick_fmt(tick), anchor="middle", fill=MUTED, size=11))
        else:
            y = top + length - at
            parts.append(
                f'<line x1="{left}" x2="{left + depth:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            )
            parts.append(_text(left - 6, y + 4, tick_fmt(tick), anchor="end", fill=MUTED, size=11))
    if horizontal:
        parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + depth:.1f}" stroke="{AXIS}"/>')
    else:
        base = top + length
        parts.append(
            f'<line x1="{left}" x2="{left + depth:.1f}" y1="{base:.1f}" y2="{base:.1f}" stroke="{AXIS}"/>'
        )
    return parts


def _category_labels(
    categories: Sequence[str],
    horizontal: bool,
    left: float,
    top: float,
    band: float,
    length: float,
    depth: float,
) -> list[str]:
    """One label per band; along a horizontal axis only every k-th, so that they never overlap."""
    if horizontal:
        return [
            _text(left - 8, top + band * (i + 0.5) + 4, _clip(label, (left - 14) / CHAR_WIDTH), anchor="end")
            for i, label in enumerate(categories)
        ]
    widest = max((len(c) for c in categories), default=1) * CHAR_WIDTH + 8
    every = max(1, math.ceil(widest / band)) if band else 1
    return [
        _text(left + band * (i + 0.5), top + length + 16, label, anchor="middle")
        for i, label in enumerate(categories)
        if i % every == 0
    ]


def _reference(
    at: float, label: str, horizontal: bool, left: float, top: float, length: float, depth: float
) -> str:
    style = f'stroke="{TEXT}" stroke-width="1.2" stroke-dasharray="4 3"'
    if horizontal:
        x = left + at
        return f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 14}" y2="{top + depth:.1f}" {style}/>' + _text(
            x + 4, top - 6, label, fill=TEXT, size=11
        )
    y = top + length - at
    return f'<line x1="{left}" x2="{left + depth:.1f}" y1="{y:.1f}" y2="{y:.1f}" {style}/>' + _text(
        left + depth - 4, y - 4, label, anchor="end", size=11
    )


def _axis_titles(
    value_axis: str,
    category_axis: str,
    horizontal: bool,
    width: float,
    height: float,
    left: float,
    top: float,
    length: float,
    depth: float,
) -> list[str]:
    if horizontal:
        parts = [_text(left + length / 2, height - 6, value_axis, anchor="middle", fill=MUTED)]
        if category_axis:
            parts.append(_text(12, top + depth / 2, category_axis, anchor="middle", fill=MUTED, rotate=True))
        return parts
    parts = [_text(14, top + length / 2, value_axis, anchor="middle", fill=MUTED, rotate=True)]
    if category_axis:
        parts.append(_text(left + depth / 2, height - 6, category_axis, anchor="middle", fill=MUTED))
    return parts


def _clip(label: str, characters: float) -> str:
    limit = max(round(characters), 4)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _interpolate(stops: Sequence[str], share: float) -> str:
    position = share * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    fraction = position - i
    a, b = _rgb(stops[i]), _rgb(stops[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * fraction):02x}" for x, y in zip(a, b, strict=True))


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
