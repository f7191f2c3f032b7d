"""The ingestion asset of a source read from the CRM's database extracts before it ingests; without
a connection string, or with the server unreachable, it materializes anyway and says why it
skipped, never with the connection string. The deletions source is ingested after the
extractions that feed it."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import psycopg
from dagster_duckdb import DuckDBResource

from ingest.config import load_source_configs
from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.defs.ingest.assets import build_ingest_asset, extraction_feeders
from sample_data.crm_database import create_crm_tables

CONFIGS = {c.name: c for c in load_source_configs(PROJECT_ROOT / "config" / "sources")}


def settings_in(tmp_path: Path) -> Settings:
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path
    )
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return settings


def materialize(settings: Settings, configs: list) -> dg.ExecuteInProcessResult:
    feeders = extraction_feeders(configs)
    defs = [build_ingest_asset(c, settings, feeders.get(c.name)) for c in configs]
    assets = [a for d in defs for a in [*d.assets, *d.asset_checks]]
    resources = {"duckdb": DuckDBResource(database=str(settings.warehouse_path))}
    return dg.materialize(assets, resources=resources, raise_on_error=False)


def metadata(result: dg.ExecuteInProcessResult, source: str) -> dict:
    (materialization,) = result.asset_materializations_for_node(f"raw__{source}")
    return {key: value.value for key, value in materialization.metadata.items()}


def test_without_a_connection_string_the_asset_materializes_and_says_it_skipped(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADHOUSE_CRM_DSN", raising=False)
    result = materialize(settings_in(tmp_path), [CONFIGS["crm_database_leads"]])
    assert result.success
    shown = metadata(result, "crm_database_leads")
    assert shown["skipped"] == "LEADHOUSE_CRM_DSN is not set"
    assert shown["rows_read"] == 0


def test_an_unreachable_server_is_skipped_without_showing_the_connection_string(tmp_path, monkeypatch):
    dsn = "postgresql://crm:Secret-Pw-42@127.0.0.1:1/crm"
    monkeypatch.setenv("LEADHOUSE_CRM_DSN", dsn)
    result = materialize(settings_in(tmp_path), [CONFIGS["crm_database_leads"]])
    assert result.success
    shown = metadata(result, "crm_database_leads")
    assert shown["skipped"].startswith("the server of LEADHOUSE_CRM_DSN is unreachable: ")
    every_event = json.dumps([str(e) for e in result.all_events])
    assert "Secret-Pw-42" not in every_event and dsn not in every_event


def test_the_assets_extract_then_ingest_and_the_deletions_follow_their_extractions(
    crm_postgres, tmp_path, monkeypatch
):
    dsn, schema = crm_postgres
    monkeypatch.setenv("LEADHOUSE_CRM_DSN", dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        create_crm_tables(conn, schema)
        conn.execute(
            f'insert into "{schema}".leads (id, last_name, email) values '
            "('00000000-0000-4000-8000-000000000001', 'Doe', 'a@example.com'), "
            "('00000000-0000-4000-8000-000000000002', 'Roe', 'b@example.com')"
        )
    configs = [
        c.model_copy(update={"extract": c.extract.model_copy(update={"pg_schema": schema})})
        if c.extract
        else c
        for c in (CONFIGS["crm_database_leads"], CONFIGS["crm_database_deletions"])
    ]
    settings = settings_in(tmp_path)
    first = materialize(settings, configs)
    assert first.success
    shown = metadata(first, "crm_database_leads")
    assert (shown["extracted_rows"], shown["rows_loaded"], shown["extracted_deletions"]) == (2, 2, 0)
    assert dsn not in json.dumps([str(e) for e in first.all_events])

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'delete from "{schema}".leads where last_name = %s', ["Roe"])
    second = materialize(settings, configs)
    assert metadata(second, "crm_database_leads")["extracted_deletions"] == 1
    assert metadata(second, "crm_database_deletions")["rows_loaded"] == 1  # in the same run
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        assert conn.execute("select record_id from raw.record_deletions").fetchall() == [
            ("00000000-0000-4000-8000-000000000002",)
        ]


def test_the_deletions_asset_depends_on_every_extraction_feeding_it():
    feeders = extraction_feeders(list(CONFIGS.values()))
    assert sorted(key.to_user_string() for key in feeders["crm_database_deletions"]) == [
        "raw/crm_database_activities",
        "raw/crm_database_agents",
        "raw/crm_database_leads",
    ]
