"""The dbt warehouse as assets (staging, intermediate, marts; dbt tests as asset checks) and the
published read-only copy for BI tools."""

import dataclasses
import os
import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from ingest.config import load_source_configs
from ingest.pipeline import Ingestor
from ingest.raw_tables import ensure_raw_tables
from leadhouse.dbt_invocation import pipeline_build_invocation, project_var_sections
from leadhouse.engines import export_raw_parquet, publish_spark_marts
from leadhouse.publish import publish_copy, publish_parquet
from leadhouse.settings import Settings
from leadhouse.warehouse import connect as connect_warehouse
from ops.run_failures import flush_spooled_failures
from orchestration.defs.ingest.assets import raw_table_feeders
from orchestration.lib.automation_config import AutomationConfig
from orchestration.lib.child_processes import STOP_GRACE_SECONDS, ends_with_this_process
from orchestration.lib.clock import DAILY_TAG, daily_partitions, partition_env, run_settings
from orchestration.lib.dbt import LeadhouseDbtTranslator, dbt_project, start_dbt
from orchestration.lib.groups import group_args
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])
PUBLISHED_PARQUET_KEY = dg.AssetKey(["published", "parquet"])
# The Parquet files are written from the published copy, not the warehouse: no writer slot, but
# one at a time (dagster_home/dagster.yaml: every pool runs one op at a time).
PARQUET_POOL = "published_parquet"
# The dbt nodes that read the conversion model's scores (the source `ml`), and everything after them.
AFTER_SCORING = "source:ml+"
DAILY_SELECTION = f"tag:{DAILY_TAG}"


def share_parse(run_target: Path) -> None:
    """Leave this dbt command's parse where the next one starts from (dagster-dbt copies the
    project target's partial_parse.msgpack into each command's own target folder). The pipeline
    runs dbt twice, before and after the scoring; when the project was parsed with another profile
    (another data folder), the second would otherwise parse the whole project again."""
    fresh = run_target / "partial_parse.msgpack"
    if fresh.exists():
        project = dbt_project()
        shared = Path(project.project_dir) / project.target_path / "partial_parse.msgpack"
        temporary = shared.with_name(f".{shared.name}.{os.getpid()}.tmp")
        shutil.copyfile(fresh, temporary)
        os.replace(temporary, shared)


