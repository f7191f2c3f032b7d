"""Schedules, from config/schedules.yml (cron, time zone, on or off). Each scheduled run takes its
tick as its "now" (the tag leadhouse/as_of): rerunning it gives the same marts."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.operations import jobs
from orchestration.lib.automation_config import AutomationConfig, schedule_status
from orchestration.lib.clock import as_of_tag, day_range

# schedule -> (job, what the UI says it does)
SCHEDULED_JOBS: dict[str, tuple[dg.UnresolvedAssetJobDefinition, str]] = {
    "hourly_ingest": (jobs.ingest_sources, "Ingest every source with new files or database rows."),
    "follow_up_queues": (jobs.follow_up_queues, "Follow-up queues and reminders, as of the tick."),
    "overdue_checks": (jobs.overdue_checks, "Overdue follow-ups, as of the tick."),
    "stale_detection": (jobs.stale_detection, "Stale leads, as of the tick."),
    "retention_cleanup": (jobs.retention_cleanup, "Retention cleanup (config/retention.yml), audited."),
    "daily_summary": (jobs.daily_summary, "The morning summary per agent: mart and files."),
    "hourly_rescore": (jobs.rescore_leads, "Score the open leads with the champion model."),
    "weekly_retrain": (jobs.retrain_conversion_model, "Train a candidate; promoted only through its gate."),
    "daily_partitions": (jobs.daily_partitions, "Yesterday's day partitions and the lookback days before."),
}


def build_schedule(name: str, automation: AutomationConfig) -> dg.ScheduleDefinition:
    job, description = SCHEDULED_JOBS[name]
    settings = automation.schedule(name)
    lookback = settings.lookback_days

    def request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        tick = context.scheduled_execution_time
        tags = as_of_tag(tick) | {"leadhouse/schedule": name}
        if name == "daily_partitions":
            days = day_range(tick, lookback, automation.partitions.start_date)
            if days is None:
                return dg.SkipReason(
                    f"no day partition before {tick:%Y-%m-%d} (they start {automation.partitions.start_date})"
                )
            tags |= {
                "dagster/asset_partition_range_start": days[0],
                "dagster/asset_partition_range_end": days[1],
            }
        return dg.RunRequest(run_key=f"{name}-{tick.isoformat()}", tags=tags)

    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=settings.cron,
        execution_timezone=automation.timezone,
        execution_fn=request,
        default_status=schedule_status(settings.enabled),
        description=f"{description} `{settings.cron}` ({automation.timezone}); config/schedules.yml "
        f"starts it {'on' if settings.enabled else 'off'}.",
    )


def build_schedules(automation: AutomationConfig) -> list[dg.ScheduleDefinition]:
    return [build_schedule(name, automation) for name in SCHEDULED_JOBS]
