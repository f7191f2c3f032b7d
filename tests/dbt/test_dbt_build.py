"""The dbt project built on the hand-written raw layer of raw_fixture.py: the values in the marts.

One `dbt build` (models, data tests and unit tests) per session, on a warehouse in a temporary
folder; every test below reads what it produced.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from entity_resolution.config import PREPARED_RECORD_BOOKKEEPING, PREPARED_RECORD_COLUMNS
from ingest.schemas import ACTIVITY_TYPES, CHANNELS, ENTITIES, LEAD_STATUSES, raw_schema
from leadhouse.warehouse import connect as connect_warehouse
from scoring.config import CATEGORIES, LEAD_FIELDS, load_scoring_config
from tests.dbt.dbt_runner import (
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    lead_id_of,
    pairs_by_key,
    rows,
    run_dbt,
    unsuccessful,
)
from tests.dbt.raw_fixture import build_raw_fixture

SOURCE_CONFIGS = sorted((PROJECT_ROOT / "config" / "sources").glob("*.yml"))

ORPHAN_WARNINGS = {"not_null_fct_lead_activities_lead_id": 1, "not_null_fct_lead_status_changes_lead_id": 1}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    warehouse = data_dir / "warehouse" / "leadhouse.duckdb"
    build_raw_fixture(warehouse)
    return run_dbt("build", data_dir, tmp_path_factory.mktemp("dbt")), warehouse


@pytest.fixture(scope="module")
def warehouse(build):
    _, path = build
    with connect_warehouse(path, read_only=True) as conn:
        yield conn


def leads_by_record(conn) -> dict[str, str]:
    return {r["source_record_id"]: r["lead_id"] for r in rows(conn, "select * from marts.lead_identity_map")}


def dim_lead(conn, lead_id: str) -> dict:
    (lead,) = rows(conn, f"select * from marts.dim_leads where lead_id = '{lead_id}'")
    return lead


def test_build_passes_with_only_the_orphan_warnings(build):
    (process, results), _ = build
    assert process.returncode == 0, process.stdout[-5000:]
    assert not unsuccessful(results)
    # Data test ids are test.leadhouse.<test name>.<hash>.
    warnings = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "warn"}
    assert warnings == ORPHAN_WARNINGS
    unit_tests = {r["unique_id"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert unit_tests >= {
        "unit_test.leadhouse.dim_leads.test_dim_leads_survivorship",
        "unit_test.leadhouse.dim_leads.test_dim_leads_deleted_only_when_every_record_is_deleted",
        "unit_test.leadhouse.int_lead_records_deleted.test_records_deleted_only_by_a_deletion_after_their_latest_version",
        "unit_test.leadhouse.int_sales_leads_joined.test_sales_leads_leave_out_deleted_leads",
        "unit_test.leadhouse.model_performance_over_time.test_model_performance_counts_wins_after_each_scoring_within_the_horizon",
        "unit_test.leadhouse.fct_quarantine_reasons.test_quarantine_reasons_group_by_kind_without_values",
        "unit_test.leadhouse.int_er_match_weights.test_match_weights_em_recovers_known_classes",
        "unit_test.leadhouse.int_er_match_weights.test_match_weights_swapped_names_weigh_at_most_the_exact_level",
        "unit_test.leadhouse.int_er_pairs_blocked.test_pairs_blocked_one_edit_rule_pairs_a_rare_typo_with_its_common_spelling",
        "unit_test.leadhouse.int_er_pairs_compared.test_pairs_compared_grade_every_level_of_every_comparison",
        "unit_test.leadhouse.int_er_pairs_compared.test_pairs_compared_incrementally_compare_only_new_or_changed_pairs",
        "unit_test.leadhouse.int_er_pairs_scored.test_pairs_scored_add_weights_into_probability_decision_and_evidence",
        "unit_test.leadhouse.int_er_records_prepared.test_records_prepared_normalize_what_matching_compares",
        "unit_test.leadhouse.int_er_review_decisions.test_review_decisions_keep_the_latest_decision_per_pair",
        "unit_test.leadhouse.int_lead_rule_hits.test_scoring_every_operator",
        "unit_test.leadhouse.int_lead_rule_hits.test_scoring_activity_window_decay_and_cap",
        "unit_test.leadhouse.int_lead_triggers_fired.test_scoring_triggers",
        "unit_test.leadhouse.int_lead_score_changes.test_score_history_keeps_changes_only",
        "unit_test.leadhouse.lead_rule_scores.test_scoring_caps_clamp_and_grade_bands",
        "unit_test.leadhouse.lead_rule_scores.test_scoring_bant_points_mode",
        "unit_test.leadhouse.lead_rule_scores.test_scoring_bant_all_four_mode",
        "unit_test.leadhouse.lead_rule_scores.test_scoring_second_grade_scheme",
        "unit_test.leadhouse.lead_status_transitions.test_status_transitions_valid_and_backward",
        "unit_test.leadhouse.fct_lead_stage_history.test_stage_history_skips_reentries_exits_and_the_current_stage",
        "unit_test.leadhouse.funnel_stage_conversions.test_stage_conversions_share_each_stage_exits",
        "unit_test.leadhouse.funnel_time_in_stage.test_time_in_stage_counts_completed_visits_and_drop_offs",
        "unit_test.leadhouse.int_funnel_leads.test_funnel_leads_steps_in_order_skips_reopens_wins_and_losses",
        "unit_test.leadhouse.conversion_metrics.test_conversion_metrics_count_leads_when_created_and_deals_when_closed",
        "unit_test.leadhouse.funnel_by_period.test_funnel_by_period_counts_each_step_of_the_period_leads",
        "unit_test.leadhouse.funnel_cohorts.test_cohorts_accumulate_wins_by_week_since_creation",
        "unit_test.leadhouse.lead_velocity_rate.test_lead_velocity_rate_month_over_month",
        "unit_test.leadhouse.fct_open_pipeline.test_open_pipeline_amounts_probabilities_and_expected_close",
        "unit_test.leadhouse.pipeline_forecast.test_forecast_counts_deals_closing_within_each_horizon",
        "unit_test.leadhouse.pipeline_velocity.test_pipeline_velocity_multiplies_opportunities_deal_size_win_rate_over_cycle",
        "unit_test.leadhouse.agent_performance.test_agent_performance_assigned_contacted_converted_and_overdue",
        "unit_test.leadhouse.contact_attempt_rates.test_contact_attempt_rates_by_channel_hour_and_attempt",
        "unit_test.leadhouse.marketing_roi.test_marketing_roi_zero_spend_and_no_lead_campaigns",
        "unit_test.leadhouse.revenue_attribution.test_attribution_models_credit_the_lookback_window_to_the_cent",
    }


def test_identity_map_holds_every_lead_record_once(warehouse):
    identity = rows(warehouse, "select source, source_record_id, match_rule from marts.lead_identity_map")
    assert sorted((r["source"], r["source_record_id"], r["match_rule"]) for r in identity) == [
        ("ad_leads", "AL-7", "fellegi_sunter"),
        ("call_center", "CALL-1", "single_record"),
        ("referrals", "R-1", "fellegi_sunter"),
        ("trade_show", "TS-1", "fellegi_sunter"),
        ("trade_show", "TS-2", "single_record"),
        ("web_forms", "WF-1", "fellegi_sunter"),
    ]


def test_records_deleted_in_their_source_are_marked_and_their_lead_only_when_all_are(warehouse):
    deleted = rows(
        warehouse,
        "select source_record_id, is_deleted, cast(deleted_at as varchar) as deleted_at "
        "from marts.lead_identity_map order by 1",
    )
    assert [(r["source_record_id"], r["is_deleted"], r["deleted_at"]) for r in deleted] == [
        ("AL-7", False, None),
        ("CALL-1", False, None),
        ("R-1", False, None),
        ("TS-1", True, "2025-03-06 12:00:00"),  # deleted by a config-only deletion source
        ("TS-2", True, "2025-03-06 12:00:00"),
        ("WF-1", False, None),  # extracted again after its deletion
    ]
    lead = leads_by_record(warehouse)
    marks = {
        record: rows(
            warehouse, f"select is_deleted, deleted_at from marts.dim_leads where lead_id = '{lead[record]}'"
        )[0]
        for record in ("TS-1", "TS-2", "WF-1")
    }
    assert marks["TS-2"]["is_deleted"] and str(marks["TS-2"]["deleted_at"]) == "2025-03-06 12:00:00"
    assert (marks["TS-1"]["is_deleted"], marks["TS-1"]["deleted_at"]) == (False, None)  # R-1 keeps Carla's
    assert (marks["WF-1"]["is_deleted"], marks["WF-1"]["deleted_at"]) == (False, None)


def test_records_of_one_person_share_a_lead_id_from_their_smallest_record_key(warehouse):
    lead = leads_by_record(warehouse)
    assert lead["WF-1"] == lead["AL-7"] == lead_id_of("ad_leads:AL-7")
    assert lead["R-1"] == lead["TS-1"] == lead_id_of("referrals:R-1")
    assert lead["CALL-1"] == lead_id_of("call_center:CALL-1")
    assert lead["TS-2"] == lead_id_of("trade_show:TS-2")
    assert warehouse.execute("select count(*) from marts.dim_leads").fetchone()[0] == 4


def test_each_link_carries_its_probability_and_evidence(warehouse):
    identity = {
        r["source_record_id"]: r
        for r in rows(
            warehouse, "select source_record_id, match_probability, matched_by from marts.lead_identity_map"
        )
    }
    for record in ("WF-1", "AL-7", "R-1", "TS-1"):
        assert identity[record]["match_probability"] >= 0.95, record
        assert identity[record]["matched_by"].startswith("email:exact("), record
        assert " phone:exact(" in identity[record]["matched_by"], record
    for record in ("CALL-1", "TS-2"):
        assert (identity[record]["match_probability"], identity[record]["matched_by"]) == (None, None)
    pairs = rows(
        warehouse,
        pairs_by_key("intermediate.int_er_pairs_scored", "p.decision, p.baseline_points") + " order by 1",
    )
    # The only candidate pairs; baseline: email 100 + phone 50 (no company to add name_and_company).
    assert [tuple(pair.values()) for pair in pairs] == [
        ("ad_leads:AL-7", "web_forms:WF-1", "match", 150),
        ("referrals:R-1", "trade_show:TS-1", "match", 150),
    ]


def test_a_first_build_has_no_merge_history_and_nothing_to_review(warehouse):
    assert warehouse.execute("select count(*) from marts.lead_merge_history").fetchone()[0] == 0
    assert warehouse.execute("select count(*) from marts.lead_match_review_queue").fetchone()[0] == 0
    blocking = {r["blocking_rule"]: r for r in rows(warehouse, "select * from marts.er_blocking_rules")}
    assert {r["candidate_pairs_total"] for r in blocking.values()} == {2}
    # Jane's and Carla's records share email, phone and name; nobody shares a company, and
    # their records do not all carry a city (first_name_last_name_prefix also keys on it).
    assert {rule: r["pairs_proposed"] for rule, r in blocking.items() if r["pairs_proposed"]} == {
        "email": 2,
        "phone": 2,
        "full_name": 2,
        "name_pair": 2,
        "name_in_email": 2,
        "first_name_phone_7": 2,
        "email_local_part": 1,
    }


def test_latest_version_of_a_record_wins(warehouse):
    (web_form,) = rows(warehouse, "select company, _file_version from staging.stg_web_forms__leads")
    assert web_form == {"company": "Acme Corp", "_file_version": 2}
    (activity,) = rows(
        warehouse, "select detail from marts.fct_lead_activities where source_record_id = 'A-1'"
    )
    assert activity["detail"] == "Welcome email (resent)"


def test_config_only_sources_flow_through_the_catch_all(warehouse):
    other_lead_sources = rows(warehouse, "select distinct source from staging.stg_other_sources__leads")
    assert other_lead_sources == [{"source": "trade_show"}]
    other_activity_sources = rows(
        warehouse, "select distinct source from staging.stg_other_sources__activities"
    )
    assert other_activity_sources == [{"source": "expo_app"}]
    lead = leads_by_record(warehouse)
    carla = dim_lead(warehouse, lead["TS-1"])
    assert (carla["sources"], carla["source_count"], carla["source_record_count"]) == (
        "referrals,trade_show",
        2,
        2,
    )
    (meeting,) = rows(warehouse, "select lead_id from marts.fct_lead_activities where source = 'expo_app'")
    assert meeting["lead_id"] == lead["TS-1"]


def test_golden_record_takes_the_newest_non_null_value_per_field(warehouse):
    jane = dim_lead(warehouse, leads_by_record(warehouse)["WF-1"])
    assert {
        k: jane[k]
        for k in ("first_name", "last_name", "email", "phone", "company", "job_title", "city", "region")
    } == {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.com",
        "phone": "+15551230001",  # the same on both records (how ER knows they are one person)
        "company": "Acme Corp",  # AL-7 has none; WF-1's second version
        "job_title": "Chief Technology Officer",  # AL-7 is newer
        "city": "Dallas",
        "region": "TX",
    }
    assert (jane["first_channel"], jane["first_campaign"]) == ("web_form", "spring_promo")
    assert str(jane["first_seen_at"]) == "2025-03-01 10:00:00"
    assert str(jane["last_seen_at"]) == "2025-03-05 09:30:00"
    assert (jane["sources"], jane["do_not_email"], jane["do_not_call"]) == ("ad_leads,web_forms", True, False)


def test_golden_record_carries_revenue_interest_and_bant_answers(warehouse):
    lead = leads_by_record(warehouse)
    fields = (
        "annual_revenue",
        "product_interest",
        "budget_confirmed",
        "is_decision_maker",
        "pain_points",
        "purchase_timeline",
    )
    jane, bob = (dim_lead(warehouse, lead[record]) for record in ("WF-1", "CALL-1"))
    assert {k: jane[k] for k in fields} == {
        "annual_revenue": 2500000.0,  # only WF-1's second version has one
        "product_interest": "Creative office",  # AL-7 is newer
        "budget_confirmed": None,
        "is_decision_maker": None,
        "pain_points": None,
        "purchase_timeline": None,
    }
    assert {k: bob[k] for k in fields} == {
        "annual_revenue": None,
        "product_interest": None,
        "budget_confirmed": False,  # a recorded "no" is an answer
        "is_decision_maker": True,
        "pain_points": "Lease expiring; Rent too high",
        "purchase_timeline": "1-3 months",
    }


def test_activities_carry_direction_and_response_time(warehouse):
    activities = rows(
        warehouse,
        "select source_record_id, direction, response_seconds from marts.fct_lead_activities "
        "where source = 'crm_activities' order by source_record_id",
    )
    assert [(r["source_record_id"], r["direction"], r["response_seconds"]) for r in activities] == [
        ("A-1", None, None),
        ("A-2", None, None),
        ("A-3", "outbound", 25),
        ("A-4", None, None),
    ]


def test_blank_text_is_cleaned_to_null(warehouse):
    bob = dim_lead(warehouse, leads_by_record(warehouse)["CALL-1"])
    assert bob["company"] is None
    assert (bob["last_name"], bob["do_not_call"]) == ("Smith", True)


def test_status_fields_follow_the_status_history(warehouse):
    lead = leads_by_record(warehouse)
    status_columns = (
        "current_status, owner_agent_id, is_closed, is_won, won_amount, cast(won_at as varchar) as won_at"
    )
    statuses = {
        record: rows(
            warehouse, f"select {status_columns} from marts.dim_leads where lead_id = '{lead[record]}'"
        )[0]
        for record in ("WF-1", "CALL-1", "R-1", "TS-2")
    }
    assert statuses["WF-1"] == {
        "current_status": "Closed Won",
        "owner_agent_id": "AG-2",
        "is_closed": True,
        "is_won": True,
        "won_amount": 50000.0,
        "won_at": "2025-03-10 11:00:00",
    }
    assert statuses["CALL-1"] == {
        "current_status": "Disqualified",
        "owner_agent_id": "AG-1",
        "is_closed": True,
        "is_won": False,
        "won_amount": None,
        "won_at": None,
    }
    assert statuses["R-1"] == {
        "current_status": "Qualified",
        "owner_agent_id": "AG-1",
        "is_closed": False,
        "is_won": False,
        "won_amount": None,
        "won_at": None,
    }
    assert statuses["TS-2"] == {
        "current_status": None,
        "owner_agent_id": None,
        "is_closed": False,
        "is_won": False,
        "won_amount": None,
        "won_at": None,
    }


def test_status_changes_chain_across_the_records_of_a_lead(warehouse):
    history = rows(
        warehouse,
        "select source_record_id, previous_status, hours_in_previous_status from marts.fct_lead_status_changes "
        f"where lead_id = '{leads_by_record(warehouse)['WF-1']}' order by changed_at",
    )
    assert [
        (r["source_record_id"], r["previous_status"], r["hours_in_previous_status"]) for r in history
    ] == [
        ("S-1", None, None),
        ("S-2", "New", 24.0),
        ("S-3", "Contacted", 96.0),  # S-3 is recorded against AL-7, S-2 against WF-1: one lead
        ("S-4", "Proposal", 96.0),
    ]


def test_references_to_unknown_lead_records_keep_a_null_lead_id(warehouse):
    orphans = rows(
        warehouse,
        "select source_record_id, lead_id from marts.fct_lead_activities where lead_record_id = 'WF-404' "
        "union all "
        "select source_record_id, lead_id from marts.fct_lead_status_changes where lead_record_id = 'WF-404'",
    )
    assert sorted((r["source_record_id"], r["lead_id"]) for r in orphans) == [("A-4", None), ("S-8", None)]
    assert warehouse.execute("select count(*) from marts.fct_lead_activities").fetchone()[0] == 5
    assert warehouse.execute("select count(*) from marts.fct_lead_status_changes").fetchone()[0] == 8


def test_agents_count_the_leads_they_own(warehouse):
    agents = rows(
        warehouse,
        "select agent_id, owned_lead_count, open_lead_count, won_lead_count, remaining_capacity "
        "from marts.dim_agents order by agent_id",
    )
    assert agents == [
        {
            "agent_id": "AG-1",
            "owned_lead_count": 2,
            "open_lead_count": 1,
            "won_lead_count": 0,
            "remaining_capacity": 19,
        },
        {
            "agent_id": "AG-2",
            "owned_lead_count": 1,
            "open_lead_count": 0,
            "won_lead_count": 1,
            "remaining_capacity": 10,
        },
    ]


def test_ad_spend_is_summed_per_day_platform_and_campaign(warehouse):
    spend = rows(
        warehouse,
        "select cast(spend_date as varchar) as spend_date, platform, campaign, currency, spend, clicks, "
        "cost_per_click, click_through_rate from marts.fct_ad_spend_daily order by spend_date",
    )
    assert spend == [
        {
            "spend_date": "2025-03-05",
            "platform": "facebook",
            "campaign": "fb_spring",
            "currency": "USD",
            "spend": 150.0,
            "clicks": 240,
            "cost_per_click": 0.625,
            "click_through_rate": 0.02,
        },
        {
            "spend_date": "2025-03-06",
            "platform": "google",
            "campaign": "search_brand",
            "currency": "USD",
            "spend": 50.0,
            "clicks": 0,
            "cost_per_click": None,
            "click_through_rate": None,
        },
    ]


def test_ingestion_quality_counts_rows_and_reasons_per_file(warehouse):
    files = rows(
        warehouse,
        "select source, file_version, status, rows_read, rows_quarantined, quarantine_table_row_count, "
        "quarantine_reason_count, top_quarantine_reason from marts.fct_ingestion_quality "
        "where source = 'web_forms' order by file_version",
    )
    assert files == [
        {
            "source": "web_forms",
            "file_version": 1,
            "status": "loaded",
            "rows_read": 3,
            "rows_quarantined": 2,
            "quarantine_table_row_count": 2,
            "quarantine_reason_count": 2,
            "top_quarantine_reason": "email: is not a valid email address",
        },
        {
            "source": "web_forms",
            "file_version": 2,
            "status": "loaded",
            "rows_read": 1,
            "rows_quarantined": 0,
            "quarantine_table_row_count": 0,
            "quarantine_reason_count": 0,
            "top_quarantine_reason": None,
        },
    ]
    reasons = rows(
        warehouse, "select reason_kind, quarantined_row_count from marts.fct_quarantine_reasons order by 1"
    )
    assert reasons == [
        {
            "reason_kind": "created_at: matches none of the formats ['%m/%d/%Y %H:%M']",
            "quarantined_row_count": 1,
        },
        {"reason_kind": "email: is not a valid email address", "quarantined_row_count": 2},
    ]


def test_staging_exposes_every_canonical_column(warehouse):
    renamed = {"agent": {"source_record_id": "agent_id", "active": "is_active"}}
    # Reviewer decisions have one source (the review queue's CSV) and no catch-all.
    staging_model = {
        "lead": "stg_other_sources__leads",
        "activity": "stg_other_sources__activities",
        "status_change": "stg_other_sources__status_changes",
        "agent": "stg_other_sources__agents",
        "ad_spend": "stg_other_sources__ad_spend",
        "match_decision": "stg_match_reviews__decisions",
        "record_deletion": "stg_other_sources__record_deletions",
    }
    for name, entity in ENTITIES.items():
        expected = [renamed.get(name, {}).get(c, c) for c in raw_schema(entity)]
        columns = [r[0] for r in warehouse.execute(f"describe staging.{staging_model[name]}").fetchall()]
        assert sorted(columns) == sorted(expected), name


def test_prepared_records_have_the_columns_the_er_config_may_name(warehouse):
    """entity_resolution.config checks every column a rule or comparison names against its list."""
    columns = [r[0] for r in warehouse.execute("describe intermediate.int_er_records_prepared").fetchall()]
    assert sorted(columns) == sorted(PREPARED_RECORD_BOOKKEEPING + PREPARED_RECORD_COLUMNS)


def copy_of_the_build(build, tmp_path: Path) -> Path:
    """A data folder holding a copy of the module's built warehouse, for a test that changes it."""
    _, built = build
    data_dir = tmp_path / "data"
    shutil.copytree(built.parent, data_dir / "warehouse")
    return data_dir


