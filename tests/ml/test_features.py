"""Point-in-time features (ml.features) on a small constructed warehouse: what a cutoff sees,
what it must not see, and the labels."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ml.config import load_model_config
from ml.features import FEATURE_NAMES, TrainingSetSize, scoring_rows, training_examples, training_set
from tests.ml.synthetic import activity, record, status, warehouse

T0 = datetime(2026, 1, 10, 9, 0)
AS_OF = datetime(2026, 11, 1)
CUTOFF_3 = T0 + timedelta(days=3)


@pytest.fixture
def conn():
    with duckdb.connect() as conn:
        warehouse(conn)
        # Lead A: a web form, then (after the 3-day cutoff) a CRM record that says more.
        record(
            conn,
            "A",
            "web_forms",
            "w1",
            T0,
            channel="web_form",
            campaign="spring",
            industry=None,
            job_title="VP of Operations",
            company_size=120,
            budget=80000.0,
            timeline="1-3 months",
            region="TX",
            phone="+15125550100",
            do_not_email=False,
            do_not_call=False,
        )
        record(conn, "A", "crm_export", "c1", T0 + timedelta(days=1), industry="technology", company_size=150)
        activity(conn, "A", "pricing_page_view", T0 + timedelta(days=2))
        activity(conn, "A", "pricing_page_view", T0 - timedelta(days=30))  # before capture: still known
        activity(conn, "A", "page_view", T0 + timedelta(hours=5))
        activity(conn, "A", "email", T0 + timedelta(days=1), "outbound", 3600.0)  # answered in an hour
        activity(conn, "A", "email", CUTOFF_3 - timedelta(hours=1), "outbound", 7200.0)  # answered after
        activity(conn, "A", "call", T0 + timedelta(days=2), "outbound", None)  # never picked up
        status(conn, "A", "New", T0)
        status(conn, "A", "Contacted", T0 + timedelta(days=1))
        conn.execute("insert into marts.lead_rule_scores values ('A', 40)")
        conn.execute(
            "insert into marts.lead_score_history values ('A', 25, ?, ?)", [T0, T0 + timedelta(days=20)]
        )
        yield conn


def cutoff_row(conn, days: int) -> dict:
    rows = training_examples(conn, AS_OF, load_model_config()).filter(pl.col("cutoff_days") == days)
    assert rows.height == 1
    return rows.row(0, named=True)


def test_features_are_what_was_known_at_the_cutoff(conn):
    row = cutoff_row(conn, 3)
    assert row["cutoff_at"] == CUTOFF_3
    assert row["first_source"] == "web_forms" and row["first_channel"] == "web_form"
    assert row["industry"] == "technology"  # the CRM record came a day after capture: known by day 3
    assert row["company_size"] == 120  # as first captured, not the CRM's later 150
    assert row["seniority"] == "vp or director"
    assert row["pricing_page_views"] == 2 and row["recent_pricing_page_views"] == 1
    assert row["web_visits"] == 1 and row["marketing_touches"] == 3
    assert row["outbound_touches"] == 3
    assert row["answered_outbound"] == 1  # the second email's reply came after the cutoff
    assert row["unanswered_emails"] == 1 and row["unanswered_calls"] == 1
    assert (
        row["status"] == "Contacted" and row["furthest_stage"] == "Contacted" and row["status_changes"] == 2
    )
    assert row["rule_score"] == 25  # valid at the cutoff, not today's 40
    assert row["current_rule_score"] == 40
    assert row["lead_age_days"] == 3
    assert row["label"] == 0  # never won, horizon long past


def test_nothing_after_the_cutoff_changes_a_feature(conn):
    """The leakage guarantee: rewrite everything after the cutoff; every feature stays."""
    before = {k: v for k, v in cutoff_row(conn, 3).items() if k in FEATURE_NAMES}
    after_cutoff = CUTOFF_3 + timedelta(seconds=1)
    record(
        conn,
        "A",
        "events",
        "e1",
        after_cutoff,
        industry="retail",
        company_size=9000,
        budget=1e7,
        job_title="CEO",
        region="CA",
        campaign="fall",
        do_not_email=True,
    )
    for kind in ("pricing_page_view", "demo_request", "page_view", "email_open"):
        activity(conn, "A", kind, after_cutoff)
    activity(conn, "A", "call", after_cutoff, "inbound", 10.0)
    activity(conn, "A", "meeting", CUTOFF_3 + timedelta(days=5))
    status(conn, "A", "Qualified", after_cutoff)
    status(conn, "A", "Closed Won", CUTOFF_3 + timedelta(days=30))
    conn.execute("update marts.lead_rule_scores set score = 99")
    conn.execute("insert into marts.lead_score_history values ('A', 90, ?, null)", [T0 + timedelta(days=20)])
    # A re-export of the web form record, updated after qualification (same id, same created_at).
    record(
        conn,
        "A",
        "web_forms",
        "w1",
        T0,
        version=2,
        channel="web_form",
        campaign="spring",
        job_title="CEO",
        company_size=120,
        budget=500000.0,
        timeline="immediate",
        region="TX",
        budget_confirmed=True,
        is_decision_maker=True,
        pain_points="Lease expiring; Need more space",
        phone="+15125550100",
        do_not_email=False,
        do_not_call=False,
    )
    after = cutoff_row(conn, 3)
    assert {k: v for k, v in after.items() if k in FEATURE_NAMES} == before
    assert after["label"] == 1  # only the label sees the win within the horizon


def test_labels_follow_the_horizon(conn):
    config = load_model_config()
    horizon = config.training_set.horizon_days
    # B won 10 days after its 3-day cutoff; C won after the horizon; D is too recent to label.
    for lead, start in (("B", T0), ("C", T0), ("D", AS_OF - timedelta(days=20))):
        record(conn, lead, "web_forms", f"{lead}1", start, channel="web_form")
        status(conn, lead, "New", start)
    status(conn, "B", "Closed Won", T0 + timedelta(days=13))
    status(conn, "C", "Closed Won", T0 + timedelta(days=3 + horizon + 1))
    rows = training_examples(conn, AS_OF, config)
    label = {(r["lead_id"], r["cutoff_days"]): r["label"] for r in rows.iter_rows(named=True)}
    assert label[("B", 3)] == 1
    assert ("B", 14) not in label and ("B", 45) not in label  # closed by then: not open, no row
    assert label[("C", 3)] == 0 and label[("C", 45)] == 1  # the horizon from day 45 reaches the win
    assert label[("D", 3)] is None and label[("D", 14)] is None  # horizon not elapsed: unlabelled
    assert ("D", 45) not in label  # the cutoff itself is after as_of


def test_scoring_rows_are_the_open_leads_as_of_now(conn):
    record(conn, "W", "web_forms", "W1", T0, channel="web_form")
    status(conn, "W", "Closed Won", T0 + timedelta(days=40))
    record(conn, "X", "crm_database_leads", "X1", T0, channel="crm")  # deleted from the CRM
    record(conn, "Y", "crm_database_leads", "Y1", T0, channel="crm")  # deleted there, but also
    record(conn, "Y", "web_forms", "Y2", T0, channel="web_form")  # a web form's: still open work
    conn.execute(
        "update intermediate.int_lead_records_matched set is_deleted = true where source_record_id in ('X1', 'Y1')"
    )
    rows = scoring_rows(conn, AS_OF, load_model_config())
    assert rows["lead_id"].to_list() == ["A", "Y"]  # W is closed, X deleted
    row = rows.row(0, named=True)
    assert row["cutoff_at"] == AS_OF
    assert row["answered_outbound"] == 2  # both replies have come by now
    assert row["lead_age_days"] == max(load_model_config().training_set.cutoff_days)  # capped
    assert row["rule_score"] is None  # the history's interval ended


def test_the_training_set_is_the_newest_labelled_examples_with_the_whole_sets_size(conn):
    """ml.features.training_set finds the rows to keep before computing features (at 1,000,000
    leads 600,000 of 2.0 million): the same rows, features and labels as the newest
    ``max_training_rows`` labelled rows of training_examples, and the whole set's counts."""
    conn.execute(
        """insert into intermediate.int_lead_records_matched (lead_id, source, source_record_id,
                created_at, channel, budget)
        select 'L' || i, 'web_forms', 'w' || i, timestamp '2025-06-01' + to_hours(i * 7), 'web_form', i % 50
        from range(1500) t(i)"""
    )
    conn.execute(
        """insert into raw.lead_records (source, source_record_id, created_at, channel, budget,
                _file_version, _ingested_at, _row_number)
        select source, source_record_id, created_at, channel, budget, 1, timestamp '2026-01-01', 1
        from intermediate.int_lead_records_matched where lead_id like 'L%'"""
    )
    conn.execute(
        """insert into marts.fct_lead_status_changes
        select lead_id, 'New', created_at from intermediate.int_lead_records_matched where lead_id like 'L%'
        union all  -- a fifth won after 10 days, a seventh lost after 20
        select lead_id, 'Closed Won', created_at + to_days(10)
        from intermediate.int_lead_records_matched where lead_id like 'L%' and hash(lead_id) % 5 = 0
        union all
        select lead_id, 'Closed Lost', created_at + to_days(20)
        from intermediate.int_lead_records_matched where lead_id like 'L%' and hash(lead_id) % 7 = 1"""
    )
    config = load_model_config()
    config = config.model_copy(
        update={"training_set": config.training_set.model_copy(update={"max_training_rows": 1000})}
    )
    everything = training_examples(conn, AS_OF, config)
    labelled = everything.filter(pl.col("label").is_not_null())
    assert labelled.height > 2000 and everything.height > labelled.height  # capped, and some unlabelled

    kept, size = training_set(conn, AS_OF, config)

    newest = labelled.sort("first_seen_at", "lead_id", "cutoff_days").tail(1000)
    assert_frame_equal(kept.select(newest.columns), newest)
    assert size == TrainingSetSize(
        labelled_rows=labelled.height,
        unlabelled_rows=everything.height - labelled.height,
        labelled_leads=labelled["lead_id"].n_unique(),
        converted_leads=labelled.filter(pl.col("label") == 1)["lead_id"].n_unique(),
    )
    assert 0 < size.converted_leads < size.labelled_leads
