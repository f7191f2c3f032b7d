"""The metrics layer (dbt_project/models/semantic/, docs/metrics.md): `mf query`, run as a user runs
it, gives the figures of the marts.

The session's built sample (tests/sample_build.py: 10,000 people, every model, the time spine
included). MetricFlow reads the semantic manifest from <project>/target/, so `mf` runs in that
build's folder of links to the dbt project: the repository's dbt_project/target is never written.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadhouse.warehouse import connect as connect_warehouse
from tests.dbt.dbt_runner import rows

TOLERANCE = 1e-9
# The marts count a lead without a segment value under '(none)'; MetricFlow gives it null.
NO_SEGMENT = "(none)"


@pytest.fixture(scope="module")
def metrics_build(built_sample) -> tuple[Path, Path]:
    """(data folder, dbt project folder for mf) of the session's built sample."""
    return built_sample.data, built_sample.project


def mf_query(build: tuple[Path, Path], metrics: list[str], group_by: list[str]) -> list[dict]:
    """`mf query --metrics ... --group-by ... --csv FILE` in the project folder: the rows of FILE."""
    data, project = build
    out = project / f"{'-'.join(metrics)}.csv"
    env = os.environ | {
        "LEADHOUSE_DATA_DIR": str(data),
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project),
        "DO_NOT_TRACK": "1",
        "DBT_VERSION_CHECK": "false",
    }
    # `mf` without its PyPI version check (leadhouse/mf.py), as docs/metrics.md tells users to run it.
    command = [
        sys.executable,
        "-m",
        "leadhouse.mf",
        "query",
        "--metrics",
        ",".join(metrics),
        "--group-by",
        ",".join(group_by),
        "--csv",
        str(out),
    ]
    process = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert process.returncode == 0 and out.exists(), process.stdout[-3000:] + process.stderr[-3000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def mf_figures(mf_rows: list[dict], group_by: list[str]) -> dict[tuple, dict]:
    """mf's rows by their group-by values, as the marts write them: a time as its date
    ('2026-03-01 00:00:00' -> '2026-03-01'), a null segment as '(none)'."""
    return {
        tuple(
            row[name][:10] if name.startswith("metric_time") else row[name] or NO_SEGMENT for name in group_by
        ): row
        for row in mf_rows
    }


def mart_figures(build: tuple[Path, Path], sql: str) -> dict[tuple, dict]:
    """The rows of `sql` on the built warehouse by their first column(s) named key_*, as text."""
    data, _ = build
    with connect_warehouse(data / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        found = rows(conn, sql)
    return {tuple(str(v) for k, v in row.items() if k.startswith("key_")): row for row in found}


def assert_same_figures(got: dict[tuple, dict], expected: dict[tuple, dict], metrics: list[str]) -> None:
    assert got.keys() == expected.keys()
    for key, row in expected.items():
        for name in metrics:
            mf_value = float(got[key][name]) if got[key][name] != "" else None
            mart_value = row[name]
            same = (
                mf_value is None
                if mart_value is None
                else mf_value is not None
                and math.isclose(mf_value, mart_value, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
            )
            assert same, f"{key} {name}: mf {mf_value}, the mart {mart_value}"


def test_conversion_rate_by_month_and_channel_is_conversion_metrics(metrics_build):
    metrics = ["conversion_rate", "leads", "converted_leads", "qualified_leads"]
    group_by = ["metric_time__month", "lead__channel"]
    got = mf_figures(mf_query(metrics_build, metrics, group_by), group_by)
    # A month and channel in which deals were only closed, no lead created, has no cohort.
    expected = mart_figures(
        metrics_build,
        """
        select period_start as key_month, segment_value as key_channel, *
        from marts.conversion_metrics
        where period_grain = 'month' and segment_type = 'channel' and leads > 0
        """,
    )
    assert len(expected) >= 20 and sum(row["converted_leads"] for row in expected.values()) > 0
    assert_same_figures(got, expected, metrics)


def test_revenue_won_by_month_counts_deals_when_won_as_conversion_metrics(metrics_build):
    metrics = ["revenue_won", "deals_won", "average_deal_size"]
    got = mf_figures(mf_query(metrics_build, metrics, ["metric_time__month"]), ["metric_time__month"])
    expected = mart_figures(
        metrics_build,
        """
        select period_start as key_month, *
        from marts.conversion_metrics
        where period_grain = 'month' and segment_type = 'all' and deals_won > 0
        """,
    )
    assert len(expected) >= 5
    assert_same_figures(got, expected, metrics)


def test_cost_per_lead_and_roas_by_month_are_marketing_roi_over_every_campaign(metrics_build):
    metrics = ["ad_spend", "leads", "cost_per_lead", "roas"]
    got = mf_figures(mf_query(metrics_build, metrics, ["metric_time__month"]), ["metric_time__month"])
    expected = mart_figures(
        metrics_build,
        """
        select
            period_start as key_month,
            sum(spend) as ad_spend,
            sum(leads) as leads,
            case when sum(leads) > 0 then sum(spend) / sum(leads) end as cost_per_lead,
            case when sum(spend) > 0 then sum(revenue) / sum(spend) end as roas
        from marts.marketing_roi
        where period_grain = 'month'
        group by period_start
        """,
    )
    # Every month of the sample has spend: a month without would be null in MetricFlow, 0 here.
    assert len(expected) >= 5 and all(row["ad_spend"] > 0 for row in expected.values())
    assert_same_figures(got, expected, metrics)


def test_weighted_pipeline_by_channel_is_the_open_pipeline(metrics_build):
    metrics = ["weighted_pipeline", "open_deals"]
    got = mf_figures(mf_query(metrics_build, metrics, ["lead__channel"]), ["lead__channel"])
    expected = mart_figures(
        metrics_build,
        f"""
        select
            coalesce(channel, '{NO_SEGMENT}') as key_channel,
            sum(weighted_amount) as weighted_pipeline,
            count(*) as open_deals
        from marts.fct_open_pipeline
        group by 1
        """,
    )
    assert len(expected) >= 3
    assert_same_figures(got, expected, metrics)
