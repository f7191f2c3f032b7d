"""The operator's assets: the retention cleanup (``ops/retention_cleanup``, ops.retention does the
work) and the per-agent morning summary files (``exports/agent_daily_summaries``, written by
sales.daily_summary)."""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from leadhouse.settings import Settings
from orchestration.lib.clock import run_settings
from orchestration.lib.groups import group_args
from orchestration.lib.resources import WAREHOUSE_WRITER_POOL

RETENTION_KEY = dg.AssetKey(["ops", "retention_cleanup"])
DAILY_SUMMARY_FILES_KEY = dg.AssetKey(["exports", "agent_daily_summaries"])
# The marts a retention rule may ask about (unless_referenced_by): built before the cleanup looks.
REFERENCED_MARTS = [
    dg.AssetKey(["marts", "fct_lead_activities"]),
    dg.AssetKey(["marts", "fct_lead_status_changes"]),
]


class RetentionRunConfig(dg.Config):
    dry_run: bool = False  # count what would be removed, in ops.retention_audit; delete nothing


def build_operations_assets(settings: Settings) -> dg.Definitions:
    @dg.asset(
        key=RETENTION_KEY,
        deps=REFERENCED_MARTS,
        **group_args("ingest"),
        kinds={"python", "duckdb"},
        pool=WAREHOUSE_WRITER_POOL,
        description="Deletes what config/retention.yml calls old (old activities, quarantined rows, "
        "sync logs, run failures), never a row a mart still references. Every removed row is listed in "
        "ops.retention_removed (where it came from, not what it said), every rule's run in "
        "ops.retention_audit; the ingestion's reconciliation counts the removed rows.",
    )
    def retention_cleanup(
        context: dg.AssetExecutionContext, config: RetentionRunConfig, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        from ops.config import load_retention_config
        from ops.retention import run_retention
        from ops.run_failures import flush_spooled_failures

        as_of = run_settings(settings, context).as_of
        started = time.perf_counter()
        with duckdb.get_connection() as conn:
            opened = time.perf_counter()
            report = run_retention(
                conn, load_retention_config(), as_of=as_of, run_id=context.run_id, dry_run=config.dry_run
            )
            if flushed := flush_spooled_failures(conn, settings.data_dir / "ops"):  # rows it may clean
                context.log.info(f"{flushed} spooled run failures written to ops.run_failures")
            ran = time.perf_counter()
        for rule in report.rules:
            context.log.info(rule.describe())
        # Where the step's time goes (docs/performance.md: at 1,000,000 leads the step took 8.7 s
        # while the cleanup's queries take 0.14 s on the same warehouse).
        context.log.info(
            f"warehouse opened in {opened - started:.2f} s, rules and spool {ran - opened:.2f} s, "
            f"closed in {time.perf_counter() - ran:.2f} s"
        )
        return dg.MaterializeResult(metadata=report.metadata())

    @dg.asset(
        key=DAILY_SUMMARY_FILES_KEY,
        deps=[dg.AssetKey(["marts", "agent_daily_summary"])],
        **group_args("exports"),
        kinds={"markdown", "html"},
        pool=WAREHOUSE_WRITER_POOL,  # reads the warehouse (the new leads' list is not a mart)
        description="The morning summary per agent (overdue, due today, new, stale, with the lists behind "
        "the counts): `<data>/exports/daily_summaries/<date>/<agent>.md` and `.html`, and an index, from "
        "marts.agent_daily_summary and the marts behind its counts (sales.daily_summary).",
    )
    def agent_daily_summaries(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource
    ) -> dg.MaterializeResult:
        from sales.daily_summary import write_daily_summaries

        with duckdb.get_connection() as conn:
            report = write_daily_summaries(conn, settings.exports_dir / "daily_summaries")
        context.log.info(
            f"{len(report.agents)} agent summaries for {report.summary_date} in {report.out_dir}"
        )
        return dg.MaterializeResult(
            metadata={
                "summary_date": str(report.summary_date or ""),
                "agents": len(report.agents),
                "files": len(report.files),
                "path": dg.MetadataValue.path(str(report.out_dir)),
            }
        )

    return dg.Definitions(assets=[retention_cleanup, agent_daily_summaries])
