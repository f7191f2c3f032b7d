"""A tiny published copy: the marts the report reads, each a table whose columns and types are the
mart's documented ones (dbt_project/models/marts/**/_*.yml), holding a few rows written here.

The rows include decoys the report must leave out (other period grains, segments, dimensions and
stages; agents' day rows), so a chart that reads the wrong rows shows the wrong number."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import yaml

from leadhouse.settings import DBT_PROJECT_DIR

AS_OF = datetime(2026, 11, 1)
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
# dbt's data types in the models' yml -> DuckDB's
DUCKDB_TYPES = {"string": "varchar", "int": "integer"}


def mart_columns() -> dict[str, list[tuple[str, str]]]:
    """Every documented mart's columns and their DuckDB types."""
    found = {}
    for yml in sorted((DBT_PROJECT_DIR / "models" / "marts").rglob("_*.yml")):
        for model in (yaml.safe_load(yml.read_text()) or {}).get("models") or []:
            found[model["name"]] = [
                (c["name"], DUCKDB_TYPES.get(c["data_type"], c["data_type"]))
                for c in model.get("columns", [])
            ]
    return found


def _funnel() -> list[dict]:
    reached = {  # channel -> month -> leads reaching New, Contacted, Closed Won
        "web_form": {SEPTEMBER: (40, 30, 5), OCTOBER: (60, 35, 4)},
        "referral": {SEPTEMBER: (10, 8, 3), OCTOBER: (12, 9, 2)},
    }
    rows = [
        {
            "period_grain": "month",
            "period_start": month,
            "segment_type": "channel",
            "segment_value": channel,
            "step_number": number,
            "step": step,
            "leads_reached": counts[number - 1],
        }
        for channel, months in reached.items()
        for month, counts in months.items()
        for number, step in enumerate(("New", "Contacted", "Closed Won"), start=1)
    ]
    decoy = {"period_start": OCTOBER, "step_number": 1, "step": "New", "leads_reached": 999}
    return rows + [
        decoy | {"period_grain": "week", "segment_type": "channel", "segment_value": "web_form"},
        decoy | {"period_grain": "month", "segment_type": "all", "segment_value": "all"},
    ]


def _conversion() -> list[dict]:
    rows = [
        {
            "period_grain": "month",
            "period_start": month,
            "segment_type": "channel",
            "segment_value": channel,
            "leads": leads,
            "converted_leads": converted,
            "conversion_rate": converted / leads,
        }
        for channel, month, leads, converted in (
            ("web_form", SEPTEMBER, 40, 5),
            ("web_form", OCTOBER, 60, 4),
            ("referral", SEPTEMBER, 10, 3),
            ("referral", OCTOBER, 12, 2),
        )
    ]
    decoy = {"period_start": OCTOBER, "leads": 1, "converted_leads": 1, "conversion_rate": 1.0}
    return rows + [
        decoy | {"period_grain": "day", "segment_type": "channel", "segment_value": "web_form"},
        decoy | {"period_grain": "month", "segment_type": "campaign", "segment_value": "gs_brand"},
    ]


def _agents() -> list[dict]:
    def row(agent: int, month: date, assigned: int, converted: int, won: int, revenue: float, grain="month"):
        return {
            "period_grain": grain,
            "period_start": month,
            "agent_id": f"a{agent:02d}",
            "agent_name": None if agent == 5 else f"Agent {agent:02d}",  # a05 is in no roster
            "leads_assigned": assigned,
            "converted_leads": converted,
            "deals_won": won,
            "revenue_won": revenue,
        }

    rows = [row(1, SEPTEMBER, 10, 2, 2, 100_000.0), row(1, OCTOBER, 8, 1, 1, 50_000.5)]
    rows += [row(agent, OCTOBER, 10, 1, 1, (16 - agent) * 10_000.0) for agent in range(2, 13)]
    return rows + [row(12, OCTOBER, 1, 1, 1, 10_000_000.0, grain="day")]  # day rows are not summed


