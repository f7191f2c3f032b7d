"""Sensors, switched on or off in config/schedules.yml:

- ``landing_files_sensor``: files land in landing/<source>/: ingest that source and build what
  depends on it (the sources with files in the same tick in one run), keyed by the files, so a file
  never starts two runs;
- ``build_after_ingest``: an ingest run that loaded something new starts the warehouse build;
- ``publish_after_partitions``: a run of the day partitions is followed by a publish;
- ``run_failures_sensor``: a failed run is spooled for ops.run_failures (ops.run_failures) and, when
  LEADHOUSE_ALERT_WEBHOOK is set, posted to that webhook, once;
- ``freshness_checks_sensor``: evaluates the freshness checks (orchestration/defs/operations/freshness.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import dagster as dg

from ingest.config import extracted_sources, load_source_configs
from ingest.pipeline import landing_files, still_being_written
from leadhouse.settings import Settings
from orchestration.defs.operations import jobs
from orchestration.lib.automation_config import AutomationConfig, sensor_status


def landing_state(settings: Settings) -> dict[str, dict[str, list[int]]]:
    """Per source, the settled files of its landing folder: relative path -> [size, mtime_ns].
    Files an extraction writes are left out: the run that extracted them ingests them (seeing them
    here would start a run per extraction, which extracts again: a loop while the database changes)."""
    configs = load_source_configs(settings.sources_dir)
    written_by_runs = extracted_sources(configs)
    state: dict[str, dict[str, list[int]]] = {}
    for config in configs:
        if config.name in written_by_runs:
            continue
        for path in landing_files(config, settings.landing_dir):
            if still_being_written(path, config.settle_seconds):
                continue  # seen again on a later tick, once it has settled
            stat = path.stat()
            state.setdefault(config.name, {})[str(path.relative_to(settings.landing_dir))] = [
                stat.st_size,
                stat.st_mtime_ns,
            ]
    return state


def source_selection(source: str) -> dg.AssetSelection:
    """A source's ingestion and everything after it, as a refresh builds it."""
    return (
        dg.AssetSelection.assets(dg.AssetKey(["raw", source])).downstream()
        - jobs.TRAINING
        - jobs.DAILY
        - jobs.ON_THEIR_OWN
    )


def build_landing_files_sensor(settings: Settings, automation: AutomationConfig) -> dg.SensorDefinition:
    sensor_settings = automation.sensor("landing_files")

    @dg.sensor(
        name="landing_files_sensor",
        job=jobs.refresh_warehouse,
        minimum_interval_seconds=sensor_settings.minimum_interval_seconds,
        default_status=sensor_status(sensor_settings.enabled),
        description="A file lands in, or changes in, landing/<source>/: a run ingests that source and "
        "builds what depends on it, nothing else. Sources that got files in the same tick share one run "
        "(a run per source would rebuild the warehouse once per source). The run key names the files "
        "with their sizes and times, so the same file never starts two runs; the ingestion's content "
        "ledger decides what is really new.",
    )
    def landing_files_sensor(context: dg.SensorEvaluationContext):
        seen: dict[str, list[int]] = json.loads(context.cursor) if context.cursor else {}
        state = landing_state(settings)
        current = {name: value for files in state.values() for name, value in files.items()}
        context.update_cursor(json.dumps(current, sort_keys=True))
        changed = {
            source: {name: value for name, value in sorted(files.items()) if seen.get(name) != value}
            for source, files in sorted(state.items())
        }
        changed = {source: files for source, files in changed.items() if files}
        if not changed:
            return dg.SkipReason("no new or changed landing files")
        graph = context.repository_def.asset_graph
        selection = dg.AssetSelection.assets()
        for source in changed:
            selection |= source_selection(source)
        keys = [key for key in selection.resolve(graph) if graph.get(key).is_materializable]
        files = [name for files in changed.values() for name in files]
        digest = hashlib.sha256(json.dumps(changed, sort_keys=True).encode()).hexdigest()[:16]
        return dg.RunRequest(
            run_key=f"landing-{digest}",
            asset_selection=sorted(keys, key=dg.AssetKey.to_user_string),
            tags={
                "leadhouse/sources": ", ".join(changed)[:1000],
                "leadhouse/changed_files": ", ".join(files[:20])[:1000],
            },
        )

    return landing_files_sensor


