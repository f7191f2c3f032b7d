"""The rule score and its history across runs: three `dbt build`s (models and seeds) of the scoring models on one
warehouse (config/scoring.yml as shipped), with new activities appended before the last.

Ada (VP of Operations at a 250-person technology company, business email, buying immediately)
arrives on 2026-09-01. Run 1 (as of 2026-10-01) scores her fields only: demographic 15 + 5,
firmographic 10 + 10, intent 10 = 50. Run 2 repeats run 1 with --full-refresh.
Before run 3 (as of 2026-10-15) she requests a demo and submits three forms in the last days:
intent and behavioral reach their caps, recent activity adds engagement, and she scores 85.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from ingest.schemas import ENTITIES
from tests.dbt.dbt_runner import rows, run_dbt
from tests.dbt.raw_fixture import append_raw_rows, at, lineage

# Models and seeds only: their data and unit tests run in test_dbt_build.py. Keeps three builds fast.
# The first build makes everything scoring reads; the later ones rebuild the activities (new
# rows arrive) and the scoring models only.
FIRST = ["--select", "+lead_score_history", "+lead_rule_score_details"]
LATER = ["--select", "fct_lead_activities", "path:models/intermediate/scoring", "path:models/marts/scoring"]
MODELS_ONLY = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]

ADA = {
    "source": "web_forms",
    "source_record_id": "WF-1",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@lovelace-analytics.example",
    "job_title": "VP of Operations",
    "industry": "technology",
    "company_size": 250,
    "timeline": "immediate",
    "created_at": at("2026-09-01 09:00:00"),
    **lineage("web_forms_0901.csv", 1, "2026-09-01 23:00:00"),
}


def activity(number: int, activity_type: str, occurred_at: str) -> dict:
    return {
        "source": "crm_activities",
        "source_record_id": f"A-{number}",
        "lead_record_source": "web_forms",
        "lead_record_id": "WF-1",
        "activity_type": activity_type,
        "occurred_at": at(occurred_at),
        **lineage("activities_1014.jsonl", number, "2026-10-14 23:00:00", batch="batch-2"),
    }


NEW_ACTIVITIES = [
    activity(1, "demo_request", "2026-10-14 12:00:00"),
    activity(2, "form_submission", "2026-10-14 00:00:00"),
    activity(3, "form_submission", "2026-10-14 01:00:00"),
    activity(4, "form_submission", "2026-10-14 02:00:00"),
]


def build(data_dir, work_dir, as_of: str, selection: list[str], *extra: str) -> None:
    process, results = run_dbt(
        "build", data_dir, work_dir, *selection, *MODELS_ONLY, *extra, "--vars", json.dumps({"as_of": as_of})
    )
    assert process.returncode == 0, process.stdout[-5000:]
    assert not {r["unique_id"]: r["status"] for r in results if r["status"] not in ("success", "pass")}


def snapshot(warehouse) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {
            "score": rows(conn, "select * from marts.lead_rule_scores"),
            "history": rows(conn, "select * from marts.lead_score_history order by valid_from"),
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    data_dir, work_dir = tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("dbt")
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    append_raw_rows(warehouse, {ENTITIES["lead"].table: [ADA]})
    snapshots = []
    for selection, extra in ((FIRST, ()), (LATER, ("--full-refresh",))):
        build(data_dir, work_dir, "2026-10-01 00:00:00", selection, *extra)
        snapshots.append(snapshot(warehouse))
    append_raw_rows(warehouse, {ENTITIES["activity"].table: NEW_ACTIVITIES})
    build(data_dir, work_dir, "2026-10-15 00:00:00", LATER)
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
