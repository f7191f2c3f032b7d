"""One asset per reverse-ETL sync of ``config/exports/`` (``exports/<name>``; exports/ does the
work, docs/exports.md), downstream of the warehouse model it sends, with a blocking check that its
newest run's invalid + rejected rows stay under the sync's ``max_failed_rate``."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from exports.config import SyncConfig, load_sync_configs
from exports.engine import judge_delivery, last_run, run_sync
from leadhouse.settings import Settings
from orchestration.lib.groups import group_args
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL


class SyncRunConfig(dg.Config):
    dry_run: bool = False  # count and preview the diff (in the run's log); send and record nothing
    full_resync: bool = False  # send every row, changed or not


def sync_key(sync_config: SyncConfig) -> dg.AssetKey:
    return dg.AssetKey(["exports", sync_config.name])


def _report_metadata(report) -> dict:
    counts = {f"rows_{name}": getattr(report, name) for name in (
        "queried", "added", "changed", "removed", "unchanged", "excluded", "invalid", "rejected", "sent", "failed"
    )}  # fmt: skip
    return counts | {
        "status": report.status,
        "message": report.message,
        "run_id": report.run_id,
        "destination": report.destination or "",
        "retries": report.retries,
        "failed_rate": report.failed_rate,
        "seconds": report.seconds,
        "output_path": report.output_path or "",
    }


def build_sync_asset(sync_config: SyncConfig, settings: Settings) -> dg.Definitions:
    kind = sync_config.destination.kind

    @dg.asset(
        key=sync_key(sync_config),
        deps=[dg.AssetKey([sync_config.schema_name, sync_config.table_name])],
        **group_args("exports"),
        kinds={"python", sync_config.destination.kind},
        pool=WAREHOUSE_WRITER_POOL,  # reads the model and writes exports.* in the warehouse
        description=f"{sync_config.description}\n\n`{sync_config.model}` -> {kind} ({sync_config.mode}); config "
        f"`{sync_config.path}`. Only changed rows are sent; every row's fate is in exports.sync_log.",
        metadata={"model": sync_config.model, "mode": sync_config.mode, "destination_kind": kind},
    )
    def sync(
        context: dg.AssetExecutionContext, config: SyncRunConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as conn:
            report = run_sync(
                conn,
                sync_config,
                settings.exports_dir,
                run_id=context.run_id.split("-")[0],
                full_resync=config.full_resync,
                dry_run=config.dry_run,
                progress=context.log.info,
            )
        context.log.info(report.summary())
        for row in report.sample:
            context.log.info(f"dry run sample: {row}")
        if report.status == "skipped":
            context.log.warning(f"{sync_config.name} skipped: {report.message}")
        if report.status == "failed":
            raise dg.Failure(f"{sync_config.name}: {report.message}", metadata=_report_metadata(report))
        return dg.MaterializeResult(metadata=_report_metadata(report))

    @dg.asset_check(
        asset=sync,
        name="delivery_rate",
        blocking=True,
        pool=WAREHOUSE_WRITER_POOL,
        description=f"The newest run's invalid + rejected rows are at most {sync_config.max_failed_rate:.1%} of "
        "the rows it tried to send (max_failed_rate); a run that could not deliver fails "
        "(exports.engine.judge_delivery).",
    )
    def delivery_rate(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as conn:
            run = last_run(conn, sync_config.name)
        verdict = judge_delivery(run, sync_config.max_failed_rate)
        return dg.AssetCheckResult(
            passed=verdict.passed,
            description=verdict.description,
            metadata={
                "run_id": (run or {}).get("run_id") or "",
                "failed_rate": verdict.failed_rate if verdict.failed_rate is not None else 0.0,
                "max_failed_rate": sync_config.max_failed_rate,
            },
        )

    return dg.Definitions(assets=[sync], asset_checks=[delivery_rate])


def build_exports_defs(settings: Settings) -> dg.Definitions:
    return dg.Definitions.merge(
        *(build_sync_asset(config, settings) for config in load_sync_configs(settings.exports_config_dir))
    )
