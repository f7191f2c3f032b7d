"""The rule score and its history across runs: three `dbt build`s of the scoring models (models and seeds) on
marts.dim_leads and marts.fct_lead_activities written here from their contracts (so no entity
resolution runs) of the scoring models on one
warehouse (config/scoring.yml as shipped), with new activities appended before the last.

Ada (VP of Operations at a 250-person technology company, business email, buying immediately)
arrives on 2026-09-01. Run 1 (as of 2026-10-01) scores her fields only: demographic 15 + 5,
firmographic 10 + 10, intent 10 = 50. Run 2 repeats run 1 with --full-refresh.
Before run 3 (as of 2026-10-15) she requests a demo and submits three forms in the last days:
intent and behavioral reach their caps, recent activity adds engagement, and she scores 85.
"""

from __future__ import annotations

import pytest
import yaml

from leadhouse.warehouse import connect as connect_warehouse
from tests.dbt.dbt_runner import DBT_PROJECT_DIR, rows, run_dbt
from tests.dbt.raw_fixture import at

# Models and seeds only: their data and unit tests run in test_dbt_build.py. Keeps three builds fast.
SELECT = [
    "--select",
    "path:seeds/enrichment",
    "path:models/intermediate/scoring",
    "path:models/marts/scoring",
    "--exclude",
    "lead_status_transitions",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
]
LEAD_ID = "ld_ada"

ADA = {
    "lead_id": LEAD_ID,
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@lovelace-analytics.example",
    "job_title": "VP of Operations",
    "industry": "technology",
    "company_size": 250,
    "timeline": "immediate",
    "first_channel": "web_form",
    "first_seen_at": at("2026-09-01 09:00:00"),
    "source_record_count": 1,
    "source_count": 1,
    "do_not_email": False,
    "do_not_call": False,
    "is_closed": False,
    "is_won": False,
}


def activity(number: int, activity_type: str, occurred_at: str) -> dict:
    return {
        "activity_id": f"A-{number}",
        "lead_id": LEAD_ID,
        "activity_type": activity_type,
        "occurred_at": at(occurred_at),
        "source": "crm_activities",
        "source_record_id": f"A-{number}",
    }


def contract_columns(model: str) -> dict[str, str]:
    """A mart's columns and types, from its contract in models/marts/leads/_leads__models.yml."""
    spec = yaml.safe_load((DBT_PROJECT_DIR / "models" / "marts" / "leads" / "_leads__models.yml").read_text())
    (found,) = [m for m in spec["models"] if m["name"] == model]
    return {column["name"]: column["data_type"] for column in found["columns"]}


def write_mart(warehouse, model: str, table_rows: list[dict]) -> None:
    """``marts.<model>`` as its contract types it, holding ``table_rows`` (other columns null)."""
    columns = contract_columns(model)
    with connect_warehouse(warehouse) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            f"create table if not exists marts.{model} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
        )
        for row in table_rows:
            names = list(row)
            conn.execute(
                f"insert into marts.{model} ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
                [row[n] for n in names],
            )


NEW_ACTIVITIES = [
    activity(1, "demo_request", "2026-10-14 12:00:00"),
    activity(2, "form_submission", "2026-10-14 00:00:00"),
    activity(3, "form_submission", "2026-10-14 01:00:00"),
    activity(4, "form_submission", "2026-10-14 02:00:00"),
]


def build(data_dir, work_dir, as_of: str, *extra: str) -> None:
    process, results = run_dbt("build", data_dir, work_dir, *SELECT, *extra, as_of=as_of)
    assert process.returncode == 0, process.stdout[-5000:]
    assert not {r["unique_id"]: r["status"] for r in results if r["status"] not in ("success", "pass")}


def snapshot(warehouse) -> dict:
    with connect_warehouse(warehouse, read_only=True) as conn:
        return {
            "score": rows(conn, "select * from marts.lead_rule_scores"),
            "history": rows(conn, "select * from marts.lead_score_history order by valid_from"),
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data_dir, work_dir = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("dbt")
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    write_mart(warehouse, "dim_leads", [ADA])
    write_mart(warehouse, "fct_lead_activities", [])
    snapshots = []
    for extra in ((), ("--full-refresh",)):
        build(data_dir, work_dir, "2026-10-01 00:00:00", *extra)
        snapshots.append(snapshot(warehouse))
    write_mart(warehouse, "fct_lead_activities", NEW_ACTIVITIES)
    build(data_dir, work_dir, "2026-10-15 00:00:00")
    snapshots.append(snapshot(warehouse))
    return snapshots


def test_the_first_run_scores_the_fields_and_opens_the_history(runs):
    (score,) = runs[0]["score"]
    assert (score["score"], score["grade"], score["temperature"], score["priority"]) == (
        50,
        "D",
        "warm",
        "medium",
    )
    assert {
        c: float(score[f"{c}_points"]) for c in ("demographic", "firmographic", "intent", "behavioral")
    } == {
        "demographic": 20.0,
        "firmographic": 20.0,
        "intent": 10.0,
        "behavioral": 0.0,
    }
    assert score["fired_rules"] == (
        "business_email +5.00, company_size_200_999 +10.00, target_industry +10.00, "
        "timeline_immediate +10.00, title_vp +15.00"
    )
    (history,) = runs[0]["history"]
    assert (history["score"], history["previous_score"], history["valid_to"], history["is_current"]) == (
        50,
        None,
        None,
        True,
    )


def test_a_rerun_with_no_new_data_adds_no_history_even_with_full_refresh(runs):
    first, rerun = runs[0], runs[1]
    # int_lead_score_changes has full_refresh: false: --full-refresh rebuilds everything else.
    assert rerun["history"] == first["history"]
    assert rerun["score"] == first["score"]


def test_new_activity_moves_the_score_and_the_history_says_why(runs):
    (score,) = runs[2]["score"]
    assert (score["score"], score["grade"], score["auto_qualified"]) == (85, "A", True)
    assert {c: float(score[f"{c}_points"]) for c in ("intent", "behavioral", "engagement")} == {
        "intent": 10.0,  # timeline 10 + a demo request (20, decayed 12 h) -> the cap
        "behavioral": 20.0,  # three forms, 10 each decayed about a day -> the rule's cap
        "engagement": 15.0,  # four events this week, 5 each -> the rule's cap
    }
    before, after = runs[2]["history"]
    assert before["valid_to"] == after["valid_from"] == at("2026-10-15 00:00:00")
    assert not before["is_current"] and after["is_current"]
    assert (after["previous_score"], after["score"], after["score_change"], after["previous_grade"]) == (
        50,
        85,
        35,
        "D",
    )
    assert (
        "demo_requests +19.54" in after["fired_rules"]
        and "demo_requests" not in after["previous_fired_rules"]
    )