TINY_ROWS: dict[str, list[dict]] = {
    "funnel_by_period": _funnel(),
    "conversion_metrics": _conversion(),
    "funnel_cohorts": [
        {
            "cohort_month": month,
            "weeks_since_creation": week,
            "cohort_leads": leads,
            "converted_leads": converted,
            "cumulative_conversion_rate": converted / leads,
            "is_complete": complete,
        }
        for month, leads, weeks in (
            (SEPTEMBER, 50, ((0, 1, True), (1, 3, True), (2, 6, False))),
            (OCTOBER, 72, ((0, 2, True), (1, 4, False), (2, 5, False))),
        )
        for week, converted, complete in weeks
    ],
    "fct_lead_journeys": [
        {"lead_id": lead, "is_converted": days is not None, "days_to_conversion": days}
        for lead, days in (("l1", 3.5), ("l2", 10.0), ("l3", 12.25), ("l4", None), ("l5", 20.0))
    ],
    "funnel_time_in_stage": [
        {
            "stage": stage,
            "stage_rank": rank,
            "visit_count": visits,
            "completed_visit_count": completed,
            "median_hours": median,
            "p90_hours": p90,
        }
        for stage, rank, visits, completed, median, p90 in (
            ("New", 1, 100, 90, 30.5, 80.0),
            ("Contacted", 2, 70, 60, 200.25, 650.0),
            ("Closed Won", 3, 9, 0, None, None),
            ("Closed Lost", None, 20, 2, 6000.0, 7000.0),
        )
    ],
    "agent_performance": _agents(),
    "pipeline_by_stage": [
        {
            "stage": stage,
            "stage_probability": probability,
            "open_leads": leads,
            "pipeline_amount": amount,
            "weighted_pipeline": amount * probability,
            "median_days_in_stage": days,
        }
        for stage, probability, leads, amount, days in (
            ("New", 0.1, 50, 500_000.0, 3.0),
            ("Qualified", 0.25, 20, 400_000.0, 7.5),
            ("Negotiation", 0.8, 5, 200_000.0, 10.25),
        )
    ],
    "pipeline_forecast": [
        {
            "horizon_days": horizon,
            "stage": stage,
            "deals": deals,
            "pipeline_amount": amount,
            "forecast_revenue": forecast,
            "slipped_deals": 4,
            "slipped_weighted_amount": 20_000.0,
        }
        for horizon, stage, deals, amount, forecast in (
            (30, "all", 10, 300_000.0, 123_456.5),
            (60, "all", 18, 500_000.0, 200_000.25),
            (90, "all", 25, 700_000.0, 260_000.0),
            (30, "New", 3, 1_000.0, 999.0),
        )
    ],
    "campaign_performance": [
        {
            "campaign": campaign,
            "spend_channel": channel,
            "spend": spend,
            "revenue_won": revenue,
            "return_on_ad_spend": revenue / spend if spend else None,
            "roi": (revenue - spend) / spend if spend else None,
        }
        for campaign, channel, spend, revenue in (
            ("gs_brand", "google_ads", 1_000.0, 5_000.0),
            ("fb_retail", "facebook_ads", 2_000.0, 1_000.0),
            ("li_hq", "linkedin_ads", 500.0, 1_500.0),
            ("(none)", None, 0.0, 9_999.0),
        )
    ],
    "score_grade_mix": [
        {
            "period_grain": grain,
            "period_start": day,
            "dimension": dimension,
            "bucket": bucket,
            "leads": leads,
            "share_of_leads": leads / 100,
            "average_score": score,
        }
        for grain, day, dimension, bucket, leads, score in (
            ("day", date(2026, 10, 31), "grade", "A", 5, 85.0),
            ("day", date(2026, 10, 31), "grade", "B", 15, 70.0),
            ("day", date(2026, 10, 31), "grade", "F", 80, 20.0),
            ("day", date(2026, 11, 1), "grade", "A", 7, 86.0),
            ("day", date(2026, 11, 1), "grade", "B", 13, 71.0),
            ("day", date(2026, 11, 1), "grade", "F", 80, 21.0),
            ("day", date(2026, 11, 1), "score_band", "90-100", 2, 95.0),
            ("week", date(2026, 10, 26), "grade", "A", 7, 86.0),
        )
    ],
    "fct_ingestion_quality": [
        {
            "source": source,
            "file": f"{source}/file.csv",
            "file_version": version,
            "rows_read": read,
            "rows_loaded": read - quarantined,
            "rows_quarantined": quarantined,
        }
        for source, version, read, quarantined in (
            ("web_forms", 1, 100, 3),
            ("web_forms", 2, 50, 0),
            ("referrals", 1, 30, 1),
            ("crm_agents", 1, 5, 0),
        )
    ],
    "fct_field_issues": [
        {"source": source, "column_name": column, "action": action, "issue_count": issues}
        for source, column, action, issues in (
            ("web_forms", "email", "nulled", 4),
            ("web_forms", "phone", "kept", 2),
            ("referrals", "created_at", "nulled", 1),
        )
    ],
}


def build_tiny_marts(path: Path, *, leave_out: tuple[str, ...] = ()) -> Path:
    """The tiny published copy at ``path`` (schema ``marts``), without the marts ``leave_out``."""
    columns = mart_columns()
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        for mart, rows in TINY_ROWS.items():
            if mart in leave_out:
                continue
            names = [name for name, _ in columns[mart]]
            unknown = {key for row in rows for key in row} - set(names)
            assert not unknown, (
                f"marts.{mart} has no column {sorted(unknown)} (its yml): update the tiny rows"
            )
            conn.execute(
                f"create table marts.{mart} ({', '.join(f'{name} {kind}' for name, kind in columns[mart])})"
            )
            conn.executemany(
                f"insert into marts.{mart} values ({', '.join('?' for _ in names)})",
                [[AS_OF if name == "as_of" else row.get(name) for name in names] for row in rows],
            )
    return path