def test_the_event_facts_tests_fail_on_a_lost_record_and_on_a_missing_lead_record(build, tmp_path):
    """The event staging views have no tests of their own (tests/dbt/test_event_staging_tests.py):
    their facts' tests must fail where the views' did. On a copy of the built warehouse, one
    activity deleted from fct_lead_activities, one activity's lead record id and one status
    change's lead record source emptied: exactly those three tests fail, each on its one row."""
    data_dir = copy_of_the_build(build, tmp_path)
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as conn:
        lost, emptied = [
            key
            for (key,) in conn.execute(
                "select source_record_id from marts.fct_lead_activities order by source_record_id limit 2"
            ).fetchall()
        ]
        conn.execute("delete from marts.fct_lead_activities where source_record_id = ?", [lost])
        conn.execute(
            "update marts.fct_lead_activities set lead_record_id = null where source_record_id = ?", [emptied]
        )
        conn.execute(
            "update marts.fct_lead_status_changes set lead_record_source = null "
            "where source_record_id = (select min(source_record_id) from marts.fct_lead_status_changes)"
        )
        conn.execute("checkpoint")
    process, results = run_dbt(
        "test", data_dir, tmp_path / "dbt", "--select", "fct_lead_activities", "fct_lead_status_changes"
    )
    failed = {r["unique_id"].split(".")[2]: r["failures"] for r in results if r["status"] == "fail"}
    assert failed == {
        "covers_every_raw_record_fct_lead_activities_source_raw_activities_": 1,
        "not_null_fct_lead_activities_lead_record_id": 1,
        "not_null_fct_lead_status_changes_lead_record_source": 1,
    }, process.stdout[-3000:]
    assert not [r["unique_id"] for r in results if r["status"] == "error"]


