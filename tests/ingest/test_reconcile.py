"""ingest.reconcile recounts the ingestion's invariant in the tables: it passes on what the
ingestion wrote and fails on every way the tables can disagree with the ledger, except rows the
retention cleanup removed and listed (ops.retention), which are still accounted for."""

from pathlib import Path

import duckdb
import pytest

from ingest.config import SourceConfig
from ingest.pipeline import Ingestor
from ingest.reconcile import reconcile
from ingest.schemas import ACTIVITY, LEAD
from ops.config import parse_retention_config
from ops.retention import run_retention
from tests.ops.warehouse import AS_OF, SOURCE, build_activities_mart, ingest_activities

CONFIG = SourceConfig(
    name="web_forms",
    entity="lead",
    format="csv",
    columns={"source_record_id": "ID", "email": "Email", "phone": "Phone", "last_name": "Last"},
)


@pytest.fixture
def conn(tmp_path: Path):
    folder = tmp_path / "landing" / "web_forms"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "ID,Email,Phone,Last\n"
        "1,a@b.co,(212) 555-0143,Doe\n"
        "2,not-an-email,,Roe\n"  # a field issue, row loaded
        "3,,,\n"  # no contact: quarantined
        "4,c@d.co,(921) 835-1828,Poe\n"  # phone kept and flagged
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        Ingestor(connection, tmp_path / "landing").ingest(CONFIG)
        yield connection


def test_what_the_ingestion_wrote_reconciles(conn):
    result = reconcile(conn, "web_forms", LEAD)
    assert result.passed
    assert result.rows_removed_by_retention == 0  # no cleanup ever ran: no ops.retention_removed
    assert (
        result.files,
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
        result.field_issues,
    ) == (
        1,
        4,
        3,
        1,
        2,
    )


def test_a_lost_loaded_row_fails(conn):
    conn.execute("delete from raw.lead_records where source_record_id = '1'")
    result = reconcile(conn, "web_forms", LEAD)
    assert not result.passed
    assert [(m["file"], m["rows_loaded"], m["table_rows_loaded"]) for m in result.count_mismatches] == [
        ("web_forms/a.csv", 3, 2)
    ]


def test_a_lost_quarantine_row_or_field_issue_fails(conn):
    conn.execute("delete from raw.quarantine")
    assert [m["table_rows_quarantined"] for m in reconcile(conn, "web_forms", LEAD).count_mismatches] == [0]
    conn.execute("update raw.ingest_ledger set rows_quarantined = 0, rows_loaded = 4")
    conn.execute("delete from raw.field_issues where action = 'kept'")
    mismatch = reconcile(conn, "web_forms", LEAD).count_mismatches
    assert [(m["field_issues"], m["table_field_issues"]) for m in mismatch] == [(2, 1)]


def test_a_nulled_value_that_is_not_null_fails(conn):
    conn.execute("update raw.lead_records set email = 'not-an-email' where source_record_id = '2'")
    result = reconcile(conn, "web_forms", LEAD)
    assert [(m["row_number"], m["column_name"], m["problem"]) for m in result.issue_mismatches] == [
        (2, "email", "the value is not null")
    ]


def test_a_field_issue_of_a_row_not_loaded_fails(conn):
    conn.execute("update raw.field_issues set row_number = 3 where column_name = 'email'")
    result = reconcile(conn, "web_forms", LEAD)
    assert [(m["row_number"], m["problem"]) for m in result.issue_mismatches] == [
        (3, "its row is not loaded")
    ]


def test_rows_of_a_file_the_ledger_never_saw_fail(conn):
    conn.execute("update raw.quarantine set file = 'web_forms/ghost.csv'")
    result = reconcile(conn, "web_forms", LEAD)
    assert {"tbl": "raw.quarantine", "file": "web_forms/ghost.csv", "file_version": 1} in result.orphans
    assert not result.passed


