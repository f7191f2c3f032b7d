"""One ingestion asset per source config (``raw/<source>``), each with a blocking check that the
rows it read are all in the warehouse: loaded or quarantined."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import SourceConfig, load_source_configs
from ingest.pipeline import Ingestor, SourceReport
from ingest.schemas import ENTITIES
from leadhouse.settings import Settings
from orchestration.lib.dbt import all_sources_key
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL

RECONCILIATION_SQL = """
with ledger as (
    select file, file_version, rows_read, rows_loaded, rows_quarantined
    from raw.ingest_ledger where source = $source
), loaded as (
    select _file as file, _file_version as file_version, count(*) as n
    from {table} where source = $source group by all
), quarantined as (
    select file, file_version, count(*) as n
    from raw.quarantine where source = $source group by all
)
select
    ledger.file,
    ledger.file_version,
    ledger.rows_read,
    coalesce(loaded.n, 0) as rows_loaded,
    coalesce(quarantined.n, 0) as rows_quarantined
from ledger
left join loaded using (file, file_version)
left join quarantined using (file, file_version)
where ledger.rows_read <> coalesce(loaded.n, 0) + coalesce(quarantined.n, 0)
   or ledger.rows_loaded <> coalesce(loaded.n, 0)
   or ledger.rows_quarantined <> coalesce(quarantined.n, 0)
order by 1, 2
"""

def _report_metadata(report: SourceReport) -> dict:
    new = report.new_files
    reasons = report.reasons.most_common(20)
    table = "\n".join(["| reason | rows |", "|---|---|"] + [f"| {r} | {n} |" for r, n in reasons]) if reasons else "none"
    return {
        "new_files": len(new),
        "skipped_files": len(report.files) - len(new),
        "rows_read": report.total("rows_read"),
        "rows_loaded": report.total("rows_loaded"),
        "rows_quarantined": report.total("rows_quarantined"),
        "rejected_files": dg.MetadataValue.json(
            {f.file: f.message for f in new if f.status == "rejected"}
        ),
        "quarantine_reasons": dg.MetadataValue.md(table),
    }

def build_ingest_asset(config: SourceConfig, settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", config.name]),
        group_name="ingest",
        description=f"{config.description}\n\nConfig: `{config.path}`; files: "
        f"`landing/{config.name}/{config.file_glob}`; table: `raw.{config.schema.table}`.",
        kinds={"polars", "duckdb"},
        pool=WAREHOUSE_WRITER_POOL,
        tags={"entity": config.entity},
        metadata={"entity": config.entity, "format": config.format},
    )
    def ingest_source(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            report = Ingestor(conn, settings.landing_dir, batch_id=context.run_id).ingest(config)
        for file in report.new_files:
            context.log.info(
                f"{file.file} (v{file.file_version}): {file.status}, {file.rows_read} read, "
                f"{file.rows_loaded} loaded, {file.rows_quarantined} quarantined {file.message}"
            )
        return dg.MaterializeResult(metadata=_report_metadata(report))

    @dg.asset_check(
        asset=ingest_source,
        name="rows_reconcile",
        blocking=True,
        description="Every row read from every file is in the warehouse: rows read = rows loaded + "
        "rows quarantined, per file version, counted in the tables themselves.",
    )
    def rows_reconcile(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            sql = RECONCILIATION_SQL.format(table=f"raw.{config.schema.table}")
            mismatches = conn.execute(sql, {"source": config.name}).fetchall()
            totals = conn.execute(
                "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
                "coalesce(sum(rows_quarantined), 0) from raw.ingest_ledger where source = ?",
                [config.name],
            ).fetchone()
        return dg.AssetCheckResult(
            passed=not mismatches,
            metadata={
                "files": totals[0],
                "rows_read": totals[1],
                "rows_loaded": totals[2],
                "rows_quarantined": totals[3],
                "mismatches": dg.MetadataValue.json(
                    [dict(zip(("file", "version", "read", "loaded", "quarantined"), m)) for m in mismatches]
                ),
            },
        )

    return dg.Definitions(assets=[ingest_source], asset_checks=[rows_reconcile])

def all_sources_specs(configs: list[SourceConfig]) -> list[dg.AssetSpec]:
    """The physical raw tables, each fed by every source of its entity (the quarantine and the
    ledger by every source). They make lineage honest for config-only sources, which reach the
    warehouse through the catch-all staging models that read these tables."""
    tables = {entity.table: [c for c in configs if c.entity == name] for name, entity in ENTITIES.items()}
    tables |= {"quarantine": configs, "ingest_ledger": configs}
    return [
        dg.AssetSpec(
            key=all_sources_key(table),
            deps=[dg.AssetKey(["raw", c.name]) for c in feeding],
            group_name="ingest",
            kinds={"duckdb"},
            description=f"`raw.{table}`: the rows of every source above, appended by their ingestion assets.",
        )
        for table, feeding in tables.items()
    ]


def build_ingest_defs(settings: Settings) -> dg.Definitions:
    configs = load_source_configs(settings.sources_dir)
    return dg.Definitions.merge(
        *(build_ingest_asset(config, settings) for config in configs),
        dg.Definitions(assets=all_sources_specs(configs)),
    )