def test_the_incremental_marts_fill_a_column_an_older_table_lacks(build, tmp_path):
    """macros/engines/incremental.sql incremental_table_outdated: on a copy of the built warehouse,
    the event facts and dim_leads as an earlier version of the project wrote them (without
    `_ingested_at`, `_inputs_fingerprint`). The next incremental run adds the column and writes
    every row again, without --full-refresh: each table equals the first build's, the column
    filled in every row."""
    data_dir = copy_of_the_build(build, tmp_path)
    added = {
        "fct_lead_activities": "_ingested_at",
        "fct_lead_status_changes": "_ingested_at",
        "dim_leads": "_inputs_fingerprint",
    }
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as conn:
        before = {mart: conn.sql(f"select * from marts.{mart}").pl() for mart in added}
        for mart, column in added.items():
            conn.execute(f"alter table marts.{mart} drop column {column}")
        conn.execute("checkpoint")
    process, results = run_dbt("run", data_dir, tmp_path / "dbt", "--select", *added)
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]
    for mart, column in added.items():
        assert f'{mart}" lacks column {column}: every row is written again' in process.stdout
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        for mart, column in added.items():
            after = conn.sql(f"select * from marts.{mart}").pl()
            assert after.columns == before[mart].columns and after[column].null_count() == 0
            assert after.sort(after.columns).equals(before[mart].sort(after.columns)), mart


