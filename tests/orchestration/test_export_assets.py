"""A sync asset sends its model's changed rows and records its figures as metadata; its blocking
``delivery_rate`` check passes on a good run, fails when the destination refuses too many rows or
cannot be reached, and passes a sync that is skipped because its destination is not configured."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from exports.config import SyncConfig
from leadhouse.settings import PROJECT_ROOT, Settings
from orchestration.defs.exports.assets import build_sync_asset
from tests.exports.fake_crm_api import FakeCrmApi
from tests.exports.test_engine import http_sync, model_rows, write_model


def materialize(settings: Settings, config: SyncConfig, run_config: dict | None = None):
    defs = build_sync_asset(config, settings)
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources={"duckdb": DuckDBResource(database=str(settings.warehouse_path))},
        run_config={"ops": {f"exports__{config.name}": {"config": run_config}}} if run_config else None,
        raise_on_error=False,
    )


def figures(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def settings_for(tmp_path: Path) -> Settings:
    settings = Settings(
        data_dir=tmp_path, sources_dir=PROJECT_ROOT / "config" / "sources", model_dir=tmp_path / "m"
    )
    settings.warehouse_path.parent.mkdir(parents=True)
    return settings


def test_sync_asset_and_its_delivery_rate_check(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        write_model(conn, model_rows(200))
    monkeypatch.setenv("TEST_CRM_TOKEN", "t0ken")
    with FakeCrmApi(token="t0ken") as api:
        config = http_sync(api.url)

        preview = materialize(settings, config, {"dry_run": True})
        assert preview.success
        assert figures(preview)["status"] == "dry_run" and api.requests == []

        good = materialize(settings, config)
        assert good.success
        assert {k: figures(good)[k] for k in ("status", "rows_queried", "rows_sent", "rows_rejected")} == {
            "status": "succeeded",
            "rows_queried": 200,
            "rows_sent": 200,
            "rows_rejected": 0,
        }
        (check,) = good.get_asset_check_evaluations()
        assert check.passed
        assert check.description == "0 of 200 rows invalid or rejected (0.00%; at most 1.00%)"
        assert "t0ken" not in str(figures(good))

        # 3 of 20 changed rows refused: 15 % > 1 %.
        rows = model_rows(200)
        for row in rows[:20]:
            row["model_grade"] = "Z"
        with duckdb.connect(str(settings.warehouse_path)) as conn:
            write_model(conn, rows)
        api.script = [("partial", ["L0001", "L0002", "L0003"])]
        refused = materialize(settings, config)
        (check,) = refused.get_asset_check_evaluations()
        assert not check.passed
        assert check.description == "3 of 20 rows invalid or rejected (15.00%; at most 1.00%)"

    # The API is gone: the asset fails (its rows are logged as failed) and so does the check.
    rows[50]["model_grade"] = "Y"
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        write_model(conn, rows)
    destination = config.destination.model_dump(by_alias=True) | {"retry": {"max_attempts": 1}}
    down_config = http_sync(api.url, destination=destination)  # the same API, now stopped
    down = materialize(settings, down_config)
    assert not down.success
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        assert conn.execute(
            "select status, count(*) from exports.sync_log where run_id = (select run_id from exports.sync_runs "
            "order by started_at desc limit 1) group by 1"
        ).fetchall() == [("failed", 4)]  # the 3 refused before and the changed row


def test_a_sync_without_its_destination_is_skipped_and_says_why(tmp_path, monkeypatch):
    settings = settings_for(tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        write_model(conn, model_rows(5))
    monkeypatch.delenv("LEADHOUSE_CRM_API_URL", raising=False)
    config = http_sync("http://unused", destination={"kind": "http", "url_env": "LEADHOUSE_CRM_API_URL"})
    result = materialize(settings, config)
    assert result.success
    assert figures(result)["status"] == "skipped"
    assert figures(result)["message"] == (
        "destination not configured here: LEADHOUSE_CRM_API_URL is not set (the CRM API's endpoint)"
    )
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and check.description.startswith("skipped: destination not configured here")
