"""The Olist marketing funnel, real data nobody here wrote, through the whole warehouse: the
conversion rate by origin, the days from first contact to the win and each sales rep's deals and
won amounts in the marts equal the same figures computed from the CSV files with polars.

One warehouse per module, in a temporary folder: the two Olist sources ingested with their configs
(config/public_datasets/olist_*.yml), then the pipeline's `dbt build`, as of a date after the last
Olist date (every deal is won by then)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.config import load_source_configs
from ingest.pipeline import Ingestor
from leadhouse.dbt_invocation import PIPELINE_BUILD_FLAGS
from leadhouse.settings import PROJECT_ROOT, Settings
from leadhouse.warehouse import connect as connect_warehouse
from tests.dbt.dbt_runner import run_dbt, unsuccessful

pytestmark = pytest.mark.realdata

PUBLIC_DATASETS = PROJECT_ROOT / "config" / "public_datasets"
MQLS = "olist_funnel/olist_marketing_qualified_leads_dataset.csv"
DEALS = "olist_funnel/olist_closed_deals_dataset.csv"
FILES = {"olist_mqls": MQLS, "olist_closed_deals": DEALS}
AS_OF = "2019-01-01 00:00:00"  # the last win is on 2018-11-14
NO_VALUE = "(none)"  # the segment value of a lead without one (macros/funnel/funnel_segments.sql)


@pytest.fixture(scope="module")
def build(tmp_path_factory, shared_datasets: Path):
    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data_dir, sources_dir=PUBLIC_DATASETS, model_dir=data_dir / "models")
    for source, relative in FILES.items():
        (settings.landing_dir / source).mkdir(parents=True)
        (settings.landing_dir / source / Path(relative).name).symlink_to(shared_datasets / relative)
    settings.warehouse_path.parent.mkdir(parents=True)
    with connect_warehouse(settings.warehouse_path) as conn:
        ingestor = Ingestor(conn, settings.landing_dir)
        for config in load_source_configs(PUBLIC_DATASETS):
            if config.name in FILES:  # not x_education: the Olist figures alone
                ingestor.ingest(config)
    process, results = run_dbt(
        "build", data_dir, tmp_path_factory.mktemp("dbt"), *PIPELINE_BUILD_FLAGS, as_of=AS_OF
    )
    return process, results, settings.warehouse_path


@pytest.fixture(scope="module")
def marts(build):
    with connect_warehouse(build[2], read_only=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def mqls(shared_datasets: Path) -> pl.DataFrame:
    return pl.read_csv(shared_datasets / MQLS, infer_schema_length=0).with_columns(
        pl.col("first_contact_date").str.to_date("%Y-%m-%d")
    )


@pytest.fixture(scope="module")
def deals(shared_datasets: Path) -> pl.DataFrame:
    return pl.read_csv(shared_datasets / DEALS, infer_schema_length=0).with_columns(
        pl.col("won_date").str.to_datetime("%Y-%m-%d %H:%M:%S"),
        pl.col("declared_monthly_revenue").cast(pl.Float64),
    )


def won_mqls(mqls: pl.DataFrame, deals: pl.DataFrame) -> pl.DataFrame:
    """The closed deals with their MQL (one deal per MQL, every deal's MQL among the MQLs:
    test_the_files_have_the_shape_the_figures_rely_on) and the days from first contact to the
    win (first contact at midnight, as the ingestion loads a date)."""
    return deals.join(mqls, on="mql_id", how="inner").with_columns(
        days_to_conversion=(
            pl.col("won_date") - pl.col("first_contact_date").cast(pl.Datetime("us"))
        ).dt.total_seconds()
        / 86400.0
    )


def test_build_warns_only_that_the_reps_are_not_agents(build):
    process, results, _ = build
    assert process.returncode == 0, process.stdout[-5000:]
    assert not unsuccessful(results)
    # Olist has no agents table, so no won deal's sales rep is in dim_agents; and one deal is won
    # before its MQL's first contact (test_the_files_have_the_shape_the_figures_rely_on).
    warnings = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "warn"}
    assert warnings == {
        "relationships_dim_leads_owner_agent_id__agent_id__ref_dim_agents_": 842,
        "accepted_range_fct_lead_journeys_days_to_conversion__0": 1,
    }


def test_the_files_have_the_shape_the_figures_rely_on(mqls, deals):
    assert mqls.height == 8000 and mqls["mql_id"].n_unique() == 8000
    assert deals.height == 842 and deals["mql_id"].n_unique() == 842
    assert deals.join(mqls, on="mql_id", how="anti").height == 0  # no deal of an unknown MQL
    assert deals["sr_id"].null_count() == 0  # every deal has its sales rep
    assert mqls["origin"].null_count() == 60  # counted under '(none)'; 'unknown' is a value of its own
    # One deal is won a day and a few hours before its first contact date: its days to conversion
    # are negative, and the marts keep them (test_days_to_conversion_equal_the_files).
    early = won_mqls(mqls, deals).filter(pl.col("days_to_conversion") < 0)
    assert early.select("mql_id", "first_contact_date", "won_date").rows() == [
        ("b91cf8812365f50ff4bda4bcd6206b05", date(2018, 3, 8), datetime(2018, 3, 6, 19, 38, 55))
    ]


def test_conversion_by_origin_equals_the_files(marts, mqls, deals):
    in_marts = marts.execute(
        """
        select segment_value as origin, sum(leads) as leads, sum(converted_leads) as converted,
            sum(converted_leads) / sum(leads) as conversion_rate
        from marts.conversion_metrics
        where segment_type = 'campaign' and period_grain = 'month'
        group by segment_value
        """
    ).pl()
    from_files = (
        mqls.with_columns(
            origin=pl.col("origin").fill_null(NO_VALUE), won=pl.col("mql_id").is_in(deals["mql_id"].implode())
        )
        .group_by("origin")
        .agg(leads=pl.len(), converted=pl.col("won").sum())
        .with_columns(conversion_rate=pl.col("converted") / pl.col("leads"))
    )
    counts = {o: (leads, converted) for o, leads, converted, _ in in_marts.rows()}
    assert counts == {o: (leads, converted) for o, leads, converted, _ in from_files.rows()}
    assert len(counts) == 11 and sum(c for _, c in counts.values()) == 842
    rates = dict(in_marts.select("origin", "conversion_rate").rows())
    assert rates == pytest.approx(
        dict(from_files.select("origin", "conversion_rate").rows()), rel=0, abs=1e-9
    )


def test_days_to_conversion_equal_the_files(marts, mqls, deals):
    in_marts = [
        days
        for (days,) in marts.execute(
            "select days_to_conversion from marts.fct_lead_journeys where is_converted order by 1"
        ).fetchall()
    ]
    from_files = won_mqls(mqls, deals)["days_to_conversion"].sort()
    assert in_marts == pytest.approx(from_files.to_list(), rel=0, abs=1e-9)
    (median,) = marts.execute(
        "select percentile_cont(0.5) within group (order by days_to_conversion) "
        "from marts.fct_lead_journeys where is_converted"
    ).fetchone()
    assert median == pytest.approx(from_files.median(), rel=0, abs=1e-9)


def test_each_reps_deals_and_won_amounts_equal_the_files(marts, deals):
    from_files = deals.group_by("sr_id").agg(deals=pl.len(), won=pl.col("declared_monthly_revenue").sum())
    expected_deals = dict(from_files.select("sr_id", "deals").rows())
    expected_won = dict(from_files.select("sr_id", "won").rows())
    for sql in (
        # Deals and revenue in the month of the win, summed over the months.
        """
        select agent_id, sum(deals_won), sum(revenue_won)
        from marts.agent_performance
        where period_grain = 'month'
        group by agent_id
        """,
        # The same from the leads: each won lead's owner (the rep of its latest change).
        """
        select owner_agent_id, count(*), sum(won_amount)
        from marts.dim_leads
        where is_won
        group by owner_agent_id
        """,
    ):
        rows = marts.execute(sql).fetchall()
        assert {agent: count for agent, count, _ in rows} == expected_deals
        assert {agent: won for agent, _, won in rows} == pytest.approx(expected_won, rel=1e-12)
    assert len(expected_deals) == 22