def test_dim_leads_rewrites_only_the_leads_whose_inputs_changed(build, tmp_path):
    """dim_leads' incremental run: a row whose fingerprint still matches its inputs is kept as
    written (here a value changed behind dbt's back stays), a row whose fingerprint differs is
    computed again, and a lead with no record any more is deleted (the post-hook)."""
    data_dir = copy_of_the_build(build, tmp_path)
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as conn:
        before = conn.sql("select * from marts.dim_leads order by lead_id").pl()
        kept, recomputed = before["lead_id"][0], before["lead_id"][1]
        conn.execute("update marts.dim_leads set company = 'Kept As Written' where lead_id = ?", [kept])
        conn.execute(
            "update marts.dim_leads set company = 'Computed Again', _inputs_fingerprint = 0 "
            "where lead_id = ?",
            [recomputed],
        )
        conn.execute("insert into marts.dim_leads (lead_id, _inputs_fingerprint) values ('L-GONE', 1)")
        conn.execute("checkpoint")
    process, results = run_dbt("run", data_dir, tmp_path / "dbt", "--select", "dim_leads")
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        after = conn.sql("select * from marts.dim_leads order by lead_id").pl()
    assert after.height == before.height  # L-GONE deleted
    company = dict(zip(after["lead_id"], after["company"], strict=True))
    assert company[kept] == "Kept As Written"
    assert company[recomputed] == before.filter(pl.col("lead_id") == recomputed)["company"][0]
    unchanged = after.filter(pl.col("lead_id") != kept)
    assert unchanged.equals(before.filter(pl.col("lead_id") != kept))


