"""Extracting the CRM's PostgreSQL tables (ingest.crm_database) into the warehouse: every insert,
update and delete arrives exactly once, late commits within the lookback too, a crash between
the file and the watermark loses and repeats nothing, bad values are flagged like any file's,
and the connection string never leaves the process. On a real PostgreSQL schema of its own
(the ``crm_postgres`` fixture) and a temporary DuckDB warehouse, through the real Ingestor."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg
import pytest

from ingest import crm_database
from ingest.config import SourceConfig, SourceConfigError, load_source_config, load_source_configs
from ingest.crm_database import extract, summary_line
from ingest.pipeline import Ingestor
from ingest.reconcile import reconcile
from leadhouse.settings import PROJECT_ROOT
from sample_data.crm_database import create_crm_tables

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "005AGENT0001"
SHIPPED = {c.name: c for c in load_source_configs(PROJECT_ROOT / "config" / "sources")}
CRM_SOURCES = sorted(
    (c for name, c in SHIPPED.items() if name.startswith("crm_database")),
    key=lambda c: c.entity == "record_deletion",  # deletions after the records they mark
)


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


class Crm:
    """The test's CRM: its PostgreSQL schema, the shipped source configs pointed at it, a
    temporary warehouse and landing folder, and one 'run' = every extraction, then ingestion."""

    def __init__(self, dsn: str, schema: str, root: Path):
        self.dsn, self.schema, self.root = dsn, schema, root
        self.environ = {"LEADHOUSE_CRM_DSN": dsn}
        self.conn = psycopg.connect(dsn, autocommit=True)
        create_crm_tables(self.conn, schema)
        self.conn.execute(f'set search_path to "{schema}"')
        self.configs = [
            c.model_copy(update={"extract": c.extract.model_copy(update={"pg_schema": schema})})
            if c.extract
            else c
            for c in CRM_SOURCES
        ]
        self.warehouse = root / "warehouse.duckdb"
        self.conn.execute(
            "insert into users (id, name, email, created_at, updated_at) values (%s, 'Ann Agent', "
            "'ann@example.com', %s, %s)",
            [AGENT, T0, T0],
        )

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def state(self) -> Path:
        return self.root / "extract"

    def lead(self, n: int, updated_at: datetime, **fields) -> None:
        values = {
            "id": uid(n),
            "first_name": f"Lee{n}",
            "last_name": "Doe",
            "email": f"lee{n}@example.com",
            "phone": "+12125550143",
            "lead_status": "New",
            "status_changed_at": T0 - timedelta(days=1),
            "assigned_to": AGENT,
            "custom_fields": json.dumps({"Lead_Rating__c": "Hot", "city": "Austin"}),
            "created_at": T0 - timedelta(days=1),
            "updated_at": updated_at,
        } | fields
        self.conn.execute(
            f"insert into leads ({', '.join(values)}) values ({', '.join(['%s'] * len(values))})",
            list(values.values()),
        )

    def activity(self, n: int, lead: int, updated_at: datetime) -> None:
        self.conn.execute(
            "insert into lead_activities (id, lead_id, activity_type, description, created_by, created_at, "
            "updated_at) values (%s, %s, 'call', 'Intro call', %s, %s, %s)",
            [uid(1000 + n), uid(lead), AGENT, updated_at, updated_at],
        )

    def config(self, name: str) -> SourceConfig:
        return next(c for c in self.configs if c.name == name)

    def run(self, only: list[str] | None = None) -> dict:
        """Extract every extracted source, then ingest every CRM source (deletions last)."""
        results = {}
        for config in self.configs:
            if config.extract and (only is None or config.name in only):
                results[config.name] = extract(config, self.landing, self.state, self.environ)
        self.ingest()
        return results

    def ingest(self) -> dict:
        with duckdb.connect(str(self.warehouse)) as conn:
            ingestor = Ingestor(conn, self.landing, batch_id="test")
            return {config.name: ingestor.ingest(config) for config in self.configs}

    def query(self, statement: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(statement, params).fetchall()

    def versions(self) -> dict[str, list[str]]:
        """Per CRM lead id: the updated_at of each version in raw.lead_records, in order."""
        found: dict[str, list[str]] = {}
        for record_id, updated in self.query(
            "select source_record_id, json_extract_string(attributes, '$.updated_at') from raw.lead_records "
            "where source = 'crm_database_leads' order by 1, 2"
        ):
            found.setdefault(record_id, []).append(updated)
        return found

    def reconciles(self) -> None:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            for config in self.configs:
                result = reconcile(conn, config.name, config.schema)
                assert result.passed, (config.name, result)


@pytest.fixture
def crm(crm_postgres, tmp_path):
    dsn, schema = crm_postgres
    crm = Crm(dsn, schema, tmp_path)
    yield crm
    crm.conn.close()


def test_inserts_updates_ties_and_deletes_arrive_exactly_once(crm):
    for n in (1, 2, 3, 4):
        crm.lead(n, T0)  # four rows tied on updated_at: the watermark falls among them
    crm.activity(1, lead=4, updated_at=T0)
    first = crm.run()
    assert first["crm_database_leads"].rows == 4
    assert first["crm_database_leads"].watermark == {"cursor": "2026-03-02 09:00:00+00", "key": uid(4)}
    assert crm.versions() == {uid(n): ["2026-03-02 09:00:00"] for n in (1, 2, 3, 4)}

    t1 = T0 + timedelta(minutes=10)
    crm.lead(5, T0)  # committed after the first run, tied with the watermark: not lost
    crm.lead(6, t1)  # a new lead
    crm.conn.execute(
        "update leads set company = 'Acme', updated_at = %s where id in (%s, %s)", [t1, uid(1), uid(2)]
    )
    crm.conn.execute("delete from leads where id = %s", [uid(4)])  # its activity goes with it (cascade)
    second = crm.run()
    assert (second["crm_database_leads"].rows, second["crm_database_leads"].deletions) == (4, 1)
    assert second["crm_database_activities"].deletions == 1
    assert crm.versions() == {
        uid(1): ["2026-03-02 09:00:00", "2026-03-02 09:10:00"],
        uid(2): ["2026-03-02 09:00:00", "2026-03-02 09:10:00"],
        uid(3): ["2026-03-02 09:00:00"],
        uid(4): ["2026-03-02 09:00:00"],
        uid(5): ["2026-03-02 09:00:00"],
        uid(6): ["2026-03-02 09:10:00"],
    }
    deletions = crm.query(
        "select record_source, record_id, source_record_id from raw.record_deletions order by 1"
    )
    assert deletions == [
        ("crm_database_activities", uid(1001), f"crm_database_activities:{uid(1001)}"),
        ("crm_database_leads", uid(4), f"crm_database_leads:{uid(4)}"),
    ]

    third = crm.run()  # nothing changed: nothing extracted, no file written
    assert {r.rows + r.deletions for r in third.values()} == {0}
    assert not any(r.files for r in third.values())
    assert len(crm.query("select * from raw.lead_records where source = 'crm_database_leads'")) == 8
    assert len(crm.query("select * from raw.record_deletions")) == 2
    crm.reconciles()

    # The CRM's custom fields are columns of their own: canonical ones fill their column, the
    # others wait in attributes like the CRM export's; the status history comes from the rows.
    (city, rating, company) = crm.query(
        "select city, json_extract_string(attributes, '$.Lead_Rating__c'), company from raw.lead_records "
        "where source_record_id = ? and _file like '%000002.csv'",
        [uid(1)],
    )[0]
    assert (city, rating, company) == ("Austin", "Hot", "Acme")
    statuses = crm.query(
        "select distinct status, lead_record_source from raw.status_changes where lead_record_id = ?",
        [uid(1)],
    )
    assert statuses == [("New", "crm_database_leads")]


def test_a_late_commit_within_the_lookback_arrives_once(crm):
    crm.lead(1, T0)
    crm.run()
    # A transaction that started before the run commits now a row stamped 2 minutes before the
    # watermark (lookback 300 s), and one stamped an hour before (beyond the lookback).
    crm.lead(2, T0 - timedelta(minutes=2))
    crm.lead(3, T0 - timedelta(hours=1))
    assert crm.run()["crm_database_leads"].rows == 1
    assert crm.run()["crm_database_leads"].rows == 0  # read again by the lookback, left out: seen
    assert sorted(crm.versions()) == [uid(1), uid(2)]  # uid(3) committed too late: documented limit


@pytest.mark.parametrize("ingested_in_between", [False, True])
def test_a_crash_between_the_files_and_the_watermark_re_extracts_without_duplicates(
    crm, monkeypatch, ingested_in_between
):
    crm.lead(1, T0)
    crm.run()
    crm.lead(2, T0 + timedelta(minutes=1))
    crm.conn.execute("delete from leads where id = %s", [uid(1)])
    leads = crm.config("crm_database_leads")

    def crash(self, state):
        raise KeyboardInterrupt("killed after the files were written, before the state was saved")

    with monkeypatch.context() as patch:
        patch.setattr(crm_database._StateStore, "save", crash)
        with pytest.raises(KeyboardInterrupt):
            extract(leads, crm.landing, crm.state, crm.environ)
    files = [
        "crm_database_leads/crm_database_leads_000002.csv",
        "crm_database_deletions/crm_database_leads_000002.csv",
    ]
    assert all((crm.landing / f).is_file() for f in files)  # durable before the watermark moved
    if ingested_in_between:
        crm.ingest()  # e.g. a run without the connection string ingests them first

    again = crm.run(only=["crm_database_leads"])["crm_database_leads"]
    assert (again.rows, again.deletions, again.files) == (1, 1, files)  # the same rows, the same names
    assert crm.versions() == {uid(1): ["2026-03-02 09:00:00"], uid(2): ["2026-03-02 09:01:00"]}
    ledger = crm.query(
        "select file, file_version, status from raw.ingest_ledger where file like '%000002.csv' order by 1, 2"
    )
    deletions = crm.query("select distinct source_record_id from raw.record_deletions")
    assert deletions == [(f"crm_database_leads:{uid(1)}",)]
    if ingested_in_between:
        # The lead file came out byte-equal (skipped as already ingested); the deletion file
        # differs in deleted_at only, and its second version's record replaces the first's in
        # staging (the latest version of each record id).
        assert ledger == [
            ("crm_database_deletions/crm_database_leads_000002.csv", 1, "loaded"),
            ("crm_database_deletions/crm_database_leads_000002.csv", 2, "loaded"),
            ("crm_database_leads/crm_database_leads_000002.csv", 1, "loaded"),
        ]
    else:
        assert [(f, v) for f, v, _ in ledger] == [(f, 1) for f in sorted(files)]
    crm.reconciles()


def test_bad_values_in_crm_rows_are_flagged_or_quarantined_with_file_row_and_field(crm):
    crm.lead(1, T0, email="not-an-email", annual_revenue=-5)
    crm.lead(2, T0 + timedelta(seconds=1), email=None, phone=None, last_name=None)  # no contact: no record
    crm.lead(3, T0 + timedelta(seconds=2), lead_status="Working - Contacted")  # not a status
    crm.run()
    file = "crm_database_leads/crm_database_leads_000001.csv"
    issues = crm.query(
        "select file, row_number, column_name, raw_value, action from raw.field_issues "
        "where source = 'crm_database_leads' order by row_number, column_name"
    )
    assert issues == [
        (file, 1, "annual_revenue", "-5", "nulled"),
        (file, 1, "email", "not-an-email", "nulled"),
    ]
    quarantined = crm.query("select source, file, row_number, reasons from raw.quarantine order by source")
    assert [(q[0], q[1], q[2]) for q in quarantined] == [
        ("crm_database_leads", file, 2),
        (
            "crm_database_status_changes",
            "crm_database_status_changes/crm_database_status_changes_000001.csv",
            4,
        ),
    ]
    assert "at least one of" in quarantined[0][3] and "status" in quarantined[1][3]
    ledger = crm.query(
        "select source, rows_read, rows_loaded, rows_quarantined from raw.ingest_ledger "
        "where source in ('crm_database_leads', 'crm_database_status_changes') order by 1"
    )
    assert ledger == [("crm_database_leads", 3, 2, 1), ("crm_database_status_changes", 4, 3, 1)]
    crm.reconciles()


def test_the_connection_string_and_its_password_are_never_written(crm, tmp_path, caplog):
    secret = "Pa55-w0rd-xyzzy"
    with_password = crm.dsn.replace("postgres@", f"postgres:{secret}@", 1)  # trust auth ignores it
    assert secret in with_password
    crm.environ = {"LEADHOUSE_CRM_DSN": with_password}
    crm.lead(1, T0)
    caplog.set_level(logging.DEBUG)
    results = crm.run()
    assert results["crm_database_leads"].rows == 1
    unreachable = with_password.replace("127.0.0.1:5432", "127.0.0.1:1", 1)
    skipped = extract(
        crm.config("crm_database_leads"), crm.landing, crm.state, {"LEADHOUSE_CRM_DSN": unreachable}
    )
    assert skipped.skipped and "unreachable" in skipped.reason
    shown = [json.dumps(asdict(r)) for r in [*results.values(), skipped]] + [caplog.text]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any(p.name == "state.json" for p in files)
    for text in shown + [p.read_bytes().decode("latin-1") for p in files]:
        assert secret not in text and with_password not in text


def test_without_a_connection_string_the_extraction_is_skipped_with_the_reason(tmp_path):
    config = SHIPPED["crm_database_leads"]
    result = extract(config, tmp_path / "landing", tmp_path / "extract", environ={})
    assert (result.status, result.reason, result.files) == ("skipped", "LEADHOUSE_CRM_DSN is not set", [])
    assert not (tmp_path / "landing").exists()
    line = summary_line([config], tmp_path / "extract")
    assert line == "CRM database (crm_database_leads): skipped: LEADHOUSE_CRM_DSN is not set"
    assert summary_line([SHIPPED["crm_export"]], tmp_path / "extract") is None


def test_a_missing_table_fails_naming_the_config_and_the_fix(crm_postgres, tmp_path):
    dsn, schema = crm_postgres  # an empty schema: no CRM tables
    config = SHIPPED["crm_database_leads"]
    config = config.model_copy(update={"extract": config.extract.model_copy(update={"pg_schema": schema})})
    with pytest.raises(crm_database.ExtractionError, match=rf"extract.table: {schema}.leads does not exist"):
        extract(config, tmp_path / "landing", tmp_path / "extract", {"LEADHOUSE_CRM_DSN": dsn})


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("format: jsonl\nextract: {kind: postgres, table: leads}\n", "an extracted source is written as CSV"),
        (
            "format: csv\nfiles: '*.txt'\nextract: {kind: postgres, table: leads}\n",
            "the extraction names and writes the files of its source; remove files and csv",
        ),
        ("format: csv\nextract: {kind: mysql, table: leads}\n", "extract.kind: Input should be 'postgres'"),
        (
            "format: csv\nextract: {kind: postgres, table: 'leads; drop table x'}\n",
            "extract.table: 'leads; drop table x' is not allowed here; use a plain SQL name",
        ),
        (
            "format: csv\nextract: {kind: postgres, table: leads, dsn_env: 'postgresql://u:p@h/db'}\n",
            "extract.dsn_env: 'postgresql://u:p@h/db' is not allowed here; name an environment variable",
        ),
        (
            "format: csv\nextract: {kind: postgres, table: leads, query: 'select * from leads'}\n",
            "extract.query: the query must read the table as {table}",
        ),
        (
            "format: csv\nextract: {kind: postgres, table: leads, cursor_column: x}\n",
            "extract.cursor_column: unknown key",
        ),
    ],
)
def test_a_wrong_extract_section_names_the_file_the_key_and_the_fix(tmp_path, extra, expected):
    path = write(tmp_path, "crm", "name: crm\nentity: lead\n" + extra)
    with pytest.raises(SourceConfigError) as error:
        load_source_config(path)
    assert str(path) in str(error.value) and expected in str(error.value)


def test_deletions_must_name_a_record_deletion_source(tmp_path):
    write(
        tmp_path,
        "crm",
        "name: crm\nentity: lead\nformat: csv\nextract: {kind: postgres, table: leads, deletions: gone}\n",
    )
    with pytest.raises(SourceConfigError, match=r"crm.yml: extract.deletions: 'gone' is not a source in"):
        load_source_configs(tmp_path)
    write(tmp_path, "gone", "name: gone\nentity: lead\nformat: csv\n")
    with pytest.raises(
        SourceConfigError, match="'gone' is a lead source; name a source with entity: record_deletion"
    ):
        load_source_configs(tmp_path)
    write(tmp_path, "gone", "name: gone\nentity: record_deletion\nformat: csv\n")
    assert [c.name for c in load_source_configs(tmp_path)] == ["crm", "gone"]
    assert SourceConfig(name="x", entity="lead", format="csv").extract is None
