"""``published/report``: the HTML report, rendered by ``report.render_report`` from the published
marts once they are published (never from the pipeline's warehouse, so it takes no writer slot)."""

import dagster as dg

from leadhouse.settings import Settings
from orchestration.defs.warehouse.assets import PUBLISHED_KEY
from orchestration.lib.groups import group_args
from report.build import connect_parquet_marts, render_report

REPORT_KEY = dg.AssetKey(["published", "report"])


def build_report_defs(settings: Settings) -> dg.Definitions:
    @dg.asset(
        key=REPORT_KEY,
        deps=[PUBLISHED_KEY],
        **group_args("publish"),
        kinds={"html"},
        # Declarative: whatever publishes (a refresh, a clock job, a backfill's publish), the report
        # follows, without every job having to list it (sensor automation_conditions).
        automation_condition=dg.AutomationCondition.eager(),
        description="The report people look at: `published/report.html`, one self-contained page (no "
        "script, no network) with the funnel, conversion, cohorts, time in stage, agents, pipeline and "
        "forecast, campaign ROI, grade mix and data quality, each chart with its numbers, drawn from the "
        "published marts (docs/report.md).",
    )
    def published_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        out = settings.published_dir / "report.html"
        if settings.engine == "spark":  # the Spark build publishes its marts as Parquet only
            with connect_parquet_marts(settings.published_dir / "parquet" / "marts") as conn:
                summary = render_report(conn, out, progress=context.log.info)
        else:
            summary = render_report(settings.published_path, out, progress=context.log.info)
        for chart, marts in summary.missing.items():
            context.log.warning(f"{chart} not drawn: the published marts lack {', '.join(marts)}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(summary.path)),
                "charts_rendered": len(summary.marks),
                "charts_missing": dg.MetadataValue.json(summary.missing),
                "marks": dg.MetadataValue.json(summary.marks),
                "size_bytes": summary.size,
                "as_of": ", ".join(t.isoformat() for t in summary.as_of) or "unknown",
            }
        )

    return dg.Definitions(assets=[published_report])