RETENTION = parse_retention_config(
    {
        "version": 1,
        "rules": [
            {
                "name": "old_activities",
                "table": "raw.activities",
                "age_column": "occurred_at",
                "older_than_days": 730,
                "unless_referenced_by": [
                    {
                        "relation": "marts.fct_lead_activities",
                        "on": {"source": "source", "source_record_id": "source_record_id"},
                    }
                ],
            },
            {
                "name": "old_quarantine",
                "table": "raw.quarantine",
                "age_column": "quarantined_at",
                "older_than_days": 90,
            },
        ],
    },
    marts={"fct_lead_activities"},
)
FIELD_ISSUES = {
    "name": "old_field_issues",
    "table": "raw.field_issues",
    "age_column": "recorded_at",
    "older_than_days": 90,
}


@pytest.fixture
def activities(tmp_path: Path):
    """Activities a1-a5 of tests/ops/warehouse.py: a3 quarantined, a2 with a nulled duration."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        ingest_activities(connection, tmp_path / "landing")
        yield connection


def counts(result) -> tuple:
    return (
        result.files,
        result.rows_read,
        result.rows_loaded,
        result.rows_quarantined,
        result.field_issues,
        result.rows_removed_by_retention,
    )


def test_rows_the_retention_cleanup_removed_still_reconcile(activities):
    build_activities_mart(activities, ("a1", "a4"))
    run_retention(activities, RETENTION, AS_OF, "run-1")
    # a2 and a5 (old, not in the mart) and the quarantined a3 are gone; a2's field issue is left,
    # pointing at a row that was loaded and then removed.
    assert activities.execute("select count(*) from raw.activities").fetchone() == (2,)
    assert activities.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    result = reconcile(activities, SOURCE, ACTIVITY)
    assert result.passed, result
    assert counts(result) == (1, 5, 4, 1, 1, 3)

    field_issues = parse_retention_config({"version": 1, "rules": [FIELD_ISSUES]})
    run_retention(activities, field_issues, AS_OF, "run-2")
    assert activities.execute("select count(*) from raw.field_issues").fetchone() == (0,)
    result = reconcile(activities, SOURCE, ACTIVITY)
    assert result.passed, result
    assert counts(result) == (1, 5, 4, 1, 1, 4)


def test_a_row_deleted_by_hand_after_a_cleanup_still_fails(activities):
    build_activities_mart(activities, ("a1", "a4"))
    run_retention(activities, RETENTION, AS_OF, "run-1")
    activities.execute("delete from raw.activities where source_record_id = 'a4'")
    result = reconcile(activities, SOURCE, ACTIVITY)
    assert not result.passed
    assert [
        (m["rows_loaded"], m["table_rows_loaded"], m["removed_loaded"]) for m in result.count_mismatches
    ] == [(4, 1, 2)]


def test_a_dry_run_accounts_for_nothing(activities):
    build_activities_mart(activities, ("a1", "a4"))
    run_retention(activities, RETENTION, AS_OF, "preview", dry_run=True)
    activities.execute("delete from raw.activities where source_record_id in ('a2', 'a5')")
    result = reconcile(activities, SOURCE, ACTIVITY)
    assert [(m["table_rows_loaded"], m["removed_loaded"]) for m in result.count_mismatches] == [(2, 0)]
    assert [(m["row_number"], m["problem"]) for m in result.issue_mismatches] == [
        (2, "its row is not loaded")
    ]


def test_a_field_issue_of_a_row_deleted_by_hand_still_fails(activities):
    """The cleanup kept a2 (the mart shows it); its deletion by hand is not excused by a5's removal."""
    build_activities_mart(activities, ("a1", "a2", "a4"))
    run_retention(activities, RETENTION, AS_OF, "run-1")
    activities.execute("delete from raw.activities where source_record_id = 'a2'")
    result = reconcile(activities, SOURCE, ACTIVITY)
    assert [(m["row_number"], m["problem"]) for m in result.issue_mismatches] == [
        (2, "its row is not loaded")
    ]
    assert [(m["table_rows_loaded"], m["removed_loaded"]) for m in result.count_mismatches] == [(2, 1)]
