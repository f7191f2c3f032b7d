"""ops.retention on a real DuckDB file: it deletes the old rows a rule selects and no others (not one
a mart references, not one loaded too recently, nothing while a mart is missing), lists each removed
row and audits each rule, and a rerun with the same as_of deletes nothing more."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ops.config import parse_retention_config
from ops.retention import RetentionError, run_retention
from tests.ops.warehouse import AS_OF, FILE, INGESTED_AT, SOURCE, build_activities_mart, ingest_activities

MARTS = {"fct_lead_activities", "fct_lead_status_changes"}
ACTIVITIES = {
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
}
QUARANTINE = {
    "name": "old_quarantine",
    "table": "raw.quarantine",
    "age_column": "quarantined_at",
    "older_than_days": 90,
}


def config(*rules: dict):
    return parse_retention_config({"version": 1, "rules": list(rules)}, marts=MARTS)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """The warehouse ingested once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("ingested")
    with duckdb.connect(str(folder / "w.duckdb")) as connection:
        ingest_activities(connection, folder / "landing")
        build_activities_mart(connection)
    return folder / "w.duckdb"


@pytest.fixture
def conn(ingested: Path, tmp_path: Path):
    shutil.copy(ingested, tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


def record_ids(conn) -> list[str]:
    return [r for (r,) in conn.execute("select source_record_id from raw.activities order by 1").fetchall()]


def audit(conn) -> list[tuple]:
    return conn.execute(
        "select run_id, rule, table_name, as_of, cutoff, outcome, rows_older, rows_kept_recently_loaded, "
        "rows_kept_referenced, rows_selected, rows_deleted, dry_run, note "
        "from ops.retention_audit order by run_id, rule"
    ).fetchall()


def test_old_rows_no_mart_references_are_deleted_listed_and_audited(conn):
    report = run_retention(conn, config(ACTIVITIES, QUARANTINE), AS_OF, "run-1")

    # a1 (2020) is in the mart, a4 (2026) is recent: kept; a2 and a5 (2020, 2021) are gone.
    assert record_ids(conn) == ["a1", "a4"]
    assert conn.execute("select count(*) from raw.quarantine").fetchone() == (0,)
    cutoff = datetime(2024, 6, 1, 2, 0)  # 730 days before 2026-06-01 02:00
    assert [
        (r.rule, r.outcome, r.rows_older, r.rows_kept_referenced, r.rows_deleted) for r in report.rules
    ] == [
        ("old_activities", "applied", 3, 1, 2),
        ("old_quarantine", "applied", 1, 0, 1),
    ]
    assert report.rules[0].cutoff == cutoff
    assert report.rows_deleted == 3
    assert report.summary().splitlines()[0] == (
        "old_activities (raw.activities, older than 2024-06-01 02:00 UTC): 2 deleted; "
        "kept 1 referenced, 0 recently loaded"
    )
    metadata = report.metadata()
    assert (metadata["rows_deleted"], metadata["skipped_rules"]) == (3, [])
    assert metadata["rules"]["old_quarantine"]["rows_deleted"] == 1
    assert audit(conn) == [
        (
            "run-1",
            "old_activities",
            "raw.activities",
            datetime(2026, 6, 1, 2, 0),
            cutoff,
            "applied",
            3,
            0,
            1,
            2,
            2,
            False,
            None,
        ),
        (
            "run-1",
            "old_quarantine",
            "raw.quarantine",
            datetime(2026, 6, 1, 2, 0),
            datetime(2026, 3, 3, 2, 0),
            "applied",
            1,
            0,
            0,
            1,
            1,
            False,
            None,
        ),
    ]
    removed = conn.execute(
        "select run_id, rule, table_name, source, file, file_version, row_number, row_key, age_value, removed_at "
        "from ops.retention_removed order by table_name, row_number"
    ).fetchall()
    assert removed == [
        (
            "run-1",
            "old_activities",
            "raw.activities",
            SOURCE,
            FILE,
            1,
            2,
            "a2",
            datetime(2020, 2, 5, 10),
            datetime(2026, 6, 1, 2),
        ),
        (
            "run-1",
            "old_activities",
            "raw.activities",
            SOURCE,
            FILE,
            1,
            5,
            "a5",
            datetime(2021, 3, 1, 8),
            datetime(2026, 6, 1, 2),
        ),
        # A quarantined row has no record id worth trusting; its lineage identifies it.
        (
            "run-1",
            "old_quarantine",
            "raw.quarantine",
            SOURCE,
            FILE,
            1,
            3,
            None,
            INGESTED_AT,
            datetime(2026, 6, 1, 2),
        ),
    ]


def test_a_second_run_with_the_same_as_of_deletes_nothing_more(conn):
    run_retention(conn, config(ACTIVITIES), AS_OF, "run-1")
    report = run_retention(conn, config(ACTIVITIES), AS_OF, "run-2")
    assert [(r.rows_older, r.rows_kept_referenced, r.rows_deleted) for r in report.rules] == [(1, 1, 0)]
    assert record_ids(conn) == ["a1", "a4"]
    assert conn.execute("select run_id, count(*) from ops.retention_removed group by 1").fetchall() == [
        ("run-1", 2)
    ]
    assert [(row[0], row[10]) for row in audit(conn)] == [("run-1", 2), ("run-2", 0)]


def test_a_missing_mart_means_nothing_is_deleted_and_the_audit_says_why(conn):
    conn.execute("drop table marts.fct_lead_activities")
    report = run_retention(conn, config(ACTIVITIES, QUARANTINE), AS_OF, "first-run")
    assert record_ids(conn) == ["a1", "a2", "a4", "a5"]
    outcome = report.rules[0]
    assert (outcome.outcome, outcome.rows_older, outcome.rows_selected, outcome.rows_deleted) == (
        "skipped",
        3,
        0,
        0,
    )
    assert outcome.note.startswith("marts.fct_lead_activities does not exist (dbt has not built it yet)")
    assert report.skipped == [outcome]
    # The other rules still run.
    assert report.rules[1].rows_deleted == 1
    assert audit(conn)[0][5:] == ("skipped", 3, 0, 0, 0, 0, False, outcome.note)


def test_a_missing_table_is_noted_not_an_error(conn):
    sync_log = {
        "name": "old_export_log",
        "table": "exports.sync_log",
        "age_column": "logged_at",
        "older_than_days": 180,
    }
    report = run_retention(conn, config(sync_log), AS_OF, "run-1")
    assert [(r.outcome, r.rows_deleted, r.note) for r in report.rules] == [
        ("skipped", 0, "exports.sync_log does not exist: nothing to delete")
    ]
    assert audit(conn)[0][5:7] == ("skipped", 0)


def test_a_dry_run_deletes_and_lists_nothing_and_says_what_it_would_delete(conn):
    report = run_retention(conn, config(ACTIVITIES), AS_OF, "preview", dry_run=True)
    assert record_ids(conn) == ["a1", "a2", "a4", "a5"]
    assert conn.execute("select count(*) from ops.retention_removed").fetchone() == (0,)
    assert [(r.outcome, r.rows_selected, r.rows_deleted) for r in report.rules] == [("dry_run", 2, 0)]
    assert audit(conn)[0][5:12] == ("dry_run", 3, 0, 1, 2, 0, True)


def test_rows_loaded_recently_are_kept_while_the_marts_may_not_show_them(conn):
    """A backfill of old activity loaded after the last build is not in the mart yet."""
    conn.execute(
        "update raw.activities set _ingested_at = ? where source_record_id = 'a5'", [datetime(2026, 5, 30)]
    )
    rule = ACTIVITIES | {"keep_if_loaded_within_days": 7}
    report = run_retention(conn, config(rule), AS_OF, "run-1")
    assert record_ids(conn) == ["a1", "a4", "a5"]
    assert [
        (r.rows_older, r.rows_kept_recently_loaded, r.rows_kept_referenced, r.rows_deleted)
        for r in report.rules
    ] == [(3, 1, 1, 1)]


def test_any_listed_relation_keeps_a_row(conn):
    conn.execute("create table marts.kept_forever as select 'crm_activities' as src, 'a5' as record_id")
    rule = ACTIVITIES | {
        "unless_referenced_by": ACTIVITIES["unless_referenced_by"]
        + [{"relation": "marts.kept_forever", "on": {"source": "src", "source_record_id": "record_id"}}]
    }
    report = parse_retention_config({"version": 1, "rules": [rule]}, marts=MARTS | {"kept_forever"})
    run_retention(conn, report, AS_OF, "run-1")
    assert record_ids(conn) == ["a1", "a4", "a5"]


def test_a_rule_that_does_not_fit_the_warehouse_stops_the_run_before_any_change(conn):
    conn.execute(
        "create or replace table marts.fct_lead_activities as select 'x' as source, 'y' as record_id"
    )
    with pytest.raises(RetentionError, match=r"rules\[old_activities\].*has no column 'source_record_id'"):
        run_retention(conn, config(QUARANTINE, ACTIVITIES), AS_OF, "run-1")
    assert conn.execute("select count(*) from raw.quarantine").fetchone() == (1,)
    assert record_ids(conn) == ["a1", "a2", "a4", "a5"]


def test_an_age_column_that_is_no_timestamp_stops_the_run(conn):
    conn.execute("alter table raw.quarantine alter quarantined_at type varchar")
    with pytest.raises(
        RetentionError, match=r"rules\[old_quarantine\]: raw.quarantine.quarantined_at is VARCHAR"
    ):
        run_retention(conn, config(ACTIVITIES, QUARANTINE), AS_OF, "run-1")
    assert record_ids(conn) == ["a1", "a2", "a4", "a5"]


def test_a_table_with_time_zones_is_cut_in_utc_whatever_the_session_time_zone(conn):
    from exports.engine import ensure_export_tables

    ensure_export_tables(conn)
    conn.execute("set TimeZone = 'America/Los_Angeles'")
    cutoff = AS_OF - timedelta(days=180)
    conn.executemany(
        "insert into exports.sync_log values ('hubspot', 'r1', ?, 'upsert', 'sent', null, 1, ?)",
        [
            ["just-before", cutoff - timedelta(seconds=1)],
            ["at-cutoff", cutoff],
            ["after", cutoff + timedelta(hours=1)],
        ],
    )
    sync_log = {
        "name": "old_export_log",
        "table": "exports.sync_log",
        "age_column": "logged_at",
        "older_than_days": 180,
    }
    run_retention(conn, config(sync_log), AS_OF, "run-1")
    assert [k for (k,) in conn.execute("select key from exports.sync_log order by logged_at").fetchall()] == [
        "at-cutoff",
        "after",
    ]
    assert conn.execute("select row_key, age_value from ops.retention_removed").fetchall() == [
        ("hubspot/r1/just-before", (cutoff - timedelta(seconds=1)).replace(tzinfo=None))
    ]


def test_a_naive_as_of_is_utc(conn):
    naive = run_retention(conn, config(ACTIVITIES), AS_OF.replace(tzinfo=None), "run-1", dry_run=True)
    assert naive.as_of == AS_OF
    assert naive.rules[0].cutoff == datetime(2024, 6, 1, 2, 0)


def test_run_failures_are_cleaned_by_failed_at(conn, tmp_path):
    from ops.run_failures import RunFailure, ensure_run_failure_table, flush_spooled_failures, spool_failure

    ensure_run_failure_table(conn)
    spool = tmp_path / "spool"
    for run_id, failed_at in (
        ("old-run", datetime(2025, 1, 1, tzinfo=UTC)),
        ("new-run", datetime(2026, 5, 1, tzinfo=UTC)),
    ):
        spool_failure(spool, RunFailure(run_id, "refresh_warehouse", failed_at, "boom"))
    flush_spooled_failures(conn, spool)
    rule = {
        "name": "old_run_failures",
        "table": "ops.run_failures",
        "age_column": "failed_at",
        "older_than_days": 365,
    }
    run_retention(conn, config(rule), AS_OF, "run-1")
    assert conn.execute("select run_id from ops.run_failures").fetchall() == [("new-run",)]
    assert conn.execute("select row_key from ops.retention_removed").fetchall() == [("old-run",)]