def new_data_loaded(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The ingestion assets of a run that loaded new files or extracted new rows."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    loaded = []
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None:
            continue
        metadata = materialization.metadata
        counts = [metadata.get(name) for name in ("new_files", "extracted_rows", "extracted_deletions")]
        if any(getattr(value, "value", 0) for value in counts):
            loaded.append(materialization.asset_key.to_user_string())
    return sorted(loaded)


def build_after_ingest_sensor(automation: AutomationConfig) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="build_after_ingest",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[jobs.ingest_sources],
        request_job=jobs.build_warehouse,
        default_status=sensor_status(automation.sensor("build_after_ingest").enabled),
        description="After an ingest_sources run that loaded new files or rows: build the warehouse "
        "(build_warehouse), once per ingest run. An ingest run that found nothing new starts nothing.",
    )
    def build_after_ingest(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        loaded = new_data_loaded(context.instance, run.run_id)
        if not loaded:
            return dg.SkipReason(f"ingest run {run.run_id[:8]} loaded nothing new")
        return dg.RunRequest(
            run_key=f"after-ingest-{run.run_id}",
            tags={"leadhouse/after_ingest_run": run.run_id, "leadhouse/loaded": ", ".join(loaded)[:1000]},
        )

    return build_after_ingest


def build_publish_after_partitions_sensor(
    automation: AutomationConfig, daily_keys: set[dg.AssetKey]
) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name="publish_after_partitions",
        run_status=dg.DagsterRunStatus.SUCCESS,
        request_job=jobs.publish,
        default_status=sensor_status(automation.sensor("publish_after_partitions").enabled),
        description="After a run that built day partitions succeeded (the daily_partitions schedule, a "
        "backfill from the UI or make backfill): publish, so readers get the days it built.",
    )
    def publish_after_partitions(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if run.job_name != jobs.daily_partitions.name and not (set(run.asset_selection or ()) & daily_keys):
            return dg.SkipReason(f"run {run.run_id[:8]} built no day partition")
        return dg.RunRequest(run_key=f"publish-after-{run.run_id}")

    return publish_after_partitions


def _root_cause(error) -> str:
    """The innermost error of a chain: "RuntimeError: the CRM answered 503", not Dagster's wrapper."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message


def build_run_failure_sensor(settings: Settings, automation: AutomationConfig) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="run_failures_sensor",
        default_status=sensor_status(automation.sensor("run_failures").enabled),
        monitor_all_code_locations=False,
        description="Every failed run of this code location: spooled under <data>/ops/ at once, and written "
        "to ops.run_failures by the next step that writes the warehouse (the sensor runs outside the "
        "writer pool, so it never opens the warehouse itself: a dbt command opening it at that moment "
        "would fail). A short JSON message goes to LEADHOUSE_ALERT_WEBHOOK when it is set, once per "
        "run; its URL is never logged.",
    )
    def run_failures_sensor(context: dg.RunFailureSensorContext) -> None:
        from ops.alerts import WEBHOOK_ENV, alert_webhook_url, post_alert_once
        from ops.run_failures import RunFailure, spool_failure

        run = context.dagster_run
        step_failures = context.get_step_failure_events()
        steps = sorted({event.step_key for event in step_failures if event.step_key})
        # The step's own error says what went wrong; the run's event only that steps failed.
        errors = [event.step_failure_data.error for event in step_failures if event.step_failure_data]
        message = _root_cause(errors[0]) if errors and errors[0] else context.failure_event.message
        record = context.instance.get_run_record_by_id(run.run_id)
        failed_at = record.end_time if record and record.end_time else None
        failure = RunFailure(
            run_id=run.run_id,
            job_name=run.job_name,
            failed_at=datetime.fromtimestamp(failed_at, UTC) if failed_at else datetime.now(UTC),
            error_message=message or "",
            failed_steps=steps,
            partition=_partition(run.tags),
            tags={key: value for key, value in run.tags.items() if key.startswith("leadhouse/")},
        )
        state = settings.data_dir / "ops"
        spool_failure(state, failure)
        context.log.info(f"run {run.run_id[:8]} ({run.job_name}) failed: spooled for ops.run_failures")
        url = alert_webhook_url()
        if url:
            # A short budget: a tick that outlives the sensor's deadline is evaluated again.
            result = post_alert_once(url, failure, state, timeout=5, attempts=2)
            if result is None:
                context.log.info(f"alert for run {run.run_id[:8]} already posted")
            elif result.ok:
                context.log.info(f"alert posted to {WEBHOOK_ENV} (HTTP {result.status})")
            else:
                context.log.warning(f"alert not delivered: {result.error}")

    return run_failures_sensor


def _partition(tags) -> str | None:
    """A run's partition, or its range ``first...last``."""
    if tags.get("dagster/partition"):
        return tags["dagster/partition"]
    first, last = (
        tags.get("dagster/asset_partition_range_start"),
        tags.get("dagster/asset_partition_range_end"),
    )
    return f"{first}...{last}" if first and last else None


def build_automation_condition_sensor(automation: AutomationConfig) -> dg.AutomationConditionSensorDefinition:
    settings = automation.sensor("automation_conditions")
    return dg.AutomationConditionSensorDefinition(
        "automation_conditions",
        target=dg.AssetSelection.all(),
        default_status=sensor_status(settings.enabled),
        minimum_interval_seconds=settings.minimum_interval_seconds,
        description="Declarative automation: materializes the assets whose automation condition says so "
        "(published/report: eagerly, after every publish).",
    )
