"""Constructed data for the model tests: examples whose outcome one feature drives, and a small
warehouse of the tables ml.features reads."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from ml.features import FEATURES

START = datetime(2025, 1, 1)


def examples(leads: int = 8000, seed: int = 0, driver: str = "recent_pricing_page_views") -> pl.DataFrame:
    """One row per lead (cutoff 7 days), first captured a day apart in lead order; ``driver`` (a
    count) and ``industry`` carry the signal: P(win) = logistic(-2.2 + 0.9 x driver + 0.8 x tech)."""
    rng = np.random.default_rng(seed)
    views = rng.poisson(1.0, leads).astype(float)
    industry = rng.choice(["technology", "retail", "nonprofit"], leads)
    logit = -2.2 + 0.9 * views + 0.8 * (industry == "technology")
    label = (rng.random(leads) < 1 / (1 + np.exp(-logit))).astype(np.int32)
    first_seen = [START + timedelta(hours=6 * i) for i in range(leads)]
    columns: dict[str, pl.Series] = {
        "lead_id": pl.Series([f"L{i:05d}" for i in range(leads)]),
        "first_seen_at": pl.Series(first_seen),
        "cutoff_days": pl.Series([7] * leads, dtype=pl.Int32),
        "cutoff_at": pl.Series([t + timedelta(days=7) for t in first_seen]),
    }
    for feature in FEATURES:
        if feature.kind == "categorical":  # one value: left out by training ("one value in every row")
            columns[feature.name] = pl.Series(feature.name, ["a"] * leads, dtype=pl.Utf8)
        elif feature.kind == "boolean":
            columns[feature.name] = pl.Series(feature.name, rng.random(leads) < 0.5)
        else:
            columns[feature.name] = pl.Series(feature.name, rng.poisson(2.0, leads).astype(float))
    columns[driver] = pl.Series(driver, views)
    columns["industry"] = pl.Series("industry", industry, dtype=pl.Utf8)
    columns["lead_age_days"] = pl.Series("lead_age_days", [7.0] * leads)
    columns["rule_score"] = pl.Series("rule_score", [None] * leads, dtype=pl.Float64)
    # A rule score that knows a little: the industry only.
    columns["current_rule_score"] = pl.Series(
        "current_rule_score", np.where(industry == "technology", 30.0, 10.0) + rng.integers(0, 5, leads)
    )
    columns["label"] = pl.Series("label", label, dtype=pl.Int32)
    columns["true_probability"] = pl.Series("true_probability", 1 / (1 + np.exp(-logit)))  # not a feature
    return pl.DataFrame(columns)


def warehouse(conn: duckdb.DuckDBPyConnection) -> None:
    """Empty tables with the columns ml.features reads, in the schemas it reads them from."""
    conn.execute(
        "create schema if not exists intermediate; create schema if not exists marts; create schema raw"
    )
    conn.execute(
        """create table intermediate.int_lead_records_matched (
            lead_id varchar, source varchar, source_record_id varchar, created_at timestamp,
            channel varchar, campaign varchar, industry varchar, job_title varchar, company_size bigint,
            annual_revenue double, budget double, timeline varchar, product_interest varchar,
            budget_confirmed boolean, is_decision_maker boolean, pain_points varchar, region varchar,
            phone varchar, do_not_email boolean, do_not_call boolean, attributes varchar,
            is_deleted boolean)"""
    )
    conn.execute(
        """create table raw.lead_records as
        select * exclude (lead_id, is_deleted), 0 as _file_version, now() as _ingested_at, 1 as _row_number
        from intermediate.int_lead_records_matched"""
    )
    conn.execute(
        """create table marts.fct_lead_activities (lead_id varchar, activity_type varchar,
            occurred_at timestamp, direction varchar, response_seconds double)"""
    )
    conn.execute(
        "create table marts.fct_lead_status_changes (lead_id varchar, status varchar, changed_at timestamp)"
    )
    conn.execute(
        "create table marts.lead_score_history "
        "(lead_id varchar, score integer, valid_from timestamp, valid_to timestamp)"
    )
    conn.execute("create table marts.lead_rule_scores (lead_id varchar, score integer)")
    conn.execute(
        "create table marts.lead_rule_score_details (lead_id varchar, rule_name varchar, points integer)"
    )


def record(conn, lead_id, source, record_id, created_at, version=1, **fields) -> None:
    """A source record: its raw version ``version`` (delivered ``version`` days after 2026-01-01)
    and the staged row, which is always the latest version (as staging keeps)."""
    columns = {"source": source, "source_record_id": record_id, "created_at": created_at} | fields
    raw = columns | {"_file_version": version, "_ingested_at": datetime(2026, 1, 1) + timedelta(days=version)}
    conn.execute(
        f"insert into raw.lead_records ({', '.join(raw)}) values ({', '.join('?' * len(raw))})",
        list(raw.values()),
    )
    conn.execute(
        "delete from intermediate.int_lead_records_matched where source = ? and source_record_id = ?",
        [source, record_id],
    )
    staged = {"lead_id": lead_id} | columns
    conn.execute(
        f"insert into intermediate.int_lead_records_matched ({', '.join(staged)}) "
        f"values ({', '.join('?' * len(staged))})",
        list(staged.values()),
    )


def activity(conn, lead_id, activity_type, occurred_at, direction=None, response_seconds=None) -> None:
    conn.execute(
        "insert into marts.fct_lead_activities values (?, ?, ?, ?, ?)",
        [lead_id, activity_type, occurred_at, direction, response_seconds],
    )


def status(conn, lead_id, value, changed_at) -> None:
    conn.execute("insert into marts.fct_lead_status_changes values (?, ?, ?)", [lead_id, value, changed_at])
