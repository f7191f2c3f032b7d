"""A run's "now" (as_of) and its day partitions.

A scheduled run carries its tick time in the tag ``leadhouse/as_of``; every step of it (dbt, the
scoring, the files) takes that as "now", so a rerun of the run (Dagster copies its tags) gives the
same marts. A run without the tag takes the settings' (``LEADHOUSE_AS_OF``), else the moment it
was created: one "now" for all its steps.

The day partitions (marts tagged ``daily_partitioned``) are UTC days from ``partitions.start_date``
of config/schedules.yml; a run of one day or a range passes the window to dbt as
``LEADHOUSE_PARTITION_START`` / ``_END`` (the end excluded).
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from leadhouse.settings import Settings, as_of_var, parse_as_of

AS_OF_TAG = "leadhouse/as_of"
DAILY_TAG = "daily_partitioned"  # the dbt tag of the day-partitioned marts


def as_of_tag(moment: datetime) -> dict[str, str]:
    """The tag that pins a run's as_of to ``moment`` (stored in UTC)."""
    return {AS_OF_TAG: as_of_var(moment if moment.tzinfo else moment.replace(tzinfo=UTC))}


def run_settings(settings: Settings, context: dg.OpExecutionContext) -> Settings:
    """``settings`` with the run's as_of: its tag, else the settings' (``LEADHOUSE_AS_OF``), else
    the moment the run (the first of its re-executions) was created. One "now" for every step of a
    run: the dbt command before the scoring and the one after it must agree
    (marts.agent_daily_summary reads both)."""
    tag = context.run.tags.get(AS_OF_TAG)
    if tag:
        return dataclasses.replace(settings, as_of=parse_as_of(tag, f"run tag {AS_OF_TAG}"))
    if settings.as_of:
        return settings
    # A re-execution is a new run: the root run's creation keeps "now" where its first steps had it.
    record = context.instance.get_run_record_by_id(context.run.root_run_id or context.run_id)
    created = record.create_timestamp if record else datetime.now(UTC)
    return dataclasses.replace(settings, as_of=created.astimezone(UTC).replace(microsecond=0))


def daily_partitions(start_date: str) -> dg.DailyPartitionsDefinition:
    """UTC days from ``start_date`` to yesterday (a day is built once it is over)."""
    return dg.DailyPartitionsDefinition(start_date=start_date, timezone="UTC")


def partition_env(context: dg.AssetExecutionContext) -> dict[str, str]:
    """dbt's window for a partitioned run (one day, or a backfill's range); nothing otherwise."""
    if not context.has_partition_key_range and not context.has_partition_key:
        return {}
    window = context.partition_time_window
    return {
        "LEADHOUSE_PARTITION_START": window.start.astimezone(UTC).strftime("%Y-%m-%d"),
        "LEADHOUSE_PARTITION_END": window.end.astimezone(UTC).strftime("%Y-%m-%d"),
    }


def day_range(tick: datetime, lookback_days: int, start: date) -> tuple[str, str] | None:
    """The partition keys the daily schedule builds at ``tick``: the UTC day before it and the
    ``lookback_days`` before that (rows that arrive late for a day already built), none before the
    first partition (``start``); None when the day before ``tick`` is before it."""
    last = (tick.astimezone(UTC) - timedelta(days=1)).date()
    if last < start:
        return None
    first = max(last - timedelta(days=lookback_days), start)
    return first.isoformat(), last.isoformat()


def main(argv: list[str]) -> int:
    """``python -m orchestration.lib.clock range|selection``, for `make backfill`: every day partition
    up to the day before as_of (LEADHOUSE_AS_OF, else today) as ``first...last``; or the keys of the
    day-partitioned assets, comma-separated."""
    from orchestration.lib.automation_config import load_automation_config

    what = argv[0] if argv else "range"
    if what == "selection":
        from orchestration.definitions import defs

        graph = defs.resolve_asset_graph()
        keys = [key for key in graph.get_all_asset_keys() if graph.get(key).partitions_def is not None]
        print(",".join(sorted(key.to_user_string() for key in keys)))
        return 0
    start: date = load_automation_config().partitions.start_date
    as_of = Settings.from_env().as_of or datetime.now(UTC)
    last = (as_of.astimezone(UTC) - timedelta(days=1)).date()
    if last < start:
        print(f"no day partition before as_of {as_of:%Y-%m-%d} (they start {start})", file=sys.stderr)
        return 1
    print(f"{start.isoformat()}...{last.isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
