"""Schedules. Each Python name is the schedule's name in Dagster."""

import dagster as dg

from orchestration.defs.operations.jobs import refresh_warehouse, rescore_leads, retrain_conversion_model

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every morning at 06:00 UTC, whether or not files arrived.",
)

weekly_retrain = dg.ScheduleDefinition(
    name="weekly_retrain",
    job=retrain_conversion_model,
    cron_schedule="0 4 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Retrain the conversion model every Monday at 04:00 UTC (before the daily refresh); "
    "the new version becomes champion only through its gate.",
)

hourly_rescore = dg.ScheduleDefinition(
    name="hourly_rescore",
    job=rescore_leads,
    cron_schedule="30 * * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Rescore the open leads every hour (at :30) with the champion: activity windows move "
    "with time. New leads are also scored whenever files land (the refresh includes scoring).",
)