def test_the_incremental_activities_fill_a_table_built_before_any_activity_landed(build, tmp_path):
    """An empty fct_lead_activities (a warehouse built before the first file) has no latest
    `_ingested_at`: the next incremental run writes every activity, not none."""
    data_dir = copy_of_the_build(build, tmp_path)
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb") as conn:
        before = conn.sql("select * from marts.fct_lead_activities").pl()
        conn.execute("delete from marts.fct_lead_activities")
        conn.execute("checkpoint")
    process, results = run_dbt("run", data_dir, tmp_path / "dbt", "--select", "fct_lead_activities")
    assert process.returncode == 0 and not unsuccessful(results), process.stdout[-3000:]
    with connect_warehouse(data_dir / "warehouse" / "leadhouse.duckdb", read_only=True) as conn:
        after = conn.sql("select * from marts.fct_lead_activities").pl()
    assert before.height > 0 and after.sort(after.columns).equals(before.sort(after.columns))


def test_mart_identifier_columns_are_declared_fsst_and_the_others_left_to_duckdb(build, warehouse):
    """macros/storage/identifier_compression.sql: in the DDL dbt ran for a mart, the columns of
    `duckdb_identifier_columns` carry `using compression fsst` and no other column does; the
    table holds them without a dictionary."""
    (process, _), _ = build
    target = Path(process.args[process.args.index("--target-path") + 1])
    identifiers = set(
        yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["duckdb_identifier_columns"]
    )
    ddl = (
        target / "run" / "leadhouse" / "models" / "marts" / "leads" / "fct_lead_activities.sql"
    ).read_text()
    declared = dict(
        re.findall(r"^\s*(\w+) (?:TEXT|text|varchar|string)( using compression fsst)?,?$", ddl, re.M)
    )
    assert {"activity_id", "lead_id", "source_record_id", "lead_record_id"} <= identifiers
    assert declared == {
        "activity_id": " using compression fsst",
        "lead_id": " using compression fsst",
        "activity_type": "",
        "detail": "",
        "direction": "",
        "source": "",
        "source_record_id": " using compression fsst",
        "lead_record_source": "",
        "lead_record_id": " using compression fsst",
    }
    (database,) = warehouse.execute(
        "select database_name from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_lead_activities'"
    ).fetchone()
    stored = dict(
        warehouse.execute(
            "select column_name, list(distinct compression) "
            f"from pragma_storage_info('{database}.marts.fct_lead_activities') group by column_name"
        ).fetchall()
    )
    for column in ("activity_id", "lead_id", "source_record_id", "lead_record_id"):
        assert "Dictionary" not in stored[column], column


