"""The Leadhouse code location. Loads every domain under ``defs/`` and the shared resources;
schedules and sensors as config/schedules.yml says."""

from __future__ import annotations

import dagster as dg

from leadhouse.settings import Settings
from orchestration.defs.exports.assets import build_exports_defs
from orchestration.defs.ingest.assets import build_ingest_defs
from orchestration.defs.ml.assets import build_ml_defs
from orchestration.defs.operations.assets import build_operations_assets
from orchestration.defs.operations.freshness import build_freshness_defs
from orchestration.defs.operations.jobs import JOBS
from orchestration.defs.operations.schedules import build_schedules
from orchestration.defs.operations.sensors import (
    build_after_ingest_sensor,
    build_automation_condition_sensor,
    build_landing_files_sensor,
    build_publish_after_partitions_sensor,
    build_run_failure_sensor,
)
from orchestration.defs.report.assets import build_report_defs
from orchestration.defs.warehouse.assets import build_warehouse_defs
from orchestration.lib.automation_config import AutomationConfig, load_automation_config
from orchestration.lib.resources import build_resources


def build_definitions(
    settings: Settings | None = None, automation: AutomationConfig | None = None
) -> dg.Definitions:
    settings = settings or Settings.from_env()
    automation = automation or load_automation_config()
    assets = dg.Definitions.merge(
        build_ingest_defs(settings),
        build_warehouse_defs(settings, automation),
        build_ml_defs(settings),
        build_report_defs(settings),
        build_exports_defs(settings),
        build_operations_assets(settings),
    )
    known = {key for assets_def in assets.assets or [] for key in _keys(assets_def)}
    daily = {
        key
        for assets_def in assets.assets or []
        if isinstance(assets_def, dg.AssetsDefinition) and assets_def.partitions_def is not None
        for key in assets_def.keys
    }
    return dg.Definitions.merge(
        assets,
        build_freshness_defs(automation, known),
        dg.Definitions(
            jobs=JOBS,
            schedules=build_schedules(automation),
            sensors=[
                build_landing_files_sensor(settings, automation),
                build_after_ingest_sensor(automation),
                build_publish_after_partitions_sensor(automation, daily),
                build_run_failure_sensor(settings, automation),
                build_automation_condition_sensor(automation),
            ],
            resources=build_resources(settings),
            executor=dg.in_process_executor,
        ),
    )


def _keys(assets_def) -> set[dg.AssetKey]:
    return set(assets_def.keys) if isinstance(assets_def, dg.AssetsDefinition) else {assets_def.key}


defs = build_definitions()
