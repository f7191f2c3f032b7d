"""Jobs: what each schedule and sensor runs. Each Python name is the job's name in Dagster.

The clock-driven jobs (follow-up queues, overdue, stale, the daily summary) rebuild their marts and
the scoring-group models those read (the sales intermediates that depend on "now"), from the
warehouse as it is, then publish: a queue is only useful where its readers look."""

import dagster as dg

from orchestration.defs.ml.assets import CANDIDATE_KEY, CHAMPION_KEY, LEAD_SCORES_KEY, SCORE_LOG_KEY
from orchestration.defs.operations.assets import DAILY_SUMMARY_FILES_KEY, RETENTION_KEY
from orchestration.defs.report.assets import REPORT_KEY
from orchestration.defs.warehouse.assets import PUBLISHED_KEY, PUBLISHED_PARQUET_KEY
from orchestration.lib.clock import DAILY_TAG

TRAINING = dg.AssetSelection.assets(CANDIDATE_KEY, CHAMPION_KEY)
# The day-partitioned marts: only in partitioned runs (daily_partitions, backfills).
DAILY = dg.AssetSelection.tag(DAILY_TAG, "")
# Run on their own clock: the retention cleanup (02:00) and the per-agent files (08:00).
ON_THEIR_OWN = dg.AssetSelection.assets(RETENTION_KEY, DAILY_SUMMARY_FILES_KEY)
INGESTION = dg.AssetSelection.key_prefixes(["raw"])
PUBLISHED = dg.AssetSelection.assets(PUBLISHED_KEY, PUBLISHED_PARQUET_KEY)


def marts(*names: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*(dg.AssetKey(["marts", name]) for name in names))


def on_the_clock(*names: str) -> dg.AssetSelection:
    """The marts ``names``, the scoring-group models upstream of them, and the published copy and
    Parquet files."""
    return (marts(*names).upstream() & dg.AssetSelection.groups("scoring")) | PUBLISHED


refresh_warehouse = dg.define_asset_job(
    "refresh_warehouse",
    selection=dg.AssetSelection.all() - TRAINING - DAILY - ON_THEIR_OWN,
    description="Ingest new landing files, rebuild the warehouse, score the open leads with the champion "
    "model, send the syncs, publish the read-only copy and the report. Training is weekly "
    "(retrain_conversion_model); the day partitions are built by daily_partitions.",
)

materialize_everything = dg.define_asset_job(
    "materialize_everything",
    selection=dg.AssetSelection.all() - DAILY,
    description="Every asset but the day partitions (make materialize; make backfill builds those): "
    "ingestion, warehouse, training, scores, syncs, retention, publication, report, summary files.",
)

ingest_sources = dg.define_asset_job(
    "ingest_sources",
    selection=INGESTION,
    description="Ingest every source: new landing files, and the rows a database source has changed "
    "since its watermark. The sensor build_after_ingest then builds the warehouse if anything was new.",
)

build_warehouse = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - INGESTION - TRAINING - DAILY - ON_THEIR_OWN,
    description="Everything after the ingestion: dbt, the scores, the syncs, the published copy and the report.",
)

follow_up_queues = dg.define_asset_job(
    "follow_up_queues",
    selection=on_the_clock("follow_up_tasks", "follow_up_upcoming", "sales_work_queue"),
    description="Open follow-up tasks and the reminders due in the next windows (config/sales.yml "
    "follow_up.upcoming_windows), the work queue, as of the tick; then publish.",
)

overdue_checks = dg.define_asset_job(
    "overdue_checks",
    selection=on_the_clock("follow_up_overdue"),
    description="The follow-up tasks past due as of the tick (marts.follow_up_overdue); then publish.",
)

stale_detection = dg.define_asset_job(
    "stale_detection",
    selection=on_the_clock("stale_leads"),
    description="Open leads without an activity or status change for follow_up.stale_after_days "
    "(marts.stale_leads); then publish.",
)

daily_summary = dg.define_asset_job(
    "daily_summary",
    selection=on_the_clock("agent_daily_summary") | dg.AssetSelection.assets(DAILY_SUMMARY_FILES_KEY),
    description="The morning summary per agent as of the tick: marts.agent_daily_summary, published, "
    "then one Markdown and one HTML file per agent under <data>/exports/daily_summaries/<date>/.",
)

retention_cleanup = dg.define_asset_job(
    "retention_cleanup",
    selection=dg.AssetSelection.assets(RETENTION_KEY),
    description="Delete what config/retention.yml says is old and no mart references; every removed "
    "row is listed in ops.retention_removed.",
)

daily_partitions = dg.define_asset_job(
    "daily_partitions",
    selection=DAILY,
    description="The day-partitioned marts (activities and status changes per day) for a day or a "
    "range of days: one dbt run replacing those days' rows.",
)

publish = dg.define_asset_job(
    "publish",
    selection=PUBLISHED | dg.AssetSelection.assets(REPORT_KEY),
    description="Publish the marts (the read-only copy and Parquet) and the report: after the day "
    "partitions were built (sensor publish_after_partitions), whose job cannot hold unpartitioned assets.",
)

retrain_conversion_model = dg.define_asset_job(
    "retrain_conversion_model",
    selection=dg.AssetSelection.assets(CANDIDATE_KEY).downstream() - DAILY - ON_THEIR_OWN,
    description="Train a candidate conversion model; promote it if its gate passes; rescore and publish.",
)

rescore_leads = dg.define_asset_job(
    "rescore_leads",
    selection=dg.AssetSelection.assets(LEAD_SCORES_KEY, SCORE_LOG_KEY).downstream() - DAILY - ON_THEIR_OWN,
    description="Score the open leads with the champion as of now, rebuild what reads the scores "
    "(lead_scores, the work queue, model performance) and publish.",
)

JOBS = [
    materialize_everything,
    refresh_warehouse,
    ingest_sources,
    build_warehouse,
    follow_up_queues,
    overdue_checks,
    stale_detection,
    daily_summary,
    retention_cleanup,
    daily_partitions,
    publish,
    retrain_conversion_model,
    rescore_leads,
]