def test_the_lead_record_tables_are_written_in_their_storage_order(build, warehouse):
    """macros/storage/storage_order.sql: on DuckDB the two tables of every lead record end their
    select with `order by`, so their rows are stored in that order (rowid is the order of
    insertion), and the order changes no row: one row per record, as the union of the sources."""
    (process, _), _ = build
    target = Path(process.args[process.args.index("--target-path") + 1])
    compiled = target / "run" / "leadhouse" / "models" / "intermediate" / "leads"
    ordered = {
        "int_er_records_prepared": ("record_id",),
        "int_lead_records_matched": ("source", "source_record_id"),
    }
    records = warehouse.execute("select count(*) from intermediate.int_lead_records_unioned").fetchone()[0]
    assert records > 1
    for model, columns in ordered.items():
        sql = (compiled / f"{model}.sql").read_text()
        assert re.search(r"order by [\w.]*" + r", [\w.]*".join(columns) + r"\s*\)\s*;?\s*$", sql), model
        key = ", ".join(columns)
        out_of_order, rows, distinct = warehouse.execute(
            f"""
            with numbered as (
                select ({key}) as k, lag(({key})) over (order by rowid) as previous_k
                from intermediate.{model}
            )
            select count(*) filter (where previous_k > k), count(*), count(distinct k) from numbered
            """
        ).fetchone()
        assert (out_of_order, rows, distinct) == (0, records, records), model


