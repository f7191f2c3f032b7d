"""The report's HTML: a header (as_of, build time, source, headline figures), then one section per
chart, each with its figure, legend, the line saying which mart it comes from and its numbers.

Every chart is a ``<section class="chart" data-chart="<id>" data-points="<marks drawn>">``; every
number of a table is a cell ``<td data-column="<column>" data-value="<exact value>">`` in a row
``<tr data-key="<row>">``, so a reader and a test can compare it with the mart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from report.charts import Chart, Drawn, Kpi, Table, Value

STYLE = """
:root { color-scheme: light; --text: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff;
  --page: #f5f6f8; --accent: #4e79a7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1340px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 16px; padding: 0; list-style: none; }
.kpis li { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
  min-width: 170px; }
.kpis .label { color: var(--muted); font-size: 12px; display: block; }
.kpis .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 20px; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 20px;
  grid-auto-flow: dense; }
.chart { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px;
  min-width: 0; }
.chart.wide { grid-column: 1 / -1; }
.area { color: var(--muted); font-size: 11px; letter-spacing: .06em; text-transform: uppercase; margin: 0; }
h2 { font-size: 17px; margin: 2px 0 4px; }
.subtitle { color: var(--muted); margin: 0 0 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 0 0 8px;
  font-size: 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.legend .ramp { width: 90px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: inherit; }
svg .mark:hover { opacity: .8; }
.source { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.source code, .meta code { font-size: 12px; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--accent); font-size: 13px; }
.numbers { overflow-x: auto; }
table { border-collapse: collapse; font-size: 12px; margin-top: 6px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
.missing p { color: #b91c1c; }
footer { color: var(--muted); font-size: 12px; padding: 24px 20px 40px; }
@media print { body { background: #fff; } details { display: none; } .chart { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class Rendered:
    """A chart and what was drawn for it: ``drawn`` None when the source lacks one of its marts
    (``missing``) or they have no rows yet (``empty``: a new deployment without wins, say)."""

    chart: Chart
    drawn: Drawn | None
    missing: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()
    reason: str = ""


def page(rendered: Sequence[Rendered], *, as_of: Sequence[datetime], built_at: datetime, source: str) -> str:
    as_of_text = ", ".join(_timestamp(t) for t in as_of) or "unknown"
    kpis = [kpi for r in rendered if r.drawn for kpi in r.drawn.kpis]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Leadhouse report · as of {escape(as_of_text)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<header>",
            "<h1>Leadhouse lead analytics</h1>",
            f'<p class="meta">Data as of <strong data-as-of>{escape(as_of_text)}</strong> · built '
            f"<span data-built-at>{escape(_timestamp(built_at))}</span> · from <code>{escape(source)}</code> "
            "(schema <code>marts</code>). Hover a mark for its figure; open “Numbers” under a chart for all "
            "of them.</p>",
            _kpis(kpis),
            "<nav>"
            + "".join(f'<a href="#{r.chart.id}">{escape(r.chart.title)}</a>' for r in rendered)
            + "</nav>",
            "</header>",
            "<main>",
            *(_section(r) for r in rendered),
            "</main>",
            "<footer>Leadhouse · every figure comes from the published marts; docs/report.md says what "
            "each chart shows and how to rebuild the page.</footer>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _section(rendered: Rendered) -> str:
    chart, drawn = rendered.chart, rendered.drawn
    classes = "chart wide" if chart.wide else "chart"
    marks = drawn.figure.marks if drawn else 0
    head = (
        f'<section class="{classes}" id="{chart.id}" data-chart="{chart.id}" data-points="{marks}">'
        f'<p class="area">{escape(chart.area)}</p><h2>{escape(chart.title)}</h2>'
    )
    if drawn is None and rendered.empty:
        reason = rendered.reason or ", ".join(f"marts.{m}" for m in rendered.empty) + " has no rows"
        return f'{head}<div class="missing"><p>Nothing to draw yet: {escape(reason)}.</p></div></section>'
    if drawn is None:
        missing = ", ".join(f"marts.{m}" for m in rendered.missing)
        return (
            f'{head}<div class="missing"><p>Not drawn: {escape(missing)} is not in the published copy. '
            "Rebuild and publish the warehouse (<code>make materialize</code>).</p></div></section>"
        )
    legend = ""
    if drawn.legend:
        legend = (
            '<ul class="legend">'
            + "".join(
                f'<li><span class="swatch{" ramp" if "gradient" in color else ""}" '
                f'style="background:{color}"></span>{escape(label)}</li>'
                for label, color in drawn.legend
            )
            + "</ul>"
        )
    subtitle = f'<p class="subtitle">{escape(drawn.subtitle)}</p>' if drawn.subtitle else ""
    return (
        f"{head}{subtitle}{legend}{drawn.figure.svg}"
        f'<p class="source">Source: {escape(chart.source)}</p>'
        f'<details class="numbers"><summary>Numbers</summary>{_table(drawn.table)}</details>'
        "</section>"
    )


def _kpis(kpis: Sequence[Kpi]) -> str:
    if not kpis:
        return ""
    return (
        '<ul class="kpis">'
        + "".join(
            f'<li data-kpi="{escape(k.key)}" data-value="{_exact(k.value)}"><span class="label">'
            f'{escape(k.label)}</span><span class="value">{escape(k.fmt(k.value))}</span></li>'
            for k in kpis
        )
        + "</ul>"
    )


def _table(table: Table) -> str:
    head = f'<th scope="col">{escape(table.row_label)}</th>' + "".join(
        f'<th scope="col">{escape(c.label)}</th>' for c in table.columns
    )
    body = []
    for row in table.rows:
        cells = "".join(_cell(c.key, row.values.get(c.key), c.fmt) for c in table.columns)
        body.append(f'<tr data-key="{escape(row.key)}"><th scope="row">{escape(row.label)}</th>{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cell(column: str, value: Value, fmt: Callable[[float], str]) -> str:
    if value is None:
        return f'<td data-column="{escape(column)}">—</td>'
    shown = value if isinstance(value, str) else fmt(value)
    return f'<td data-column="{escape(column)}" data-value="{escape(_exact(value))}">{escape(shown)}</td>'


def _exact(value: Value) -> str:
    """The value as the mart holds it: a float's shortest exact form (``repr``), an int's digits."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
