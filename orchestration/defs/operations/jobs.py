"""Jobs. Each Python name is the job's name in Dagster."""

import dagster as dg

refresh_warehouse = dg.define_asset_job(
    "refresh_warehouse",
    selection=dg.AssetSelection.all(),
    description="Ingest new landing files, rebuild the warehouse, publish the read-only copy.",
)
