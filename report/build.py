"""``render_report``: the published marts in, ``report.html`` out.

It reads the ``marts`` schema only, of the published copy (never the pipeline's warehouse), and
writes the page under a temporary name first, renamed over the old one when complete: a reader
never opens half a report. A chart whose marts the copy lacks is drawn as a notice naming them,
and the summary lists it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadhouse.files import write_text_atomically
from leadhouse.warehouse import WAREHOUSE_CATALOGS
from leadhouse.warehouse import connect as connect_warehouse
from report.charts import CHARTS, NothingToDraw
from report.page import Rendered, page

SCHEMA = "marts"


@dataclass(frozen=True)
class ReportSummary:
    path: Path
    built_at: datetime
    as_of: tuple[datetime, ...]  # every as_of of the marts read (one, when they come from one build)
    marks: dict[str, int]  # per chart drawn: the marks of its figure
    missing: dict[str, tuple[str, ...]]  # per chart not drawn: the marts the source lacks
    size: int  # bytes


def render_report(
    source: duckdb.DuckDBPyConnection | Path | str,
    out_path: Path | str,
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> ReportSummary:
    """Draw every chart from the marts of ``source`` (a DuckDB file, opened read-only, or an open
    connection whose ``marts`` schema holds them) into one self-contained HTML file at ``out_path``.
    ``progress`` gets a line per chart."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        return _render(source, "the given connection", Path(out_path), progress)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(
            f"no published warehouse at {path}: materialize published/warehouse first (make materialize)"
        )
    # The published copy holds the marts; a pipeline's warehouse file has them in a file beside it.
    with connect_warehouse(path, read_only=True) as conn:
        return _render(conn, f"{path.parent.name}/{path.name}", Path(out_path), progress)


def connect_parquet_marts(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``marts`` schema has a view per ``<folder>/<mart>/*.parquet``:
    the marts as the Spark engine publishes them (docs/scale-out.md)."""
    conn = duckdb.connect()
    conn.execute(f"create schema {SCHEMA}")
    for mart in sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.parquet"))):
        files = str(mart / "*.parquet").replace("'", "''")
        conn.execute(f"create view {SCHEMA}.\"{mart.name}\" as from read_parquet('{files}')")
    return conn


def _render(
    conn: duckdb.DuckDBPyConnection,
    source_name: str,
    out_path: Path,
    progress: Callable[[str], None],
) -> ReportSummary:
    built_at = datetime.now(UTC).replace(microsecond=0)
    available = _marts(conn)
    rendered = []
    for chart in CHARTS:
        missing = tuple(m for m in chart.marts if m not in available)
        if missing:
            progress(f"{chart.id}: not drawn, the source has no {', '.join(f'marts.{m}' for m in missing)}")
            rendered.append(Rendered(chart, None, missing))
            continue
        empty = tuple(
            m for m in chart.marts if not conn.execute(f"select 1 from {SCHEMA}.{m} limit 1").fetchall()
        )
        if empty:
            progress(f"{chart.id}: nothing to draw yet, {', '.join(f'marts.{m}' for m in empty)} has no rows")
            rendered.append(Rendered(chart, None, empty=empty))
            continue
        try:
            drawn = chart.draw(conn)
        except NothingToDraw as reason:
            progress(f"{chart.id}: nothing to draw yet, {reason}")
            rendered.append(Rendered(chart, None, empty=chart.marts, reason=str(reason)))
            continue
        progress(
            f"{chart.id}: {drawn.figure.marks} marks from {', '.join(f'marts.{m}' for m in chart.marts)}"
        )
        rendered.append(Rendered(chart, drawn))
    used = sorted({m for r in rendered if r.drawn for m in r.chart.marts})
    as_of = _as_of(conn, used)
    html = page(rendered, as_of=as_of, built_at=built_at, source=source_name)
    write_text_atomically(out_path, html)
    return ReportSummary(
        path=out_path,
        built_at=built_at,
        as_of=as_of,
        marks={r.chart.id: r.drawn.figure.marks for r in rendered if r.drawn},
        missing={r.chart.id: r.missing for r in rendered if r.missing},
        size=out_path.stat().st_size,
    )


def _marts(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.tables "
            f"where table_catalog in {WAREHOUSE_CATALOGS} and table_schema = ?",
            [SCHEMA],
        ).fetchall()
    }


def _as_of(conn: duckdb.DuckDBPyConnection, marts: list[str]) -> tuple[datetime, ...]:
    """The distinct as_of of the marts that carry one (the ingestion marts do not)."""
    with_as_of = [
        name
        for (name,) in conn.execute(
            "select distinct table_name from information_schema.columns "
            f"where table_catalog in {WAREHOUSE_CATALOGS} and table_schema = ? and column_name = 'as_of' "
            "order by 1",
            [SCHEMA],
        ).fetchall()
        if name in marts
    ]
    if not with_as_of:
        return ()
    union = " union ".join(f'select distinct as_of from {SCHEMA}."{name}"' for name in with_as_of)
    return tuple(t for (t,) in conn.execute(f"{union} order by 1").fetchall() if t is not None)
