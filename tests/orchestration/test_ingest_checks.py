"""The blocking rows_reconcile check of an ingestion asset passes on what the ingestion wrote
and fails (blocking what depends on it) when the tables lose a row."""

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from ingest.config import load_source_config
from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.defs.ingest.assets import build_ingest_asset


def materialize(settings: Settings, selection: str | None = None) -> dg.ExecuteInProcessResult:
    config = load_source_config(PROJECT_ROOT / "config" / "sources" / "web_forms.yml")
    defs = build_ingest_asset(config, settings)
    assets = list(defs.assets) + list(defs.asset_checks)
    resources = {"duckdb": DuckDBResource(database=str(settings.warehouse_path))}
    return dg.materialize(assets, resources=resources, selection=selection, raise_on_error=False)


def check_result(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def test_rows_reconcile_passes_on_ingested_data_and_fails_when_a_row_is_lost(tmp_path: Path):
    landing = tmp_path / "landing" / "web_forms"
    landing.mkdir(parents=True)
    header = (
        "Submission ID,Submitted At,First Name,Last Name,Email Address,Phone Number,Company,Job Title,"
        "Industry,Company Size,Budget (USD),Timeline,City,State,Zip,Annual Revenue,Property Type,Country,"
        "UTM Source,UTM Medium,UTM Campaign,Page URL,Message,Email Opt Out\n"
    )
    blank = "," * 18
    (landing / "a.csv").write_text(
        header
        + "1,05/01/2025 00:14,Ann,Doe,a@b.co,(212) 555-0143"
        + blank
        + "\n"
        + "2,05/01/2025 00:15,Bo,Roe,not-an-email,"
        + blank
        + "\n"
        + "3,05/01/2025 00:16,,,,"
        + blank
        + "\n"
    )
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )
    settings.warehouse_path.parent.mkdir(parents=True)

    first = materialize(settings)
    passed = check_result(first)
    assert first.success and passed.passed
    assert (
        passed.metadata["rows_read"].value,
        passed.metadata["rows_loaded"].value,
        passed.metadata["rows_quarantined"].value,
        passed.metadata["field_issues"].value,
    ) == (3, 2, 1, 1)

    with duckdb.connect(str(settings.warehouse_path)) as conn:
        conn.execute("delete from raw.lead_records where source_record_id = '2'")
        conn.execute("update raw.field_issues set row_number = 9")
    second = materialize(settings, selection="raw/web_forms")  # nothing new to ingest; the check recounts
    failed = check_result(second)
    assert not failed.passed
    assert [m["table_rows_loaded"] for m in failed.metadata["count_mismatches"].value] == [1]
    assert [m["problem"] for m in failed.metadata["field_issue_mismatches"].value] == [
        "its row is not loaded"
    ]
