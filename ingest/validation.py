"""pandera (polars backend) schemas for the canonical entities, built from ``ingest.schemas``.

Type conversion already happened in ``ingest.normalize``; these schemas check values: formats,
allowed values, ranges, required fields, spreadsheet formulas. Every failure becomes an issue on
its row and column (``ingest.normalize.ISSUE_SCHEMA``), so one run reports every problem of every
row at once, and ``ingest.triage`` decides whether the row survives it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from ingest.normalize import ISSUE_SCHEMA, KEPT, NULLED, empty_issues
from ingest.readers import ROW_NUMBER
from ingest.schemas import Entity

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
NON_NEGATIVE = {
    "company_size",
    "budget",
    "annual_revenue",
    "duration_seconds",
    "response_seconds",
    "deal_amount",
    "price_min",
    "price_max",
    "capacity",
    "spend",
    "impressions",
    "clicks",
}
# Above this an amount or count is a typo or a unit mix-up, not a lead's budget.
MAX_AMOUNT = 1e12
# A spreadsheet formula (=HYPERLINK(...), +cmd|' /C calc'!A0, @SUM(...)): opened in a
# spreadsheet it runs. Text columns never keep one.
FORMULA_PATTERN = r"^(?:=|[+\-@].*[(|!])"
FORMULA_KINDS = ("text", "name", "company")
# Timestamps this far past the ingestion are captures in the future: kept, flagged.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST_PLAUSIBLE = datetime(1900, 1, 1)


def _not_a_formula(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(~pl.col(data.key).str.contains(FORMULA_PATTERN).fill_null(False))


@cache
def entity_schema(entity: Entity) -> pa.DataFrameSchema:
    columns = {}
    for column in entity.columns:
        checks = []
        if column.kind == "email":
            checks.append(pa.Check.str_matches(EMAIL_PATTERN, error="is not a valid email address"))
        if column.kind == "phone":
            checks.append(pa.Check.str_matches(E164_PATTERN, error="is not an E.164 phone number"))
        if column.allowed:
            checks.append(pa.Check.isin(column.allowed, error=f"is not one of: {', '.join(column.allowed)}"))
        if column.name in NON_NEGATIVE:
            checks.append(pa.Check.ge(0, error="must not be negative"))
            checks.append(pa.Check.le(MAX_AMOUNT, error=f"is implausibly large (over {MAX_AMOUNT:.0e})"))
        if column.kind in FORMULA_KINDS and not column.allowed:
            checks.append(pa.Check(_not_a_formula, error="looks like a spreadsheet formula"))
        columns[column.name] = pa.Column(
            column.dtype,
            checks=checks,
            nullable=column.name not in entity.required,
            required=True,
        )
    return pa.DataFrameSchema(columns, strict=False, name=entity.name)


def value_issues(frame: pl.DataFrame, text: pl.DataFrame, entity: Entity, now: datetime) -> pl.DataFrame:
    """Issues (``ISSUE_SCHEMA``) of the typed ``frame``: failed checks (the value is to be nulled,
    or the row quarantined when the column is required) and implausible timestamps (kept,
    flagged). ``text`` holds the same rows' canonical columns as text, for the raw values."""
    parts = []
    positions = frame.select(pl.col(ROW_NUMBER)).with_row_index("index")
    try:
        entity_schema(entity).validate(frame, lazy=True)
    except SchemaErrors as exc:
        if exc.failure_cases.filter(pl.col("index").is_null()).height:
            raise  # a wrong dtype is a bug in normalize, not bad data
        cases = (
            exc.failure_cases.select(pl.col("index").cast(pl.UInt32), "column", "check")
            .join(positions, on="index")
            .with_columns(
                reason=pl.when(pl.col("check") == "not_nullable")
                .then(pl.lit("required value is missing"))
                .otherwise(pl.col("check"))
            )
        )
        for (name,), group in cases.partition_by("column", as_dict=True).items():
            parts.append(_issues(group.select(ROW_NUMBER, "reason"), name, text, NULLED))
    horizon = now + FUTURE_TOLERANCE
    for column in entity.columns:
        if column.kind not in ("datetime", "date"):
            continue
        value = (
            pl.col(column.name).cast(pl.Datetime("us"))
            if column.kind == "date"
            else pl.col(column.name).dt.replace_time_zone(None)
        )
        for flagged, reason in (
            (value > horizon, "is in the future (after the ingestion); kept as written"),
            (value < EARLIEST_PLAUSIBLE, "is before 1900; kept as written"),
        ):
            hits = frame.filter(flagged.fill_null(False)).select(ROW_NUMBER, reason=pl.lit(reason))
            if hits.height:
                parts.append(_issues(hits, column.name, text, KEPT))
    return pl.concat([p.cast(ISSUE_SCHEMA) for p in parts]) if parts else empty_issues()


def _issues(rows: pl.DataFrame, name: str, text: pl.DataFrame, action: str) -> pl.DataFrame:
    """``rows`` (row number, reason) of column ``name`` as issues, with the text as written."""
    if name in text.columns:
        rows = rows.join(text.select(ROW_NUMBER, pl.col(name).alias("raw_value")), on=ROW_NUMBER, how="left")
    else:
        rows = rows.with_columns(raw_value=pl.lit(None, pl.String()))
    return rows.select(
        ROW_NUMBER,
        pl.lit(name).alias("column_name"),
        pl.lit(None, pl.String()).alias("native_column"),
        pl.col("raw_value").cast(pl.String()),
        "reason",
        pl.lit(action).alias("action"),
    )
