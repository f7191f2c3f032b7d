"""Print what the last build put in the warehouse: `make summary` (also the end of `make run`).

Reads the published copy, so it never competes with the pipeline for the warehouse's write lock.
"""

from __future__ import annotations

import sys

import duckdb

from ingest.config import SourceConfigError, load_source_configs
from ingest.crm_database import summary_line
from leadhouse.publish import parquet_dir
from leadhouse.settings import Settings
from leadhouse.warehouse import connect
from ml.registry import LocalModelRegistry, RegistryError


def _count(conn: duckdb.DuckDBPyConnection, table: str) -> int | None:
    try:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except duckdb.CatalogException:
        return None


def _model_line(conn: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """Who scored the open leads, and the champion's holdout figures from its card."""
    scored, scored_by, version = conn.execute(
        "select count(*), any_value(scored_by), any_value(model_version) from marts.lead_scores"
    ).fetchone()
    grades = ", ".join(
        f"{grade} {n}"
        for grade, n in conn.execute(
            "select model_grade, count(*) from marts.lead_scores group by 1 order by 1"
        ).fetchall()
    )
    if scored_by != "model":
        return (
            f"\nconversion model: none yet; {scored:,} open leads scored by the rule fallback, grades "
            f"{grades} (marts.lead_scores; docs/model.md)"
        )
    try:
        card = LocalModelRegistry(settings.model_dir).card(version)
    except RegistryError:
        figures = "its card is not in this registry"
    else:
        holdout, baseline = card["metrics"]["holdout"], card["baseline"]
        rule = f" (rule score {baseline['holdout']['roc_auc']:.3f})" if baseline else ""
        figures = (
            f"{card['estimator']}, holdout ROC AUC {holdout['roc_auc']:.3f}{rule}, ECE {holdout['ece']:.3f}"
        )
    return (
        f"\nconversion model {version} ({figures}): {scored:,} open leads scored, grades {grades} "
        "(marts.lead_scores; .venv/bin/leadhouse-model list)"
    )


def _crm_database_line(settings: Settings) -> str | None:
    """Whether the sources read from the CRM's database were extracted, or why not."""
    try:
        configs = load_source_configs(settings.sources_dir)
    except SourceConfigError:
        return None
    return summary_line(configs, settings.extract_state_dir)


def _exports_lines(settings: Settings) -> list[str]:
    """Each sync's last run (exports.sync_runs, in the pipeline's warehouse: not published)."""
    if not settings.warehouse_path.exists():
        return []
    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
            runs = conn.execute(
                """
                select sync, status, rows_sent, rows_unchanged, rows_rejected, rows_invalid, rows_excluded,
                       message, output_path
                from exports.sync_runs
                qualify row_number() over (partition by sync order by started_at desc) = 1
                order by sync
                """
            ).fetchall()
    except duckdb.Error:  # no sync has run, or a writer holds the file
        return []
    if not runs:
        return []
    lines = ["\nreverse ETL, last run of each sync (exports.sync_runs, exports.sync_log; docs/exports.md):"]
    for sync, status, sent, unchanged, rejected, invalid, excluded, message, output in runs:
        if status == "skipped":
            lines.append(f"  {sync}: skipped: {message.removeprefix('destination not configured here: ')}")
            continue
        figures = f"{sent or 0:,} sent, {unchanged or 0:,} unchanged, {rejected or 0:,} rejected, "
        figures += f"{invalid or 0:,} invalid"
        if excluded:
            figures += f", {excluded:,} excluded by consent"
        where = f" -> {output}" if output else ""
        lines.append(f"  {sync}: {status}: {figures}{where}" + (f" ({message})" if message else ""))
    return lines


def _operations_lines(settings: Settings) -> list[str]:
    """The morning summary files, and how to put the pipeline on a clock."""
    lines = [""]
    days = sorted((settings.exports_dir / "daily_summaries").glob("*/index.html"))
    if days:
        folder = days[-1].parent
        agents = len([f for f in folder.glob("*.html") if f.name != "index.html"])
        lines.append(f"morning summary per agent ({agents} agents): {folder}/index.html")
    lines.append(
        "schedules (config/schedules.yml) start off: turn on hourly_ingest, follow_up_queues, overdue_checks, "
        "stale_detection, daily_summary, hourly_rescore, weekly_retrain and daily_partitions in the UI "
        "(Automation) or with enabled: true; the sensors (landing files, builds after ingest and publishes, "
        "failures, freshness, the report) are on (docs/operations.md)"
    )
    return lines


def summarize(settings: Settings) -> str:
    path = settings.published_path if settings.published_path.exists() else settings.warehouse_path
    if not path.exists():
        return f"No warehouse yet at {settings.warehouse_path}. Run `make run`."
    lines = []
    # The published copy holds the marts; the pipeline's warehouse has them in a file beside it,
    # which connect attaches (there is none beside the published copy).
    with connect(path, read_only=True) as conn:
        try:
            per_source = conn.execute(
                """
                select source, entity, count(*) as files, sum(rows_read), sum(rows_loaded), sum(rows_quarantined),
                       sum(field_issue_count), count(*) filter (where status = 'rejected')
                from marts.fct_ingestion_quality group by all order by entity, source
                """
            ).fetchall()
        except duckdb.CatalogException:
            return f"The warehouse at {path} has no marts yet. Run `make materialize`."
        width = max([22] + [len(row[0]) + 1 for row in per_source])  # crm_database_status_changes
        lines.append(
            f"{'source':<{width}}{'entity':<16}{'files':>6}{'read':>10}{'loaded':>10}{'quarantined':>13}"
            f"{'field issues':>14}"
        )
        for source, entity, files, read, loaded, quarantined, issues, rejected in per_source:
            note = f"  ({rejected} file(s) rejected)" if rejected else ""
            lines.append(
                f"{source:<{width}}{entity:<16}{files:>6}{read:>10}{loaded:>10}{quarantined:>13}{issues:>14}{note}"
            )
        totals = [sum(r[i] for r in per_source) for i in (3, 4, 5, 6)]
        lines.append(f"{'total':<{width + 22}}{totals[0]:>10}{totals[1]:>10}{totals[2]:>13}{totals[3]:>14}")
        if crm := _crm_database_line(settings):
            lines.append(crm)

        reasons = conn.execute(
            "select reason_kind, sum(quarantined_row_count) as n from marts.fct_quarantine_reasons "
            "group by 1 order by 2 desc, 1 limit 10"
        ).fetchall()
        if reasons:
            lines.append("\nquarantined rows by reason (a row may have several):")
            lines.extend(f"  {n:>7}  {reason}" for reason, n in reasons)
        issues = conn.execute(
            "select column_name, reason, action, sum(issue_count) as n from marts.fct_field_issues "
            "group by all order by n desc, 1, 2 limit 10"
        ).fetchall()
        if issues:
            lines.append("\nfield issues (the row was loaded) by column and reason:")
            lines.extend(f"  {n:>7}  {column}: {reason} [{action}]" for column, reason, action, n in issues)

        lead_records = _count(conn, "marts.lead_identity_map")
        leads = _count(conn, "marts.dim_leads")
        if leads is not None:
            lines.append(f"\nlead records: {lead_records}  ->  leads after dedupe: {leads}")
        for table in ("marts.fct_lead_activities", "marts.fct_lead_status_changes"):
            if (n := _count(conn, table)) is not None:
                lines.append(f"{table}: {n} rows")
        if _count(conn, "marts.lead_rule_scores"):
            grades = conn.execute(
                "select grade, count(*), max(scored_as_of) from marts.lead_rule_scores "
                "group by 1 order by min(score) desc"
            ).fetchall()
            lines.append(
                f"\nrule scores as of {max(g[2] for g in grades):%Y-%m-%d %H:%M} UTC, leads per grade: "
                + ", ".join(f"{grade} {n}" for grade, n, _ in grades)
                + "  (how well they separate converters: .venv/bin/python -m scoring.evaluate)"
            )
        if _count(conn, "marts.lead_scores"):
            lines.append(_model_line(conn, settings))
        if (days := _count(conn, "marts.fct_activities_daily")) is not None:
            span = conn.execute(
                "select min(activity_date), max(activity_date) from marts.fct_activities_daily"
            ).fetchone()
            lines.append(
                f"day partitions: marts.fct_activities_daily {days} rows ({span[0]} to {span[1]}), "
                f"marts.fct_status_changes_daily {_count(conn, 'marts.fct_status_changes_daily') or 0} rows "
                "(make backfill DAYS=first...last; docs/operations.md)"
            )
        if (queued := _count(conn, "marts.sales_work_queue")) is not None:
            lines.append(f"sales work queue: {queued} open tasks (marts.sales_work_queue; docs/sales.md)")
        if _count(conn, "marts.conversion_metrics") and _count(conn, "marts.pipeline_forecast"):
            leads, won, revenue = conn.execute(
                "select sum(leads), sum(converted_leads), sum(revenue_won) from marts.conversion_metrics "
                "where period_grain = 'month' and segment_type = 'all'"
            ).fetchone()
            weighted, forecast = conn.execute(
                "select (select sum(weighted_pipeline) from marts.pipeline_by_stage), "
                "(select forecast_revenue from marts.pipeline_forecast where stage = 'all' "
                "order by horizon_days limit 1)"
            ).fetchone()
            if leads:  # none without the month grain (config/analytics.yml) or before any lead
                lines.append(
                    f"conversion: {won:,} of {leads:,} leads won ({won / leads:.1%}), revenue {revenue:,.0f}; "
                    f"weighted open pipeline {weighted or 0:,.0f}, next-30-day forecast {forecast or 0:,.0f} "
                    "(marts.conversion_metrics, marts.pipeline_forecast; docs/funnels.md)"
                )

    lines += _exports_lines(settings)
    lines += _operations_lines(settings)
    lines += [
        "",
        f"warehouse (pipeline's, single writer): {settings.warehouse_path}",
        f"published for BI and notebooks:        {settings.published_path} (the marts)",
        f"  and one Parquet file per mart:       {parquet_dir(settings.published_path)}/<mart>.parquet",
        '  query it:  .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.published_path}', read_only=True).sql('from marts.dim_leads limit 5'))\"",
        "Dagster UI: make dev, then open http://127.0.0.1:3000",
    ]
    report = settings.published_dir / "report.html"
    if report.is_file():
        lines.insert(-1, f"report (charts of the marts, offline): {report}")
    return "\n".join(lines)


def main() -> int:
    print(summarize(Settings.from_env()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
