"""ingest.reconcile recounts the ingestion's invariant in the tables: it passes on what the
ingestion wrote and fails on every way the tables can disagree with the ledger."""

from pathlib import Path

import duckdb
import pytest

from ingest.config import SourceConfig
from ingest.pipeline import Ingestor
from ingest.reconcile import reconcile
from ingest.schemas import LEAD

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
