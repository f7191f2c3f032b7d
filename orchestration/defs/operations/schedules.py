"""Schedules. Each Python name is the schedule's name in Dagster."""

import dagster as dg

from orchestration.defs.operations.jobs import refresh_warehouse

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh every morning at 06:00 UTC, whether or not files arrived.",
)
