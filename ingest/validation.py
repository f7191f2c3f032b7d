"""pandera (polars backend) schemas for the canonical entities, built from ``ingest.schemas``.

Type conversion already happened in ``ingest.normalize``; these schemas check values: formats,
allowed values, ranges, required fields. Every failure is turned into a readable reason on its
row, so one run reports every problem of every row at once.
"""

from __future__ import annotations

from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from ingest.schemas import Entity

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
NON_NEGATIVE = {
    "company_size", "budget", "duration_seconds", "deal_amount", "price_min", "price_max",
    "capacity", "spend", "impressions", "clicks",
}


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
        columns[column.name] = pa.Column(
            column.dtype,
            checks=checks,
            nullable=column.name not in entity.required,
            required=True,
        )
    return pa.DataFrameSchema(columns, strict=False, name=entity.name)


def row_reasons(frame: pl.DataFrame, entity: Entity, require_any: tuple[str, ...]) -> pl.Series:
    """A list of reasons per row (empty when the row is valid)."""
    reasons: list[list[str]] = [[] for _ in range(frame.height)]
    try:
        entity_schema(entity).validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.filter(pl.col("index").is_not_null())
        for index, column, check, value in cases.select("index", "column", "check", "failure_case").iter_rows():
            if check == "not_nullable":
                reasons[index].append(f"{column}: required value is missing")
            else:
                reasons[index].append(f"{column}: '{value}' {check}")
        schema_level = exc.failure_cases.filter(pl.col("index").is_null())
        if schema_level.height:  # a wrong dtype is a bug in normalize, not bad data
            raise
    if require_any:
        present = frame.select(pl.any_horizontal(pl.col(c).is_not_null() for c in require_any)).to_series()
        message = f"needs at least one of: {', '.join(require_any)}"
        for index in (~present).arg_true().to_list():
            reasons[index].append(message)
    return pl.Series(reasons, dtype=pl.List(pl.String))