def build_warehouse_defs(settings: Settings, automation: AutomationConfig) -> dg.Definitions:
    translator = LeadhouseDbtTranslator(feeders=raw_table_feeders(load_source_configs(settings.sources_dir)))

    def build(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
        with duckdb.get_connection() as conn:
            ensure_raw_tables(conn)  # so the warehouse builds even before the first file lands
            # A killed ingestion's committed chunks (files without a ledger entry) never reach dbt,
            # even when only the dbt assets run.
            ingestor = Ingestor(conn, settings.landing_dir, batch_id=context.run_id)
            removed = sum(
                ingestor.remove_unfinished(config) for config in load_source_configs(settings.sources_dir)
            )
            if removed:
                context.log.warning(f"removed {removed} rows of ingestions that did not finish")
            # The failed runs the failure sensor spooled (it never opens the warehouse: one writer).
            try:
                flushed = flush_spooled_failures(conn, settings.data_dir / "ops")
            except Exception as exc:  # bookkeeping: never the reason a build fails
                context.log.warning(f"spooled run failures not written to ops.run_failures: {exc}")
            else:
                if flushed:
                    context.log.info(f"{flushed} spooled run failures written to ops.run_failures")
            if settings.engine == "spark":  # the Spark target reads the raw layer as Parquet
                exported = export_raw_parquet(conn, settings.data_dir)
                context.log.info(
                    f"raw layer for Spark: {sum(exported.values()):,} rows in {len(exported)} tables"
                )
        # The config files are read on every run, as dbt reads its project: an edit applies to the next run.
        # dagster-dbt adds the definition's --select/--exclude (or the run's subset) to the command.
        # The run's as_of (a schedule's tick) and, for the day partitions, the days to build.
        planned = pipeline_build_invocation(run_settings(settings, context), project_var_sections())
        planned = dataclasses.replace(planned, env=planned.env | partition_env(context))
        invocation = start_dbt(dbt, planned, context)
        invocation.termination_timeout_seconds = STOP_GRACE_SECONDS  # its wait after forwarding an interrupt
        with ends_with_this_process(invocation.process):
            yield from invocation.stream()
        share_parse(invocation.target_path)

    def dbt_definition(name: str, **selection) -> dg.AssetsDefinition:
        """One ``@dbt_assets`` over part of the project (``select``/``exclude``, partitions), built
        by ``build``."""

        @dbt_assets(
            manifest=dbt_project().manifest_path,
            project=dbt_project(),
            dagster_dbt_translator=translator,
            pool=WAREHOUSE_WRITER_POOL,
            name=name,
            **selection,
        )
        def definition(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
            yield from build(context, dbt, duckdb)

        return definition

    # Three definitions. The conversion model's scoring (orchestration/defs/ml/) sits between the
    # first two: it reads the marts of the first and writes the dbt source `ml`, which the second
    # reads (marts.lead_scores, model_performance_over_time, the work queue and what follows). The
    # third is the marts of activities and status changes by day (models/marts/daily/): one
    # partition a UTC day, a backfill of a range in one dbt run, each run replacing its days' rows.
    leadhouse_dbt = dbt_definition("leadhouse_dbt", exclude=f"{AFTER_SCORING} {DAILY_SELECTION}")
    leadhouse_dbt_after_scoring = dbt_definition("leadhouse_dbt_after_scoring", select=AFTER_SCORING)
    leadhouse_dbt_daily = dbt_definition(
        "leadhouse_dbt_daily",
        select=DAILY_SELECTION,
        partitions_def=daily_partitions(automation.partitions.start_date.isoformat()),
        backfill_policy=dg.BackfillPolicy.single_run(),
    )

    mart_keys = [
        key
        for dbt_def in (leadhouse_dbt, leadhouse_dbt_after_scoring, leadhouse_dbt_daily)
        for key in dbt_def.keys
        if key.path[0] == "marts"
    ]

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        **group_args("publish"),
        kinds={"duckdb"},
        pool=WAREHOUSE_WRITER_POOL,
        description="The marts for readers, replaced atomically after each build: a read-only DuckDB copy "
        "at `published/leadhouse.duckdb` (a copy of the marts' own file: the marts schema, every mart a table; "
        "published/parquet writes the Parquet files from it). Point BI tools and notebooks here, never at "
        "the live file. On Spark: the marts as Parquet under `published/parquet/marts/`.",
    )
    def published_warehouse() -> dg.MaterializeResult:
        if settings.engine == "spark":  # the marts Spark built, as Parquet
            path = settings.published_dir / "parquet" / "marts"
            marts = {
                f"marts.{k}": v
                for k, v in publish_spark_marts(settings.data_dir, settings.published_dir).items()
            }
            return dg.MaterializeResult(
                metadata={
                    "path": dg.MetadataValue.path(str(path)),
                    "tables": len(marts),
                    "mart_rows": dg.MetadataValue.json(marts),
                }
            )
        # A warehouse built before the marts had their file has them moved there first (a publish
        # can be the first run after an upgrade); the connection is closed before the copy.
        connect_warehouse(settings.warehouse_path).close()
        published = publish_copy(settings.marts_path, settings.published_path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(published.database)),
                "published_at": dg.MetadataValue.timestamp(published.published_at),
                "tables": len(published.rows),
                "mart_rows": dg.MetadataValue.json({f"marts.{k}": v for k, v in published.rows.items()}),
                "copy_seconds": round(published.copy_seconds, 2),
            }
        )

    @dg.asset(
        key=PUBLISHED_PARQUET_KEY,
        deps=[PUBLISHED_KEY],
        **group_args("publish"),
        kinds={"parquet"},
        pool=PARQUET_POOL,
        # Declarative, as the report: whatever publishes the copy (a refresh, a clock job, a backfill's
        # publish), the Parquet files follow.
        automation_condition=dg.AutomationCondition.eager(),
        description="One Parquet file per mart under `published/parquet/`, with a `_manifest.json` listing "
        "them, their rows and the publish time, written from the published DuckDB copy (so the warehouse "
        "writer is free meanwhile), each renamed into place when complete. On Spark, published/warehouse "
        "writes the marts as Parquet itself: nothing to do here.",
    )
    def published_parquet() -> dg.MaterializeResult:
        if settings.engine == "spark":
            return dg.MaterializeResult(
                metadata={"path": dg.MetadataValue.path(str(settings.published_dir / "parquet" / "marts"))}
            )
        written = publish_parquet(settings.published_path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(written.parquet_dir)),
                "published_at": dg.MetadataValue.timestamp(written.published_at),
                "files": len(written.rows),
                "rows": sum(written.rows.values()),
                "parquet_seconds": round(written.parquet_seconds, 2),
            }
        )

    return dg.Definitions(
        assets=[
            leadhouse_dbt,
            leadhouse_dbt_after_scoring,
            leadhouse_dbt_daily,
            published_warehouse,
            published_parquet,
        ]
    )
