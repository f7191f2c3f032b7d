"""One ingestion asset per source config (``raw/<source>``), each with a blocking check that the
rows it read are all in the warehouse: loaded or quarantined. A source read from a database (an
``extract:`` section) is extracted into its landing folder first (ingest.crm_database)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from ingest.config import SourceConfig, load_source_configs
from ingest.crm_database import ExtractionResult, extract
from ingest.pipeline import Ingestor, SourceReport
from ingest.reconcile import reconcile
from ingest.schemas import ENTITIES
from leadhouse.settings import Settings
from orchestration.lib.dbt import all_sources_key
from orchestration.lib.groups import group_args
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL


def _counts_table(counts, what: str) -> dg.MetadataValue:
    top = counts.most_common(20)
    if not top:
        return dg.MetadataValue.md("none")
    return dg.MetadataValue.md(
        "\n".join([f"| {what} | rows |", "|---|---|"] + [f"| {r} | {n} |" for r, n in top])
    )


def _report_metadata(report: SourceReport) -> dict:
    new = report.new_files
    return {
        "new_files": len(new),
        "skipped_files": sum(f.status == "skipped" for f in report.files),
        "deferred_files": dg.MetadataValue.json(
            {f.file: f.message for f in report.files if f.status == "deferred"}
        ),
        "rows_read": report.total("rows_read"),
        "rows_loaded": report.total("rows_loaded"),
        "rows_quarantined": report.total("rows_quarantined"),
        "field_issues": report.total("field_issues"),
        "rejected_files": dg.MetadataValue.json({f.file: f.message for f in new if f.status == "rejected"}),
        "quarantine_reasons": _counts_table(report.reasons, "reason"),
        "field_issue_reasons": _counts_table(report.field_issue_reasons, "column: reason"),
    }


def _extraction_metadata(result: ExtractionResult) -> dict:
    if result.skipped:
        return {"skipped": result.reason}
    return {
        "extracted_rows": result.rows,
        "extracted_deletions": result.deletions,
        "extracted_files": dg.MetadataValue.json(result.files),
        "watermark": dg.MetadataValue.json(result.watermark),
        "extract_seconds": round(result.seconds, 2),
    }


def build_ingest_asset(
    config: SourceConfig, settings: Settings, deps: list[dg.AssetKey] | None = None
) -> dg.AssetsDefinition:
    extract_note = (
        f" Extracted first from the PostgreSQL table `{config.extract.relation}` (incremental on "
        f"`{config.extract.cursor}`; connection string from `{config.extract.dsn_env}`, skipped without it)."
        if config.extract
        else ""
    )

    @dg.asset(
        key=dg.AssetKey(["raw", config.name]),
        **group_args("ingest"),
        description=f"{config.description}\n\nConfig: `{config.path}`; files: "
        f"`landing/{config.name}/{config.file_glob}`; table: `raw.{config.schema.table}`.{extract_note}",
        kinds={"polars", "duckdb"} | ({"postgres"} if config.extract else set()),
        pool=WAREHOUSE_WRITER_POOL,
        deps=deps,
        tags={"entity": config.entity},
        metadata={"entity": config.entity, "format": config.format},
    )
    def ingest_source(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        extracted = {}
        if config.extract:
            result = extract(config, settings.landing_dir, settings.extract_state_dir)
            (context.log.warning if result.skipped else context.log.info)(result.describe())
            extracted = _extraction_metadata(result)
        with duckdb.get_connection() as conn:
            report = Ingestor(conn, settings.landing_dir, batch_id=context.run_id).ingest(config)
        for file in report.new_files:
            context.log.info(
                f"{file.file} (v{file.file_version}): {file.status}, {file.rows_read} read, "
                f"{file.rows_loaded} loaded, {file.rows_quarantined} quarantined {file.message}"
            )
        return dg.MaterializeResult(metadata=extracted | _report_metadata(report))

    @dg.asset_check(
        asset=ingest_source,
        name="rows_reconcile",
        blocking=True,
        pool=WAREHOUSE_WRITER_POOL,  # it opens the warehouse: one writer at a time, like the asset
        description="Every row read from every file is in the warehouse: rows read = rows loaded + "
        "rows quarantined, per file version, counted in the tables themselves; every field issue points "
        "at a loaded row, whose nulled value is null (ingest.reconcile).",
    )
    def rows_reconcile(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            result = reconcile(conn, config.name, config.schema)
        return dg.AssetCheckResult(
            passed=result.passed,
            metadata={
                "files": result.files,
                "rows_read": result.rows_read,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "field_issues": result.field_issues,
                "count_mismatches": dg.MetadataValue.json(result.count_mismatches),
                "field_issue_mismatches": dg.MetadataValue.json(result.issue_mismatches),
                "orphans": dg.MetadataValue.json(result.orphans),
            },
        )

    return dg.Definitions(assets=[ingest_source], asset_checks=[rows_reconcile])


def raw_table_feeders(configs: list[SourceConfig]) -> dict[str, list[dg.AssetKey]]:
    """Each physical raw table and the ingestion assets that append to it: every source of its
    entity (the quarantine, the field issues and the ledger: every source)."""
    tables = {entity.table: [c for c in configs if c.entity == name] for name, entity in ENTITIES.items()}
    tables |= {"quarantine": configs, "field_issues": configs, "ingest_ledger": configs}
    return {table: [dg.AssetKey(["raw", c.name]) for c in feeding] for table, feeding in tables.items()}


def all_sources_specs(configs: list[SourceConfig]) -> list[dg.AssetSpec]:
    """The physical raw tables, each fed by every source of its entity. They show config-only
    sources in the lineage graph, which reach the warehouse through the catch-all staging models
    that read these tables (those models also depend on each feeding asset directly)."""
    return [
        dg.AssetSpec(
            key=all_sources_key(table),
            deps=feeding,
            **group_args("ingest"),
            kinds={"duckdb"},
            description=f"`raw.{table}`: the rows of every source above, appended by their ingestion assets.",
        )
        for table, feeding in raw_table_feeders(configs).items()
    ]


def extraction_feeders(configs: list[SourceConfig]) -> dict[str, list[dg.AssetKey]]:
    """Each record_deletion source and the extracted sources that write its files: it is
    ingested after them, so a run ingests the deletions its extractions found."""
    feeders: dict[str, list[dg.AssetKey]] = {}
    for config in configs:
        if config.extract and config.extract.deletions:
            feeders.setdefault(config.extract.deletions, []).append(dg.AssetKey(["raw", config.name]))
    return feeders


def build_ingest_defs(settings: Settings) -> dg.Definitions:
    configs = load_source_configs(settings.sources_dir)
    feeders = extraction_feeders(configs)
    return dg.Definitions.merge(
        *(build_ingest_asset(config, settings, feeders.get(config.name)) for config in configs),
        dg.Definitions(assets=all_sources_specs(configs)),
    )
