"""The Leadhouse code location. Loads every domain under ``defs/`` and the shared resources."""

from __future__ import annotations

import dagster as dg

from leadhouse.settings import Settings
from orchestration.defs.exports.assets import build_exports_defs
from orchestration.defs.ingest.assets import build_ingest_defs
from orchestration.defs.ml.assets import build_ml_defs
from orchestration.defs.operations.jobs import refresh_warehouse, rescore_leads, retrain_conversion_model
from orchestration.defs.operations.schedules import daily_refresh, hourly_rescore, weekly_retrain
from orchestration.defs.operations.sensors import build_landing_files_sensor
from orchestration.defs.report.assets import build_report_defs
from orchestration.defs.warehouse.assets import build_warehouse_defs
from orchestration.lib.resources import build_resources


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions.merge(
        build_ingest_defs(settings),
        build_warehouse_defs(settings),
        build_ml_defs(settings),
        build_report_defs(settings),
        build_exports_defs(settings),
        dg.Definitions(
            jobs=[refresh_warehouse, retrain_conversion_model, rescore_leads],
            schedules=[daily_refresh, weekly_retrain, hourly_rescore],
            sensors=[build_landing_files_sensor(settings)],
            resources=build_resources(settings),
            executor=dg.in_process_executor,
        ),
    )


defs = build_definitions()
