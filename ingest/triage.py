"""Which rows are records and which are not: the rule between field issues and quarantine.

A row is quarantined only when it cannot become a record: the reader could not read it, a required
column of its entity (or a column the source config makes ``strict``) is missing or invalid, or
none of its ``require_any`` columns is left usable once bad values are nulled. Any other bad value
is nulled (or kept and flagged, as the issue's ``action`` says) and the row is loaded; the issue
goes to ``raw.field_issues``. Quarantined rows carry all their issues as reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.normalize import NULLED
from ingest.readers import ROW_NUMBER


@dataclass
class Triage:
    loaded: pl.DataFrame  # canonical rows to load, bad values nulled
    field_issues: pl.DataFrame  # ISSUE_SCHEMA, for loaded rows only
    quarantined: pl.DataFrame  # _row_number, reasons (list of str)


def reason_text(column: pl.Expr, raw: pl.Expr, reason: pl.Expr) -> pl.Expr:
    """How a quarantine reason reads: ``email: 'x@' is not a valid email address``."""
    name = pl.coalesce(column, pl.lit("row"))
    return (
        pl.when(raw.is_null())
        .then(pl.format("{}: {}", name, reason))
        .otherwise(pl.format("{}: '{}' {}", name, raw.str.slice(0, 200), reason))
    )


def triage(
    frame: pl.DataFrame,
    issues: pl.DataFrame,
    row_level_columns: tuple[str, ...],
    require_any: tuple[str, ...],
) -> Triage:
    nulling = issues.filter(pl.col("action") == NULLED)
    fatal_rows = nulling.filter(pl.col("column_name").is_in(row_level_columns))[ROW_NUMBER].unique()
    cleaned = _null_values(frame, nulling)
    reasons = issues.select(
        ROW_NUMBER, reason_text(pl.col("column_name"), pl.col("raw_value"), pl.col("reason")).alias("reason")
    )
    if require_any:
        present = pl.any_horizontal(pl.col(c).is_not_null() for c in require_any)
        uncontactable = cleaned.filter(~present)[ROW_NUMBER]
        fatal_rows = pl.concat([fatal_rows, uncontactable]).unique()
        reasons = pl.concat(
            [
                reasons,
                pl.DataFrame(
                    {ROW_NUMBER: uncontactable, "reason": f"needs at least one of: {', '.join(require_any)}"}
                ),
            ]
        )
    is_fatal = pl.col(ROW_NUMBER).is_in(fatal_rows.implode())
    quarantined = (
        reasons.filter(is_fatal)
        .group_by(ROW_NUMBER, maintain_order=True)
        .agg(pl.col("reason").alias("reasons"))
        .sort(ROW_NUMBER)
    )
    return Triage(cleaned.filter(~is_fatal), issues.filter(~is_fatal), quarantined)


def _null_values(frame: pl.DataFrame, nulling: pl.DataFrame) -> pl.DataFrame:
    updates = []
    for (column,), rows in nulling.filter(pl.col("column_name").is_not_null()).group_by("column_name"):
        if column in frame.columns:
            updates.append(
                pl.when(pl.col(ROW_NUMBER).is_in(rows[ROW_NUMBER].implode()))
                .then(None)
                .otherwise(pl.col(column))
                .alias(column)
            )
    return frame.with_columns(updates) if updates else frame