def test_project_vars_match_the_ingest_enumerations():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    variables = project["vars"]
    assert tuple(variables["leadhouse_channels"]) == CHANNELS
    assert tuple(variables["leadhouse_activity_types"]) == ACTIVITY_TYPES
    assert tuple(variables["leadhouse_lead_statuses"]) == LEAD_STATUSES
    assert set(variables["leadhouse_closed_statuses"]) <= set(LEAD_STATUSES)
    assert variables["leadhouse_won_status"] in variables["leadhouse_closed_statuses"]


def test_every_shipped_source_has_a_dbt_source_and_a_staging_model():
    raw = yaml.safe_load((DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml").read_text())[
        "sources"
    ][0]
    tables = {t["name"]: t for t in raw["tables"]}
    entity_of_table = {e.table: e.name for e in ENTITIES.values()}
    assert SOURCE_CONFIGS
    for config_path in SOURCE_CONFIGS:
        config = yaml.safe_load(config_path.read_text())
        table = tables.get(config["name"])
        assert table is not None, f"{config_path.name}: no table {config['name']} in _raw__sources.yml"
        assert table["config"]["meta"] == {"entity": config["entity"]}
        assert entity_of_table[table.get("identifier", table["name"])] == config["entity"]
        assert list(
            (DBT_PROJECT_DIR / "models" / "staging" / config["name"]).glob(f"stg_{config['name']}__*.sql")
        )


def test_parse_needs_no_warehouse(tmp_path):
    missing_data_dir = tmp_path / "nothing-here"
    process, _ = run_dbt("parse", missing_data_dir, tmp_path)
    assert process.returncode == 0, process.stdout[-5000:]
    assert (tmp_path / "target" / "manifest.json").exists()
    assert not missing_data_dir.exists()


JSON_LOG_FILE = ("--log-format-file", "json")


def test_a_new_as_of_or_partition_window_makes_dbt_parse_no_file_again(tmp_path, monkeypatch):
    """as_of() and partition_window() read the environment only when a model runs: dbt parses a
    file again whenever an environment variable it read while parsing changes, and the as_of
    changes every run (36 files parsed again in every dbt command before)."""
    data_dir = tmp_path / "data"
    first, _ = run_dbt("parse", data_dir, tmp_path, *JSON_LOG_FILE, as_of="2026-11-01 00:00:00")
    assert first.returncode == 0, first.stdout[-5000:]
    monkeypatch.setenv("LEADHOUSE_PARTITION_START", "2026-10-01")
    monkeypatch.setenv("LEADHOUSE_PARTITION_END", "2026-10-02")
    second, _ = run_dbt("parse", data_dir, tmp_path, *JSON_LOG_FILE, as_of="2026-11-02 06:00:00")
    assert second.returncode == 0, second.stdout[-5000:]
    events = [json.loads(line) for line in (tmp_path / "logs" / "dbt.log").read_text().splitlines()]
    last_invocation = events[-1]["info"]["invocation_id"]
    parsed = [
        e["info"]["msg"]
        for e in events
        if e["info"]["invocation_id"] == last_invocation and e["info"]["name"] == "PartialParsingEnabled"
    ]
    assert parsed == ["Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed."]


def test_enrichment_has_every_field_the_scoring_config_may_name(warehouse):
    columns = {r["column_name"]: r["column_type"] for r in rows(warehouse, "describe marts.lead_enrichment")}
    kinds = {"VARCHAR": "text", "BIGINT": "number", "DOUBLE": "number", "BOOLEAN": "bool"}
    assert {field: kinds[columns[field]] for field in LEAD_FIELDS} == LEAD_FIELDS


def test_every_lead_has_one_rule_score_explained_by_its_details(warehouse):
    leads = {r["lead_id"] for r in rows(warehouse, "select lead_id from marts.dim_leads")}
    scores = rows(warehouse, "select * from marts.lead_rule_scores")
    assert sorted(r["lead_id"] for r in scores) == sorted(leads)
    details = rows(
        warehouse,
        "select lead_id, category, sum(points) as points, count(*) as rules from marts.lead_rule_score_details "
        "group by all",
    )
    for score in scores:
        # Each category's points are its rules' points up to the cap, the score their clamped sum.
        mine = {d["category"]: d["points"] for d in details if d["lead_id"] == score["lead_id"]}
        for category, cap in load_scoring_config().categories.items():
            assert score[f"{category}_points"] == min(mine.get(category, 0), cap)
        assert score["fired_rule_count"] == sum(
            d["rules"] for d in details if d["lead_id"] == score["lead_id"]
        )
        assert score["score"] == max(0, min(100, round(sum(score[f"{c}_points"] for c in CATEGORIES))))


def test_status_moves_are_checked_against_the_workflow(warehouse):
    moves = rows(
        warehouse, "select from_status, to_status, is_valid, is_backward from marts.lead_status_transitions"
    )
    allowed = load_scoring_config().status_workflow.transitions
    assert moves  # the fixture's leads move
    for move in moves:
        assert move["is_valid"] == (move["to_status"] in allowed[move["from_status"]])
