"""The Leadhouse code location. Loads every domain under ``defs/`` and the shared resources."""

from __future__ import annotations

import dagster as dg

from leadhouse.settings import Settings
from orchestration.defs.automation import build_automation_defs
from orchestration.defs.ingest import build_ingest_defs
from orchestration.defs.warehouse import build_warehouse_defs
from orchestration.lib.resources import build_resources


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions.merge(
        build_ingest_defs(settings),
        build_warehouse_defs(settings),
        build_automation_defs(settings),
        dg.Definitions(resources=build_resources(settings), executor=dg.in_process_executor),
    )


defs = build_definitions()
